// The real process: all services, their databases, operations endpoints, the CLI,
// and shutdown on signals.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "platform/db/migrator.h"
#include "support/child_process.h"
#include "support/http_client.h"
#include "support/test_app.h"
#include "support/test_database.h"

namespace ticketly {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::http_request;
using testing::TestApp;

TEST(Application, HealthIsUpWithEveryService) {
  TestApp app;
  auto r = http_request(app.port(), "GET", "/health");
  ASSERT_EQ(r.status, 200);
  auto body = r.json();
  EXPECT_EQ(body["status"], "UP");
  EXPECT_EQ(body["services"], json::Json({"event-command", "event-query", "order", "scheduler", "idp"}));
  for (const char* base : {"/api/event-seating", "/api/event-query", "/api/order", "/api/scheduler"}) {
    EXPECT_EQ(http_request(app.port(), "GET", std::string(base) + "/health").status, 200) << base;
  }
  EXPECT_EQ(http_request(app.port(), "GET", "/actuator/health").status, 200);
}

TEST(Application, ReadyChecksEveryServiceDatabase) {
  TestApp app;
  auto r = http_request(app.port(), "GET", "/ready");
  ASSERT_EQ(r.status, 200) << r.body;
  auto checks = r.json()["checks"];
  for (const char* s : {"event-command", "event-query", "order", "scheduler"}) {
    EXPECT_EQ(checks[s]["database"], "UP") << s;
  }
  EXPECT_EQ(http_request(app.port(), "GET", "/api/order/ready").json()["checks"].size(), 1u);
}

TEST(Application, ReadyIs503WhenADatabaseIsUnreachable) {
  TestApp app({"order"}, [](app::Settings& s) {
    s.migrate_on_start = false;
    s.database_url_overrides["order"] = "postgresql://ticketly:x@127.0.0.1:1/nothing?connect_timeout=1";
    s.db_acquire_timeout = 300ms;
  });
  auto r = http_request(app.port(), "GET", "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.json()["status"], "DOWN");
  EXPECT_EQ(r.json()["checks"]["order"]["database"], "DOWN");
  EXPECT_EQ(http_request(app.port(), "GET", "/health").status, 200);  // liveness is independent
}

TEST(Application, CreatesAndMigratesOneDatabasePerService) {
  TestApp app;
  for (const char* s : {"event_command", "event_query", "order", "scheduler"}) {
    auto [code, out] = testing::run_command(
        {"/usr/bin/psql", app.database_url(s), "-tAc", "SELECT count(*) FROM schema_migrations"}, {});
    EXPECT_EQ(code, 0) << s << ": " << out;
  }
}

TEST(Application, ExposesPrometheusMetrics) {
  TestApp app;
  http_request(app.port(), "GET", "/health");
  // The /health request is counted just after its response is written: scrape until it shows.
  auto r = http_request(app.port(), "GET", "/metrics");
  for (int i = 0; i < 100 && r.body.find("route=\"/health\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
    r = http_request(app.port(), "GET", "/metrics");
  }
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  for (const char* m : {"http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"}",
                        "http_request_duration_seconds_bucket", "process_resident_memory_bytes",
                        "process_cpu_seconds_total", "ticketly_db_pool_size"}) {
    EXPECT_NE(r.body.find(m), std::string::npos) << m;
  }
}

TEST(Application, OneServiceAloneServesOnlyItsOwnPaths) {
  TestApp app({"order"});
  EXPECT_EQ(http_request(app.port(), "GET", "/api/order/health").status, 200);
  EXPECT_EQ(http_request(app.port(), "GET", "/api/event-seating/health").status, 404);
  EXPECT_EQ(http_request(app.port(), "GET", "/health").json()["services"], json::Json({"order"}));
}

// ---- the binary itself ----

std::string data_dir(const std::string& prefix) {
  return (std::filesystem::temp_directory_path() / ("ticketly-" + prefix)).string();
}

std::vector<std::string> base_env(const std::string& prefix) {
  return {"TICKETLY_PG_URL=" + testing::TestDatabase::cluster_url(), "TICKETLY_DB_PREFIX=" + prefix,
          "TICKETLY_DATA_DIR=" + data_dir(prefix),
          "TICKETLY_BIND=127.0.0.1", "TICKETLY_PORT=0", "TICKETLY_WORKERS=2", "TICKETLY_ACCESS_LOG=false"};
}

void drop_databases(const std::string& prefix) {
  for (const char* s : {"event_command", "event_query", "order", "scheduler", "idp", "bus"}) {
    db::drop_database_if_exists(testing::TestDatabase::admin_url(), prefix + "_" + s);
  }
  std::filesystem::remove_all(data_dir(prefix));
}

std::uint16_t port_from(const std::string& line) {
  auto colon = line.find("127.0.0.1:");
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 10)));
}

TEST(Binary, PrintsItsVersion) {
  auto [code, out] = testing::run_command({TICKETLY_BINARY, "version"}, {});
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, std::string("ticketly ") + TICKETLY_VERSION + "\n");
}

TEST(Binary, RejectsBadConfigurationListingEveryProblem) {
  auto [code, out] = testing::run_command(
      {TICKETLY_BINARY, "serve"}, {"TICKETLY_PORT=http", "TICKETLY_LOG_FORMAT=xml", "TICKETLY_HTTP_BODY_LIMIT=huge"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("TICKETLY_PORT: 'http' is not an integer"), std::string::npos) << out;
  EXPECT_NE(out.find("TICKETLY_LOG_FORMAT: 'xml' must be one of: json, text"), std::string::npos) << out;
  EXPECT_NE(out.find("TICKETLY_HTTP_BODY_LIMIT"), std::string::npos) << out;
  EXPECT_NE(out.find("TICKETLY_PG_URL: is required"), std::string::npos) << out;
}

TEST(Binary, RejectsUnknownServiceNames) {
  auto [code, out] = testing::run_command({TICKETLY_BINARY, "serve", "billing"}, {});
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("unknown service 'billing'"), std::string::npos) << out;
}

TEST(Binary, MigrateCreatesTheDatabasesAndIsRepeatable) {
  auto prefix = testing::unique_db_prefix();
  auto first = testing::run_command({TICKETLY_BINARY, "migrate"}, base_env(prefix));
  EXPECT_EQ(first.first, 0) << first.second;
  auto second = testing::run_command({TICKETLY_BINARY, "migrate", "order"}, base_env(prefix));
  EXPECT_EQ(second.first, 0) << second.second;
  drop_databases(prefix);
}

TEST(Binary, ServesUntilSigtermThenExitsCleanly) {
  auto prefix = testing::unique_db_prefix();
  {
    ChildProcess p({TICKETLY_BINARY, "serve"}, base_env(prefix));
    auto line = p.wait_for_line("listening on", 30s);
    ASSERT_TRUE(line) << p.output();
    auto port = port_from(*line);
    testing::TestConnection keep(port);  // an idle keep-alive client must not delay the exit
    EXPECT_EQ(keep.request("GET", "/health").status, 200);
    p.signal(SIGTERM);
    auto code = p.wait(10s);
    ASSERT_TRUE(code) << p.output();
    EXPECT_EQ(*code, 0) << p.output();
    EXPECT_NE(p.output().find("stopped cleanly"), std::string::npos) << p.output();
  }
  drop_databases(prefix);
}

TEST(Binary, SigintStopsASingleServiceToo) {
  auto prefix = testing::unique_db_prefix();
  {
    auto env = base_env(prefix);
    env.push_back("TICKETLY_SCHEDULER_PORT=0");
    ChildProcess p({TICKETLY_BINARY, "serve", "scheduler"}, env);
    auto line = p.wait_for_line("listening on", 30s);
    ASSERT_TRUE(line) << p.output();
    EXPECT_EQ(http_request(port_from(*line), "GET", "/api/scheduler/health").status, 200);
    p.signal(SIGINT);
    EXPECT_EQ(p.wait(10s), 0) << p.output();
  }
  drop_databases(prefix);
}

}  // namespace
}  // namespace ticketly
