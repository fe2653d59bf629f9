#include <gtest/gtest.h>

#include "platform/bus/bus_config.h"

namespace ticketly::bus {
namespace {

using namespace std::chrono_literals;

TEST(BusConfig, DefaultsToThePostgresLog) {
  auto c = load_bus_config(config::Source::from_map({}));
  EXPECT_EQ(c.kind, BusKind::postgres);
  EXPECT_EQ(c.partitions, 8);
  EXPECT_EQ(c.replication, 1);
  EXPECT_EQ(c.retention, std::chrono::hours(24 * 7));
  EXPECT_EQ(c.retry.max_attempts, 5);
  EXPECT_EQ(c.retry.initial_backoff, 100ms);
  EXPECT_EQ(c.retry.max_backoff, 30s);
  EXPECT_EQ(c.relay_poll_interval, 100ms);
  EXPECT_FALSE(c.database_url);
  EXPECT_EQ(bus_database_name("ticketly"), "ticketly_bus");
  EXPECT_EQ(bus_database_url(c, "postgresql://u:p@127.0.0.1:5432", "ticketly"),
            "postgresql://u:p@127.0.0.1:5432/ticketly_bus");
}

TEST(BusConfig, KafkaIsOneVariableAwayAndNeedsBrokers) {
  auto c = load_bus_config(config::Source::from_map(
      {{"TICKETLY_BUS", "kafka"}, {"KAFKA_BROKERS", "k1:9092,k2:9092"}, {"TICKETLY_BUS_PARTITIONS", "12"},
       {"TICKETLY_BUS_REPLICATION", "3"}, {"TICKETLY_KAFKA_PROPERTIES", "security.protocol=SSL,ssl.ca.location=/ca.pem"}}));
  EXPECT_EQ(c.kind, BusKind::kafka);
  EXPECT_EQ(c.kafka_brokers, "k1:9092,k2:9092");
  EXPECT_EQ(c.partitions, 12);
  EXPECT_EQ(c.replication, 3);
  EXPECT_EQ(c.kafka_properties.at("security.protocol"), "SSL");
  EXPECT_EQ(c.kafka_properties.at("ssl.ca.location"), "/ca.pem");

  try {
    load_bus_config(config::Source::from_map({{"TICKETLY_BUS", "kafka"}}));
    FAIL() << "kafka without brokers was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("KAFKA_BROKERS"), std::string::npos) << e.what();
  }
}

TEST(BusConfig, ReadsDurationsWithDaysAndCollectsEveryProblem) {
  auto c = load_bus_config(config::Source::from_map({{"TICKETLY_BUS_RETENTION", "3d"},
                                                     {"TICKETLY_BUS_RETRY_BACKOFF", "250ms"},
                                                     {"TICKETLY_BUS_RETRY_MULTIPLIER", "1.5"},
                                                     {"TICKETLY_OUTBOX_POLL_INTERVAL", "2s"}}));
  EXPECT_EQ(c.retention, std::chrono::hours(72));
  EXPECT_EQ(c.retry.initial_backoff, 250ms);
  EXPECT_DOUBLE_EQ(c.retry.multiplier, 1.5);
  EXPECT_EQ(c.relay_poll_interval, 2s);
  EXPECT_EQ(parse_bus_duration("7d"), std::chrono::hours(168));
  EXPECT_EQ(parse_bus_duration("90"), 90s);
  EXPECT_FALSE(parse_bus_duration("d"));
  EXPECT_FALSE(parse_bus_duration("1.5d"));

  try {
    load_bus_config(config::Source::from_map({{"TICKETLY_BUS", "rabbit"},
                                              {"TICKETLY_BUS_PARTITIONS", "0"},
                                              {"TICKETLY_BUS_RETENTION", "forever"},
                                              {"TICKETLY_BUS_RETRY_MULTIPLIER", "0.5"}}));
    FAIL() << "bad values were accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.problems().size(), 4u) << e.what();
  }
}

TEST(BusConfig, BackoffGrowsExponentiallyUpToTheCap) {
  RetryPolicy p;  // 100 ms x2 up to 30 s
  EXPECT_EQ(p.backoff(1), 100ms);
  EXPECT_EQ(p.backoff(2), 200ms);
  EXPECT_EQ(p.backoff(5), 1600ms);
  EXPECT_EQ(p.backoff(9), 25600ms);
  EXPECT_EQ(p.backoff(10), 30s);
  EXPECT_EQ(p.backoff(1000), 30s);
  auto c = load_bus_config(config::Source::from_map({}));
  auto o = consumer_options(c, "order");
  EXPECT_EQ(o.group, "order");
  EXPECT_EQ(o.retry.max_attempts, 5);
  auto r = relay_options(c, "postgresql://x", "order");
  EXPECT_EQ(r.label, "order");
  EXPECT_EQ(r.batch_size, 500u);
}

}  // namespace
}  // namespace ticketly::bus
