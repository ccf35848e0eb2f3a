#include "viz/headless.hpp"

#include <png.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace clawnet::viz {
namespace {

struct RendererDeleter {
  void operator()(SDL_Renderer* renderer) const { SDL_DestroyRenderer(renderer); }
};

std::string sdl_error(const char* what) { return std::string(what) + " failed: " + SDL_GetError(); }

}  // namespace

std::optional<std::string> validate_frame_size(int width, int height) {
  if (width < frame_side_min || width > frame_width_max) {
    return "frame width " + std::to_string(width) + " outside [" + std::to_string(frame_side_min) + ", " +
           std::to_string(frame_width_max) + "]";
  }
  if (height < frame_side_min || height > frame_height_max) {
    return "frame height " + std::to_string(height) + " outside [" + std::to_string(frame_side_min) + ", " +
           std::to_string(frame_height_max) + "]";
  }
  return std::nullopt;
}

SurfaceOrError render_to_surface(const Fonts& fonts, const sim::Snapshot& snapshot, int width, int height,
                                 const RunStatus& run) {
  SurfaceOrError result;
  if (auto error = validate_frame_size(width, height)) {
    result.error = *error;
    return result;
  }
  SurfacePtr surface(SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888));
  if (!surface) {
    result.error = sdl_error("SDL_CreateRGBSurfaceWithFormat");
    return result;
  }
  {
    // The renderer draws into the surface and must go before it.
    std::unique_ptr<SDL_Renderer, RendererDeleter> renderer(SDL_CreateSoftwareRenderer(surface.get()));
    if (!renderer) {
      result.error = sdl_error("SDL_CreateSoftwareRenderer");
      return result;
    }
    if (auto error = draw(renderer.get(), fonts, snapshot, width, height, run)) {
      result.error = *error;
      return result;
    }
    if (SDL_RenderFlush(renderer.get()) != 0) {
      result.error = sdl_error("SDL_RenderFlush");
      return result;
    }
  }
  result.surface = std::move(surface);
  return result;
}

std::optional<std::string> write_png(SDL_Surface& surface, const std::string& path) {
  SurfacePtr rgb(SDL_ConvertSurfaceFormat(&surface, SDL_PIXELFORMAT_RGB24, 0));
  if (!rgb) return sdl_error("SDL_ConvertSurfaceFormat");
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return "cannot open " + path + " for writing: " + std::strerror(errno);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(rgb->w);
  image.height = static_cast<png_uint_32>(rgb->h);
  image.format = PNG_FORMAT_RGB;
  // For 8-bit components the row stride in components is the pitch in bytes.
  const int written = png_image_write_to_stdio(&image, file, 0, rgb->pixels, rgb->pitch, nullptr);
  std::optional<std::string> error;
  if (written == 0) error = "cannot write PNG " + path + ": " + image.message;
  png_image_free(&image);
  if (std::fclose(file) != 0 && !error) error = "cannot close " + path + ": " + std::strerror(errno);
  return error;
}

std::optional<std::string> render_png(const Fonts& fonts, const sim::Snapshot& snapshot, int width, int height,
                                      const std::string& path, const RunStatus& run) {
  SurfaceOrError rendered = render_to_surface(fonts, snapshot, width, height, run);
  if (!rendered.surface) return rendered.error;
  return write_png(*rendered.surface, path);
}

SDL_Color pixel_at(const SDL_Surface& surface, int x, int y) {
  assert(x >= 0 && x < surface.w);
  assert(y >= 0 && y < surface.h);
  const int bytes = surface.format->BytesPerPixel;
  const auto* row = static_cast<const Uint8*>(surface.pixels) + static_cast<std::ptrdiff_t>(y) * surface.pitch;
  const Uint8* at = row + static_cast<std::ptrdiff_t>(x) * bytes;
  Uint32 value = 0;
  std::memcpy(&value, at, static_cast<std::size_t>(std::min(bytes, 4)));
  SDL_Color color{};
  SDL_GetRGBA(value, surface.format, &color.r, &color.g, &color.b, &color.a);
  return color;
}

}  // namespace clawnet::viz
