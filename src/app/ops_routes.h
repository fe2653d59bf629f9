#pragma once
// Operations endpoints of a process: liveness, readiness, Prometheus metrics,
// and the per-service health aliases the web client and probes use.
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

namespace ticketly::app {

struct MountedService {
  const service::ServiceDescriptor* descriptor;
  db::Database* database;
};

void register_ops_routes(http::Router& router, metrics::Registry& metrics, std::vector<MountedService> services);

}  // namespace ticketly::app
