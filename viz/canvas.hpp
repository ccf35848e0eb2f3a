// Canvas: the few drawing primitives the views need (rectangles, lines, filled
// circles, text, lamps, bars) over one SDL_Renderer. It keeps drawing after a
// failed SDL call, so one bad string does not blank the frame, and remembers
// the first failure with SDL_GetError() for the caller to report.
// Not thread-safe; borrows the renderer and fonts.
#pragma once

#include <SDL.h>
#include <SDL_ttf.h>

#include <optional>
#include <string>
#include <string_view>

namespace clawnet::viz {

// Text longer than this is cut before rendering: a log line is a line, and a
// hostile player name must not become a huge surface.
inline constexpr std::size_t text_bytes_max = 160;

class Canvas {
 public:
  explicit Canvas(SDL_Renderer* renderer) : renderer_(renderer) {}

  void clear(SDL_Color color);
  void fill_rect(const SDL_Rect& rect, SDL_Color color);
  void outline_rect(const SDL_Rect& rect, SDL_Color color, int thickness = 1);
  void line(SDL_Point from, SDL_Point to, SDL_Color color, int thickness = 1);
  void fill_circle(SDL_Point centre, int radius, SDL_Color color);
  // A filled circle with a ring of `edge` colour around it.
  void disc(SDL_Point centre, int radius, SDL_Color fill, SDL_Color edge);
  // Draws `text` with its top-left corner at (x, y), cut to `width_max` pixels
  // when positive. Returns the drawn width in pixels (0 for empty text).
  int text(TTF_Font* font, std::string_view text, int x, int y, SDL_Color color, int width_max = 0);
  // Width in pixels `text` would take, uncut.
  int text_width(TTF_Font* font, std::string_view text);
  // A horizontal bar of `fraction` (clamped to [0, 1]) over its track.
  void bar(const SDL_Rect& rect, double fraction, SDL_Color fill, SDL_Color track);

  // The first SDL failure since construction, if any.
  const std::optional<std::string>& error() const { return error_; }

 private:
  void check(int sdl_result, const char* what);
  SDL_Renderer* renderer_;
  std::optional<std::string> error_;
};

// `text` cut to at most `bytes_max` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t bytes_max);

}  // namespace clawnet::viz
