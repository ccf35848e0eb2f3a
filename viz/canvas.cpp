#include "viz/canvas.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace clawnet::viz {
namespace {

struct SurfaceDeleter {
  void operator()(SDL_Surface* surface) const { SDL_FreeSurface(surface); }
};
struct TextureDeleter {
  void operator()(SDL_Texture* texture) const { SDL_DestroyTexture(texture); }
};

}  // namespace

std::string_view utf8_prefix(std::string_view text, std::size_t bytes_max) {
  if (text.size() <= bytes_max) return text;
  std::size_t end = bytes_max;
  // Back up over continuation bytes (10xxxxxx) to the start of a sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return text.substr(0, end);
}

void Canvas::check(int sdl_result, const char* what) {
  if (sdl_result != 0 && !error_) error_ = std::string(what) + ": " + SDL_GetError();
}

void Canvas::clear(SDL_Color color) {
  check(SDL_SetRenderDrawColor(renderer_, color.r, color.g, color.b, color.a), "SDL_SetRenderDrawColor");
  check(SDL_RenderClear(renderer_), "SDL_RenderClear");
}

void Canvas::fill_rect(const SDL_Rect& rect, SDL_Color color) {
  if (rect.w <= 0 || rect.h <= 0) return;
  check(SDL_SetRenderDrawColor(renderer_, color.r, color.g, color.b, color.a), "SDL_SetRenderDrawColor");
  check(SDL_RenderFillRect(renderer_, &rect), "SDL_RenderFillRect");
}

void Canvas::outline_rect(const SDL_Rect& rect, SDL_Color color, int thickness) {
  const int t = std::max(thickness, 1);
  fill_rect({rect.x, rect.y, rect.w, t}, color);
  fill_rect({rect.x, rect.y + rect.h - t, rect.w, t}, color);
  fill_rect({rect.x, rect.y, t, rect.h}, color);
  fill_rect({rect.x + rect.w - t, rect.y, t, rect.h}, color);
}

void Canvas::line(SDL_Point from, SDL_Point to, SDL_Color color, int thickness) {
  check(SDL_SetRenderDrawColor(renderer_, color.r, color.g, color.b, color.a), "SDL_SetRenderDrawColor");
  const int t = std::max(thickness, 1);
  // A thick line is parallel one-pixel lines, offset across its main direction.
  const bool mostly_horizontal = std::abs(to.x - from.x) >= std::abs(to.y - from.y);
  for (int i = 0; i < t; ++i) {
    const int offset = i - t / 2;
    const int dx = mostly_horizontal ? 0 : offset;
    const int dy = mostly_horizontal ? offset : 0;
    check(SDL_RenderDrawLine(renderer_, from.x + dx, from.y + dy, to.x + dx, to.y + dy), "SDL_RenderDrawLine");
  }
}

void Canvas::fill_circle(SDL_Point centre, int radius, SDL_Color color) {
  if (radius <= 0) return;
  check(SDL_SetRenderDrawColor(renderer_, color.r, color.g, color.b, color.a), "SDL_SetRenderDrawColor");
  // One horizontal span per row: exact, deterministic, no anti-aliasing.
  for (int dy = -radius; dy <= radius; ++dy) {
    const double half = std::sqrt(static_cast<double>(radius * radius - dy * dy));
    const int dx = static_cast<int>(std::lround(half));
    check(SDL_RenderDrawLine(renderer_, centre.x - dx, centre.y + dy, centre.x + dx, centre.y + dy),
          "SDL_RenderDrawLine");
  }
}

void Canvas::disc(SDL_Point centre, int radius, SDL_Color fill, SDL_Color edge) {
  fill_circle(centre, radius, edge);
  fill_circle(centre, radius - std::max(radius / 6, 1), fill);
}

int Canvas::text(TTF_Font* font, std::string_view text, int x, int y, SDL_Color color, int width_max) {
  const std::string owned(utf8_prefix(text, text_bytes_max));
  if (owned.empty() || font == nullptr) return 0;
  std::unique_ptr<SDL_Surface, SurfaceDeleter> surface(TTF_RenderUTF8_Blended(font, owned.c_str(), color));
  if (!surface) {
    check(-1, "TTF_RenderUTF8_Blended");
    return 0;
  }
  std::unique_ptr<SDL_Texture, TextureDeleter> texture(SDL_CreateTextureFromSurface(renderer_, surface.get()));
  if (!texture) {
    check(-1, "SDL_CreateTextureFromSurface");
    return 0;
  }
  const int w = width_max > 0 ? std::min(surface->w, width_max) : surface->w;
  const SDL_Rect source{0, 0, w, surface->h};
  const SDL_Rect target{x, y, w, surface->h};
  check(SDL_RenderCopy(renderer_, texture.get(), &source, &target), "SDL_RenderCopy");
  return w;
}

int Canvas::text_width(TTF_Font* font, std::string_view text) {
  const std::string owned(utf8_prefix(text, text_bytes_max));
  int w = 0;
  int h = 0;
  if (owned.empty() || font == nullptr) return 0;
  check(TTF_SizeUTF8(font, owned.c_str(), &w, &h), "TTF_SizeUTF8");
  return w;
}

void Canvas::bar(const SDL_Rect& rect, double fraction, SDL_Color fill, SDL_Color track) {
  const double f = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
  fill_rect(rect, track);
  fill_rect({rect.x, rect.y, static_cast<int>(std::lround(f * rect.w)), rect.h}, fill);
}

}  // namespace clawnet::viz
