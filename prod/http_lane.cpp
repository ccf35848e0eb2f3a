#include "prod/http_lane.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>

namespace clawnet::prod {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct HttpLane::Impl : std::enable_shared_from_this<Impl> {
  struct Pending {
    HttpLaneRequest request;
    Callback done;
  };

  Impl(asio::io_context& context, HttpLaneOptions lane_options)
      : io(context), options(std::move(lane_options)), resolver(context), tls_context(ssl::context::tls_client) {
    if (!options.tls) return;
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (options.ca_file.empty()) {
      tls_context.set_default_verify_paths(ec);
    } else {
      tls_context.load_verify_file(options.ca_file, ec);
    }
    if (ec) throw std::runtime_error(fmt::format("TLS roots {}: {}", options.ca_file, ec.message()));
    tls_context.set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
  }

  // Runs `f` on the open stream, plain or TLS.
  template <class F>
  void with_stream(F&& f) {
    if (secure.has_value()) {
      f(*secure);
    } else {
      f(*plain);
    }
  }
  beast::tcp_stream& lowest() { return secure.has_value() ? beast::get_lowest_layer(*secure) : *plain; }

  bool send(HttpLaneRequest request, Callback done) {
    if (stopped || queue.size() >= options.queue_max) return false;
    queue.push_back(Pending{std::move(request), std::move(done)});
    next();
    return true;
  }

  void next() {
    if (busy || queue.empty() || stopped) return;
    busy = true;
    cancelled = false;
    const std::uint64_t id = ++generation;
    reused = connected;
    if (connected) return write(id);
    connect(id);
  }

  void connect(std::uint64_t id) {
    close();
    resolver.async_resolve(options.host, std::to_string(options.port),
                           [self = shared_from_this(), id](const boost::system::error_code& ec,
                                                           const tcp::resolver::results_type& results) {
                             if (self->stale(id)) return;
                             if (ec) return self->fail(id, "resolve " + self->options.host + ": " + ec.message());
                             self->on_resolved(id, results);
                           });
  }

  void on_resolved(std::uint64_t id, const tcp::resolver::results_type& results) {
    if (options.tls) {
      secure.emplace(io, tls_context);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), options.host.c_str())) {
        return fail(id, "TLS: cannot set the server name");
      }
      if (options.verify_peer) secure->set_verify_callback(ssl::host_name_verification(options.host));
    } else {
      plain.emplace(io);
    }
    lowest().expires_after(std::chrono::milliseconds(options.connect_timeout_ms));
    lowest().async_connect(results, [self = shared_from_this(), id](const boost::system::error_code& ec,
                                                                    const tcp::endpoint&) {
      if (self->stale(id)) return;
      if (ec) return self->fail(id, fmt::format("connect {}:{}: {}", self->options.host, self->options.port,
                                                ec.message()));
      if (!self->secure.has_value()) {
        self->connected = true;
        return self->write(id);
      }
      self->secure->async_handshake(ssl::stream_base::client, [self, id](const boost::system::error_code& tls_ec) {
        if (self->stale(id)) return;
        if (tls_ec) return self->fail(id, "TLS handshake: " + tls_ec.message());
        self->connected = true;
        self->write(id);
      });
    });
  }

  void write(std::uint64_t id) {
    const HttpLaneRequest& request = queue.front().request;
    auto message = std::make_shared<http::request<http::string_body>>(http::string_to_verb(request.method),
                                                                       request.target, 11);
    message->set(http::field::host, options.host);
    message->set(http::field::user_agent, "clawnet");
    message->keep_alive(true);
    if (!request.body.empty()) {
      message->set(http::field::content_type, "application/json");
      message->body() = request.body;
    }
    message->prepare_payload();
    lowest().expires_after(std::chrono::milliseconds(request.timeout_ms));
    with_stream([&](auto& stream) {
      http::async_write(stream, *message,
                        [self = shared_from_this(), id, message](const boost::system::error_code& ec, std::size_t) {
                          if (self->stale(id)) return;
                          if (ec && self->retry_on_fresh_connection(id, ec)) return;
                          if (ec) return self->fail(id, "write: " + ec.message());
                          self->read(id);
                        });
    });
  }

  void read(std::uint64_t id) {
    parser.emplace();
    parser->body_limit(options.body_bytes_max);
    with_stream([&](auto& stream) {
      http::async_read(stream, buffer, *parser,
                       [self = shared_from_this(), id](const boost::system::error_code& ec, std::size_t) {
                         if (self->stale(id)) return;
                         if (ec && !self->parser->got_some() && self->retry_on_fresh_connection(id, ec)) return;
                         if (ec) return self->fail(id, "read: " + ec.message());
                         auto answer = parser_answer(*self->parser);
                         if (!self->parser->get().keep_alive()) self->close();
                         self->finish(std::move(answer));
                       });
    });
  }

  static HttpLaneAnswer parser_answer(http::response_parser<http::string_body>& parser) {
    auto& response = parser.get();
    return HttpLaneAnswer{true, static_cast<int>(response.result_int()), std::move(response.body()), {}};
  }

  bool stale(std::uint64_t id) const { return stopped || id != generation; }

  // A kept-alive connection the server closed while idle fails the next request
  // before any answer: the server never read it. Sent again once, on a new
  // connection (as browsers do); a failure there is the request's own.
  bool retry_on_fresh_connection(std::uint64_t id, const boost::system::error_code& ec) {
    const bool closed_by_peer = ec == http::error::end_of_stream || ec == asio::error::eof ||
                                ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
    if (!reused || !closed_by_peer || cancelled) return false;
    reused = false;
    connect(id);
    return true;
  }

  void fail(std::uint64_t id, std::string error) {
    if (stale(id)) return;
    close();
    finish(HttpLaneAnswer{false, 0, {}, cancelled ? "cancelled" : std::move(error)});
  }

  void finish(HttpLaneAnswer answer) {
    Callback done = std::move(queue.front().done);
    queue.pop_front();
    busy = false;
    ++generation;  // Handlers of the finished request are stale from here.
    done(std::move(answer));
    next();
  }

  void cancel_current() {
    if (!busy) return;
    cancelled = true;
    const std::uint64_t id = generation;
    resolver.cancel();
    close();
    // The cancelled handlers see a closed stream; fail now, not when they run.
    fail(id, "cancelled");
  }

  void close() {
    connected = false;
    buffer.clear();
    if (secure.has_value()) {
      beast::get_lowest_layer(*secure).close();
      secure.reset();
    }
    if (plain.has_value()) {
      plain->close();
      plain.reset();
    }
  }

  void drop_all() {
    ++generation;  // The handlers in flight are stale from here.
    busy = false;
    resolver.cancel();
    close();
    queue.clear();
  }

  void stop() {
    stopped = true;
    drop_all();
  }

  asio::io_context& io;
  HttpLaneOptions options;
  tcp::resolver resolver;
  ssl::context tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  std::deque<Pending> queue;
  std::uint64_t generation = 0;
  bool busy = false;
  bool connected = false;
  bool reused = false;  // The request in flight went on a connection that served others.
  bool cancelled = false;
  bool stopped = false;
};

HttpLane::HttpLane(asio::io_context& io, HttpLaneOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HttpLane::~HttpLane() { impl_->stop(); }

bool HttpLane::send(HttpLaneRequest request, Callback done) { return impl_->send(std::move(request), std::move(done)); }
void HttpLane::cancel_current() { impl_->cancel_current(); }
void HttpLane::drop_all() { impl_->drop_all(); }
void HttpLane::stop() { impl_->stop(); }
std::size_t HttpLane::pending() const { return impl_->queue.size(); }

}  // namespace clawnet::prod
