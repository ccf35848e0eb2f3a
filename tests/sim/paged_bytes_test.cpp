// PagedBytes: reads, writes and copies across page boundaries, and the zeros a
// file shows where nothing was written (after a gap, or a cut and regrowth).
#include "sim/paged_bytes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace clawnet::sim {
namespace {

constexpr std::uint64_t page = PagedBytes::page_bytes;

std::string read_all(const PagedBytes& bytes) {
  std::string out(bytes.size(), '?');
  bytes.read(0, out.data(), out.size());
  return out;
}

TEST(PagedBytes, WriteAcrossPagesReadsBack) {
  PagedBytes bytes;
  const std::string text = std::string(100, 'a') + std::string(page, 'b') + std::string(7, 'c');
  bytes.write(page - 100, text.data(), text.size());
  EXPECT_EQ(bytes.size(), page - 100 + text.size());
  EXPECT_EQ(read_all(bytes), std::string(page - 100, '\0') + text);
}

TEST(PagedBytes, ReadPastTheEndIsZeroFilled) {
  PagedBytes bytes;
  bytes.write(0, "abc", 3);
  std::string out(5, '?');
  EXPECT_EQ(bytes.read(1, out.data(), out.size()), 2u);
  EXPECT_EQ(out, std::string("bc\0\0\0", 5));
  EXPECT_EQ(bytes.read(10, out.data(), out.size()), 0u);
  EXPECT_EQ(out, std::string(5, '\0'));
}

TEST(PagedBytes, CutThenGrownShowsZeros) {
  PagedBytes bytes;
  const std::string full(2 * page + 10, 'x');
  bytes.write(0, full.data(), full.size());
  bytes.resize(page + 5);
  bytes.resize(2 * page + 10);
  EXPECT_EQ(read_all(bytes), std::string(page + 5, 'x') + std::string(page + 5, '\0'));
}

TEST(PagedBytes, CopyFromAndCopiesAreDeep) {
  PagedBytes from;
  const std::string text(page + 300, 'q');
  from.write(0, text.data(), text.size());
  PagedBytes to;
  to.copy_from(from, page - 10, page + 20);
  EXPECT_EQ(read_all(to), std::string(page - 10, '\0') + std::string(30, 'q'));
  PagedBytes copy = from;
  copy.write(0, "z", 1);
  EXPECT_EQ(read_all(from), text);
  PagedBytes moved = std::move(copy);
  EXPECT_EQ(copy.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from array is empty.
  EXPECT_EQ(read_all(moved), "z" + text.substr(1));
}

}  // namespace
}  // namespace clawnet::sim
