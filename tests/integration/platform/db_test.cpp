// The asynchronous PostgreSQL client against a real server (TICKETLY_TEST_PG_URL).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "platform/db/database.h"
#include "platform/metrics/registry.h"
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
using testing::sleep_for;
using testing::TestDatabase;

// A blocking admin session for side actions (terminating backends).
void admin_exec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
}

class DbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { database_ = std::make_unique<TestDatabase>("db_test"); }
  static void TearDownTestSuite() { database_.reset(); }

  PoolOptions options(std::size_t size = 4) const { return pool_options(database_->url(), size); }

  static std::unique_ptr<TestDatabase> database_;
};
std::unique_ptr<TestDatabase> DbTest::database_;

TEST_F(DbTest, RoundTripsEveryParameterAndColumnType) {
  IoPool io(2);
  Database db(io, options());
  io.start();
  const auto when = std::chrono::sys_days(std::chrono::year{2025} / 7 / 14) + 18h + 5min + 9s + 123456us;
  const auto id = Uuid::parse("0f8fad5b-d9cb-469f-a165-70867728950e").value();
  const nlohmann::json doc = {{"seats", {1, 2}}, {"note", "a \"quoted\" é"}};
  // Named, not braced in the co_await expression: g++ 12 cannot keep an initializer
  // list's backing array across a suspension ("array used as initializer").
  const std::vector<std::string> texts{"a,b", "c\"d", "", "NULL"};
  const std::vector<std::int64_t> numbers{-1, 9000000000};
  run(io, [&]() -> awaitable<void> {
    co_await db.query(R"sql(
      CREATE TABLE everything (
        s text, i int4, l int8, d float8, b bool, t timestamptz, j jsonb, u uuid, sa text[], la int8[])
    )sql");
    auto inserted = co_await db.query(
        "INSERT INTO everything VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), "
        "($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        std::string("it's"), 42, std::int64_t{1} << 40, 2.5, true, std::chrono::system_clock::time_point(when), doc,
        id, texts, numbers,
        std::nullopt, std::optional<int>{}, std::optional<std::int64_t>{}, std::optional<double>{},
        std::optional<bool>{}, std::optional<std::chrono::system_clock::time_point>{},
        std::optional<nlohmann::json>{}, std::optional<Uuid>{}, std::optional<std::vector<std::string>>{}, nullptr);
    EXPECT_EQ(inserted.affected_rows(), 2);

    auto r = co_await db.query("SELECT * FROM everything ORDER BY s NULLS LAST");
    EXPECT_EQ(r.size(), 2);
    EXPECT_EQ(r.columns(), 10);
    auto row = r[0];
    EXPECT_EQ(row.get<std::string>("s"), "it's");
    EXPECT_EQ(row.get<std::string_view>(0), "it's");
    EXPECT_EQ(row.get<std::int32_t>("i"), 42);
    EXPECT_EQ(row.get<std::int64_t>("l"), std::int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(row.get<double>("d"), 2.5);
    EXPECT_TRUE(row.get<bool>("b"));
    EXPECT_EQ(row.get<std::chrono::system_clock::time_point>("t"), when);
    EXPECT_EQ(row.get<nlohmann::json>("j"), doc);
    EXPECT_EQ(row.get<Uuid>("u"), id);
    EXPECT_EQ(row.get<std::vector<std::string>>("sa"), texts);
    EXPECT_EQ(row.get<std::vector<std::int64_t>>("la"), numbers);

    auto nulls = r[1];
    for (int c = 0; c < nulls.columns(); ++c) EXPECT_TRUE(nulls.is_null(c)) << c;
    EXPECT_EQ(nulls.get<std::optional<std::string>>("s"), std::nullopt);
    EXPECT_EQ(nulls.get<std::optional<std::int64_t>>("l"), std::nullopt);
    EXPECT_EQ(nulls.get<std::optional<std::chrono::system_clock::time_point>>("t"), std::nullopt);
    EXPECT_EQ(nulls.get<std::optional<nlohmann::json>>("j"), std::nullopt);
    EXPECT_THROW(nulls.get<std::string>("s"), DbError);  // NULL into a non-optional
    EXPECT_THROW(row.get<std::int32_t>("s"), DbError);   // text that is no number
    EXPECT_THROW(row.get<int>("no_such_column"), std::out_of_range);

    int seen = 0;
    for (auto each : r) seen += each.index() + 1;
    EXPECT_EQ(seen, 3);
  });
}

TEST_F(DbTest, TimestamptzComesBackInUtcWhateverTheInputZone) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    auto r = co_await db.query("SELECT '2024-06-01 12:00:00+02'::timestamptz AS t, $1::timestamptz AS echo",
                               std::chrono::system_clock::time_point{});
    EXPECT_EQ(r.one().raw(0), "2024-06-01 10:00:00+00");
    EXPECT_EQ(r.one().get<std::chrono::system_clock::time_point>("echo"), std::chrono::system_clock::time_point{});
    auto inf = co_await db.query("SELECT 'infinity'::timestamptz");
    EXPECT_EQ(inf.scalar<std::chrono::system_clock::time_point>(), std::chrono::system_clock::time_point::max());
  });
}

TEST_F(DbTest, PreparesAStatementOncePerConnectionAndReusesIt) {
  IoPool io(1);
  Database db(io, options(1));
  io.start();
  static constexpr Statement kAdd{"db_test.add", "SELECT $1::int4 + $2::int4"};
  run(io, [&]() -> awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      // A second PREPARE of the same name would fail with 42P05, so success means reuse.
      EXPECT_EQ((co_await db.execute(kAdd, i, 10)).scalar<int>(), i + 10);
    }
    auto lease = co_await db.acquire();
    EXPECT_TRUE(lease->is_prepared("db_test.add"));
    EXPECT_EQ(lease->prepared_count(), 1u);
    auto count = co_await lease->query("SELECT count(*) FROM pg_prepared_statements WHERE name = $1", kAdd.name);
    EXPECT_EQ(count.scalar<std::int64_t>(), 1);
    // The server forgetting it (DEALLOCATE ALL) is repaired by preparing again.
    co_await lease->query("DEALLOCATE ALL");
    EXPECT_EQ((co_await lease->execute(kAdd, 1, 1)).scalar<int>(), 2);
    // One name for two different SQL texts is a programming error.
    static constexpr Statement kClash{"db_test.add", "SELECT 1"};
    EXPECT_THROW(co_await lease->execute(kClash), std::logic_error);
  });
}

TEST_F(DbTest, ConstraintViolationsSurfaceAsDbErrorWithTheirNames) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    co_await db.query(R"sql(
      CREATE TABLE accounts (
        id int PRIMARY KEY,
        email text CONSTRAINT accounts_email_key UNIQUE,
        balance int CONSTRAINT accounts_balance_check CHECK (balance >= 0))
    )sql");
    co_await db.query("CREATE TABLE entries (account int CONSTRAINT entries_account_fkey REFERENCES accounts(id))");
    co_await db.query("INSERT INTO accounts VALUES (1, 'a@example.com', 0)");

    std::optional<DbError> unique, check, fk;
    try {
      co_await db.query("INSERT INTO accounts VALUES (2, $1, 0)", "a@example.com");
    } catch (const DbError& e) {
      unique = e;
    }
    try {
      co_await db.query("INSERT INTO accounts VALUES (3, 'b@example.com', -1)");
    } catch (const DbError& e) {
      check = e;
    }
    try {
      co_await db.query("INSERT INTO entries VALUES (99)");
    } catch (const DbError& e) {
      fk = e;
    }
    if (!unique || !check || !fk) {
      ADD_FAILURE() << "a violation did not throw";
      co_return;
    }
    EXPECT_TRUE(unique->is_unique_violation());
    EXPECT_EQ(unique->sqlstate(), "23505");
    EXPECT_EQ(unique->constraint(), "accounts_email_key");
    EXPECT_NE(unique->detail().find("a@example.com"), std::string::npos);
    EXPECT_FALSE(unique->is_retryable());
    EXPECT_TRUE(check->is_check_violation());
    EXPECT_EQ(check->constraint(), "accounts_balance_check");
    EXPECT_TRUE(fk->is_foreign_key_violation());
    EXPECT_EQ(fk->constraint(), "entries_account_fkey");
    // The connection that saw the errors is still fine.
    EXPECT_EQ((co_await db.query("SELECT count(*) FROM accounts")).scalar<std::int64_t>(), 1);
  });
}

TEST_F(DbTest, TransactionCommitsOrRollsBack) {
  IoPool io(1);
  Database db(io, options(2));
  io.start();
  run(io, [&]() -> awaitable<void> {
    co_await db.query("CREATE TABLE tx_items (n int)");
    int value = co_await db.transaction([](Connection& c) -> awaitable<int> {
      co_await c.query("INSERT INTO tx_items VALUES (1)");
      EXPECT_TRUE(c.in_transaction());
      co_return 7;
    });
    EXPECT_EQ(value, 7);

    bool threw = false;
    try {
      co_await db.transaction([](Connection& c) -> awaitable<void> {
        co_await c.query("INSERT INTO tx_items VALUES (2)");
        throw std::runtime_error("changed my mind");
      });
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()) == "changed my mind";
    }
    EXPECT_TRUE(threw);

    // A failing statement inside the function rolls back the statements before it.
    bool failed = false;
    try {
      co_await db.transaction([](Connection& c) -> awaitable<void> {
        co_await c.query("INSERT INTO tx_items VALUES (3)");
        co_await c.query("SELECT 1 / 0");
      });
    } catch (const DbError& e) {
      failed = e.sqlstate() == "22012";
    }
    EXPECT_TRUE(failed);

    auto r = co_await db.query("SELECT array_agg(n ORDER BY n) FROM tx_items");
    EXPECT_EQ(r.scalar<std::vector<int>>(), std::vector<int>{1});

    auto read_only = co_await db.transaction(
        [](Connection& c) -> awaitable<std::string> {
          co_return (co_await c.query("SHOW transaction_isolation")).scalar<std::string>() + "/" +
              (co_await c.query("SHOW transaction_read_only")).scalar<std::string>();
        },
        {.isolation = Isolation::RepeatableRead, .read_only = true});
    EXPECT_EQ(read_only, "repeatable read/on");
  });
  auto stats = db.stats();
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.idle, stats.open);  // every connection came back clean
}

TEST_F(DbTest, RetriesTheWholeTransactionOnSerializationFailure) {
  IoPool io(2);
  Database db(io, options(2));
  io.start();

  const auto skew = testing::write_skew(io, db, "ledger", /*insert_takes_commit=*/false);
  EXPECT_EQ(skew.attempts, 3);  // two first attempts and one retry
  EXPECT_EQ(skew.seen, 1);      // the retry saw the winner's row
  EXPECT_EQ(skew.rows, 2);
}

TEST_F(DbTest, GivesUpAfterMaxAttemptsAndDoesNotRetryOtherErrors) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  run(io, [&]() -> awaitable<void> {
    int calls = 0;
    bool serialization = false;
    try {
      co_await db.transaction(
          [&](Connection& c) -> awaitable<void> {
            ++calls;
            co_await c.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$");
          },
          {.max_attempts = 3});
    } catch (const DbError& e) {
      serialization = e.is_serialization_failure();
    }
    EXPECT_TRUE(serialization);
    EXPECT_EQ(calls, 3);

    calls = 0;
    EXPECT_THROW(co_await db.transaction([&](Connection& c) -> awaitable<void> {
      ++calls;
      co_await c.query("SELECT 1 / 0");
    }),
                 DbError);
    EXPECT_EQ(calls, 1);
  });
}

TEST_F(DbTest, PoolQueuesWaitersInOrderAndTimesOutWith503) {
  IoPool io(1);
  PoolOptions o = options(1);
  o.acquire_timeout = 300ms;
  Pool pool(io.context(0), o);
  io.start();
  run(io, [&]() -> awaitable<void> {
    auto held = co_await pool.acquire();
    std::vector<int> order;
    std::vector<std::future<void>> waiters;
    for (int i = 0; i < 3; ++i) {
      waiters.push_back(asio::co_spawn(
          io.context(0),
          [&, i]() -> awaitable<void> {
            auto lease = co_await pool.acquire();
            order.push_back(i);
            co_await lease->query("SELECT 1");
          },
          asio::use_future));
    }
    co_await sleep_for(50ms);
    EXPECT_EQ(pool.stats().waiting, 3u);
    EXPECT_EQ(pool.stats().in_use, 1u);
    held.release();
    while (order.size() < 3) co_await sleep_for(5ms);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));

    auto hog = co_await pool.acquire();
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    try {
      co_await pool.acquire();
    } catch (const ticketly::Error& e) {
      status = e.status();
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(status, 503);
    EXPECT_GE(waited, 290ms);
    EXPECT_LT(waited, 2s);
  });
  auto stats = pool.stats();
  EXPECT_EQ(stats.size, 1u);
  EXPECT_EQ(stats.open, 1u);
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(stats.acquire_timeouts_total, 1u);
  EXPECT_EQ(stats.acquired_total, 5u);
}

TEST_F(DbTest, ReplacesAConnectionTheServerTerminated) {
  IoPool io(1);
  Database db(io, options(1));
  io.start();
  const std::string admin = TestDatabase::admin_url();

  // Terminated while idle in the pool: the next acquire notices and reconnects.
  const int first = run(io, [&]() -> awaitable<int> {
    co_return (co_await db.query("SELECT pg_backend_pid()")).scalar<int>();
  });
  admin_exec(admin, "SELECT pg_terminate_backend(" + std::to_string(first) + ", 5000)");
  const int second = run(io, [&]() -> awaitable<int> {
    co_return (co_await db.query("SELECT pg_backend_pid()")).scalar<int>();
  });
  EXPECT_NE(first, second);

  // Terminated while lent out: the query fails as a connection failure, the pool drops
  // the connection, and the next user gets a fresh one.
  run(io, [&]() -> awaitable<void> {
    auto lease = co_await db.acquire();
    const int pid = lease->backend_pid();
    admin_exec(admin, "SELECT pg_terminate_backend(" + std::to_string(pid) + ", 5000)");
    bool connection_failure = false;
    try {
      co_await lease->query("SELECT 1");
    } catch (const DbError& e) {
      connection_failure = e.is_connection_failure() && e.sqlstate() == "08006";
    }
    EXPECT_TRUE(connection_failure);
    EXPECT_TRUE(lease->broken());
    lease.release();
    EXPECT_EQ((co_await db.query("SELECT 1")).scalar<int>(), 1);
  });
  EXPECT_EQ(db.stats().open, 1u);
}

TEST_F(DbTest, ConnectionLeftInATransactionIsNotReused) {
  IoPool io(1);
  Database db(io, options(1));
  io.start();
  run(io, [&]() -> awaitable<void> {
    int pid = 0;
    {
      auto lease = co_await db.acquire();
      pid = lease->backend_pid();
      co_await lease->query("BEGIN");
    }
    auto lease = co_await db.acquire();
    EXPECT_NE(lease->backend_pid(), pid);
    EXPECT_FALSE(lease->in_transaction());
  });
}

TEST_F(DbTest, ConnectFailuresAre503AndCounted) {
  IoPool io(1);
  PoolOptions bad = options(1);
  bad.conninfo = database_->url() + "?user=nobody_here";  // authentication fails
  Pool pool(io.context(0), bad);

  // A server that accepts TCP connections but never answers: only our timeout ends it.
  asio::io_context silent_ctx;
  asio::ip::tcp::acceptor silent(silent_ctx, {asio::ip::make_address("127.0.0.1"), 0});
  PoolOptions hang = options(1);
  hang.conninfo = "postgresql://x:y@127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/x";
  hang.connect_timeout = 200ms;
  Pool hanging(io.context(0), hang);
  io.start();

  run(io, [&]() -> awaitable<void> {
    int status = 0;
    try {
      co_await pool.acquire();
    } catch (const ticketly::Error& e) {
      status = e.status();
    }
    EXPECT_EQ(status, 503);

    const auto start = std::chrono::steady_clock::now();
    status = 0;
    try {
      co_await hanging.acquire();
    } catch (const ticketly::Error& e) {
      status = e.status();
    }
    EXPECT_EQ(status, 503);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  });
  EXPECT_EQ(pool.stats().connect_errors_total, 1u);
  EXPECT_EQ(pool.stats().open, 0u);
  EXPECT_EQ(hanging.stats().connect_errors_total, 1u);
}

TEST_F(DbTest, MovesLargeParametersAndResultsWithoutStalling) {
  IoPool io(1);
  Database db(io, options(1));
  io.start();
  // Bigger than the socket buffers both ways: exercises PQflush returning "more to send"
  // and results arriving over many reads.
  const std::string big(8 << 20, 'x');
  run(io, [&]() -> awaitable<void> {
    auto echo = co_await db.query("SELECT length($1::text), $1::text", big);
    EXPECT_EQ(echo.one().get<std::int64_t>(0), static_cast<std::int64_t>(big.size()));
    EXPECT_EQ(echo.one().raw(1).size(), big.size());
    auto rows = co_await db.query("SELECT g, repeat('y', 1000) FROM generate_series(1, 20000) g");
    EXPECT_EQ(rows.size(), 20000);
    EXPECT_EQ(rows[19999].get<int>(0), 20000);
  });
}

TEST_F(DbTest, ManyConcurrentUsersShareAFewConnections) {
  IoPool io(2);
  Database db(io, options(3));
  io.start();
  std::atomic<int> done{0};
  std::vector<std::future<void>> all;
  for (int i = 0; i < 200; ++i) {
    all.push_back(asio::co_spawn(
        io.context(i % 2),
        [&, i]() -> awaitable<void> {
          auto r = co_await db.query("SELECT $1::int * 2, pg_sleep(0.001)", i);
          EXPECT_EQ(r.one().get<int>(0), i * 2);
          done.fetch_add(1);
        },
        asio::use_future));
  }
  for (auto& f : all) f.get();
  EXPECT_EQ(done.load(), 200);
  auto stats = db.stats();
  EXPECT_LE(stats.open, 6u);
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(stats.acquired_total, 200u);
}

TEST_F(DbTest, AppliesTheStatementTimeout) {
  IoPool io(1);
  PoolOptions o = options(1);
  o.statement_timeout = 100ms;
  Database db(io, o);
  io.start();
  run(io, [&]() -> awaitable<void> {
    std::string state;
    try {
      co_await db.query("SELECT pg_sleep(2)");
    } catch (const DbError& e) {
      state = e.sqlstate();
    }
    EXPECT_EQ(state, "57014");  // query_canceled
    EXPECT_EQ((co_await db.query("SHOW statement_timeout")).scalar<std::string>(), "100ms");
  });
}

// Prepared statements are planned for each execution (connection.cpp): a generic plan
// cached while a table was small would keep scanning it whole as it grows.
TEST_F(DbTest, PlansEveryPreparedStatementForItsParameters) {
  IoPool io(1);
  Database db(io, options(1));
  io.start();
  run(io, [&]() -> awaitable<void> {
    EXPECT_EQ((co_await db.query("SHOW plan_cache_mode")).scalar<std::string>(), "force_custom_plan");
  });
}

TEST_F(DbTest, RefusesCallsFromAForeignExecutor) {
  IoPool io(1);
  Database db(io, options());
  io.start();
  asio::io_context foreign;
  auto f = asio::co_spawn(
      foreign, [&]() -> awaitable<void> { co_await db.ping(); }, asio::use_future);
  foreign.run();
  EXPECT_THROW(f.get(), std::logic_error);
}

TEST_F(DbTest, PingAndStatsAcrossWorkers) {
  IoPool io(2);
  Database db(io, options(3));
  io.start();
  run(io, [&]() -> awaitable<void> { co_await db.ping(); }, 0);
  run(io, [&]() -> awaitable<void> { co_await db.ping(); }, 1);
  auto stats = db.stats();
  EXPECT_EQ(stats.size, 6u);  // 3 per worker
  EXPECT_EQ(stats.open, 2u);
  EXPECT_EQ(stats.idle, 2u);
  EXPECT_EQ(stats.acquired_total, 2u);

  metrics::Registry registry;
  db.register_metrics(registry, "order");
  const std::string text = registry.render();
  EXPECT_NE(text.find("ticketly_db_pool_size{database=\"order\"} 6"), std::string::npos) << text;
  EXPECT_NE(text.find("ticketly_db_pool_acquired_total{database=\"order\"} 2"), std::string::npos) << text;
}

// A connection that only waits (the event-query LISTEN loop) asks for short TCP keepalives,
// so a server that vanished without a word is noticed; libpq's own are the OS's (two hours
// idle). The caller's connection string wins.
TEST_F(DbTest, ADeadPeerTimeoutTurnsOnKeepalivesUnlessTheConnectionStringSetsThem) {
  IoPool io(1);
  io.start();
  auto socket_option = [](Connection& c, int level, int name) {
    int value = -1;
    socklen_t size = sizeof value;
    EXPECT_EQ(::getsockopt(PQsocket(c.native()), level, name, &value, &size), 0);
    return value;
  };
  run(io, [&]() -> awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    ConnectOptions options;
    options.conninfo = database_->url();
    auto plain = co_await Connection::connect(executor, options);
    int os_idle = 0;
    std::ifstream("/proc/sys/net/ipv4/tcp_keepalive_time") >> os_idle;
    EXPECT_EQ(socket_option(*plain, IPPROTO_TCP, TCP_KEEPIDLE), os_idle);
    EXPECT_EQ(socket_option(*plain, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
    options.dead_peer_timeout = 30s;
    auto watched = co_await Connection::connect(executor, options);
    EXPECT_EQ(socket_option(*watched, SOL_SOCKET, SO_KEEPALIVE), 1);
    EXPECT_EQ(socket_option(*watched, IPPROTO_TCP, TCP_KEEPIDLE), 15);
    EXPECT_EQ(socket_option(*watched, IPPROTO_TCP, TCP_KEEPINTVL), 5);
    EXPECT_EQ(socket_option(*watched, IPPROTO_TCP, TCP_KEEPCNT), 3);
    EXPECT_EQ(socket_option(*watched, IPPROTO_TCP, TCP_USER_TIMEOUT), 30000);
    const std::string sep = options.conninfo.find('?') == std::string::npos ? "?" : "&";
    options.conninfo += sep + "keepalives_idle=42";
    auto overridden = co_await Connection::connect(executor, options);
    EXPECT_EQ(socket_option(*overridden, IPPROTO_TCP, TCP_KEEPIDLE), 42);
  });
  io.stop();
  io.join();
}

}  // namespace
}  // namespace ticketly::db
