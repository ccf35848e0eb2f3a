#include "prod/metrics_support.hpp"

#include <prometheus/text_serializer.h>

namespace clawnet::prod {

void set_counter(prometheus::Counter& counter, std::uint64_t count) {
  const double target = static_cast<double>(count);
  const double current = counter.Value();
  if (target > current) counter.Increment(target - current);
}

HttpResponse metrics_response(const prometheus::Registry& registry) {
  HttpResponse response;
  response.status = 200;
  response.content_type = std::string(metrics_content_type);
  response.body = prometheus::TextSerializer().Serialize(registry.Collect());
  return response;
}

void add_metrics_route(HttpServer& server, const prometheus::Registry& registry, std::function<void()> refresh) {
  server.route(Method::get, std::string(metrics_path),
               [&registry, refresh = std::move(refresh)](const HttpRequest&, HttpResponder respond) {
                 if (refresh) refresh();
                 respond(metrics_response(registry));
               });
}

prometheus::Histogram::BucketBoundaries latency_buckets_s() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

}  // namespace clawnet::prod
