// The log: the newest recent_log lines that fit, oldest at the top.
#include "viz/palette.hpp"
#include "viz/views.hpp"

#include <algorithm>

namespace clawnet::viz {

void draw_log(Canvas& canvas, const Fonts& fonts, const Layout& layout, const sim::Snapshot& snapshot) {
  const SDL_Rect area = layout.log_area();
  const int top = draw_card(canvas, fonts, layout, area, "log");
  const int line = std::max(TTF_FontLineSkip(fonts.mono()), 1);
  const int pad = layout.px(10);
  const auto fit = static_cast<std::size_t>(std::max((area.y + area.h - layout.px(4) - top) / line, 0));
  const std::vector<std::string>& lines = snapshot.recent_log;
  const std::size_t first = lines.size() > fit ? lines.size() - fit : 0;
  int y = top;
  for (std::size_t i = first; i < lines.size(); ++i) {
    // The newest line is brightest, so a change catches the eye.
    const SDL_Color color = i + 1 == lines.size() ? palette::text : palette::text_dim;
    canvas.text(fonts.mono(), lines[i], area.x + pad, y, color, area.w - 2 * pad);
    y += line;
  }
}

}  // namespace clawnet::viz
