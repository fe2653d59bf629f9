// Both buses must place a key in the same partition Kafka's Java client would.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

#include "platform/bus/bus.h"

namespace ticketly::bus {
namespace {

TEST(BusPartitioner, Murmur2MatchesKafkasReferenceValues) {
  // Kafka's UtilsTest.testMurmur2.
  EXPECT_EQ(murmur2("21"), -973932308);
  EXPECT_EQ(murmur2("foobar"), -790332482);
  EXPECT_EQ(murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(murmur2(std::string("abc")), 479470107);
}

TEST(BusPartitioner, AgreesWithLibrdkafkasMurmur2Partitioner) {
  for (int partitions : {1, 3, 8, 12, 64}) {
    for (int i = 0; i < 500; ++i) {
      const std::string key = "0f8fad5b-d9cb-469f-a165-" + std::to_string(i * 7919) + std::string(i % 5, 'x');
      const auto expected =
          rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr, nullptr);
      ASSERT_EQ(partition_for(key, partitions), expected) << key << " / " << partitions;
    }
  }
}

TEST(BusPartitioner, SpreadsKeysAndKeepsThemInRange) {
  int seen[8] = {};
  for (int i = 0; i < 8000; ++i) {
    const auto p = partition_for("session-" + std::to_string(i), 8);
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 8);
    ++seen[p];
  }
  for (int count : seen) EXPECT_GT(count, 800);
  EXPECT_EQ(partition_for("anything", 1), 0);
  EXPECT_EQ(partition_for("", 4), partition_for("", 4));
}

}  // namespace
}  // namespace ticketly::bus
