#include "prod/os_random.hpp"

#include <sys/random.h>

#include <cassert>
#include <cerrno>
#include <system_error>
#include <vector>

namespace clawnet::prod {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  std::size_t filled = 0;
  while (filled < bytes) {
    const ssize_t got = ::getrandom(buffer.data() + filled, bytes - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    filled += static_cast<std::size_t>(got);
  }
  constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes * 2);
  for (const unsigned char byte : buffer) {
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0x0f]);
  }
  return text;
}

std::string new_player_channel() {
  constexpr std::size_t channel_random_bytes = 16;  // 128 bits.
  return "p-" + random_hex(channel_random_bytes);
}

}  // namespace clawnet::prod
