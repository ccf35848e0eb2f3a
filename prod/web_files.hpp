// WebFiles: the web app's files (web.dir, the repository's web/), read once when clawd
// starts and served from memory, so a request never touches the file system and no
// request path can name a file outside the set.
//
// Contract:
//  - load(dir) reads every regular file under `dir` whose extension has a content type
//    below (html css js mjs svg png jpg ico json webmanifest woff2 txt), skipping
//    node_modules and names starting with '.', and the vendored scripts listed in
//    vendored_files (`/vendor/mqtt.min.js` <- node_modules/mqtt/dist/mqtt.min.js and
//    `/vendor/pubnub.min.js` <- node_modules/pubnub/dist/web/pubnub.min.js, which
//    `npm ci` in web/ installs). A path with a character outside [A-Za-z0-9._/-] is
//    skipped (URLs need no decoding). Errors name the file: a vendored file missing,
//    more than files_max files, a file over file_bytes_max, all over total_bytes_max.
//  - find("/js/play.js") is the file served at that URL path, or nullptr.
//  - Each file has an ETag: a hash of its bytes, quoted.
// Not thread-safe for load(); find() on a loaded value is.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace clawnet::prod {

struct WebFile {
  std::string content_type;
  std::string body;
  std::string etag;  // "\"<16 hex digits>\""
};

class WebFiles {
 public:
  static constexpr std::size_t files_max = 1'000;
  static constexpr std::size_t file_bytes_max = 4U << 20U;
  static constexpr std::size_t total_bytes_max = 32U << 20U;

  static std::variant<WebFiles, std::string> load(const std::string& dir);

  const WebFile* find(std::string_view url_path) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, WebFile, std::less<>> files_;  // URL path -> file
};

// The content type served for a file name's extension, or "" when it is not served.
std::string_view content_type_of(std::string_view file_name);

}  // namespace clawnet::prod
