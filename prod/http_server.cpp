// The one Beast translation unit of clawnet (Beast is slow to compile).
#include "prod/http_server.hpp"

#include "prod/http_router.hpp"
#include "prod/rate_limiter.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <map>

namespace clawnet::prod {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response to_beast(HttpResponse answer, unsigned version, bool keep_alive) {
  const bool valid = answer.status >= 100 && answer.status <= 599;
  Response response{valid ? static_cast<http::status>(answer.status) : http::status::internal_server_error, version};
  response.set(http::field::content_type, answer.content_type);
  response.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  response.keep_alive(keep_alive);
  response.body() = std::move(answer.body);
  response.prepare_payload();
  return response;
}

Response error_response(http::status status, std::string_view message, unsigned version, bool keep_alive) {
  return to_beast(json_error(static_cast<int>(status), message), version, keep_alive);
}

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

std::optional<Method> method_of(http::verb verb) {
  switch (verb) {
    case http::verb::get: return Method::get;
    case http::verb::post: return Method::post;
    case http::verb::put: return Method::put;
    case http::verb::patch: return Method::patch;
    case http::verb::delete_: return Method::delete_;
    default: return std::nullopt;
  }
}

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace

std::string_view to_string(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
  }
  return "?";
}

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return std::nullopt;
}

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

std::string_view error_reason_of(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "body_too_large";
    case 429: return "rate_limited";
    case 431: return "headers_too_large";
    case 503: return "unavailable";
    default: return "error";
  }
}

HttpResponse json_error(int status, std::string_view message, std::string_view reason) {
  return json_response(status,
                       json::object{{"error", message}, {"reason", reason.empty() ? error_reason_of(status) : reason}});
}

std::optional<std::string> check_empty_object_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const json::value value = json::parse(body, ec);
  if (ec) return "the body is not JSON: " + ec.message();
  if (!value.is_object()) return std::string("the body must be a JSON object");
  if (!value.get_object().empty()) {
    return fmt::format("unknown field \"{}\" in the body", std::string_view(value.get_object().begin()->key()));
  }
  return std::nullopt;
}

class Session;

struct HttpServer::Impl {
  Impl(asio::io_context& io_in, HttpConfig config_in, HttpClock clock_in)
      : io(io_in), config(std::move(config_in)), clock(std::move(clock_in)), acceptor(io_in), retry_timer(io_in),
        limiter(config.join_rate_per_s, config.join_burst, config.clients_tracked_max) {}

  asio::io_context& io;
  HttpConfig config;
  HttpClock clock;
  RouteTable routes;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  RateLimiter limiter;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  bool running = false;

  void accept(const std::shared_ptr<Impl>& self);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server, std::string address)
      : stream_(std::move(socket)), server_(std::move(server)), address_(std::move(address)) {}
  ~Session() { server_->sessions.erase(this); }

  void start() {
    const bool over_limit = server_->sessions.size() >= server_->config.connections_max;
    server_->sessions[this] = weak_from_this();
    if (over_limit) {
      return send(error_response(http::status::service_unavailable, "too many connections; try again soon", 11, false));
    }
    read();
  }

  void close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  // Sends FIN and discards what the client still sends until it closes (or the
  // timeout): closing with unread input would send RST and could destroy the
  // response before the client reads it.
  void finish() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(timeout());
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(server_->config.request_timeout_ms); }

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->config.header_bytes_max));
    parser_->body_limit(server_->config.body_bytes_max);
    stream_.expires_after(timeout());
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) {
      return send(error_response(http::status::payload_too_large,
                                 fmt::format("request body larger than {} bytes", server_->config.body_bytes_max), 11,
                                 false));
    }
    if (ec == http::error::header_limit) {
      return send(error_response(http::status::request_header_fields_too_large,
                                 fmt::format("request headers larger than {} bytes", server_->config.header_bytes_max),
                                 11, false));
    }
    if (ec && is_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return send(error_response(http::status::bad_request, "malformed HTTP request: " + ec.message(), 11, false));
    }
    if (ec) return close();  // Closed, reset or timed out: nobody to answer.
    route(parser_->get());
  }

  void route(const Request& request) {
    const unsigned version = request.version();
    const bool keep_alive = request.keep_alive();
    const std::string_view target = view(request.target());
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const RouteMatch match = server_->routes.find(method_of(request.method()), path);
    if (match.route == nullptr && match.allow.empty()) {
      return send(error_response(http::status::not_found, fmt::format("no such path: {}", path.substr(0, 80)),
                                 version, keep_alive));
    }
    if (match.route == nullptr) {
      Response response = error_response(http::status::method_not_allowed, fmt::format("use {} here", match.allow),
                                         version, keep_alive);
      response.set(http::field::allow, match.allow);
      return send(std::move(response));
    }
    const Route& chosen = *match.route;
    auto query = parse_query(question == std::string_view::npos ? "" : target.substr(question + 1),
                             chosen.options.query);
    if (auto* error = std::get_if<QueryError>(&query)) {
      return send(error_response(http::status::bad_request, error->message, version, keep_alive));
    }
    if (chosen.options.check_body) {
      if (auto error = chosen.options.check_body(request.body())) {
        return send(error_response(http::status::bad_request, *error, version, keep_alive));
      }
    }
    if (chosen.options.rate_limited && !take_token(version, keep_alive)) return;
    HttpRequest view_of_request{*method_of(request.method()), path, match.tail,
                                std::move(std::get<QueryParameters>(query)), {}, request.body(), address_};
    for (const auto& field : request) view_of_request.headers.emplace_back(view(field.name_string()), view(field.value()));
    chosen.handler(view_of_request, responder(version, keep_alive));
  }

  // Returns true iff the client has a token; else answers 429.
  bool take_token(unsigned version, bool keep_alive) {
    const std::int64_t wait_ms = server_->limiter.try_take(address_, server_->clock());
    if (wait_ms <= 0) return true;
    const std::int64_t wait_s = (wait_ms + 999) / 1000;
    Response response = error_response(http::status::too_many_requests,
                                       fmt::format("too many requests from this address; retry in {} s", wait_s),
                                       version, keep_alive);
    response.set(http::field::retry_after, std::to_string(wait_s));
    send(std::move(response));
    return false;
  }

  HttpResponder responder(unsigned version, bool keep_alive) {
    auto answered = std::make_shared<bool>(false);
    return [self = shared_from_this(), answered, version, keep_alive](HttpResponse answer) {
      if (*answered) return;  // The contract says once; a second answer is ignored.
      *answered = true;
      self->send(to_beast(std::move(answer), version, keep_alive));
    };
  }

  void send(Response response) {
    auto message = std::make_shared<Response>(std::move(response));
    stream_.expires_after(timeout());
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](const boost::system::error_code& ec, std::size_t) {
                        if (ec || !self->server_->running) return self->close();
                        if (message->need_eof()) return self->finish();
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string address_;
  std::array<char, 1024> drain_buffer_{};
};

void HttpServer::Impl::accept(const std::shared_ptr<Impl>& self) {
  acceptor.async_accept([self](const boost::system::error_code& ec, tcp::socket socket) {
    if (!self->running) return;
    if (ec) {
      // Out of descriptors or similar: pause instead of spinning.
      self->retry_timer.expires_after(std::chrono::milliseconds(100));
      self->retry_timer.async_wait([self](const boost::system::error_code& timer_ec) {
        if (!timer_ec && self->running) self->accept(self);
      });
      return;
    }
    boost::system::error_code endpoint_ec;
    const tcp::endpoint remote = socket.remote_endpoint(endpoint_ec);
    if (!endpoint_ec) {
      std::make_shared<Session>(std::move(socket), self, remote.address().to_string())->start();
    }
    self->accept(self);
  });
}

HttpServer::HttpServer(asio::io_context& io, HttpConfig config, HttpClock clock) {
  if (!clock) {
    clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  impl_ = std::make_shared<Impl>(io, std::move(config), std::move(clock));
}

void HttpServer::route(Method method, std::string path, HttpHandler handler, RouteOptions options) {
  impl_->routes.add(Route{method, std::move(path), false, std::move(handler), std::move(options)});
}

void HttpServer::route_prefix(Method method, std::string prefix, HttpHandler handler, RouteOptions options) {
  impl_->routes.add(Route{method, std::move(prefix), true, std::move(handler), std::move(options)});
}

HttpServer::~HttpServer() { stop(); }

std::optional<std::string> HttpServer::start() {
  Impl& impl = *impl_;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl.config.address, ec);
  if (ec) return fmt::format("http.address '{}' is not an IP address", impl.config.address);
  const tcp::endpoint endpoint(address, impl.config.port);
  if (impl.acceptor.open(endpoint.protocol(), ec); ec) return "cannot open a socket: " + ec.message();
  if (impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) return ec.message();
  if (impl.acceptor.bind(endpoint, ec); ec) {
    return fmt::format("cannot bind {}:{}: {}", impl.config.address, impl.config.port, ec.message());
  }
  if (impl.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return "listen: " + ec.message();
  impl.running = true;
  impl.accept(impl_);
  return std::nullopt;
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (!impl.running) return;
  impl.running = false;
  boost::system::error_code ignored;
  impl.acceptor.close(ignored);
  impl.retry_timer.cancel();
  const auto sessions = impl.sessions;  // close() may end sessions and edit the map.
  for (const auto& [raw, weak] : sessions) {
    if (auto session = weak.lock()) session->close();
  }
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace clawnet::prod
