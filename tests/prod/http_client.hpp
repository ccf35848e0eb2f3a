// A raw HTTP/1.1 client for tests: sends bytes exactly as given (so tests can
// send malformed requests) and reads the reply until the server closes.
#pragma once

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace clawnet::prod::testing {

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
  boost::json::value json() const {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << body;
    return value;
  }
};

// Sends `request` as is and reads the reply until the server closes. Returns
// nullopt if nothing answered (no listener, a short send, no HTTP reply): the
// e2e tests poll with it while a daemon restarts.
inline std::optional<HttpReply> try_exchange(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval limit{20, 0};  // Guard against a hang, not a timing assertion.
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0) raw.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  const auto split = raw.find("\r\n\r\n");
  if (sent < request.size() || split == std::string::npos || raw.size() < 12 || !raw.starts_with("HTTP/1.1 ")) {
    return std::nullopt;
  }
  HttpReply reply;
  reply.head = raw.substr(0, split);
  reply.body = raw.substr(split + 4);
  reply.status = std::stoi(raw.substr(9, 3));
  return reply;
}

// try_exchange() that counts a missing reply as a test failure.
inline HttpReply exchange(std::uint16_t port, const std::string& request) {
  std::optional<HttpReply> reply = try_exchange(port, request);
  if (!reply) {
    ADD_FAILURE() << "no HTTP reply on port " << port;
    return HttpReply{};
  }
  return *reply;
}

inline std::string post_join_request(std::string_view body = "") {
  return "POST /v1/join HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace clawnet::prod::testing
