#pragma once
// The real Application (every selected service, its databases migrated) on an
// ephemeral port, against the test cluster. Each TestApp gets databases of its
// own (`<random prefix>_<service>`) and a data directory of its own (identity
// provider keys and secrets), both removed when it is destroyed.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/application.h"

namespace ticketly::testing {

class TestApp {
 public:
  // `services` empty = all; `configure` may change the settings before start.
  explicit TestApp(std::vector<std::string> services = {},
                   const std::function<void(app::Settings&)>& configure = {},
                   std::map<std::string, std::string> extra_env = {});
  ~TestApp();
  // The same on the heap, for a suite's shared app (braced lists as arguments work here,
  // unlike through std::make_unique).
  static std::unique_ptr<TestApp> start(std::vector<std::string> services = {},
                                        const std::function<void(app::Settings&)>& configure = {},
                                        std::map<std::string, std::string> extra_env = {}) {
    return std::make_unique<TestApp>(std::move(services), configure, std::move(extra_env));
  }

  std::uint16_t port() const { return app_->port(); }
  const app::Settings& settings() const { return settings_; }
  app::Application& app() { return *app_; }
  // Base URL of a service's database, for tests that inspect tables directly.
  std::string database_url(std::string_view service) const;

  // Environment for a child `ticketly` process using the same cluster and prefix.
  std::vector<std::string> child_environment() const;
  // The configuration the services read (e.g. for idp::client_secret).
  const config::Source& source() const { return source_; }

 private:
  // This app's databases (its services' and its bus's), and its data directory.
  void drop_databases();

  config::Source source_;
  app::Settings settings_;
  std::vector<const service::ServiceDescriptor*> services_;
  std::unique_ptr<app::Application> app_;
};

// A database prefix unique to this process and call: "t<12 hex digits>".
std::string unique_db_prefix();

}  // namespace ticketly::testing
