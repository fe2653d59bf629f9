#pragma once
// The seam between the process and a service. A service is domain code plus a
// route table; the process (src/app) owns threads, the listener, databases and
// operations endpoints, and hands each service what it needs in a ServiceContext.
// The same service object serves all-in-one and one-service-per-process modes.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "platform/config/source.h"
#include "platform/db/migrations.h"
#include "platform/http/router.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::db {
class Database;
}
namespace ticketly::auth {
class Verifier;
}
namespace ticketly::bus {
class Bus;
class ConsumerRuntime;
}
namespace ticketly::metrics {
class Registry;
}

namespace ticketly::service {

// How a service calls the identity provider as itself (client credentials), e.g. to
// invite staff through Keycloak's admin API, and how it reaches its peers over HTTP.
struct ServiceIdentity {
  std::string client_id;      // "<service name>-service", e.g. "event-command-service"
  std::string client_secret;  // empty when none is configured (then such calls fail with 503)
  // The realm URL as this process reaches it, e.g. http://127.0.0.1:8088/realms/event-ticketing
  // (may differ from the public issuer); token endpoint and admin API derive from it.
  std::function<std::string()> realm_url;
  // The base URL of this deployment for service-to-service HTTP calls.
  std::function<std::string()> internal_base_url;

  std::string token_url() const { return realm_url() + "/protocol/openid-connect/token"; }
  // Keycloak's admin REST API of the same realm (…/admin/realms/<realm>).
  std::string admin_url() const;
};

struct ServiceContext {
  runtime::IoPool& io;
  metrics::Registry& metrics;
  const config::Source& config;  // a service reads its own keys through config::Reader
  db::Database& database;        // this service's own database, already migrated
  std::string environment;       // development | test | production
  // Verifies bearer tokens for this service's guards (auth/guards.h). Never null in a
  // running process; shared by every service of the process.
  auth::Verifier* verifier = nullptr;
  // This service's consumer group on the event bus: register handlers with `on(topic, …)`
  // while being created; the process starts the group once it listens (and only if a
  // handler was registered). To publish, call bus::publish() inside a transaction on
  // `database`: the process relays this database's outbox. Never null in a running process.
  bus::ConsumerRuntime* consumer = nullptr;
  ServiceIdentity identity;
};

class Service {
 public:
  virtual ~Service() = default;
  // Adds this service's routes (full paths, under its base path).
  virtual void register_routes(http::Router& router) = 0;
  // Starts background work (consumers, jobs) once the listener is up.
  virtual void start() {}
  // Stops background work; called before the worker threads stop.
  virtual void stop() {}
};

// Static facts about a service, known before anything is built.
struct ServiceDescriptor {
  std::string_view name;       // "event-command": CLI argument and metrics label
  std::string_view id;         // "event_command": database suffix and migrations folder
  std::string_view base_path;  // "/api/event-seating"
  std::uint16_t default_port;  // its own port when it runs alone
  std::span<const db::MigrationFile> (*migrations)();
  std::unique_ptr<Service> (*create)(ServiceContext& context);
  // Run on each new connection of its database before first use (db::PoolOptions::warm_up):
  // readies the hot path's plans and caches. Empty: none.
  std::string_view warm_up = {};
};

}  // namespace ticketly::service
