#pragma once
// The request pipeline between the wire and a handler: CORS, routing errors,
// guards, error mapping to the JSON envelope, request ids, metrics and the
// access log. Transport-independent so it is unit-testable without sockets.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "platform/errors.h"
#include "platform/http/request.h"
#include "platform/http/response.h"
#include "platform/http/router.h"
#include "platform/http/server.h"

namespace ticketly::metrics {
class Counter;
class Histogram;
template <class M>
class Family;
}  // namespace ticketly::metrics

namespace ticketly::http {

// Shared, read-only after start: the route table, options, and metric families.
class Pipeline {
 public:
  Pipeline(const Router& router, metrics::Registry& metrics, const ServerOptions& options);

  const Router& router() const { return router_; }
  const ServerOptions& options() const { return options_; }

  // Runs the request through routing, guard and handler. Never throws: every
  // failure becomes an error response.
  boost::asio::awaitable<Response> handle(Request& req, const RouteMatch& match) const;

  // An error response with the envelope.
  Response error_response(int status, std::string_view message, std::string_view path) const;
  // The same for a ticketly::Error, with the headers it carries (Retry-After, Allow, …):
  // the one mapping from an Error to a response, also for errors raised before routing.
  Response error_response(const Error& e, std::string_view path) const;

  // Adds the CORS headers a response to this request needs (the wire layer adds
  // Server, X-Request-Id and framing).
  void decorate(const Request& req, Response& res) const;

  // A request id from the client's X-Request-Id when it is sane, a fresh one otherwise.
  static std::string request_id_for(std::string_view incoming);

  metrics::Family<metrics::Counter>& requests() const { return *requests_; }
  metrics::Family<metrics::Histogram>& latency() const { return *latency_; }

 private:
  Response preflight(const Request& req, const RouteMatch& match) const;

  const Router& router_;
  const ServerOptions& options_;
  metrics::Family<metrics::Counter>* requests_;
  metrics::Family<metrics::Histogram>* latency_;
};

// Per-worker cache of metric series so the hot path does no map lookups under a lock.
class WorkerMetrics {
 public:
  explicit WorkerMetrics(const Pipeline& pipeline) : pipeline_(pipeline) {}
  void record(std::string_view route, Verb method, int status, std::chrono::nanoseconds elapsed);

 private:
  struct RouteSeries {
    metrics::Histogram* latency = nullptr;
    std::unordered_map<int, metrics::Counter*> by_status_method;  // key: status * 64 + method index
  };
  const Pipeline& pipeline_;
  std::unordered_map<const char*, RouteSeries> series_;  // keyed by the route pattern's storage
};

}  // namespace ticketly::http

namespace ticketly::log {
class AccessLogBuffer;
}

namespace ticketly::http {

// Appends the request's JSON access-log line to the worker's buffer.
void write_access_log(log::AccessLogBuffer& out, const Request& req, int status, std::size_t bytes,
                      std::chrono::nanoseconds elapsed);

}  // namespace ticketly::http
