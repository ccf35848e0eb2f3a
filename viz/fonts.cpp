#include "viz/fonts.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace clawnet::viz {
namespace {

// Point sizes at the design size (1280x720); never below a legible minimum.
constexpr double body_pt = 15;
constexpr double small_pt = 13;
constexpr double heading_pt = 16;
constexpr double mono_pt = 12.5;
constexpr int minimum_pt = 7;
constexpr double scale_max = 8;  // Beyond 10k pixels wide nothing is legible anyway.

int point_size(double design_pt, double scale) {
  return std::max(static_cast<int>(std::lround(design_pt * scale)), minimum_pt);
}

// Opens one face, or explains why not: first whether the file is there at all,
// because that is the usual problem and the package name fixes it.
TTF_Font* open_face(const std::string& path, int size_pt, std::string& error) {
  if (!std::ifstream(path).good()) {
    error = "font file not readable: " + path + " (install the Debian package " + font_package +
            ", or pass another font path)";
    return nullptr;
  }
  TTF_Font* font = TTF_OpenFont(path.c_str(), size_pt);
  if (font == nullptr) {
    error = "cannot load font " + path + ": " + TTF_GetError();
  }
  return font;
}

}  // namespace

FontsOrError Fonts::open(const FontPaths& paths, double scale) {
  FontsOrError result;
  if (!std::isfinite(scale) || scale <= 0 || scale > scale_max) {
    result.error = "font scale out of range (0, 8]: " + std::to_string(scale);
    return result;
  }
  std::unique_ptr<Fonts> fonts(new Fonts());
  fonts->scale_ = scale;
  if (TTF_Init() != 0) {
    result.error = std::string("TTF_Init failed: ") + TTF_GetError();
    return result;
  }
  fonts->ttf_initialized_ = true;
  std::string error;
  fonts->body_ = open_face(paths.sans, point_size(body_pt, scale), error);
  if (fonts->body_ != nullptr) fonts->small_ = open_face(paths.sans, point_size(small_pt, scale), error);
  if (fonts->small_ != nullptr) fonts->heading_ = open_face(paths.sans, point_size(heading_pt, scale), error);
  if (fonts->heading_ != nullptr) fonts->mono_ = open_face(paths.mono, point_size(mono_pt, scale), error);
  if (fonts->mono_ == nullptr) {
    result.error = error;
    return result;  // The destructor closes whatever did open.
  }
  TTF_SetFontStyle(fonts->heading_, TTF_STYLE_BOLD);
  result.fonts = std::move(fonts);
  return result;
}

Fonts::~Fonts() {
  // Reverse order of opening.
  if (mono_ != nullptr) TTF_CloseFont(mono_);
  if (heading_ != nullptr) TTF_CloseFont(heading_);
  if (small_ != nullptr) TTF_CloseFont(small_);
  if (body_ != nullptr) TTF_CloseFont(body_);
  if (ttf_initialized_) TTF_Quit();
}

}  // namespace clawnet::viz
