// The cabinet from the side: the hoist track, the cable, the claw at height z.
#include "core/claw_machine.hpp"
#include "viz/palette.hpp"
#include "viz/views.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace clawnet::viz {
namespace {

void draw_track(Canvas& canvas, const Layout& layout, const sim::CabinetView& cabinet) {
  const int x = layout.track_x();
  const int top = layout.track_top_y();
  const int bottom = layout.track_bottom_y();
  const SDL_Rect area = layout.side_area();
  // Hoist beam across the top, track down the middle, floor under the reach.
  canvas.fill_rect({area.x + layout.px(14), top - layout.px(14), area.w - layout.px(28), layout.px(6)}, palette::rail);
  canvas.fill_rect({x - layout.px(30), top - layout.px(8), layout.px(3), bottom - top + layout.px(16)},
                   palette::rail);
  const int floor_y = bottom + layout.px(34);
  canvas.fill_rect({area.x + layout.px(14), floor_y, area.w - layout.px(28), layout.px(10)}, palette::floor);
  // Ticks every 50 mm of drop on the track, capped for absurd geometries.
  const double drop_mm = layout.geometry().drop_mm;
  const double step_mm = std::max(50.0, drop_mm / 20);
  for (double z = 0; z <= drop_mm + 1e-9; z += step_mm) {
    const int y = layout.side_pixel_y(z);
    canvas.fill_rect({x - layout.px(36), y, layout.px(6), 1}, palette::rail);
  }
  const int half = layout.px(5);
  const auto marker = [&](int y, bool is_pressed) {
    const SDL_Rect rect{x - layout.px(28) - 3 * half, y - half, 2 * half + 1, 2 * half + 1};
    canvas.fill_rect(rect, is_pressed ? palette::switch_pressed : palette::switch_idle);
    canvas.outline_rect(rect, palette::background);
  };
  marker(top, cabinet.switches[static_cast<std::size_t>(Switch::claw_top)]);
  marker(bottom, cabinet.switches[static_cast<std::size_t>(Switch::claw_bottom)]);
}

// The claw: a body and two prongs, spread when open, together when closed.
void draw_claw(Canvas& canvas, const Layout& layout, const sim::CabinetView& cabinet) {
  const int x = layout.track_x();
  const int y = layout.side_pixel_y(cabinet.z_mm);
  const int top = layout.track_top_y();
  canvas.line({x, top - layout.px(8)}, {x, y}, palette::cable, layout.px(2));
  const int body_half = layout.px(13);
  canvas.fill_rect({x - body_half, y, 2 * body_half + 1, layout.px(12)}, palette::claw);
  const int shoulder_y = y + layout.px(12);
  const int reach = layout.px(32);
  const int spread = cabinet.claw_closed ? layout.px(4) : layout.px(26);
  const int thickness = layout.px(3);
  for (const int side : {-1, 1}) {
    const SDL_Point shoulder{x + side * body_half, shoulder_y};
    const SDL_Point elbow{x + side * (body_half + spread / 2), shoulder_y + reach / 2};
    const SDL_Point tip{x + side * std::max(spread - layout.px(4), 1), shoulder_y + reach};
    canvas.line(shoulder, elbow, palette::claw, thickness);
    canvas.line(elbow, tip, palette::claw, thickness);
  }
  for (std::size_t i = 0; i < cabinet.prizes.size(); ++i) {
    if (cabinet.prizes[i].held && !cabinet.prizes[i].won) {
      canvas.disc({x, shoulder_y + reach / 2 + layout.px(2)}, layout.px(11), palette::prize(i), palette::background);
      break;
    }
  }
}

}  // namespace

void draw_side_view(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot) {
  const SDL_Rect area = layout.side_area();
  draw_card(canvas, fonts, layout, area, "from the side");
  draw_track(canvas, layout, snapshot.cabinet);
  draw_claw(canvas, layout, snapshot.cabinet);
  const std::string text = fmt::format("z {:.0f} / {:.0f} mm", snapshot.cabinet.z_mm, layout.geometry().drop_mm);
  canvas.text(fonts.small(), text, area.x + layout.px(10), area.y + area.h - TTF_FontLineSkip(fonts.small()) - layout.px(6),
              palette::text, area.w - layout.px(20));
}

}  // namespace clawnet::viz
