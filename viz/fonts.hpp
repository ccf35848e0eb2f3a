// Fonts: the three TrueType faces the visualizer draws text with, opened at
// sizes for one frame size. Owns them (RAII) and one reference on SDL_ttf
// (TTF_Init / TTF_Quit are reference counted), so a Fonts value is all a caller
// needs. Move-only. Not thread-safe (SDL_ttf is not).
//
// A missing or unreadable font file is an error naming the path and the Debian
// package that provides it (fonts-dejavu-core).
#pragma once

#include <SDL_ttf.h>

#include <memory>
#include <optional>
#include <string>

namespace clawnet::viz {

inline constexpr const char* default_sans_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline constexpr const char* default_mono_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
inline constexpr const char* font_package = "fonts-dejavu-core";

struct FontPaths {
  std::string sans = default_sans_font_path;  // Labels, values, headings.
  std::string mono = default_mono_font_path;  // The log.
};

class Fonts;

struct FontsOrError {
  std::unique_ptr<Fonts> fonts;  // Set on success.
  std::string error;             // Set on failure.
};

class Fonts {
 public:
  // Opens the faces sized for a frame `scale` times the design size (see
  // Layout::scale()). Returns an error naming the path on failure.
  static FontsOrError open(const FontPaths& paths, double scale);

  Fonts(const Fonts&) = delete;
  Fonts& operator=(const Fonts&) = delete;
  ~Fonts();

  TTF_Font* body() const { return body_; }        // Values and labels.
  TTF_Font* small() const { return small_; }      // Secondary labels.
  TTF_Font* heading() const { return heading_; }  // Card titles, bold.
  TTF_Font* mono() const { return mono_; }        // Log lines.
  double scale() const { return scale_; }

 private:
  Fonts() = default;
  bool ttf_initialized_ = false;
  TTF_Font* body_ = nullptr;
  TTF_Font* small_ = nullptr;
  TTF_Font* heading_ = nullptr;
  TTF_Font* mono_ = nullptr;
  double scale_ = 1;
};

}  // namespace clawnet::viz
