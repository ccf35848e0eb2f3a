#include "viz/layout.hpp"

#include <algorithm>
#include <cmath>

namespace clawnet::viz {
namespace {

double finite_at_least(double value, double minimum) {
  return std::isfinite(value) ? std::max(value, minimum) : minimum;
}

// Clamps to [0, high]; NaN becomes 0 so a broken position never reaches a cast.
double clamp_mm(double value, double high) {
  return std::isfinite(value) ? std::clamp(value, 0.0, high) : 0.0;
}

int round_to_int(double value) { return static_cast<int>(std::lround(value)); }

sim::CabinetGeometry sanitized(const sim::CabinetGeometry& geometry) {
  sim::CabinetGeometry result;
  result.width_mm = finite_at_least(geometry.width_mm, 1);
  result.depth_mm = finite_at_least(geometry.depth_mm, 1);
  result.drop_mm = finite_at_least(geometry.drop_mm, 1);
  result.chute_mm = std::min(finite_at_least(geometry.chute_mm, 0),
                             std::min(result.width_mm, result.depth_mm));
  return result;
}

}  // namespace

Layout::Layout(const sim::CabinetGeometry& geometry, int width, int height)
    : geometry_(sanitized(geometry)), width_(std::max(width, 1)), height_(std::max(height, 1)) {
  scale_ = std::min(static_cast<double>(width_) / design_width_px,
                    static_cast<double>(height_) / design_height_px);
  const int gap = px(8);
  const int half_gap = std::max(gap / 2, 1);
  const int column_1 = round_to_int(0.51 * width_);
  const int column_2 = round_to_int(0.66 * width_);
  const int row_1 = round_to_int(0.72 * height_);
  top_area_ = {gap, gap, column_1 - gap - half_gap, row_1 - gap - half_gap};
  side_area_ = {column_1 + half_gap, gap, column_2 - column_1 - 2 * half_gap, row_1 - gap - half_gap};
  log_area_ = {gap, row_1 + half_gap, column_2 - gap - half_gap, height_ - row_1 - half_gap - gap};
  panel_area_ = {column_2 + half_gap, gap, width_ - column_2 - half_gap - gap, height_ - 2 * gap};

  // The field keeps the cabinet's aspect ratio inside the top card, below its
  // title, above its caption, with a margin for the limit switch markers.
  const int title = px(30);
  const int caption = px(46);  // The caption line and the bottom switch marker.
  const int margin = px(22);
  const double available_w = std::max(top_area_.w - 2 * margin, 2);
  const double available_h = std::max(top_area_.h - title - caption - margin / 2, 2);
  pixels_per_mm_ = std::min(available_w / geometry_.width_mm, available_h / geometry_.depth_mm);
  const int field_w = std::max(round_to_int(geometry_.width_mm * pixels_per_mm_), 2);
  const int field_h = std::max(round_to_int(geometry_.depth_mm * pixels_per_mm_), 2);
  field_ = {top_area_.x + (top_area_.w - field_w) / 2,
            top_area_.y + title + margin / 2 + (static_cast<int>(available_h) - field_h) / 2, field_w,
            field_h};
}

int Layout::px(double design_px) const { return std::max(round_to_int(design_px * scale_), 1); }

SDL_Rect Layout::chute() const {
  const int side = round_to_int(geometry_.chute_mm * pixels_per_mm_);
  return {field_.x, field_.y + field_.h - side, side, side};
}

SDL_Point Layout::top_pixel(double x_mm, double y_mm) const {
  const double x = clamp_mm(x_mm, geometry_.width_mm) / geometry_.width_mm;
  const double y = clamp_mm(y_mm, geometry_.depth_mm) / geometry_.depth_mm;
  return {field_.x + round_to_int(x * (field_.w - 1)), field_.y + (field_.h - 1) - round_to_int(y * (field_.h - 1))};
}

int Layout::track_x() const { return side_area_.x + side_area_.w / 2; }
int Layout::track_top_y() const { return side_area_.y + px(30) + px(24); }
int Layout::track_bottom_y() const {
  return std::max(side_area_.y + side_area_.h - px(70), track_top_y() + 1);
}

int Layout::side_pixel_y(double z_mm) const {
  const double z = clamp_mm(z_mm, geometry_.drop_mm) / geometry_.drop_mm;
  return track_top_y() + round_to_int(z * (track_bottom_y() - track_top_y()));
}

SDL_Point gantry_pixel(const sim::Snapshot& snapshot, int width, int height) {
  const Layout layout(snapshot.cabinet.geometry, width, height);
  return layout.top_pixel(snapshot.cabinet.x_mm, snapshot.cabinet.y_mm);
}

SDL_Rect top_view_rect(const sim::Snapshot& snapshot, int width, int height) {
  return Layout(snapshot.cabinet.geometry, width, height).field();
}

bool contains(const SDL_Rect& rect, SDL_Point point) {
  return point.x >= rect.x && point.x < rect.x + rect.w && point.y >= rect.y && point.y < rect.y + rect.h;
}

}  // namespace clawnet::viz
