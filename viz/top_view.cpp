// The cabinet from above: floor, chute, prizes, rails, bridge, carriage, limit switches.
#include "core/claw_machine.hpp"
#include "viz/palette.hpp"
#include "viz/views.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace clawnet::viz {
namespace {

SDL_Color darker(SDL_Color color) {
  return {static_cast<Uint8>(color.r / 2), static_cast<Uint8>(color.g / 2), static_cast<Uint8>(color.b / 2), 255};
}

bool pressed(const sim::CabinetView& cabinet, Switch which) {
  return cabinet.switches[static_cast<std::size_t>(which)];
}

void draw_floor(Canvas& canvas, const Layout& layout) {
  const SDL_Rect field = layout.field();
  canvas.fill_rect(field, palette::floor);
  // A 100 mm grid, coarser for huge cabinets so the line count stays bounded.
  const sim::CabinetGeometry& geometry = layout.geometry();
  const double step_mm = std::max(100.0, std::max(geometry.width_mm, geometry.depth_mm) / 40);
  for (double x = step_mm; x < geometry.width_mm; x += step_mm) {
    const SDL_Point bottom = layout.top_pixel(x, 0);
    canvas.line({bottom.x, field.y}, bottom, palette::floor_grid);
  }
  for (double y = step_mm; y < geometry.depth_mm; y += step_mm) {
    const SDL_Point left = layout.top_pixel(0, y);
    canvas.line(left, {field.x + field.w - 1, left.y}, palette::floor_grid);
  }
  canvas.outline_rect(field, palette::field_edge, layout.px(2));
}

void draw_chute(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::CabinetView& cabinet) {
  const SDL_Rect chute = layout.chute();
  if (chute.w < 4) return;
  canvas.fill_rect(chute, palette::chute);
  canvas.outline_rect(chute, palette::chute_edge, layout.px(2));
  canvas.text(fonts.small(), "chute", chute.x + layout.px(6), chute.y + layout.px(4), palette::chute_edge,
              chute.w - layout.px(8));
  // Won prizes sit in the chute in a small grid, whatever their last position.
  constexpr int per_row = 3;
  const int cell = chute.w / (per_row + 1);
  const int radius = std::max(cell / 3, 2);
  std::size_t shown = 0;
  for (std::size_t i = 0; i < cabinet.prizes.size() && shown < per_row * per_row; ++i) {
    if (!cabinet.prizes[i].won) continue;
    const int column = static_cast<int>(shown % per_row);
    const int row = static_cast<int>(shown / per_row);
    const SDL_Point centre{chute.x + cell * (column + 1), chute.y + chute.h - cell * (row + 1)};
    canvas.disc(centre, radius, palette::prize(i), darker(palette::prize(i)));
    ++shown;
  }
}

void draw_switch(Canvas& canvas, const Layout& layout, SDL_Point centre, bool is_pressed) {
  const int half = layout.px(5);
  const SDL_Rect marker{centre.x - half, centre.y - half, 2 * half + 1, 2 * half + 1};
  canvas.fill_rect(marker, is_pressed ? palette::switch_pressed : palette::switch_idle);
  canvas.outline_rect(marker, palette::background);
}

void draw_rails_and_switches(Canvas& canvas, const Layout& layout, const sim::CabinetView& cabinet) {
  const SDL_Rect field = layout.field();
  const int offset = layout.px(5);
  const int thickness = layout.px(3);
  const int left_x = field.x - offset - thickness / 2;
  const int right_x = field.x + field.w - 1 + offset + thickness / 2;
  canvas.fill_rect({left_x - thickness / 2, field.y, thickness, field.h}, palette::rail);
  canvas.fill_rect({right_x - thickness / 2, field.y, thickness, field.h}, palette::rail);
  const int out = layout.px(15);
  const int middle_x = field.x + field.w / 2;
  const int middle_y = field.y + field.h / 2;
  draw_switch(canvas, layout, {middle_x, field.y - out}, pressed(cabinet, Switch::limit_up));
  draw_switch(canvas, layout, {middle_x, field.y + field.h - 1 + out}, pressed(cabinet, Switch::limit_down));
  draw_switch(canvas, layout, {field.x - out, middle_y}, pressed(cabinet, Switch::limit_left));
  draw_switch(canvas, layout, {field.x + field.w - 1 + out, middle_y}, pressed(cabinet, Switch::limit_right));
}

int prize_radius_px(const Layout& layout) {
  return std::max(static_cast<int>(std::lround(prize_radius_mm * layout.pixels_per_mm())), 3);
}

void draw_gantry(Canvas& canvas, const Layout& layout, const sim::CabinetView& cabinet) {
  const SDL_Rect field = layout.field();
  const SDL_Point centre = layout.top_pixel(cabinet.x_mm, cabinet.y_mm);
  const int offset = layout.px(5);
  // The bridge spans the rails at the carriage's y.
  canvas.fill_rect({field.x - offset - layout.px(3), centre.y - layout.px(2), field.w + 2 * offset + layout.px(6),
                    2 * layout.px(2) + 1},
                   palette::bridge);
  // A held prize hangs under the carriage: drawn first, it rings the carriage.
  for (std::size_t i = 0; i < cabinet.prizes.size(); ++i) {
    if (cabinet.prizes[i].held && !cabinet.prizes[i].won) {
      canvas.disc(centre, prize_radius_px(layout), palette::prize(i), darker(palette::prize(i)));
    }
  }
  const int half = layout.px(11);
  const SDL_Rect carriage{centre.x - half, centre.y - half, 2 * half + 1, 2 * half + 1};
  canvas.fill_rect(carriage, palette::carriage);
  canvas.outline_rect(carriage, palette::carriage_edge, layout.px(2));
}

void draw_caption(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::CabinetView& cabinet) {
  const SDL_Rect area = layout.top_area();
  const int y = area.y + area.h - TTF_FontLineSkip(fonts.small()) - layout.px(6);
  const std::string text = fmt::format("x {:.0f} mm   y {:.0f} mm   z {:.0f} mm   claw {}   prizes won {}",
                                       cabinet.x_mm, cabinet.y_mm, cabinet.z_mm,
                                       cabinet.claw_closed ? "closed" : "open", cabinet.prizes_won);
  canvas.text(fonts.small(), text, area.x + layout.px(10), y, palette::text_dim, area.w - layout.px(20));
}

}  // namespace

void draw_top_view(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot) {
  const sim::CabinetView& cabinet = snapshot.cabinet;
  draw_card(canvas, fonts, layout, layout.top_area(), "cabinet from above");
  draw_floor(canvas, layout);
  draw_chute(canvas, fonts, layout, cabinet);
  for (std::size_t i = 0; i < cabinet.prizes.size(); ++i) {
    const sim::PrizeView& prize = cabinet.prizes[i];
    if (prize.held || prize.won) continue;
    canvas.disc(layout.top_pixel(prize.x_mm, prize.y_mm), prize_radius_px(layout), palette::prize(i),
                darker(palette::prize(i)));
  }
  draw_rails_and_switches(canvas, layout, cabinet);
  draw_gantry(canvas, layout, cabinet);
  draw_caption(canvas, fonts, layout, cabinet);
}

}  // namespace clawnet::viz
