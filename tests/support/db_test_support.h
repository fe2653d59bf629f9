#pragma once
// Shared by the database client's tests (tests/integration/platform/db_*_test.cpp).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <string>
#include <utility>

#include "platform/db/database.h"
#include "platform/db/pool.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::testing {

// Runs a coroutine function on `worker` of `io` and waits for its result. co_spawn keeps
// the function object (and so a lambda's captures) alive while the coroutine runs.
template <class F>
auto run(runtime::IoPool& io, F f, std::size_t worker = 0) {
  return boost::asio::co_spawn(io.context(worker), std::move(f), boost::asio::use_future).get();
}

// Suspends the calling coroutine for `d` without blocking its worker.
inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

// A pool of `size` connections per worker that gives up waiting for one after 2 s.
inline db::PoolOptions pool_options(std::string url, std::size_t size) {
  db::PoolOptions o;
  o.conninfo = std::move(url);
  o.size = size;
  o.acquire_timeout = std::chrono::milliseconds(2000);
  return o;
}

struct WriteSkew {
  int attempts = 0;       // runs of the two transaction functions
  std::int64_t seen = 0;  // rows counted by the two transactions that committed
  std::int64_t rows = 0;  // rows in the table afterwards
};

// Write skew: two SERIALIZABLE transactions, on workers 0 and 1 of `io`, each count the
// rows of `table` (created here) and then insert one. Both read before either writes (a barrier on the
// first attempts), so the database must fail one of them, and Database::transaction must
// run it again. With `insert_takes_commit` the insert goes with the COMMIT
// (Connection::commit_with_next), so the failure may come at that COMMIT.
inline WriteSkew write_skew(runtime::IoPool& io, db::Database& db, const std::string& table,
                            bool insert_takes_commit) {
  namespace asio = boost::asio;
  run(io, [&]() -> asio::awaitable<void> { co_await db.query("CREATE TABLE " + table + " (who text)"); });
  std::atomic<int> attempts{0}, readers{0};
  auto body = [&](std::string who) {
    return [&, who]() -> asio::awaitable<std::int64_t> {
      // Named first: see Database::transaction on by-value captures and g++ 12.
      auto count_then_insert = [&, who](db::Connection& c) -> asio::awaitable<std::int64_t> {
        const bool first_attempt = attempts.fetch_add(1) < 2;
        auto seen = (co_await c.query("SELECT count(*) FROM " + table)).scalar<std::int64_t>();
        if (first_attempt) {
          readers.fetch_add(1);
          for (int i = 0; i < 500 && readers.load() < 2; ++i) co_await sleep_for(std::chrono::milliseconds(2));
        }
        if (insert_takes_commit) c.commit_with_next();
        co_await c.query("INSERT INTO " + table + " VALUES ($1)", who);
        co_return seen;
      };
      co_return co_await db.transaction(count_then_insert, {.isolation = db::Isolation::Serializable});
    };
  };
  auto a = asio::co_spawn(io.context(0), body("a"), asio::use_future);
  auto b = asio::co_spawn(io.context(1), body("b"), asio::use_future);
  const std::int64_t seen = a.get() + b.get();
  const auto rows = run(io, [&]() -> asio::awaitable<std::int64_t> {
    co_return (co_await db.query("SELECT count(*) FROM " + table)).scalar<std::int64_t>();
  });
  return WriteSkew{attempts.load(), seen, rows};
}

}  // namespace ticketly::testing
