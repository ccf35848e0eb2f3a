// What clawd's and clawcab's Prometheus metrics share (prometheus-cpp core only;
// the text format comes from prometheus::TextSerializer, never written by hand).
//
// Contract:
//  - set_counter() moves a counter up to a machine's count (read at scrape time);
//    a count below the counter's value (never, for the machines' monotonic
//    counters) leaves it as it is, as a Prometheus counter must.
//  - metrics_response() is the answer to GET /metrics: status 200, content type
//    metrics_content_type, the registry's families in the text format 0.0.4.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "prod/http_server.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <functional>
#include <string_view>

namespace clawnet::prod {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view metrics_path = "/metrics";

void set_counter(prometheus::Counter& counter, std::uint64_t count);
HttpResponse metrics_response(const prometheus::Registry& registry);
// Registers GET /metrics on `server`: `refresh` runs first (gauges set on scrape).
void add_metrics_route(HttpServer& server, const prometheus::Registry& registry, std::function<void()> refresh);

// Buckets for latencies in seconds, from 1 ms to about 30 s.
prometheus::Histogram::BucketBoundaries latency_buckets_s();

}  // namespace clawnet::prod
