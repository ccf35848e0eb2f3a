// PagedBytes: a resizable array of bytes kept in fixed-size pages, for the
// simulated disk's files. Growing it never moves the bytes already there (a
// std::vector of a few MB would be reallocated and copied, and each fresh copy
// costs page faults), and a copy copies the pages.
//
// Invariant: every byte of an allocated page at or past size() is zero, so a file
// that grows reads zeros where nothing was written.
// Not thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

namespace clawnet::sim {

class PagedBytes {
 public:
  inline static constexpr std::uint64_t page_bytes = 64 * 1024;

  PagedBytes() = default;
  PagedBytes(const PagedBytes& other) : size_(other.size_) {
    pages_.reserve(other.pages_.size());
    for (const auto& page : other.pages_) pages_.push_back(std::make_unique<Page>(*page));
  }
  PagedBytes& operator=(const PagedBytes& other) {
    if (this != &other) *this = PagedBytes(other);
    return *this;
  }
  // A moved-from array is empty.
  PagedBytes(PagedBytes&& other) noexcept
      : pages_(std::move(other.pages_)), size_(std::exchange(other.size_, 0)) {
    other.pages_.clear();
  }
  PagedBytes& operator=(PagedBytes&& other) noexcept {
    pages_ = std::move(other.pages_);
    other.pages_.clear();
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  ~PagedBytes() = default;

  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Bytes past the end read as zeros. Returns how many were stored bytes.
  std::uint64_t read(std::uint64_t offset, void* out, std::uint64_t length) const {
    auto* bytes = static_cast<unsigned char*>(out);
    const std::uint64_t stored = offset >= size_ ? 0 : std::min(length, size_ - offset);
    for_each_piece(offset, offset + stored, [&](std::uint64_t at, unsigned char* piece, std::uint64_t count) {
      std::memcpy(bytes + (at - offset), piece, count);
    });
    std::memset(bytes + stored, 0, length - stored);
    return stored;
  }

  // Writes past the end grow the array; the gap, if any, reads as zeros.
  void write(std::uint64_t offset, const void* in, std::uint64_t length) {
    if (offset + length > size_) resize(offset + length);
    const auto* bytes = static_cast<const unsigned char*>(in);
    for_each_piece(offset, offset + length, [&](std::uint64_t at, unsigned char* piece, std::uint64_t count) {
      std::memcpy(piece, bytes + (at - offset), count);
    });
  }

  // Copies [begin, end) of `from` here, at the same offsets. REQUIRES end <= from.size().
  void copy_from(const PagedBytes& from, std::uint64_t begin, std::uint64_t end) {
    assert(end <= from.size_);
    if (end > size_) resize(end);
    from.for_each_piece(begin, end, [&](std::uint64_t at, unsigned char* piece, std::uint64_t count) {
      std::memcpy(pages_[at / page_bytes]->data() + at % page_bytes, piece, count);
    });
  }

  void resize(std::uint64_t size) {
    if (size < size_) {
      // Keep the invariant: zero what is cut from the page that stays.
      const std::uint64_t pages_kept = (size + page_bytes - 1) / page_bytes;
      pages_.resize(pages_kept);
      if (size % page_bytes != 0) {
        Page& last = *pages_.back();
        std::fill(last.begin() + static_cast<std::ptrdiff_t>(size % page_bytes), last.end(), 0);
      }
    } else {
      while (pages_.size() * page_bytes < size) pages_.push_back(std::make_unique<Page>());  // Zeroed.
    }
    size_ = size;
  }

 private:
  using Page = std::array<unsigned char, page_bytes>;

  // Calls visit(offset, bytes at offset, count) for each page's share of [begin, end).
  template <class Visit>
  void for_each_piece(std::uint64_t begin, std::uint64_t end, const Visit& visit) const {
    for (std::uint64_t at = begin; at < end;) {
      const std::uint64_t in_page = at % page_bytes;
      const std::uint64_t count = std::min(end - at, page_bytes - in_page);
      visit(at, pages_[at / page_bytes]->data() + in_page, count);
      at += count;
    }
  }

  std::vector<std::unique_ptr<Page>> pages_;
  std::uint64_t size_ = 0;
};

}  // namespace clawnet::sim
