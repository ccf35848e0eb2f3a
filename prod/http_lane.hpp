// HttpLane: one keep-alive HTTP/1.1 client connection to one origin, on an Asio
// io_context, sending queued requests one at a time in order (no pipelining).
// TLS (with certificate and host name verification) or plain TCP.
//
// Contract:
//  - send() queues a request and returns true; its callback then runs once, from
//    inside run() (never from send()), with the answer (any status) or an error
//    text (connect, TLS, write, read or timeout failure, cancelled). It returns
//    false, and the callback never runs, when the queue is full or stopped.
//  - A failed request closes the connection; the next one reconnects. Nothing is
//    retried here, the caller decides, but for one case: a request sent on a
//    kept-alive connection that the server had closed while idle (EOF or reset
//    before any byte of an answer) goes again once on a new connection.
//  - cancel_current() fails the request in flight at once (its callback runs
//    inside cancel_current(), with "cancelled"), for a
//    long poll that is no longer wanted; queued requests still go.
//  - stop() drops every request queued or in flight: their callbacks never run,
//    so an owner may stop and destroy the lane from a callback. The lane accepts
//    no more. The destructor stops.
//  - Answers are bounded (body_bytes_max); a larger one is an error.
// Not thread-safe: call from the io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace clawnet::prod {

struct HttpLaneOptions {
  std::string host;  // A name or address; also the Host header and the TLS name checked.
  std::uint16_t port = 443;
  bool tls = true;
  bool verify_peer = true;  // TLS: the certificate chain and host name.
  std::string ca_file;      // TLS: trust these roots (PEM) instead of the system's.
  std::int64_t connect_timeout_ms = 5'000;
  std::size_t queue_max = 1'000;
  std::size_t body_bytes_max = 1 << 20;
};

struct HttpLaneRequest {
  std::string method;  // GET, POST, DELETE
  std::string target;
  std::string body;    // Sent as application/json when not empty.
  std::int64_t timeout_ms = 10'000;
};

struct HttpLaneAnswer {
  bool ok = false;     // False: `error` says what failed, status and body are empty.
  int status = 0;
  std::string body;
  std::string error;
};

class HttpLane {
 public:
  using Callback = std::function<void(HttpLaneAnswer)>;

  // Throws std::runtime_error when TLS cannot be set up (bad ca_file).
  HttpLane(boost::asio::io_context& io, HttpLaneOptions options);
  ~HttpLane();
  HttpLane(const HttpLane&) = delete;
  HttpLane& operator=(const HttpLane&) = delete;

  bool send(HttpLaneRequest request, Callback done);
  void cancel_current();
  // Drops every request queued or in flight (their callbacks never run); the lane
  // stays open for more.
  void drop_all();
  void stop();
  // Requests queued or in flight.
  std::size_t pending() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace clawnet::prod
