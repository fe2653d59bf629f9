// The producing side in a service database: migration sets, publish(), the relay's
// single active replica, LISTEN/NOTIFY on a connection, and the idempotency helpers.
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "platform/bus/idempotency.h"
#include "platform/bus/outbox.h"
#include "platform/bus/relay.h"
#include "platform/db/database.h"
#include "platform/db/migrator.h"
#include "platform/metrics/registry.h"
#include "platform/runtime/io_pool.h"
#include "support/bus_test_support.h"
#include "support/test_database.h"

namespace ticketly::bus {
namespace {

using namespace std::chrono_literals;
using asio::awaitable;
using testing::run_on;
using testing::TestDatabase;
using testing::wait_until;

constexpr auto kTimeout = 30s;

std::string query_one(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  else if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  return out;
}

// A bus that keeps what it was given.
class RecordingBus final : public Bus {
 public:
  std::string_view kind() const override { return "recording"; }
  awaitable<void> ensure_topics(std::vector<TopicSpec>) override { co_return; }
  awaitable<void> produce(std::vector<OutgoingMessage> messages) override {
    std::lock_guard lock(mu_);
    for (auto& m : messages) produced_.push_back(std::move(m));
    co_return;
  }
  std::unique_ptr<GroupMember> member(MemberOptions) override { throw std::logic_error("not for consumers"); }
  std::vector<OutgoingMessage> produced() const {
    std::lock_guard lock(mu_);
    return produced_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<OutgoingMessage> produced_;
};

const db::MigrationFile kServiceFiles[] = {
    {1, "init", "CREATE TABLE orders (id int PRIMARY KEY);"},
    {2, "more", "ALTER TABLE orders ADD COLUMN total int;"},
};

TEST(BusMigrationSets, AServiceSchemaAndTheOutboxKeepSeparateVersions) {
  TestDatabase database("bus_sets");
  auto main = db::migrate(database.url(), kServiceFiles, "order");
  EXPECT_EQ(main.set, "main");
  EXPECT_EQ(main.applied.size(), 2u);
  auto outbox = migrate_outbox(database.url(), "order");
  EXPECT_EQ(outbox.set, "outbox");
  EXPECT_EQ(outbox.applied,
            (std::vector<std::string>{"0001_outbox", "0002_consumer_dedupe", "0003_payload_as_written"}));
  // Both sets have a version 1 and 2; neither mistakes the other's for its own.
  EXPECT_EQ(db::migrate(database.url(), kServiceFiles, "order").already_applied, 2u);
  EXPECT_EQ(migrate_outbox(database.url(), "order").already_applied, 3u);
  EXPECT_EQ(query_one(database.url(), "SELECT string_agg(set_name || ':' || version, ',' ORDER BY set_name, version) "
                                      "FROM schema_migrations"),
            "main:1,main:2,outbox:1,outbox:2,outbox:3");

  const db::MigrationFile edited[] = {{1, "outbox", "CREATE TABLE outbox (id int);"}};
  try {
    db::migrate(database.url(), edited, "order", "outbox");
    FAIL() << "an edited outbox migration was accepted";
  } catch (const db::MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("0001_outbox of order/outbox was edited"), std::string::npos) << e.what();
  }
  EXPECT_THROW(db::migrate(database.url(), kServiceFiles, "order", "Bad-Set"), db::MigrationError);
}

TEST(BusMigrationSets, AdoptsASchemaMigrationsTableFromBeforeSets) {
  TestDatabase database("bus_sets");
  query_one(database.url(), "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                            "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()); "
                            "CREATE TABLE orders (id int PRIMARY KEY); "
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES (1, 'init', '" +
                                db::sha256_hex(kServiceFiles[0].sql) + "')");
  auto report = db::migrate(database.url(), kServiceFiles, "order");
  EXPECT_EQ(report.already_applied, 1u);
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0002_more"}));
  EXPECT_EQ(migrate_outbox(database.url(), "order").applied.size(), 3u);
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>("bus_outbox");
    migrate_outbox(database_->url(), "order");
    io_ = std::make_unique<runtime::IoPool>(2);
    db_ = std::make_unique<db::Database>(*io_, db::PoolOptions{.conninfo = database_->url(), .size = 4});
    io_->start();
  }
  void TearDown() override {
    io_->stop();
    io_->join();
    db_.reset();
  }

  void publish_committed(const std::string& key, int n) {
    const nlohmann::json doc{{"n", n}};
    const Headers headers{{"trace", "t-" + std::to_string(n)}};
    run_on(*io_, [&]() -> awaitable<void> {
      co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
        co_await publish(tx, "ticketly.order.created", key, doc, headers);
      });
    });
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<runtime::IoPool> io_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(OutboxTest, PublishWritesInTheCallersTransactionAndWakesTheRelay) {
  // Named, not braced inside co_await expressions (g++ 12, see db_test.cpp).
  const nlohmann::json empty = nlohmann::json::object(), doc{{"a", 1}}, status{{"status", "LOCKED"}};
  const Headers trace{{"x-trace", "abc"}};
  run_on(*io_, [&]() -> awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    const db::ConnectOptions connect{database_->url()};
    auto listener = co_await db::Connection::connect(executor, connect);
    co_await listener->query("LISTEN ticketly_outbox");

    auto lease = co_await db_->acquire();
    EXPECT_THROW(co_await publish(*lease, "t", "k", empty), std::logic_error);
    lease.release();

    // Rolled back: no row.
    bool rolled_back = false;
    try {
      co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
        co_await publish(tx, "t", "k", doc);
        throw std::runtime_error("business rule failed");
      });
    } catch (const std::runtime_error&) {
      rolled_back = true;
    }
    EXPECT_TRUE(rolled_back);
    EXPECT_EQ((co_await db_->query("SELECT count(*) FROM outbox")).scalar<std::int64_t>(), 0);

    // Committed: the row, and a notification for the relay.
    co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
      co_await publish(tx, "ticketly.seats.status", "session-1", status, trace);
    });
    auto r = co_await db_->query("SELECT topic, key, payload, headers FROM outbox");
    EXPECT_EQ(r.one().get<std::string>(0), "ticketly.seats.status");
    EXPECT_EQ(r.one().get<std::string>(1), "session-1");
    EXPECT_EQ(r.one().get<nlohmann::json>(2), status);
    EXPECT_EQ(r.one().get<nlohmann::json>(3).at("x-trace"), "abc");
    std::vector<db::Notification> notes;
    for (int i = 0; i < 100 && notes.empty(); ++i) notes = co_await listener->wait_for_notifications(100ms);
    EXPECT_FALSE(notes.empty());
    if (!notes.empty()) {
      EXPECT_EQ(notes.front().channel, "ticketly_outbox");
    }
  });
}

TEST_F(OutboxTest, ListeningConnectionWaitsTimesOutAndCanBeInterrupted) {
  run_on(*io_, [&]() -> awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    const db::ConnectOptions connect{database_->url()};
    auto listener = co_await db::Connection::connect(executor, connect);
    co_await listener->query("LISTEN some_channel");
    const auto start = std::chrono::steady_clock::now();
    auto none = co_await listener->wait_for_notifications(50ms);
    EXPECT_TRUE(none.empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);
    // The connection still works after a timed-out wait.
    co_await db_->query("SELECT pg_notify('some_channel', 'hello')");
    std::vector<db::Notification> got;
    for (int i = 0; i < 100 && got.empty(); ++i) got = co_await listener->wait_for_notifications(100ms);
    EXPECT_EQ(got.size(), 1u);
    if (!got.empty()) {
      EXPECT_EQ(got[0].payload, "hello");
    }
    EXPECT_EQ((co_await listener->query("SELECT 1")).scalar<int>(), 1);
    EXPECT_TRUE(listener->take_notifications().empty());
  });
  // interrupt_wait() from the connection's executor ends a long wait at once.
  run_on(*io_, [&]() -> awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    const db::ConnectOptions connect{database_->url()};
    auto listener = co_await db::Connection::connect(executor, connect);
    co_await listener->query("LISTEN some_channel");
    asio::steady_timer poke(executor, 20ms);
    db::Connection* raw = listener.get();
    poke.async_wait([raw](boost::system::error_code) { raw->interrupt_wait(); });
    const auto start = std::chrono::steady_clock::now();
    auto none = co_await listener->wait_for_notifications(20s);
    EXPECT_TRUE(none.empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  });
}

TEST_F(OutboxTest, OneRelayPerDatabaseIsActiveAndAStandbyTakesOver) {
  RecordingBus bus;
  metrics::Registry registry;
  RelayOptions o{.conninfo = database_->url(), .label = "order", .poll_interval = 100ms,
                 .standby_interval = 100ms};
  auto first = std::make_unique<Relay>(*io_, bus, o, &registry);
  auto second = std::make_unique<Relay>(*io_, bus, o);
  first->start();
  second->start();
  ASSERT_TRUE(wait_until([&] { return first->active() || second->active(); }, kTimeout));
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(first->active() && second->active());
    publish_committed("order-" + std::to_string(i % 3), i);
  }
  ASSERT_TRUE(wait_until([&] { return bus.produced().size() == 20; }, kTimeout));

  // The active one goes away; the standby gets the lock and carries on.
  auto& active = first->active() ? first : second;
  auto& standby = first->active() ? second : first;
  active->stop();
  ASSERT_TRUE(wait_until([&] { return standby->active(); }, kTimeout));
  for (int i = 20; i < 25; ++i) publish_committed("order-" + std::to_string(i % 3), i);
  ASSERT_TRUE(wait_until([&] { return bus.produced().size() == 25; }, kTimeout));

  // In id order, each with its own message id and the publisher's headers.
  const auto produced = bus.produced();
  std::set<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(nlohmann::json::parse(produced[i].payload)["n"], i);
    EXPECT_EQ(produced[i].topic, "ticketly.order.created");
    EXPECT_EQ(produced[i].headers.at("trace"), "t-" + std::to_string(i));
    ids.insert(produced[i].headers.at(std::string(header::kMessageId)));
  }
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_EQ(query_one(database_->url(), "SELECT count(*) FROM outbox"), "0");
  EXPECT_EQ(first->relayed() + second->relayed(), 25u);
  const auto text = registry.render();
  EXPECT_NE(text.find("ticketly_outbox_backlog_rows{database=\"order\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("ticketly_outbox_oldest_age_seconds{database=\"order\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("ticketly_outbox_relayed_total{database=\"order\"}"), std::string::npos) << text;
  standby->stop();
}

TEST_F(OutboxTest, IdempotencyHelpersSkipRepeatsAndStaleVersions) {
  run_on(*io_, [&]() -> awaitable<void> {
    std::vector<bool> seen;
    for (int i = 0; i < 2; ++i) {
      seen.push_back(co_await db_->transaction([&](db::Connection& tx) -> awaitable<bool> {
        co_return co_await first_delivery(tx, "scheduler.orders", "msg-1");
      }));
    }
    EXPECT_EQ(seen, (std::vector<bool>{true, false}));
    const bool other_consumer = co_await db_->transaction([&](db::Connection& tx) -> awaitable<bool> {
      co_return co_await first_delivery(tx, "query.orders", "msg-1");
    });
    EXPECT_TRUE(other_consumer);

    std::vector<bool> applied;
    const std::vector<std::int64_t> versions{1, 1, 0, 3, 2};
    for (std::int64_t v : versions) {
      applied.push_back(co_await db_->transaction([&](db::Connection& tx) -> awaitable<bool> {
        co_return co_await advance_version(tx, "event", "e-1", v);
      }));
    }
    EXPECT_EQ(applied, (std::vector<bool>{true, false, false, true, false}));
    EXPECT_EQ((co_await db_->query("SELECT version FROM aggregate_versions")).scalar<std::int64_t>(), 3);

    auto lease = co_await db_->acquire();
    EXPECT_THROW(co_await first_delivery(*lease, "c", "k"), std::logic_error);
    lease.release();
    EXPECT_EQ(co_await prune_processed_messages(*db_, 1h), 0);
  });
  Message m;
  m.topic = "t";
  m.partition = 2;
  m.offset = 7;
  EXPECT_EQ(message_key(m), "t/2/7");
  m.headers[std::string(header::kMessageId)] = "0f8fad5b-d9cb-469f-a165-70867728950e";
  EXPECT_EQ(message_key(m), "0f8fad5b-d9cb-469f-a165-70867728950e");
}

TEST_F(OutboxTest, AfterCommitHooksRunOnlyWhenTheTransactionCommits) {
  run_on(*io_, [&]() -> awaitable<void> {
    int committed = 0, rolled_back = 0, outside = 0;
    co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
      tx.after_commit([&] { ++committed; });
      co_await tx.query("SELECT 1");
      EXPECT_EQ(committed, 0);  // not before COMMIT
      co_return;
    });
    EXPECT_EQ(committed, 1);
    try {
      co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
        tx.after_commit([&] { ++rolled_back; });
        co_await tx.query("SELECT 1");
        throw std::runtime_error("abort");
      });
    } catch (const std::runtime_error&) {
    }
    // A failed statement makes COMMIT report ROLLBACK: no hook either.
    try {
      co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
        tx.after_commit([&] { ++rolled_back; });
        co_await tx.query("SELECT 1/0");
      });
    } catch (const std::exception&) {
    }
    EXPECT_EQ(rolled_back, 0);
    auto lease = co_await db_->acquire();
    EXPECT_EQ(lease->pending_after_commit(), 0u);
    lease->after_commit([&] { ++outside; });  // no transaction: runs at once
    EXPECT_EQ(outside, 1);
    lease.release();
  });
}

TEST_F(OutboxTest, ALocalActiveRelayIsWokenAfterCommitWithoutANotify) {
  RecordingBus bus;
  // A poll far longer than the test may wait: only the after-commit wake-up can deliver.
  RelayOptions o{.conninfo = database_->url(), .label = "order", .poll_interval = 120s,
                 .standby_interval = 100ms};
  auto relay = std::make_unique<Relay>(*io_, bus, o);
  relay->start();
  ASSERT_TRUE(wait_until([&] { return relay->active(); }, kTimeout));
  std::vector<db::Notification> notes;
  run_on(*io_, [&]() -> awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    const db::ConnectOptions connect{database_->url()};
    auto listener = co_await db::Connection::connect(executor, connect);
    co_await listener->query("LISTEN ticketly_outbox");
    auto lease = co_await db_->acquire();
    EXPECT_TRUE(local_relay_active(*lease));
    lease.release();
    co_await db_->transaction([&](db::Connection& tx) -> awaitable<void> {
      std::vector<OutgoingMessage> batch;
      for (int i = 0; i < 3; ++i) {
        batch.push_back(OutgoingMessage{"ticketly.seats.status", "s-1", nlohmann::json{{"n", i}}.dump(), {}});
      }
      co_await publish_batch(tx, std::move(batch));
      const nlohmann::json last{{"n", 3}};
      co_await publish(tx, "ticketly.seats.status", "s-1", last);
    });
    notes = co_await listener->wait_for_notifications(300ms);
  });
  EXPECT_TRUE(notes.empty()) << "a local relay needs no NOTIFY";
  ASSERT_TRUE(wait_until([&] { return bus.produced().size() == 4; }, 20s));
  const auto produced = bus.produced();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(nlohmann::json::parse(produced[i].payload)["n"], i);
  relay->stop();
  // Without a local relay, publish() falls back to NOTIFY (PublishWrites… above checks it).
  run_on(*io_, [&]() -> awaitable<void> {
    auto lease = co_await db_->acquire();
    EXPECT_FALSE(local_relay_active(*lease));
    lease.release();
  });
}

}  // namespace
}  // namespace ticketly::bus
