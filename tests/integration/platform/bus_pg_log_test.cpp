// PgLogBus specifics the conformance suite cannot reach through the Bus interface:
// offsets under concurrent producers, leases of dead members, retention.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <map>
#include <string>
#include <vector>

#include "platform/bus/consumer.h"
#include "platform/bus/pg_log_bus.h"
#include "platform/db/migrator.h"
#include "platform/runtime/io_pool.h"
#include "support/bus_test_support.h"
#include "support/sql_session.h"
#include "support/test_database.h"

namespace ticketly::bus {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::awaitable;
using testing::Received;
using testing::run_on;
using testing::SqlSession;
using testing::TestDatabase;
using testing::wait_until;

constexpr auto kTimeout = 30s;

class PgLogBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>("bus_pg_log");
    db::migrate(database_->url(), migrations::bus(), "bus");
    io_ = std::make_unique<runtime::IoPool>(2);
    io_->start();
    PgLogOptions o;
    o.conninfo = database_->url();
    o.default_partitions = 2;
    o.poll_interval = 100ms;
    o.session_timeout = 3s;
    o.commit_interval = 20ms;
    bus_ = std::make_unique<PgLogBus>(*io_, o);
    bus_->start();
    sql_ = std::make_unique<SqlSession>(database_->url());
  }
  void TearDown() override {
    bus_->stop();
    bus_.reset();
    io_->stop();
    io_->join();
    sql_.reset();
  }

  void produce(std::vector<OutgoingMessage> messages, std::size_t worker = 0) {
    run_on(*io_, [&]() -> awaitable<void> { co_await bus_->produce(messages); }, worker);
  }

  std::unique_ptr<ConsumerRuntime> consumer(const std::string& group, const std::string& topic, Received& into,
                                            const std::string& who = "") {
    auto c = std::make_unique<ConsumerRuntime>(*bus_, *io_, ConsumerOptions{.group = group});
    c->on(topic, [&into, who](const Message& m) -> awaitable<void> {
      into.add(m, who);
      co_return;
    });
    c->start();
    return c;
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<runtime::IoPool> io_;
  std::unique_ptr<PgLogBus> bus_;
  std::unique_ptr<SqlSession> sql_;  // a blocking side session on the bus database
};

TEST_F(PgLogBusTest, ConcurrentProducersGetGaplessOffsetsInTheirOwnOrder) {
  // Four producers on two workers, one key: every append fights for the same partition.
  std::vector<std::future<void>> producers;
  for (int p = 0; p < 4; ++p) {
    producers.push_back(asio::co_spawn(
        io_->context(p % 2),
        [&, p]() -> awaitable<void> {
          for (int batch = 0; batch < 20; ++batch) {
            std::vector<OutgoingMessage> messages;
            for (int i = 0; i < 5; ++i) {
              messages.push_back({"pg.offsets", "one-key", std::to_string(p) + ":" + std::to_string(batch * 5 + i), {}});
            }
            co_await bus_->produce(messages);
          }
        },
        asio::use_future));
  }
  for (auto& f : producers) f.get();
  const auto partition = std::to_string(partition_for("one-key", 2));
  auto rows = sql_->rows("SELECT \"offset\", payload FROM bus_messages WHERE topic = 'pg.offsets' AND partition = " +
                         partition + " ORDER BY \"offset\"");
  ASSERT_EQ(rows.size(), 400u);
  std::map<std::string, int> last;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], std::to_string(i));
    const auto colon = rows[i][1].find(':');
    const auto producer = rows[i][1].substr(0, colon);
    const int seq = std::stoi(rows[i][1].substr(colon + 1));
    EXPECT_EQ(seq, last.count(producer) ? last[producer] + 1 : 0) << rows[i][1];
    last[producer] = seq;
  }
  EXPECT_EQ(sql_->one("SELECT next_offset FROM bus_partitions WHERE topic = 'pg.offsets' AND partition = " + partition),
            "400");
}

TEST_F(PgLogBusTest, ProcessesCreatingTheSameTopicsInOppositeOrdersDoNotDeadlock) {
  // Two buses stand for two processes starting together, each naming the topics it needs
  // in its own order (what a test publisher and the app's consumers did when this failed).
  PgLogOptions o = bus_->options();
  PgLogBus other(*io_, o);
  for (int round = 0; round < 40; ++round) {
    std::vector<TopicSpec> forward;
    for (int t = 0; t < 6; ++t) forward.push_back({"pg.order." + std::to_string(round) + "." + std::to_string(t), 0});
    std::vector<TopicSpec> backward(forward.rbegin(), forward.rend());
    auto a = asio::co_spawn(io_->context(0), bus_->ensure_topics(forward), asio::use_future);
    auto b = asio::co_spawn(io_->context(1), other.ensure_topics(backward), asio::use_future);
    ASSERT_NO_THROW(a.get()) << "round " << round;
    ASSERT_NO_THROW(b.get()) << "round " << round;
  }
  EXPECT_EQ(sql_->one("SELECT count(*) FROM bus_partitions WHERE topic LIKE 'pg.order.%'"), "480");
}

TEST_F(PgLogBusTest, TakesOverFromAMemberOnlyOnceItsLeaseRanOut) {
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 5; ++i) messages.push_back({"pg.lease", "k", std::to_string(i), {}});
  produce(messages);
  const auto partition = std::to_string(partition_for("k", 2));
  // A member that handled offsets 0..2 of the key's partition, owns both partitions and
  // looks alive.
  sql_->rows(R"sql(
    INSERT INTO bus_members (group_name, member_id, topics, expires_at)
    VALUES ('g', 'ghost', '{pg.lease}', now() + interval '1 hour');
    INSERT INTO bus_group_partitions (group_name, topic, partition, committed, owner)
    SELECT 'g', 'pg.lease', g, 0, 'ghost' FROM generate_series(0, 1) g;
  )sql");
  sql_->rows("UPDATE bus_group_partitions SET committed = 3 WHERE partition = " + partition);

  Received got;
  auto c = consumer("g", "pg.lease", got);
  ASSERT_TRUE(wait_until([&] { return sql_->one("SELECT count(*) FROM bus_members WHERE group_name = 'g'") == "2"; },
                         kTimeout));
  // Joined and rebalanced (a heartbeat renewed its lease), yet the live owner keeps both.
  const auto joined = sql_->one("SELECT expires_at FROM bus_members WHERE member_id <> 'ghost'");
  ASSERT_TRUE(wait_until([&] { return sql_->one("SELECT expires_at FROM bus_members WHERE member_id <> 'ghost'") != joined; },
                         kTimeout));
  EXPECT_EQ(sql_->one("SELECT count(*) FROM bus_group_partitions WHERE owner = 'ghost'"), "2");
  EXPECT_TRUE(c->assignment().empty());
  EXPECT_EQ(got.size(), 0u);

  // The ghost's lease runs out: its partitions are taken, from its committed offsets.
  sql_->rows("UPDATE bus_members SET expires_at = now() - interval '1 second' WHERE member_id = 'ghost'");
  ASSERT_TRUE(wait_until([&] { return c->assignment().size() == 2; }, kTimeout));
  ASSERT_TRUE(got.wait_for(2, kTimeout));
  const auto all = got.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].offset, 3);
  EXPECT_EQ(all[1].offset, 4);
  // What it handled is committed under its ownership.
  ASSERT_TRUE(wait_until([&] {
    return sql_->one("SELECT committed FROM bus_group_partitions WHERE group_name = 'g' AND partition = " + partition) == "5";
  }, kTimeout));
  c->stop();
  EXPECT_EQ(sql_->one("SELECT count(*) FROM bus_group_partitions WHERE owner IS NOT NULL AND owner <> 'ghost'"), "0");
}

TEST_F(PgLogBusTest, HandsPartitionsToTheRemainingMemberWhenOneLeaves) {
  Received got;
  auto a = consumer("pair", "pg.leave", got, "a");
  auto b = consumer("pair", "pg.leave", got, "b");
  ASSERT_TRUE(wait_until([&] { return a->assignment().size() == 1 && b->assignment().size() == 1; }, kTimeout));
  b->stop();
  ASSERT_TRUE(wait_until([&] { return a->assignment().size() == 2; }, kTimeout));
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 20; ++i) messages.push_back({"pg.leave", "key-" + std::to_string(i), std::to_string(i), {}});
  produce(messages);
  ASSERT_TRUE(got.wait_for(20, kTimeout));
  EXPECT_EQ(got.count_by_consumer()["a"], 20u);
  a->stop();
}

TEST_F(PgLogBusTest, RetentionTrimsOldMessagesFromEachPartition) {
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 10; ++i) messages.push_back({"pg.retention", "k", std::to_string(i), {}});
  produce(messages);
  sql_->rows("UPDATE bus_messages SET created_at = now() - interval '8 days' WHERE \"offset\" < 6");
  const auto deleted = run_on(*io_, [&]() -> awaitable<std::int64_t> { co_return co_await bus_->trim(); });
  EXPECT_EQ(deleted, 6);
  EXPECT_EQ(sql_->one("SELECT min(\"offset\") || '-' || max(\"offset\") FROM bus_messages"), "6-9");

  Received got;
  auto c = consumer("late-joiner", "pg.retention", got);
  ASSERT_TRUE(got.wait_for(4, kTimeout));
  EXPECT_EQ(got.all().front().offset, 6);
  std::vector<OutgoingMessage> more{{"pg.retention", "k", "10", {}}};
  produce(more);
  ASSERT_TRUE(got.wait_for(5, kTimeout));
  EXPECT_EQ(got.all().back().offset, 10);
  c->stop();
}

// Retention is planned while the log is empty (the first trims after start-up) and runs
// on a log that has grown since: it must still go through the primary key (bus_trim,
// migrations/bus/0003). As one statement, the plan cached then made each trim quadratic.
TEST_F(PgLogBusTest, RetentionReadsTheLogByItsKeyWhateverPlanTheSessionCached) {
  for (int i = 0; i < 7; ++i) EXPECT_EQ(sql_->one("SELECT bus_trim(604800000)"), "0");  // plans made and kept
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 300; ++i) messages.push_back({"pg.trim-by-key", "k", std::to_string(i), {}});
  produce(messages);
  sql_->rows("UPDATE bus_messages SET created_at = now() - interval '8 days' WHERE \"offset\" < 200");
  // pg_stat_xact_user_tables: this transaction's own scans, counted at once.
  const auto seq_scans = [&] {
    return sql_->one("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'bus_messages'");
  };
  sql_->rows("BEGIN");
  const std::string before = seq_scans();
  EXPECT_EQ(sql_->one("SELECT bus_trim(604800000)"), "200");
  EXPECT_EQ(seq_scans(), before);
  sql_->rows("COMMIT");
  EXPECT_EQ(sql_->one("SELECT min(\"offset\") || '-' || max(\"offset\") FROM bus_messages"), "200-299");
}

}  // namespace
}  // namespace ticketly::bus
