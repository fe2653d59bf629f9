#pragma once
// The seam between the process and a service. A service is domain code plus a
// route table; the process (src/app) owns threads, the listener, databases and
// operations endpoints, and hands each service what it needs in a ServiceContext.
// The same service object serves all-in-one and one-service-per-process modes.
#include <cstdint>
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
};

}  // namespace ticketly::service
