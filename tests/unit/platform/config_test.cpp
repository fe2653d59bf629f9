#include <gtest/gtest.h>

#include "app/catalogue.h"
#include "app/settings.h"
#include "platform/config/reader.h"

namespace ticketly::config {
namespace {

TEST(ConfigSource, ParsesKeyValueFiles) {
  auto v = Source::parse_file("# comment\n\nexport A=1\nB = 'two words'\nC=\"x=y\"\n", "f");
  EXPECT_EQ(v["A"], "1");
  EXPECT_EQ(v["B"], "two words");
  EXPECT_EQ(v["C"], "x=y");
  EXPECT_THROW(Source::parse_file("garbage\n", "f"), std::runtime_error);
}

TEST(ConfigReader, CollectsEveryProblemBeforeFailing) {
  auto src = Source::from_map({{"P", "99999"}, {"B", "maybe"}, {"D", "10 parsecs"}, {"S", "1TB"}});
  Reader r(src);
  r.port("P", 80);
  r.boolean("B", false);
  r.duration("D", std::chrono::seconds(1));
  r.bytes("S", 1, 0, 100);
  try {
    r.finish();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 4u);
    EXPECT_EQ(e.problems()[0], "P: '99999' must be between 0 and 65535");
    EXPECT_EQ(e.problems()[1], "B: 'maybe' is not a boolean (true/false)");
  }
}

TEST(ConfigReader, ParsesDurationsAndSizes) {
  using namespace std::chrono;
  EXPECT_EQ(parse_duration("250ms", seconds(1)), milliseconds(250));
  EXPECT_EQ(parse_duration("10", seconds(1)), seconds(10));
  EXPECT_EQ(parse_duration("5m", seconds(1)), minutes(5));
  EXPECT_FALSE(parse_duration("-1s", seconds(1)));
  EXPECT_EQ(parse_bytes("1MiB"), 1024u * 1024);
  EXPECT_EQ(parse_bytes("512KiB"), 512u * 1024);
  EXPECT_FALSE(parse_bytes("12 apples"));
}

TEST(ConfigReader, UsesFallbacksForAbsentAndEmptyValues) {
  auto src = Source::from_map({{"EMPTY", ""}});
  Reader r(src);
  EXPECT_EQ(r.integer("EMPTY", 7, 0, 10), 7);
  EXPECT_EQ(r.string("MISSING", "x"), "x");
  EXPECT_EQ(r.list("MISSING", {"a"}), std::vector<std::string>{"a"});
  EXPECT_TRUE(r.ok());
}

TEST(Settings, AllInOneUsesTicketlyPortAndDerivesDatabaseUrls) {
  auto src = Source::from_map({{"TICKETLY_PG_URL", "postgresql://u:p@127.0.0.1:5432"}, {"TICKETLY_PORT", "9000"}});
  auto s = app::load_settings(src, app::all_services());
  EXPECT_EQ(s.http.port, 9000);
  EXPECT_EQ(s.database_url(*app::find_service("order")), "postgresql://u:p@127.0.0.1:5432/ticketly_order");
  // Browsers reach the listener where it listens, unless told otherwise.
  EXPECT_EQ(s.auth.public_url, "http://localhost:9000");
  EXPECT_EQ(s.auth.issuer, "http://localhost:9000/realms/event-ticketing");
  auto behind_proxy = app::load_settings(src.with("TICKETLY_PUBLIC_URL", "https://tickets.example.org/"),
                                         app::all_services());
  EXPECT_EQ(behind_proxy.auth.public_url, "https://tickets.example.org");
}

TEST(Settings, SingleServiceListensOnItsOwnPort) {
  auto src = Source::from_map({{"TICKETLY_PG_URL", "postgresql://127.0.0.1"}});
  auto s = app::load_settings(src, {app::find_service("order")});
  EXPECT_EQ(s.http.port, 8084);
  auto src2 = src.with("TICKETLY_ORDER_PORT", "9100");
  EXPECT_EQ(app::load_settings(src2, {app::find_service("order")}).http.port, 9100);
}

TEST(Settings, RequiresADatabaseAndReportsBadValues) {
  auto src = Source::from_map({{"TICKETLY_ENV", "staging"}, {"TICKETLY_WORKERS", "lots"}});
  try {
    app::load_settings(src, app::all_services());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string all = e.what();
    EXPECT_NE(all.find("TICKETLY_ENV: 'staging' must be one of: development, test, production"), std::string::npos);
    EXPECT_NE(all.find("TICKETLY_WORKERS: 'lots' is not an integer"), std::string::npos);
    EXPECT_NE(all.find("TICKETLY_PG_URL: is required"), std::string::npos);
  }
}

TEST(Settings, UploadsPerClientAreAShareOfTheProcesssUploads) {
  auto src = Source::from_map({{"TICKETLY_PG_URL", "postgresql://127.0.0.1"}});
  auto s = app::load_settings(src, app::all_services());
  EXPECT_EQ(s.http.max_large_bodies, 16u);
  EXPECT_EQ(s.http.max_large_bodies_per_client, 4u);
  EXPECT_EQ(app::load_settings(src.with("TICKETLY_HTTP_MAX_UPLOADS", "2"), app::all_services())
                .http.max_large_bodies_per_client,
            2u);
  try {
    app::load_settings(src.with("TICKETLY_HTTP_MAX_UPLOADS_PER_CLIENT", "17"), app::all_services());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("TICKETLY_HTTP_MAX_UPLOADS_PER_CLIENT: must not exceed TICKETLY_HTTP_MAX_UPLOADS"),
              std::string::npos)
        << e.what();
  }
}

TEST(Settings, TrustedProxiesAreParsedAtStartAndNamedWhenBad) {
  auto src = Source::from_map({{"TICKETLY_PG_URL", "postgresql://127.0.0.1"}});
  EXPECT_TRUE(app::load_settings(src, app::all_services()).http.trusted_proxies.empty());
  const auto s = app::load_settings(src.with("TICKETLY_TRUSTED_PROXIES", "10.0.0.0/8"), app::all_services());
  EXPECT_TRUE(s.http.trusted_proxies.contains(boost::asio::ip::make_address("10.9.8.7")));
  try {
    app::load_settings(src.with("TICKETLY_TRUSTED_PROXIES", "10.0.0.0/8, ingress"), app::all_services());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("TICKETLY_TRUSTED_PROXIES: 'ingress' is not an IP address"), std::string::npos)
        << e.what();
  }
}

TEST(Settings, PoolMinimumDefaultsToTwoAndNeverExceedsThePool) {
  auto src = Source::from_map({{"TICKETLY_PG_URL", "postgresql://127.0.0.1"}});
  auto s = app::load_settings(src, app::all_services());
  EXPECT_EQ(s.db_pool_size, 8u);
  EXPECT_EQ(s.db_pool_min, 2u);
  EXPECT_EQ(app::load_settings(src.with("TICKETLY_DB_POOL_SIZE", "1"), app::all_services()).db_pool_min, 1u);
  EXPECT_EQ(app::load_settings(src.with("TICKETLY_DB_POOL_MIN", "0"), app::all_services()).db_pool_min, 0u);
  try {
    app::load_settings(src.with("TICKETLY_DB_POOL_MIN", "9"), app::all_services());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("TICKETLY_DB_POOL_MIN: must not exceed TICKETLY_DB_POOL_SIZE"),
              std::string::npos)
        << e.what();
  }
}

TEST(Settings, PerServiceDatabaseUrlOverridesTheCluster) {
  auto src = Source::from_map({{"TICKETLY_ORDER_DATABASE_URL", "postgresql://db.internal/orders"},
                               {"TICKETLY_BUS_DATABASE_URL", "postgresql://db.internal/bus"}});
  auto s = app::load_settings(src, {app::find_service("order")});
  EXPECT_EQ(s.database_url(*app::find_service("order")), "postgresql://db.internal/orders");
  // Without a cluster URL, the bus's database must be named too.
  EXPECT_THROW(app::load_settings(src.with("TICKETLY_BUS_DATABASE_URL", ""), {app::find_service("order")}),
               ConfigError);
}

}  // namespace
}  // namespace ticketly::config
