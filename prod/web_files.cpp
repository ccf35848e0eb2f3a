#include "prod/web_files.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

namespace clawnet::prod {

namespace {

namespace fs = std::filesystem;

struct VendoredFile {
  std::string_view url_path;
  std::string_view source;  // Under web.dir.
};
// Taken from npm at set-up time (web/package-lock.json pins the versions).
constexpr std::array<VendoredFile, 2> vendored_files = {{
    {"/vendor/mqtt.min.js", "node_modules/mqtt/dist/mqtt.min.js"},
    {"/vendor/pubnub.min.js", "node_modules/pubnub/dist/web/pubnub.min.js"},
}};

bool plain_path(std::string_view path) {
  for (const char c : path) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '_' || c == '/' || c == '-';
    if (!allowed) return false;
  }
  return path.find("..") == std::string_view::npos;
}

// FNV-1a, 64 bits: an ETag needs to change with the bytes, not to resist forgery.
std::string etag_of(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("\"{:016x}\"", hash);
}

}  // namespace

std::string_view content_type_of(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> types = {{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", ""},  // Source maps are not served.
  }};
  for (const auto& [extension, type] : types) {
    if (file_name.size() > extension.size() && file_name.ends_with(extension)) return type;
  }
  return "";
}

std::variant<WebFiles, std::string> WebFiles::load(const std::string& dir) {
  WebFiles files;
  std::size_t total_bytes = 0;
  const auto add = [&](const fs::path& path, std::string url_path) -> std::optional<std::string> {
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    if (ec) return fmt::format("{}: {}", path.string(), ec.message());
    if (bytes > file_bytes_max) return fmt::format("{}: over {} bytes", path.string(), file_bytes_max);
    if (files.files_.size() >= files_max) return fmt::format("{}: more than {} files", dir, files_max);
    total_bytes += bytes;
    if (total_bytes > total_bytes_max) return fmt::format("{}: the files add up to over {} bytes", dir, total_bytes_max);
    std::ifstream in(path, std::ios::binary);
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) return fmt::format("{}: cannot read", path.string());
    WebFile file{std::string(content_type_of(path.filename().string())), std::move(body), ""};
    file.etag = etag_of(file.body);
    files.files_.insert_or_assign(std::move(url_path), std::move(file));
    return std::nullopt;
  };

  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fmt::format("{}: not a directory", dir);
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.') || name == "node_modules") {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || content_type_of(name).empty()) continue;
    const std::string relative = fs::relative(it->path(), dir).generic_string();
    if (!plain_path(relative)) continue;
    if (auto error = add(it->path(), "/" + relative)) return *error;
  }
  if (ec) return fmt::format("{}: {}", dir, ec.message());
  for (const VendoredFile& vendored : vendored_files) {
    const fs::path source = fs::path(dir) / vendored.source;
    if (!fs::is_regular_file(source, ec)) {
      return fmt::format("{} is missing: run `npm ci` in {} (scripts/setup.sh does)", source.string(), dir);
    }
    if (auto error = add(source, std::string(vendored.url_path))) return *error;
  }
  return files;
}

const WebFile* WebFiles::find(std::string_view url_path) const {
  const auto it = files_.find(url_path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace clawnet::prod
