#pragma once
// Application: one running `ticketly serve` process. Builds, in order, the
// worker threads, metrics, each selected service's database (created and
// migrated), the services, the route table, and the listener; tears them down
// in reverse. Integration tests run it in-process on an ephemeral port.
#include <memory>
#include <vector>

#include "app/settings.h"

namespace ticketly::http {
class Router;
}

namespace ticketly::app {

class Application {
 public:
  Application(Settings settings, config::Source source, std::vector<const service::ServiceDescriptor*> services);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Migrates (when configured), starts workers and the listener. Throws on failure.
  void start();
  std::uint16_t port() const;
  // Every route served (the services' and the operations routes), once start() ran. For
  // tests that sweep the whole table.
  const http::Router& router() const;
  // Graceful stop; true when in-flight work finished within the grace period.
  bool stop();
  // start(), then block until SIGINT or SIGTERM, then stop(). Returns the exit code.
  int run();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Creates each service's database when missing and applies its migrations.
void migrate_databases(const Settings& settings, const std::vector<const service::ServiceDescriptor*>& services);

}  // namespace ticketly::app
