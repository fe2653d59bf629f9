#include "support/test_app.h"

#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "app/catalogue.h"
#include "platform/bus/bus_config.h"
#include "platform/db/migrator.h"
#include "support/test_database.h"

namespace ticketly::testing {

std::string unique_db_prefix() {
  std::random_device rd;
  std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) | rd();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string p = "t";
  for (int i = 0; i < 12; ++i, v >>= 4) p.push_back(kHex[v & 0xF]);
  return p;
}

namespace {

config::Source test_source(const std::string& prefix, std::map<std::string, std::string> extra) {
  std::map<std::string, std::string> env{
      {"TICKETLY_PG_URL", TestDatabase::cluster_url()},
      {"TICKETLY_DB_PREFIX", prefix},
      {"TICKETLY_DATA_DIR", (std::filesystem::temp_directory_path() / ("ticketly-" + prefix)).string()},
      {"TICKETLY_ENV", "test"},
      {"TICKETLY_BIND", "127.0.0.1"},
      {"TICKETLY_PORT", "0"},
      {"TICKETLY_PUBLIC_URL", "http://localhost:8088"},
      {"TICKETLY_WORKERS", "2"},
      {"TICKETLY_DB_POOL_SIZE", "4"},
      {"TICKETLY_LOG_LEVEL", "warn"},
      {"TICKETLY_ACCESS_LOG", "false"},
  };
  for (auto& [k, v] : extra) env[k] = v;
  return config::Source::from_map(std::move(env));
}

}  // namespace

TestApp::TestApp(std::vector<std::string> services, const std::function<void(app::Settings&)>& configure,
                 std::map<std::string, std::string> extra_env)
    : source_(test_source(unique_db_prefix(), std::move(extra_env))) {
  if (services.empty()) {
    services_ = app::all_services();
  } else {
    for (const auto& n : services) services_.push_back(app::find_service(n));
  }
  settings_ = app::load_settings(source_, services_);
  settings_.http.port = 0;  // single-service mode reads TICKETLY_<SERVICE>_PORT
  if (configure) configure(settings_);
  app_ = std::make_unique<app::Application>(settings_, source_, services_);
  try {
    app_->start();
  } catch (...) {
    // Tests expect some starts to fail (a refused setting): the databases made before the
    // failure are still dropped.
    app_.reset();
    drop_databases();
    throw;
  }
}

TestApp::~TestApp() {
  app_->stop();
  app_.reset();
  drop_databases();
}

void TestApp::drop_databases() {
  std::vector<std::string> names;
  for (const auto* s : services_) names.push_back(settings_.database_name(*s));
  // The PostgreSQL log the app created for its bus (none when it was given one by URL).
  if (settings_.bus.kind == bus::BusKind::postgres && !settings_.bus.database_url) {
    names.push_back(bus::bus_database_name(settings_.db_name_prefix));
  }
  for (const auto& name : names) {
    try {
      db::drop_database_if_exists(TestDatabase::admin_url(), name);
    } catch (const std::exception& e) {
      // Harmless in CI (the cluster is thrown away), but a local cluster keeps it.
      std::fprintf(stderr, "test app: database %s left behind: %s\n", name.c_str(), e.what());
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(settings_.data_dir, ec);
}

std::string TestApp::database_url(std::string_view service) const {
  return settings_.database_url(*app::find_service(service));
}

std::vector<std::string> TestApp::child_environment() const {
  return {"TICKETLY_PG_URL=" + TestDatabase::cluster_url(), "TICKETLY_DB_PREFIX=" + settings_.db_name_prefix};
}

}  // namespace ticketly::testing
