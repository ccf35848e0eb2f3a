// Helpers shared by the store tests: a temporary directory, file snapshots, and
// short ways to open a store and apply effects that must succeed.
#pragma once

#include "store/queue_store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace clawnet::store_test {

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/clawnet-store-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every file of `directory` with its bytes, to prove that nothing was written.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& directory) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    files[entry.path().filename().string()] = read_bytes(entry.path());
  }
  return files;
}

inline std::string channel_of(Ticket ticket) { return fmt::format("p-{:04x}", ticket); }

inline std::unique_ptr<QueueStore> open_store(const std::string& path) {
  auto opened = QueueStore::open(path);
  if (auto* error = std::get_if<StoreError>(&opened)) {
    ADD_FAILURE() << "open failed: " << error->message;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<QueueStore>>(opened));
}

// The error of opening `path`, or "" (and a test failure) if it opened.
inline std::string open_error(const std::string& path) {
  auto opened = QueueStore::open(path);
  if (auto* error = std::get_if<StoreError>(&opened)) return error->message;
  ADD_FAILURE() << "open of " << path << " unexpectedly succeeded";
  return "";
}

inline StoredQueue load_store(const QueueStore& store) {
  auto loaded = store.load();
  if (auto* error = std::get_if<StoreError>(&loaded)) {
    ADD_FAILURE() << "load failed: " << error->message;
    return {};
  }
  return std::get<StoredQueue>(loaded);
}

inline void apply_ok(QueueStore& store, const Effect& effect) {
  const auto error = store.apply(effect);
  ASSERT_FALSE(error.has_value()) << describe(effect) << ": " << error->message;
}

inline void join(QueueStore& store, Ticket ticket) {
  apply_ok(store, PersistJoin{ticket, channel_of(ticket), static_cast<TimeMs>(ticket) * 10});
}

inline std::vector<Ticket> tickets_of(const std::vector<StoredPlayer>& players) {
  std::vector<Ticket> tickets;
  for (const auto& player : players) {
    EXPECT_EQ(player.channel, channel_of(player.ticket));
    tickets.push_back(player.ticket);
  }
  return tickets;
}

}  // namespace clawnet::store_test
