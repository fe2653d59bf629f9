// One conformance suite for both event buses (DESIGN.md §2): PgLogBus against a fresh
// PostgreSQL database, KafkaBus against librdkafka's in-process mock cluster. Every case
// runs against both; they must behave the same.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/bus/consumer.h"
#include "platform/bus/kafka_bus.h"
#include "platform/bus/outbox.h"
#include "platform/bus/pg_log_bus.h"
#include "platform/bus/relay.h"
#include "platform/db/database.h"
#include "platform/db/migrator.h"
#include "platform/runtime/io_pool.h"
#include "support/bus_test_support.h"
#include "support/test_database.h"

namespace ticketly::bus {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::awaitable;
using testing::KafkaMockCluster;
using testing::Received;
using testing::run_on;
using testing::TestDatabase;
using testing::wait_until;

enum class Impl { postgres, kafka };

constexpr int kPartitions = 4;
// Generous: a loaded 2-core CI machine, and the mock cluster's first group join takes 3 s.
constexpr auto kTimeout = 60s;

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// Forwards to a real bus; the first produce() reaches the bus and then reports a failure,
// as if the relay died after the bus stored the batch but before it could delete the rows.
class LosesFirstAck final : public Bus {
 public:
  explicit LosesFirstAck(Bus& inner) : inner_(inner) {}
  std::string_view kind() const override { return inner_.kind(); }
  awaitable<void> ensure_topics(std::vector<TopicSpec> topics) override { return inner_.ensure_topics(topics); }
  awaitable<void> produce(std::vector<OutgoingMessage> messages) override {
    co_await inner_.produce(messages);
    if (calls_.fetch_add(1) == 0) throw std::runtime_error("connection lost before the acknowledgement");
  }
  std::unique_ptr<GroupMember> member(MemberOptions options) override { return inner_.member(std::move(options)); }
  int calls() const { return calls_; }

 private:
  Bus& inner_;
  std::atomic<int> calls_{0};
};

class BusConformance : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    io_ = std::make_unique<runtime::IoPool>(2);
    io_->start();
    if (GetParam() == Impl::postgres) {
      bus_db_ = std::make_unique<TestDatabase>("bus_conformance");
      db::migrate(bus_db_->url(), migrations::bus(), "bus");
      PgLogOptions o;
      o.conninfo = bus_db_->url();
      o.default_partitions = kPartitions;
      o.poll_interval = 200ms;
      o.session_timeout = 5s;
      o.commit_interval = 50ms;
      o.pool_size = 4;
      bus_ = std::make_unique<PgLogBus>(*io_, o);
    } else {
      mock_ = std::make_unique<KafkaMockCluster>();
      KafkaOptions o;
      o.brokers = mock_->bootstraps();
      o.default_partitions = kPartitions;
      o.session_timeout = 6s;
      o.heartbeat_interval = 250ms;
      o.commit_interval = 50ms;
      o.admin_timeout = 2s;
      o.properties["topic.metadata.refresh.interval.ms"] = "1000";
      o.properties["fetch.wait.max.ms"] = "50";  // the mock answers an empty fetch only after this
      bus_ = std::make_unique<KafkaBus>(o);
    }
    bus_->start();
  }

  void TearDown() override {
    bus_->stop();
    bus_.reset();
    io_->stop();
    io_->join();
    io_.reset();
    mock_.reset();
  }

  // The topic and its dead-letter topic (and that one's, which a consumer of the
  // dead-letter topic would use: the mock cluster cannot create topics on request).
  void create_topic(const std::string& name, int partitions = kPartitions) {
    if (GetParam() == Impl::kafka) {
      mock_->create_topic(name, partitions);
      mock_->create_topic(name + ".dlq", partitions);
      mock_->create_topic(name + ".dlq.dlq", partitions);
    } else {
      std::vector<TopicSpec> specs{{name, partitions}, {name + ".dlq", partitions}};
      run_on(*io_, [&]() -> awaitable<void> { co_await bus_->ensure_topics(specs); });
    }
  }

  void produce(std::vector<OutgoingMessage> messages) {
    run_on(*io_, [&]() -> awaitable<void> { co_await bus_->produce(messages); });
  }

  std::unique_ptr<ConsumerRuntime> consumer(const std::string& group, const std::string& topic, Handler handler,
                                            RetryPolicy retry = {}) {
    ConsumerOptions o;
    o.group = group;
    o.retry = retry;
    auto c = std::make_unique<ConsumerRuntime>(*bus_, *io_, o);
    c->on(topic, std::move(handler));
    c->start();
    return c;
  }

  // A handler that records every message under `who`.
  static Handler recorder(Received& into, std::string who = "") {
    return [&into, who](const Message& m) -> awaitable<void> {
      into.add(m, who);
      co_return;
    };
  }

  static bool owns_all(const std::vector<const ConsumerRuntime*>& members, std::size_t partitions) {
    std::size_t total = 0;
    for (const auto* m : members) {
      const auto n = m->assignment().size();
      if (n == 0) return false;
      total += n;
    }
    return total == partitions;
  }

  std::unique_ptr<runtime::IoPool> io_;
  std::unique_ptr<TestDatabase> bus_db_;
  std::unique_ptr<KafkaMockCluster> mock_;
  std::unique_ptr<Bus> bus_;
};

TEST_P(BusConformance, DeliversEachKeyInProduceOrder) {
  create_topic("conf.orders");
  Received got;
  auto c = consumer("order-readers", "conf.orders", recorder(got));
  ASSERT_TRUE(wait_until([&] { return owns_all({c.get()}, kPartitions); }, kTimeout));

  const int keys = 10, per_key = 30;
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<OutgoingMessage> messages;
    for (int i = batch * per_key / 3; i < (batch + 1) * per_key / 3; ++i) {
      for (int k = 0; k < keys; ++k) {
        messages.push_back({"conf.orders", "key-" + std::to_string(k), std::to_string(i), {{"seq", std::to_string(i)}}});
      }
    }
    produce(std::move(messages));
  }
  ASSERT_TRUE(got.wait_for(keys * per_key, kTimeout)) << got.size();
  auto by_key = got.by_key();
  ASSERT_EQ(by_key.size(), static_cast<std::size_t>(keys));
  for (const auto& [key, messages] : by_key) {
    ASSERT_EQ(messages.size(), static_cast<std::size_t>(per_key)) << key;
    for (int i = 0; i < per_key; ++i) {
      EXPECT_EQ(messages[i].payload, std::to_string(i)) << key;
      ASSERT_NE(messages[i].header("seq"), nullptr);
      EXPECT_EQ(*messages[i].header("seq"), std::to_string(i));
      EXPECT_EQ(messages[i].partition, partition_for(key, kPartitions));
      if (i > 0) {
        EXPECT_GT(messages[i].offset, messages[i - 1].offset);
      }
    }
  }
}

TEST_P(BusConformance, RedeliversWhatACrashedConsumerDidNotCommit) {
  create_topic("conf.crash");
  Received first, second;
  std::atomic<bool> release{false};
  // The first consumer takes the message and "crashes" while handling it.
  Handler stuck = [&](const Message& m) -> awaitable<void> {
    first.add(m);
    for (int i = 0; i < 2000 && !release; ++i) co_await sleep_for(5ms);
  };
  auto a = consumer("crashers", "conf.crash", stuck);
  ASSERT_TRUE(wait_until([&] { return owns_all({a.get()}, kPartitions); }, kTimeout));
  std::vector<OutgoingMessage> one{{"conf.crash", "order-1", R"({"state":"PAID"})", {}}};
  produce(one);
  ASSERT_TRUE(first.wait_for(1, kTimeout));
  a->abort();  // stops without committing
  release = true;

  auto b = consumer("crashers", "conf.crash", recorder(second));
  ASSERT_TRUE(second.wait_for(1, kTimeout));
  const auto redelivered = second.all().front();
  EXPECT_EQ(redelivered.key, "order-1");
  EXPECT_EQ(redelivered.payload, R"({"state":"PAID"})");
  EXPECT_EQ(redelivered.offset, first.all().front().offset);
  b->stop();
  a.reset();
}

TEST_P(BusConformance, DeliversOutboxRowsCommittedBeforeTheRelayStarted) {
  create_topic("conf.outbox");
  TestDatabase service_db("bus_conf_service");
  migrate_outbox(service_db.url(), "service");
  db::Database service(*io_, db::PoolOptions{.conninfo = service_db.url(), .size = 2});

  // The business transactions commit; the process "dies" before any relay ran.
  for (int i = 0; i < 5; ++i) {
    // Named, not braced in the co_await expression (g++ 12, see db_test.cpp).
    const nlohmann::json doc{{"version", i}};
    run_on(*io_, [&]() -> awaitable<void> {
      co_await service.transaction([&](db::Connection& tx) -> awaitable<void> {
        co_await tx.query("SELECT 1");  // the business change would be here
        co_await publish(tx, "conf.outbox", "event-a", doc);
        co_await publish(tx, "conf.outbox", "event-b", doc);
      });
    });
  }
  Received got;
  auto c = consumer("outbox-readers", "conf.outbox", recorder(got));

  // A new process starts its relay later: nothing was lost.
  Relay relay(*io_, *bus_, RelayOptions{.conninfo = service_db.url(), .label = "service", .poll_interval = 200ms});
  relay.start();
  ASSERT_TRUE(got.wait_for(10, kTimeout)) << got.size();
  ASSERT_TRUE(wait_until([&] { return relay.relayed() == 10; }, kTimeout));
  auto by_key = got.by_key();
  for (const std::string key : {"event-a", "event-b"}) {
    ASSERT_EQ(by_key[key].size(), 5u) << key;
    std::set<std::string> ids;
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(nlohmann::json::parse(by_key[key][i].payload)["version"], i) << key;
      ASSERT_NE(by_key[key][i].header(header::kMessageId), nullptr);
      ids.insert(*by_key[key][i].header(header::kMessageId));
    }
    EXPECT_EQ(ids.size(), 5u);
  }
  const auto left = run_on(*io_, [&]() -> awaitable<std::int64_t> {
    co_return (co_await service.query("SELECT count(*) FROM outbox")).scalar<std::int64_t>();
  });
  EXPECT_EQ(left, 0);
  relay.stop();
  c->stop();
}

TEST_P(BusConformance, RelayResendsWhenItDiesBetweenProduceAndDelete) {
  create_topic("conf.resend");
  TestDatabase service_db("bus_conf_service");
  migrate_outbox(service_db.url(), "service");
  db::Database service(*io_, db::PoolOptions{.conninfo = service_db.url(), .size = 2});
  run_on(*io_, [&]() -> awaitable<void> {
    co_await service.transaction([&](db::Connection& tx) -> awaitable<void> {
      for (int i = 0; i < 3; ++i) {
        const nlohmann::json doc{{"seq", i}};
        co_await publish(tx, "conf.resend", "seat-map-1", doc);
      }
    });
  });
  Received got;
  auto c = consumer("resend-readers", "conf.resend", recorder(got));
  LosesFirstAck flaky(*bus_);
  Relay relay(*io_, flaky, RelayOptions{.conninfo = service_db.url(), .label = "service", .poll_interval = 200ms});
  relay.start();
  // At-least-once: the batch arrives twice, with the same message ids, in order both times.
  ASSERT_TRUE(got.wait_for(6, kTimeout)) << got.size();
  ASSERT_TRUE(wait_until([&] { return relay.relayed() == 3; }, kTimeout));
  const auto all = got.all();
  ASSERT_EQ(all.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(nlohmann::json::parse(all[i].payload)["seq"], i % 3);
    EXPECT_EQ(*all[i].header(header::kMessageId), *all[i % 3].header(header::kMessageId));
  }
  EXPECT_GE(flaky.calls(), 2);
  relay.stop();
  c->stop();
}

TEST_P(BusConformance, DeadLettersAPoisonMessageWhileOtherKeysFlow) {
  create_topic("conf.poison");
  // Keys on partitions other than the poison's, and one on the same partition after it.
  const int poison_partition = partition_for("poison", kPartitions);
  std::vector<std::string> elsewhere, behind;
  for (int i = 0; elsewhere.size() < 12 || behind.empty(); ++i) {
    const std::string key = "key-" + std::to_string(i);
    if (partition_for(key, kPartitions) != poison_partition) {
      if (elsewhere.size() < 12) elsewhere.push_back(key);
    } else if (behind.empty()) {
      behind.push_back(key);
    }
  }
  Received good, attempts, dead;
  // The poison's first attempt waits until every message of the other partitions has been
  // handled: it only finishes if they were not stuck behind it.
  Handler handler = [&](const Message& m) -> awaitable<void> {
    if (m.key != "poison") {
      good.add(m);
      co_return;
    }
    attempts.add(m);
    if (attempts.size() == 1) {
      for (int i = 0; i < 6000 && good.size() < elsewhere.size(); ++i) co_await sleep_for(5ms);
    }
    throw std::runtime_error("cannot parse order snapshot");
  };
  RetryPolicy retry{.max_attempts = 3, .initial_backoff = 20ms, .multiplier = 2.0, .max_backoff = 100ms};
  auto c = consumer("poison-readers", "conf.poison", handler, retry);
  auto dlq = consumer("dlq-readers", "conf.poison.dlq", recorder(dead));
  ASSERT_TRUE(wait_until([&] { return owns_all({c.get()}, kPartitions) && owns_all({dlq.get()}, kPartitions); },
                         kTimeout));

  std::vector<OutgoingMessage> messages{{"conf.poison", "poison", R"({"broken":)", {{"trace", "t-1"}}}};
  for (const auto& k : elsewhere) messages.push_back({"conf.poison", k, "ok", {}});
  messages.push_back({"conf.poison", behind.front(), "after-the-poison", {}});
  produce(messages);

  ASSERT_TRUE(dead.wait_for(1, kTimeout));
  ASSERT_TRUE(good.wait_for(elsewhere.size() + 1, kTimeout)) << good.size();
  EXPECT_EQ(attempts.size(), 3u);
  EXPECT_EQ(c->stats().dead_lettered, 1u);
  EXPECT_EQ(c->stats().failed, 3u);
  // The others went through while the poison was still being tried.
  const auto first_attempt = attempts.all().front();
  const auto parked = dead.all().front();
  EXPECT_EQ(parked.key, "poison");
  EXPECT_EQ(parked.payload, R"({"broken":)");
  ASSERT_NE(parked.header(header::kError), nullptr);
  EXPECT_EQ(*parked.header(header::kError), "cannot parse order snapshot");
  EXPECT_EQ(*parked.header(header::kAttempts), "3");
  EXPECT_EQ(*parked.header(header::kOriginalTopic), "conf.poison");
  EXPECT_EQ(*parked.header(header::kOriginalPartition), std::to_string(poison_partition));
  EXPECT_EQ(*parked.header(header::kOriginalOffset), std::to_string(first_attempt.offset));
  ASSERT_NE(parked.header("trace"), nullptr);
  EXPECT_EQ(*parked.header("trace"), "t-1");
  dlq->stop();
  c->stop();
}

// A batch handler gets the messages that wait together; when it fails, each message is
// handled alone, so the good ones beside a poison message are applied once and in order.
TEST_P(BusConformance, BatchHandlerTakesBurstsAndFallsBackToOneByOne) {
  create_topic("conf.batch", 1);
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 20; ++i) messages.push_back({"conf.batch", "k", i == 10 ? "bad" : std::to_string(i), {}});
  produce(messages);  // before the consumer starts: they wait together

  Received handled, dead;
  std::atomic<int> batches{0}, failed_batches{0};
  std::atomic<std::size_t> largest{0};
  Handler one = [&](const Message& m) -> awaitable<void> {
    if (m.payload == "bad") throw std::runtime_error("bad payload");
    handled.add(m, "one");
    co_return;
  };
  BatchHandler many = [&](const std::vector<Message>& batch) -> awaitable<void> {
    ++batches;
    largest = std::max(largest.load(), batch.size());
    // All or nothing, like a transaction: a bad payload fails the batch before any is applied.
    for (const auto& m : batch) {
      if (m.payload == "bad") {
        ++failed_batches;
        throw std::runtime_error("bad payload in the batch");
      }
    }
    for (const auto& m : batch) handled.add(m, "batch");
    co_return;
  };
  ConsumerOptions o;
  o.group = "batch-readers";
  o.retry = RetryPolicy{.max_attempts = 2, .initial_backoff = 20ms, .multiplier = 2.0, .max_backoff = 50ms};
  auto c = std::make_unique<ConsumerRuntime>(*bus_, *io_, o);
  c->on("conf.batch", one, many);
  c->start();
  auto dlq = consumer("batch-dlq-readers", "conf.batch.dlq", recorder(dead));

  ASSERT_TRUE(handled.wait_for(19, kTimeout)) << handled.size();
  ASSERT_TRUE(dead.wait_for(1, kTimeout));
  EXPECT_EQ(dead.all().front().payload, "bad");
  std::vector<std::string> payloads;
  for (const auto& m : handled.all()) payloads.push_back(m.payload);
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    if (i != 10) expected.push_back(std::to_string(i));
  }
  EXPECT_EQ(payloads, expected);  // each good message once, in offset order
  EXPECT_GE(batches.load(), 1);
  EXPECT_GT(largest.load(), 1u);
  EXPECT_GE(failed_batches.load(), 1);
  const auto counts = handled.count_by_consumer();
  EXPECT_GT(counts.count("one") ? counts.at("one") : 0u, 0u);  // the failed batch's good messages
  EXPECT_EQ(c->stats().processed, 19u);
  EXPECT_EQ(c->stats().dead_lettered, 1u);

  // A burst without a bad message is applied by the batch handler.
  std::vector<OutgoingMessage> more;
  for (int i = 20; i < 30; ++i) more.push_back({"conf.batch", "k", std::to_string(i), {}});
  produce(more);
  ASSERT_TRUE(handled.wait_for(29, kTimeout)) << handled.size();
  const auto all = handled.all();
  std::size_t by_batch = 0;
  for (std::size_t i = 19; i < all.size(); ++i) EXPECT_EQ(all[i].payload, std::to_string(i + 1));
  for (const auto& [who, n] : handled.count_by_consumer()) {
    if (who == "batch") by_batch = n;
  }
  EXPECT_GT(by_batch, 0u);
  EXPECT_EQ(c->stats().processed, 29u);
  dlq->stop();
  c->stop();
}

TEST_P(BusConformance, MembersOfAGroupShareThePartitions) {
  create_topic("conf.shared");
  Received got;
  auto a = consumer("sharers", "conf.shared", recorder(got, "a"));
  auto b = consumer("sharers", "conf.shared", recorder(got, "b"));
  ASSERT_TRUE(wait_until([&] { return owns_all({a.get(), b.get()}, kPartitions); }, kTimeout));

  // Keys that cover every partition.
  std::vector<OutgoingMessage> messages;
  std::set<int> covered;
  for (int i = 0; covered.size() < kPartitions || messages.size() < 100; ++i) {
    const std::string key = "session-" + std::to_string(i);
    covered.insert(partition_for(key, kPartitions));
    messages.push_back({"conf.shared", key, std::to_string(i), {}});
  }
  produce(messages);
  ASSERT_TRUE(got.wait_for(messages.size(), kTimeout)) << got.size();
  // Each handled once overall, and both members did some of the work.
  std::multiset<std::string> payloads;
  for (const auto& m : got.all()) payloads.insert(m.payload);
  for (const auto& m : messages) EXPECT_EQ(payloads.count(m.payload), 1u) << m.payload;
  const auto per_member = got.count_by_consumer();
  EXPECT_GT(per_member.count("a") ? per_member.at("a") : 0, 0u);
  EXPECT_GT(per_member.count("b") ? per_member.at("b") : 0, 0u);
  b->stop();
  a->stop();
}

TEST_P(BusConformance, EveryGroupSeesEveryMessage) {
  create_topic("conf.fanout");
  Received query_side, order_side;
  auto q = consumer("event-query", "conf.fanout", recorder(query_side));
  auto o = consumer("order", "conf.fanout", recorder(order_side));
  ASSERT_TRUE(wait_until([&] { return owns_all({q.get()}, kPartitions) && owns_all({o.get()}, kPartitions); },
                         kTimeout));
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 40; ++i) messages.push_back({"conf.fanout", "event-" + std::to_string(i % 7), std::to_string(i), {}});
  produce(messages);
  ASSERT_TRUE(query_side.wait_for(40, kTimeout)) << query_side.size();
  ASSERT_TRUE(order_side.wait_for(40, kTimeout)) << order_side.size();
  EXPECT_EQ(query_side.size(), 40u);
  EXPECT_EQ(order_side.size(), 40u);
  q->stop();
  o->stop();
}

INSTANTIATE_TEST_SUITE_P(Buses, BusConformance, ::testing::Values(Impl::postgres, Impl::kafka),
                         [](const ::testing::TestParamInfo<Impl>& info) {
                           return info.param == Impl::postgres ? std::string("PgLog") : std::string("Kafka");
                         });

}  // namespace
}  // namespace ticketly::bus
