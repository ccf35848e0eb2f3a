#include "viz/render.hpp"

#include "viz/palette.hpp"
#include "viz/views.hpp"

namespace clawnet::viz {

int draw_card(Canvas& canvas, const Fonts& fonts, const Layout& layout, const SDL_Rect& area,
              std::string_view title) {
  canvas.fill_rect(area, palette::region);
  canvas.outline_rect(area, palette::region_edge);
  const int pad = layout.px(10);
  canvas.text(fonts.heading(), title, area.x + pad, area.y + layout.px(6), palette::heading, area.w - 2 * pad);
  return area.y + layout.px(6) + TTF_FontLineSkip(fonts.heading()) + layout.px(4);
}

void draw_lamp(Canvas& canvas, const Layout& layout, SDL_Point centre, SDL_Color color) {
  canvas.disc(centre, layout.px(6), color, palette::background);
}

std::optional<std::string> draw(SDL_Renderer* renderer, const Fonts& fonts, const sim::Snapshot& snapshot,
                                int width, int height, const RunStatus& run) {
  if (renderer == nullptr) return "draw: no renderer";
  const Layout layout(snapshot.cabinet.geometry, width, height);
  Canvas canvas(renderer);
  canvas.clear(palette::background);
  draw_top_view(canvas, fonts, layout, snapshot);
  draw_side_view(canvas, fonts, layout, snapshot);
  draw_log(canvas, fonts, layout, snapshot);
  draw_panel(canvas, fonts, layout, snapshot, run);
  return canvas.error();
}

}  // namespace clawnet::viz
