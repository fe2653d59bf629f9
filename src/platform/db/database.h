#pragma once
// Database: what a service holds. One connection Pool per IoPool worker; every call
// uses the pool of the worker it runs on, so connections never cross threads and the
// hot path takes no lock.
//
//   auto r = co_await db.execute(kFindOrder, order_id);
//   auto id = co_await db.transaction([&](db::Connection& c) -> asio::awaitable<Uuid> {
//     co_await c.execute(kHoldSeats, session, seats);
//     co_return (co_await c.execute(kInsertOrder, ...)).scalar<Uuid>();
//   }, {.isolation = db::Isolation::Serializable});
//
// Calling from a coroutine that does not run on one of the IoPool's io_contexts throws
// std::logic_error.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "platform/db/connection.h"
#include "platform/db/pool.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::metrics {
class Registry;
}

namespace ticketly::db {

enum class Isolation { ReadCommitted, RepeatableRead, Serializable };

struct TxOptions {
  Isolation isolation = Isolation::ReadCommitted;
  bool read_only = false;
  // Runs of the whole function when it fails with a serialization failure or deadlock.
  int max_attempts = 5;
};

namespace detail {
template <class A>
struct awaitable_value;
template <class T, class E>
struct awaitable_value<asio::awaitable<T, E>> {
  using type = T;
};

// "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY"
std::string begin_statement(const TxOptions& options);
bool is_retryable(const std::exception_ptr& error);
// Commits the transaction fn left open. fn may have ended it itself: its last statement
// took the COMMIT along (Connection::commit_with_next).
asio::awaitable<void> commit(Connection& conn);
// Ends a failed transaction if the connection is still in one; never throws.
asio::awaitable<void> rollback_quietly(Connection& conn);
// Sleeps a little before the next attempt: exponential, jittered, capped.
asio::awaitable<void> retry_backoff(int attempt);
}  // namespace detail

class Database {
 public:
  Database(runtime::IoPool& io, PoolOptions options);
  // Destroy only when no coroutine still uses it (normally after the workers stopped).
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  template <Param... Ps>
  asio::awaitable<Result> query(std::string_view sql, const Ps&... params) {
    return query_encoded(std::string(sql), encode_params(params...));
  }
  template <Param... Ps>
  asio::awaitable<Result> execute(const Statement& stmt, const Ps&... params) {
    return execute_encoded(stmt, encode_params(params...));
  }

  // Runs `fn(Connection&) -> awaitable<T>` between BEGIN and COMMIT on one connection.
  // BEGIN goes to the server with fn's first statement, in one round trip; fn may send its
  // last statement with the COMMIT (tx.commit_with_next() before it), another round trip
  // saved (connection.h, "Pipelining").
  // An exception from fn (or from COMMIT) rolls back and propagates; a serialization
  // failure or deadlock runs the whole function again, up to options.max_attempts, so fn
  // must not have effects outside the transaction that a second run would duplicate.
  //
  // g++ 12 miscompiles a lambda that captures by value something non-trivial (a
  // std::string, a shared_ptr) when the lambda is written inside a co_await expression:
  // the capture is copied bitwise and freed twice. Capture by reference (the enclosing
  // coroutine outlives the call), or declare the lambda first and pass it by name; the
  // static_assert below turns the miscompiled form into a compile error.
  template <class F, class T = typename detail::awaitable_value<
                         std::invoke_result_t<std::remove_cvref_t<F>&, Connection&>>::type>
  asio::awaitable<T> transaction(F&& fn, TxOptions options = {}) {
    static_assert(std::is_lvalue_reference_v<F> || std::is_trivially_copyable_v<std::remove_cvref_t<F>>,
                  "g++ 12 miscompiles by-value lambda captures inside co_await expressions: capture by "
                  "reference, or declare the lambda first and pass it by name");
    return run_transaction<std::remove_cvref_t<F>, T>(std::forward<F>(fn), options);
  }

  // A connection of the calling worker's pool, for several statements on one connection.
  asio::awaitable<Lease> acquire();
  // SELECT 1 through the pool (readiness probes).
  asio::awaitable<void> ping();
  // Opens every worker's PoolOptions::min_open connections in the background (the
  // workers must run); a failure is logged, and connections then open on demand.
  void open_minimum();

  std::size_t workers() const { return pools_.size(); }
  Pool& pool(std::size_t worker) { return *pools_.at(worker); }
  // Summed over the workers' pools; safe from any thread.
  PoolStats stats() const;
  // Gauges/counters ticketly_db_pool_* labelled {database="<label>"}, read at scrape time.
  void register_metrics(metrics::Registry& registry, std::string database_label);

  asio::awaitable<Result> query_encoded(std::string sql, std::vector<Encoded> params);
  asio::awaitable<Result> execute_encoded(Statement stmt, std::vector<Encoded> params);

 private:
  template <class F, class T>
  asio::awaitable<T> run_transaction(F fn, TxOptions options) {
    const std::string begin = detail::begin_statement(options);
    for (int attempt = 1;; ++attempt) {
      std::exception_ptr error;
      {
        Lease lease = co_await acquire();
        try {
          lease->begin_with_next(begin);  // sent with fn's first statement
          if constexpr (std::is_void_v<T>) {
            co_await fn(*lease);
            co_await detail::commit(*lease);
            co_return;
          } else {
            T value = co_await fn(*lease);
            co_await detail::commit(*lease);
            co_return value;
          }
        } catch (...) {
          error = std::current_exception();
        }
        co_await detail::rollback_quietly(*lease);
      }  // the connection goes back before sleeping
      if (attempt >= options.max_attempts || !detail::is_retryable(error)) std::rethrow_exception(error);
      co_await detail::retry_backoff(attempt);
    }
  }

  asio::awaitable<Pool*> current_pool();

  runtime::IoPool& io_;
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace ticketly::db
