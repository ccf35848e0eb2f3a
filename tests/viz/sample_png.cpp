// Renders the sample snapshot to the PNG path given, at an optional size.
// Usage: viz_sample_png PATH [WIDTH HEIGHT]
#include "sample_snapshot.hpp"
#include "viz/headless.hpp"
#include "viz/layout.hpp"

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  using namespace clawnet::viz;
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s PATH [WIDTH HEIGHT]\n", argv[0]);
    return 2;
  }
  int width = 1280;
  int height = 720;
  if (argc == 4) {
    try {
      width = std::stoi(argv[2]);
      height = std::stoi(argv[3]);
    } catch (const std::exception&) {
      std::fprintf(stderr, "WIDTH and HEIGHT must be integers\n");
      return 2;
    }
  }
  if (auto error = validate_frame_size(width, height)) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return 2;
  }
  FontsOrError fonts = Fonts::open(FontPaths{}, Layout({}, width, height).scale());
  if (!fonts.fonts) {
    std::fprintf(stderr, "%s\n", fonts.error.c_str());
    return 1;
  }
  const RunStatus run{4, false, ""};
  if (auto error = render_png(*fonts.fonts, testing::sample_snapshot(), width, height, argv[1], run)) {
    std::fprintf(stderr, "%s\n", error->c_str());
    return 1;
  }
  return 0;
}
