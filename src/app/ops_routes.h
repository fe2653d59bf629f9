#pragma once
// Operations endpoints of a process: liveness, readiness, Prometheus metrics,
// the per-service health aliases the web client and probes use, and per service
// `<base>/whoami` (any valid token) and `<base>/internal/whoami` (service accounts
// only): what that service makes of the caller's token.
#include <string>
#include <vector>

#include "platform/http/router.h"
#include "platform/service/service.h"

namespace ticketly::db {
class Database;
}
namespace ticketly::metrics {
class Registry;
}
namespace ticketly::auth {
class Verifier;
}

namespace ticketly::app {

struct MountedService {
  const service::ServiceDescriptor* descriptor;
  db::Database* database;
};

void register_ops_routes(http::Router& router, metrics::Registry& metrics, auth::Verifier& verifier,
                         std::vector<MountedService> services);

}  // namespace ticketly::app
