// Pipelined transactions against a real server (TICKETLY_TEST_PG_URL): BEGIN travels with
// the first statement, and a last statement may take the COMMIT along
// (Connection::begin_with_next / commit_with_next, Database::transaction).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "platform/db/database.h"
#include "platform/runtime/io_pool.h"
#include "support/db_test_support.h"
#include "support/test_database.h"

namespace ticketly::db {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::awaitable;
using runtime::IoPool;
using testing::pool_options;
using testing::run;
using testing::TestDatabase;

class DbPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { database_ = std::make_unique<TestDatabase>("db_pipeline_test"); }
  static void TearDownTestSuite() { database_.reset(); }

  // One connection per worker: the round trips counted before and after a transaction
  // are those of the connection it ran on.
  PoolOptions options(std::size_t size = 1) const { return pool_options(database_->url(), size); }

  // Polls `done` every 10 ms until it holds or 5 s have passed (pools open connections
  // in the background); returns its last answer.
  template <class F>
  static bool wait_until(F done) {
    for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(10ms);
    return done();
  }

  static awaitable<std::uint64_t> round_trips(Database& db) { co_return (co_await db.acquire())->round_trips(); }
  static awaitable<std::vector<int>> values(Database& db, const char* table) {
    co_return (co_await db.query(std::string("SELECT coalesce(array_agg(n ORDER BY n), '{}') FROM ") + table))
        .scalar<std::vector<int>>();
  }

  // One transaction inserts 1 into `table` twice, the second insert taking the COMMIT along,
  // with an after-commit hook registered in between.
  struct Outcome {
    std::string state;  // the sqlstate thrown ("" if none)
    int hooks = 0;      // runs of the hook
  };
  static awaitable<Outcome> insert_one_twice(Database& db, const char* table) {
    Outcome out;
    const std::string insert = std::string("INSERT INTO ") + table + " VALUES (1)";
    auto body = [&](Connection& c) -> awaitable<void> {
      co_await c.query(insert);
      c.after_commit([&out] { ++out.hooks; });
      c.commit_with_next();
      co_await c.query(insert);
    };
    try {
      co_await db.transaction(body);
    } catch (const DbError& e) {
      out.state = e.sqlstate();
    }
    co_return out;
  }

  // The server processes of two connections leased at once (and given back).
  static std::vector<int> two_leases(IoPool& io, Database& db) {
    return run(io, [&]() -> awaitable<std::vector<int>> {
      auto a = co_await db.acquire();
      auto b = co_await db.acquire();
      std::vector<int> pids;  // not a braced list: g++ 12 coroutines
      pids.push_back(a->backend_pid());
      pids.push_back(b->backend_pid());
      co_return pids;
    });
  }

  static std::unique_ptr<TestDatabase> database_;
};
std::unique_ptr<TestDatabase> DbPipelineTest::database_;

TEST_F(DbPipelineTest, BeginTravelsWithTheFirstStatement) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  const std::vector<int> one{1};  // g++ 12 cannot build an initializer_list inside a coroutine
  run(io, [&]() -> awaitable<void> {
    co_await db.query("CREATE TABLE pl_begin (n int)");
    const auto before = co_await round_trips(db);
    auto body = [](Connection& c) -> awaitable<bool> {
      EXPECT_TRUE(c.in_transaction());  // bus::publish relies on it before any statement
      const auto first = (co_await c.query("INSERT INTO pl_begin VALUES (1) RETURNING txid_current()")).scalar<std::int64_t>();
      const auto second = (co_await c.query("SELECT txid_current()")).scalar<std::int64_t>();
      co_return first == second;
    };
    EXPECT_TRUE(co_await db.transaction(body));  // both statements in one transaction
    // BEGIN + INSERT, SELECT, COMMIT.
    EXPECT_EQ(co_await round_trips(db) - before, 3u);
    EXPECT_EQ(co_await values(db, "pl_begin"), one);
  });
}

TEST_F(DbPipelineTest, LastStatementTakesTheCommitAlong) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  const std::vector<int> both{1, 2};  // g++ 12 cannot build an initializer_list inside a coroutine
  run(io, [&]() -> awaitable<void> {
    co_await db.query("CREATE TABLE pl_commit (n int)");
    const auto before = co_await round_trips(db);
    int hooks = 0;
    auto body = [&hooks](Connection& c) -> awaitable<void> {
      co_await c.query("INSERT INTO pl_commit VALUES (1)");
      c.after_commit([&hooks] { ++hooks; });
      c.commit_with_next();
      co_await c.query("INSERT INTO pl_commit VALUES (2)");
      EXPECT_FALSE(c.in_transaction());  // committed: the transaction sends no COMMIT of its own
      EXPECT_EQ(hooks, 1);               // ran when the COMMIT reported success
    };
    co_await db.transaction(body);
    EXPECT_EQ(co_await round_trips(db) - before, 2u);  // BEGIN + INSERT, INSERT + COMMIT
    EXPECT_EQ(hooks, 1);
    EXPECT_EQ(co_await values(db, "pl_commit"), both);
  });
}

TEST_F(DbPipelineTest, AFailingFirstStatementThrowsItsErrorAndLeavesNothing) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    co_await db.query("CREATE TABLE pl_first (n int PRIMARY KEY)");
    co_await db.query("INSERT INTO pl_first VALUES (1)");
    std::string state;
    try {
      co_await db.transaction([](Connection& c) -> awaitable<void> {
        co_await c.query("INSERT INTO pl_first VALUES (1)");  // pipelined after BEGIN
        ADD_FAILURE() << "the duplicate was accepted";
      });
    } catch (const DbError& e) {
      state = e.sqlstate();
    }
    EXPECT_EQ(state, "23505");
    // The one connection came back usable, outside any transaction.
    auto lease = co_await db.acquire();
    EXPECT_FALSE(lease->in_transaction());
    EXPECT_EQ((co_await lease->query("SELECT count(*) FROM pl_first")).scalar<std::int64_t>(), 1);
  });
}

TEST_F(DbPipelineTest, AFailingLastStatementSkipsTheCommit) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    co_await db.query("CREATE TABLE pl_last (n int PRIMARY KEY)");
    const auto outcome = co_await insert_one_twice(db, "pl_last");
    EXPECT_EQ(outcome.state, "23505");  // the statement's error, not the skipped COMMIT's
    EXPECT_EQ(outcome.hooks, 0);
    EXPECT_EQ(co_await values(db, "pl_last"), std::vector<int>{});  // the first insert rolled back
    EXPECT_EQ(db.stats().idle, db.stats().open);
  });
}

TEST_F(DbPipelineTest, AFailingCommitIsThrownAndRunsNoHook) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    // A deferred constraint is checked at COMMIT: the pipelined COMMIT itself fails.
    co_await db.query("CREATE TABLE pl_deferred (n int, UNIQUE (n) DEFERRABLE INITIALLY DEFERRED)");
    const auto outcome = co_await insert_one_twice(db, "pl_deferred");
    EXPECT_EQ(outcome.state, "23505");
    EXPECT_EQ(outcome.hooks, 0);
    EXPECT_EQ(co_await values(db, "pl_deferred"), std::vector<int>{});
  });
}

TEST_F(DbPipelineTest, PreparesAStatementInsideThePipeline) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  static constexpr Statement kTriple{"db_pipeline_test.triple", "SELECT $1::int4 * 3"};
  run(io, [&]() -> awaitable<void> {
    const auto before = co_await round_trips(db);
    auto body = [](Connection& c) -> awaitable<int> {
      EXPECT_FALSE(c.is_prepared(kTriple.name));
      c.commit_with_next();
      co_return (co_await c.execute(kTriple, 7)).scalar<int>();  // BEGIN, PREPARE, EXECUTE, COMMIT
    };
    EXPECT_EQ(co_await db.transaction(body), 21);
    EXPECT_EQ(co_await round_trips(db) - before, 1u);
    auto lease = co_await db.acquire();
    EXPECT_TRUE(lease->is_prepared(kTriple.name));
    EXPECT_EQ((co_await lease->execute(kTriple, 2)).scalar<int>(), 6);  // reused: no second PREPARE (42P05)
  });
}

TEST_F(DbPipelineTest, AStatementNewToTheConnectionIsPreparedInTheRoundTripOfItsFirstRun) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  static constexpr Statement kDouble{"db_pipeline_test.double", "SELECT $1::int4 * 2"};
  static constexpr Statement kBroken{"db_pipeline_test.broken", "SELEC $1::int4"};
  run(io, [&]() -> awaitable<void> {
    auto lease = co_await db.acquire();
    const auto before = lease->round_trips();
    EXPECT_EQ((co_await lease->execute(kDouble, 4)).scalar<int>(), 8);  // PREPARE + EXECUTE
    EXPECT_EQ(lease->round_trips() - before, 1u);
    EXPECT_TRUE(lease->is_prepared(kDouble.name));
    EXPECT_EQ((co_await lease->execute(kDouble, 5)).scalar<int>(), 10);  // EXECUTE alone
    EXPECT_EQ(lease->round_trips() - before, 2u);
    // A statement that fails to prepare throws its own error, stays unprepared, and leaves
    // the connection fit for the next command.
    std::string state;
    try {
      co_await lease->execute(kBroken, 1);
    } catch (const DbError& e) {
      state = e.sqlstate();
    }
    EXPECT_EQ(state, "42601");  // syntax error
    EXPECT_FALSE(lease->is_prepared(kBroken.name));
    EXPECT_TRUE(lease->reusable());
    EXPECT_EQ((co_await lease->execute(kDouble, 6)).scalar<int>(), 12);
  });
}

TEST_F(DbPipelineTest, ATransactionThatSendsNothingStillCommitsItsHooks) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    int hooks = 0;
    const auto before = co_await round_trips(db);
    co_await db.transaction([&hooks](Connection& c) -> awaitable<void> {
      c.after_commit([&hooks] { ++hooks; });
      c.commit_with_next();  // flagged, but no statement follows
      co_return;
    });
    EXPECT_EQ(hooks, 1);
    EXPECT_EQ(co_await round_trips(db) - before, 1u);  // BEGIN + COMMIT
    // Thrown before any statement: nothing was sent, nothing to roll back.
    const auto before_throw = co_await round_trips(db);
    EXPECT_THROW(co_await db.transaction([](Connection&) -> awaitable<void> {
      throw std::runtime_error("nothing sent");
      co_return;
    }),
                 std::runtime_error);
    EXPECT_EQ(co_await round_trips(db) - before_throw, 0u);
    auto lease = co_await db.acquire();
    EXPECT_FALSE(lease->in_transaction());
  });
}

TEST_F(DbPipelineTest, SimpleQueriesRunInsideThePendingTransaction) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  const std::vector<int> second{3, 4};  // g++ 12 cannot build an initializer_list inside a coroutine
  run(io, [&]() -> awaitable<void> {
    co_await db.query("CREATE TABLE pl_simple (n int)");
    EXPECT_THROW(co_await db.transaction([](Connection& c) -> awaitable<void> {
      co_await c.simple_query("INSERT INTO pl_simple VALUES (1); INSERT INTO pl_simple VALUES (2)");
      throw std::runtime_error("roll back both");
    }),
                 std::runtime_error);
    EXPECT_EQ(co_await values(db, "pl_simple"), std::vector<int>{});
    co_await db.transaction([](Connection& c) -> awaitable<void> {
      c.commit_with_next();
      co_await c.simple_query("INSERT INTO pl_simple VALUES (3); INSERT INTO pl_simple VALUES (4)");
      EXPECT_FALSE(c.in_transaction());
    });
    EXPECT_EQ(co_await values(db, "pl_simple"), second);
  });
}

TEST_F(DbPipelineTest, ASerializationFailureAtThePipelinedCommitRunsTheTransactionAgain) {
  IoPool io(2);
  Database db(io, options());
  io.start();
  // The loser fails at its insert or at the COMMIT that went with it. Sent this close
  // together, both COMMITs are sometimes refused (PostgreSQL may cancel either side of the
  // conflict): then both run again, and the outcome must still be serial.
  const auto skew = testing::write_skew(io, db, "pl_ledger", /*insert_takes_commit=*/true);
  EXPECT_GE(skew.attempts, 3);  // two first attempts and at least one retry
  EXPECT_EQ(skew.seen, 1);      // the one that committed second saw the other's row
  EXPECT_EQ(skew.rows, 2);
}

TEST_F(DbPipelineTest, AConnectionGivenBackWithABeginPendingIsNotReused) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    int abandoned = 0;
    {
      auto lease = co_await db.acquire();
      co_await lease->query("SELECT 1");
      abandoned = lease->backend_pid();
      lease->begin_with_next("BEGIN");  // and never sent: the lease goes back like this
    }
    auto next = co_await db.acquire();
    EXPECT_NE(next->backend_pid(), abandoned);
    EXPECT_FALSE(next->in_transaction());
    co_await next->query("SELECT 1");
    EXPECT_EQ(next->transaction_status(), TxStatus::idle);  // no stray BEGIN went with it
  });
}

TEST_F(DbPipelineTest, OpensTheMinimumOfConnectionsAheadOfDemand) {
  IoPool io(2);
  auto o = options(5);
  o.min_open = 3;
  Database db(io, o);
  io.start();
  EXPECT_EQ(db.stats().open, 0u);  // nothing opened by constructing
  db.open_minimum();
  wait_until([&] { return db.stats().idle == 6; });
  EXPECT_EQ(db.stats().open, 6u);  // three on each worker, all idle
  EXPECT_EQ(db.stats().idle, 6u);
  run(io, [&]() -> awaitable<void> {
    // Three leases at once on one worker take the open connections: none is opened.
    auto a = co_await db.acquire();
    auto b = co_await db.acquire();
    auto c = co_await db.acquire();
    EXPECT_EQ(db.pool(0).stats().open, 3u);
    EXPECT_EQ(a->round_trips() + b->round_trips() + c->round_trips(), 0u);  // fresh, unused
  });
  // Never more than the pool's size.
  auto capped = options(2);
  capped.min_open = 10;
  Database small(io, capped);
  run(io, [&]() -> awaitable<void> { co_await small.pool(1).open_minimum(); }, 1);
  EXPECT_EQ(small.pool(1).stats().open, 2u);
}

TEST_F(DbPipelineTest, ReopensTheMinimumAfterItsConnectionsAreLost) {
  IoPool io(1);
  auto o = options(4);
  o.min_open = 2;
  Database db(io, o);
  Database admin(io, options(1));
  io.start();
  db.open_minimum();
  wait_until([&] { return db.stats().idle == 2; });
  ASSERT_EQ(db.stats().open, 2u);
  const std::vector<int> lost = two_leases(io, db);
  // A database restart, as the pool sees it: both backends end while idle.
  run(io, [&]() -> awaitable<void> {
    co_await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int4[]) AS pid", lost);
  });
  wait_until([&] {
    return run(io, [&]() -> awaitable<bool> {
      co_return (co_await admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int4[])", lost))
                    .scalar<std::int64_t>() == 0;
    });
  });
  // The next user finds both dead, gets a connection opened on demand, and the pool
  // opens the rest of its minimum by itself.
  run(io, [&]() -> awaitable<void> { co_await db.query("SELECT 1"); });
  wait_until([&] { return db.stats().idle == 2; });
  EXPECT_EQ(db.stats().open, 2u);  // back to the minimum, not beyond it
  EXPECT_EQ(db.stats().idle, 2u);
  const std::vector<int> now = two_leases(io, db);
  for (int pid : now) EXPECT_EQ(std::count(lost.begin(), lost.end(), pid), 0) << pid;
  EXPECT_EQ(db.stats().open, 2u);  // both leases found an open connection
}

// PoolOptions::warm_up: the order service readies its hot path's plans this way.
TEST_F(DbPipelineTest, WarmsUpEveryNewConnectionBeforeItsFirstUse) {
  IoPool io(1);
  auto o = options(3);
  o.min_open = 1;
  o.warm_up = "SELECT set_config('ticketly.warmed', 'yes', false)";  // for the session
  Database db(io, o);
  io.start();
  db.open_minimum();
  ASSERT_TRUE(wait_until([&] { return db.stats().idle == 1; }));
  run(io, [&]() -> awaitable<void> {
    auto ahead = co_await db.acquire();      // opened by open_minimum
    auto on_demand = co_await db.acquire();  // opened for this acquire
    EXPECT_EQ(db.stats().open, 2u);
    const char* warmed = "SELECT current_setting('ticketly.warmed', true)";
    EXPECT_EQ((co_await ahead->query(warmed)).scalar<std::string>(), "yes");
    EXPECT_EQ((co_await on_demand->query(warmed)).scalar<std::string>(), "yes");
    EXPECT_EQ(on_demand->round_trips(), 2u);  // the warm-up, then ours
  });
  // A connection given back is reused as it is: no second warm-up.
  run(io, [&]() -> awaitable<void> {
    auto again = co_await db.acquire();
    const auto before = again->round_trips();
    co_await again->query("SELECT 1");
    EXPECT_EQ(again->round_trips(), before + 1);
  });
}

TEST_F(DbPipelineTest, AFailedWarmUpIsLoggedAndTheConnectionStillServes) {
  IoPool io(1);
  auto failing = options(2);
  failing.warm_up = "SELECT 1/0";  // 22012
  Database db(io, failing);
  io.start();
  EXPECT_EQ(run(io, [&]() -> awaitable<int> { co_return (co_await db.query("SELECT 7")).scalar<int>(); }), 7);
  EXPECT_EQ(db.stats().open, 1u);

  // A warm-up that ends its connection: the acquire fails with 503 and the slot is freed.
  auto fatal = options(2);
  fatal.warm_up = "SELECT pg_terminate_backend(pg_backend_pid())";
  Database broken(io, fatal);
  const int status = run(io, [&]() -> awaitable<int> {
    try {
      co_await broken.acquire();
    } catch (const Unavailable& e) {
      co_return e.status();
    }
    co_return 0;
  });
  EXPECT_EQ(status, 503);
  EXPECT_EQ(broken.pool(0).stats().open, 0u);
}

}  // namespace
}  // namespace ticketly::db
