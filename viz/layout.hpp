// Layout: where each part of the picture goes in a width x height frame, and the
// mapping from cabinet millimetres to pixels. Pure arithmetic, no drawing: the
// renderer and the tests call the same functions, so a probe at gantry_pixel()
// looks exactly where the carriage is drawn.
//
// Regions at the 1280x720 design size (other sizes scale proportionally):
//   top view   x [0%, 51%)   y [0%, 72%)     the cabinet from above
//   side view  x [51%, 66%)  y [0%, 72%)     claw height on a vertical track
//   log        x [0%, 66%)   y [72%, 100%)   recent timeline lines
//   panel      x [66%, 100%) full height     clock, machines, motors, faults, queue
//
// Invariants:
//  1. Every region lies inside the frame, and regions do not overlap.
//  2. field() lies inside top_area() and keeps the cabinet's aspect ratio.
//  3. top_pixel() of any input (even NaN or out of range) lies inside field();
//     positions are clamped to the cabinet first.
#pragma once

#include "sim/snapshot.hpp"

#include <SDL.h>

namespace clawnet::viz {

inline constexpr int design_width_px = 1280;
inline constexpr int design_height_px = 720;

class Layout {
 public:
  // Frame sizes below 1 are treated as 1; a degenerate geometry (zero, negative
  // or not finite) is treated as 1 mm so nothing divides by zero.
  Layout(const sim::CabinetGeometry& geometry, int width, int height);

  int width() const { return width_; }
  int height() const { return height_; }
  // Size factor against the design size: min(width/1280, height/720).
  double scale() const { return scale_; }
  // A length given at the design size, scaled to this frame, at least 1 pixel.
  int px(double design_px) const;

  SDL_Rect top_area() const { return top_area_; }
  SDL_Rect side_area() const { return side_area_; }
  SDL_Rect log_area() const { return log_area_; }
  SDL_Rect panel_area() const { return panel_area_; }

  // The play field rectangle of the top view; (0,0) mm is its bottom-left pixel.
  SDL_Rect field() const { return field_; }
  // The chute square [0, chute_mm]^2, in the field's bottom-left corner.
  SDL_Rect chute() const;
  double pixels_per_mm() const { return pixels_per_mm_; }
  // Where a cabinet position (x, y) is drawn in the top view.
  SDL_Point top_pixel(double x_mm, double y_mm) const;

  // The side view's vertical track: z = 0 at track_top_y(), drop_mm at track_bottom_y().
  int track_x() const;
  int track_top_y() const;
  int track_bottom_y() const;
  int side_pixel_y(double z_mm) const;

  const sim::CabinetGeometry& geometry() const { return geometry_; }

 private:
  sim::CabinetGeometry geometry_;
  int width_ = 1;
  int height_ = 1;
  double scale_ = 1;
  SDL_Rect top_area_{};
  SDL_Rect side_area_{};
  SDL_Rect log_area_{};
  SDL_Rect panel_area_{};
  SDL_Rect field_{};
  double pixels_per_mm_ = 1;
};

// Where the centre of the claw carriage is drawn for `snapshot` in a width x height frame.
SDL_Point gantry_pixel(const sim::Snapshot& snapshot, int width, int height);
// The play field rectangle of the top view for `snapshot` in a width x height frame.
SDL_Rect top_view_rect(const sim::Snapshot& snapshot, int width, int height);

// Returns true iff `point` lies inside `rect` (edges included on the top-left only).
bool contains(const SDL_Rect& rect, SDL_Point point);

}  // namespace clawnet::viz
