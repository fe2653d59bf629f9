#include "app/ops_routes.h"

#include "platform/auth/guards.h"
#include "platform/db/database.h"
#include "platform/metrics/registry.h"

namespace ticketly::app {
namespace {

using http::Request;
using http::Response;

json::Json service_names(const std::vector<MountedService>& services) {
  json::Json names = json::Json::array();
  for (const auto& s : services) names.push_back(std::string(s.descriptor->name));
  return names;
}

json::Json principal_json(const auth::Principal& p) {
  return {{"sub", p.subject},
          {"email", p.email},
          {"name", p.name},
          {"username", p.username},
          {"azp", p.authorized_party},
          {"tier", p.tier},
          {"systemAdmin", p.system_admin},
          {"serviceAccount", p.service_account},
          {"roles", p.realm_roles},
          {"groups", p.groups},
          {"scopes", p.scopes},
          {"expiresAt", format_iso8601(p.expires_at)}};
}

// Readiness: every database of `services` answers a query.
http::Handler readiness(std::vector<MountedService> services) {
  return [services](Request&) -> boost::asio::awaitable<Response> {
    json::Json checks = json::Json::object();
    bool up = true;
    for (const auto& s : services) {
      std::string state = "UP";
      try {
        co_await s.database->ping();
      } catch (const std::exception&) {
        state = "DOWN";  // the 503 says it; the pool has already logged why
        up = false;
      }
      checks[std::string(s.descriptor->name)] = {{"database", state}};
    }
    co_return Response::json(up ? 200 : 503, {{"status", up ? "UP" : "DOWN"}, {"checks", checks}});
  };
}

}  // namespace

void register_ops_routes(http::Router& router, metrics::Registry& metrics, auth::Verifier& verifier,
                         std::vector<MountedService> services) {
  // Liveness: answers without touching dependencies, so a slow database never
  // gets a healthy process restarted. Pre-serialized: it is also the benchmark baseline.
  auto health_body = std::make_shared<std::string>(json::dump(
      {{"status", "UP"}, {"version", TICKETLY_VERSION}, {"services", service_names(services)}}));
  auto health = [health_body](Request&) -> boost::asio::awaitable<Response> {
    co_return Response::json_text(200, *health_body);
  };
  router.get("/health", health);
  router.get("/actuator/health", health);

  auto ready = readiness(services);
  router.get("/ready", ready);
  router.get("/actuator/health/readiness", ready);

  for (const auto& s : services) {
    std::string base(s.descriptor->base_path);
    router.get(base + "/health", health);
    router.get(base + "/actuator/health", health);
    router.get(base + "/ready", readiness({s}));
  }

  auto whoami = [](Request& req) -> boost::asio::awaitable<Response> {
    co_return Response::json(200, principal_json(auth::principal_of(req)));
  };
  for (const auto& s : services) {
    std::string base(s.descriptor->base_path);
    router.get(base + "/whoami", whoami, {.guard = auth::authenticated(verifier)});
    router.get(base + "/internal/whoami", whoami, {.guard = auth::internal_service(verifier)});
  }

  router.get("/metrics", [&metrics](Request&) -> boost::asio::awaitable<Response> {
    co_return Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace ticketly::app
