#include "platform/http/pipeline.h"

#include <spdlog/spdlog.h>

#include <random>

#include "platform/errors.h"
#include "platform/log/access_log.h"
#include "platform/log/log.h"
#include "platform/metrics/registry.h"
#include "platform/types/hex.h"

namespace ticketly::http {
namespace {

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string method_name(const Request& req) {
  auto m = req.message.method_string();
  return std::string(m.empty() ? "UNKNOWN" : m);
}

}  // namespace

Pipeline::Pipeline(const Router& router, metrics::Registry& metrics, const ServerOptions& options)
    : router_(router),
      options_(options),
      requests_(&metrics.counter("http_requests_total", "HTTP requests by route, method and status",
                                 {"route", "method", "status"})),
      latency_(&metrics.histogram("http_request_duration_seconds", "HTTP request latency by route", {"route"},
                                  metrics::default_latency_buckets())) {}

std::string Pipeline::request_id_for(std::string_view incoming) {
  if (sane_request_id(incoming)) return std::string(incoming);
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::uint64_t v = gen();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[i] = kHexDigits[v & 0xF];
  return id;
}

Response Pipeline::error_response(int status, std::string_view message, std::string_view path) const {
  return Response::error(status, message, path);
}

void Pipeline::decorate(const Request& req, Response& res) const {
  auto origin = req.header(Field::origin);
  if (!origin.empty() && options_.cors.allows(origin)) {
    res.message.set(Field::access_control_allow_origin, origin);
    // Keep what the handler already varies on (e.g. Accept-Encoding for a gzipped body).
    auto vary = res.message[Field::vary];
    if (vary.empty()) {
      res.message.set(Field::vary, "Origin");
    } else {
      res.message.set(Field::vary, std::string(vary) + ", Origin");
    }
    if (options_.cors.allow_credentials) res.message.set(Field::access_control_allow_credentials, "true");
    if (!options_.cors.exposed_headers.empty()) {
      res.message.set(Field::access_control_expose_headers, options_.cors.exposed_headers);
    }
  }
}

Response Pipeline::preflight(const Request& req, const RouteMatch& match) const {
  if (match.kind == RouteMatch::Kind::NotFound) {
    return error_response(404, "No endpoint " + std::string(req.path), req.path);
  }
  auto origin = req.header(Field::origin);
  if (!options_.cors.allows(origin)) return error_response(403, "Invalid CORS request: origin not allowed", req.path);
  Response res = Response::no_content();
  res.message.set(Field::access_control_allow_methods, options_.cors.allowed_methods);
  res.message.set(Field::access_control_allow_headers, options_.cors.allowed_headers);
  res.message.set(Field::access_control_max_age, std::to_string(options_.cors.max_age_seconds));
  return res;
}

boost::asio::awaitable<Response> Pipeline::handle(Request& req, const RouteMatch& match) const {
  try {
    bool is_options = req.method() == Verb::options;
    if (is_options && !req.header(Field::origin).empty() &&
        !req.header(Field::access_control_request_method).empty()) {
      co_return preflight(req, match);
    }
    switch (match.kind) {
      case RouteMatch::Kind::Found: break;
      case RouteMatch::Kind::NotFound:
        throw not_found("No endpoint " + method_name(req) + " " + std::string(req.path));
      case RouteMatch::Kind::BadParameter: throw bad_request(match.error);
      case RouteMatch::Kind::MethodNotAllowed:
        if (is_options) {
          Response res = Response::no_content();
          res.message.set(Field::allow, match.allow);
          co_return res;
        }
        throw Error(405, "Method " + method_name(req) + " is not supported here").with_header("Allow", match.allow);
    }
    if (match.route->options.guard) co_await match.route->options.guard(req);
    co_return co_await match.route->handler(req);
  } catch (const Error& e) {
    co_return error_response(e, req.path);
  } catch (const std::exception& e) {
    // A bug or an unexpected dependency failure: the client gets a generic message
    // with the request id; the details go to the log, never to the client.
    spdlog::error("request {} {} {} failed: {}", req.request_id, method_name(req), req.path, e.what());
  }
  co_return error_response(500, "Internal server error", req.path);
}

Response Pipeline::error_response(const Error& e, std::string_view path) const {
  Response res = error_response(e.status(), e.what(), path);
  for (const auto& [k, v] : e.headers()) res.message.set(k, v);
  return res;
}

void WorkerMetrics::record(std::string_view route, Verb method, int status, std::chrono::nanoseconds elapsed) {
  auto& series = series_[route.data()];
  if (!series.latency) series.latency = &pipeline_.latency().with({std::string(route)});
  series.latency->observe(std::chrono::duration<double>(elapsed).count());
  auto& counter = series.by_status_method[status * 64 + static_cast<int>(method) % 64];
  if (!counter) {
    std::string name(method == Verb::unknown ? "OTHER" : bhttp::to_string(method));
    counter = &pipeline_.requests().with({std::string(route), name, std::to_string(status)});
  }
  counter->inc();
}

void write_access_log(log::AccessLogBuffer& out, const Request& req, int status, std::size_t bytes,
                      std::chrono::nanoseconds elapsed) {
  thread_local std::string line;
  line.clear();
  line += R"({"ts":")";
  line += format_iso8601(Clock::now(), true);
  line += R"(","logger":"access","request_id":")";
  log::append_json_escaped(line, req.request_id);
  line += R"(","method":")";
  log::append_json_escaped(line, req.message.method_string());
  // The path only: query strings can carry codes and tokens.
  line += R"(","path":")";
  log::append_json_escaped(line, req.path);
  line += R"(","route":")";
  log::append_json_escaped(line, req.route);
  line += R"(","status":)";
  line += std::to_string(status);
  line += R"(,"bytes":)";
  line += std::to_string(bytes);
  line += R"(,"duration_us":)";
  line += std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  line += R"(,"remote":")";
  line += req.remote.to_string();
  line += "\"}";
  out.append(line);
}

}  // namespace ticketly::http
