#include "sample_snapshot.hpp"
#include "test_support.hpp"
#include "viz/headless.hpp"
#include "viz/layout.hpp"
#include "viz/palette.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace clawnet::viz {
namespace {

using testing::sample_snapshot;
using testing::temp_path;

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class VizHeadless : public ::testing::Test {
 protected:
  std::unique_ptr<Fonts> fonts = testing::design_fonts();
};

TEST_F(VizHeadless, SameSnapshotGivesSamePngBytes) {
  const std::string first = temp_path("a.png");
  const std::string second = temp_path("b.png");
  ASSERT_EQ(render_png(*fonts, sample_snapshot(), 1280, 720, first), std::nullopt);
  ASSERT_EQ(render_png(*fonts, sample_snapshot(), 1280, 720, second), std::nullopt);
  const std::vector<char> a = read_bytes(first);
  EXPECT_GT(a.size(), 1000U);
  EXPECT_EQ(a, read_bytes(second));
  sim::Snapshot moved = sample_snapshot();
  moved.cabinet.x_mm += 50;
  ASSERT_EQ(render_png(*fonts, moved, 1280, 720, second), std::nullopt);
  EXPECT_NE(a, read_bytes(second));
  std::filesystem::remove(first);
  std::filesystem::remove(second);
}

TEST_F(VizHeadless, PngReadsBackWithTheCarriageAtTheGantryPixel) {
  const std::string path = temp_path("c.png");
  const sim::Snapshot snapshot = sample_snapshot();
  ASSERT_EQ(render_png(*fonts, snapshot, 960, 540, path), std::nullopt);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  ASSERT_NE(png_image_begin_read_from_file(&image, path.c_str()), 0) << image.message;
  EXPECT_EQ(image.width, 960U);
  EXPECT_EQ(image.height, 540U);
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_NE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr), 0) << image.message;
  const SDL_Point centre = gantry_pixel(snapshot, 960, 540);
  const std::size_t at = (static_cast<std::size_t>(centre.y) * 960 + static_cast<std::size_t>(centre.x)) * 3;
  EXPECT_EQ(pixels[at], palette::carriage.r);
  EXPECT_EQ(pixels[at + 1], palette::carriage.g);
  EXPECT_EQ(pixels[at + 2], palette::carriage.b);
  std::filesystem::remove(path);
}

TEST_F(VizHeadless, UnwritablePathIsAnErrorNamingIt) {
  const std::string path = "/nonexistent-clawnet-dir/frame.png";
  const std::optional<std::string> error = render_png(*fonts, sample_snapshot(), 1280, 720, path);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find(path), std::string::npos) << *error;
}

TEST_F(VizHeadless, FrameSizeOutOfRangeIsRefused) {
  SurfaceOrError rendered = render_to_surface(*fonts, sample_snapshot(), 0, 720);
  EXPECT_FALSE(rendered.surface);
  EXPECT_NE(rendered.error.find("width"), std::string::npos) << rendered.error;
  rendered = render_to_surface(*fonts, sample_snapshot(), 1280, 100'000);
  EXPECT_FALSE(rendered.surface);
  EXPECT_NE(rendered.error.find("height"), std::string::npos) << rendered.error;
}

TEST(VizFonts, MissingFontNamesThePathAndThePackage) {
  FontPaths paths;
  paths.mono = "/nonexistent/DejaVuSansMono.ttf";
  const FontsOrError opened = Fonts::open(paths, 1.0);
  EXPECT_FALSE(opened.fonts);
  EXPECT_NE(opened.error.find(paths.mono), std::string::npos) << opened.error;
  EXPECT_NE(opened.error.find("fonts-dejavu-core"), std::string::npos) << opened.error;
}

TEST(VizFonts, FileThatIsNotAFontIsAnError) {
  const std::string path = temp_path("not-a-font.ttf");
  std::ofstream(path) << "not a font";
  FontPaths paths;
  paths.sans = path;
  const FontsOrError opened = Fonts::open(paths, 1.0);
  EXPECT_FALSE(opened.fonts);
  EXPECT_NE(opened.error.find(path), std::string::npos) << opened.error;
  std::filesystem::remove(path);
}

TEST(VizFonts, ScaleOutOfRangeIsRefused) {
  EXPECT_FALSE(Fonts::open(FontPaths{}, 0).fonts);
  EXPECT_FALSE(Fonts::open(FontPaths{}, 100).fonts);
  EXPECT_TRUE(Fonts::open(FontPaths{}, 0.5).fonts);
}

}  // namespace
}  // namespace clawnet::viz
