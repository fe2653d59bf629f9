#include "platform/db/database.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "platform/metrics/registry.h"

namespace ticketly::db {

namespace detail {

std::string begin_statement(const TxOptions& options) {
  std::string sql = "BEGIN ISOLATION LEVEL ";
  switch (options.isolation) {
    case Isolation::ReadCommitted:
      sql += "READ COMMITTED";
      break;
    case Isolation::RepeatableRead:
      sql += "REPEATABLE READ";
      break;
    case Isolation::Serializable:
      sql += "SERIALIZABLE";
      break;
  }
  sql += options.read_only ? ", READ ONLY" : ", READ WRITE";
  return sql;
}

bool is_retryable(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const DbError& e) {
    return e.is_retryable();
  } catch (...) {
    return false;
  }
}

asio::awaitable<void> commit(Connection& conn) {
  conn.drop_commit_with_next();  // flagged, but no statement followed
  // Also when fn sent nothing and BEGIN is still pending: the two go together, and the
  // after-commit hooks fn registered run as after any commit.
  if (conn.in_transaction()) co_await conn.query_encoded("COMMIT", {});
}

asio::awaitable<void> rollback_quietly(Connection& conn) {
  conn.clear_deferred();  // a BEGIN never sent needs no ROLLBACK
  if (!conn.broken() && conn.in_transaction()) {
    try {
      co_await conn.query_encoded("ROLLBACK", {});
    } catch (const std::exception&) {
      // The pool closes a connection that is still not idle; nothing more to do here.
    }
  }
}

asio::awaitable<void> retry_backoff(int attempt) {
  // 5, 10, 20 ... ms, capped at 200 ms, each drawn uniformly from [d/2, d] so that the
  // transactions that just collided do not collide again in lock step.
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int shift = std::min(attempt - 1, 6);
  const long ceiling = std::min(5L << shift, 200L);
  std::uniform_int_distribution<long> pick(ceiling / 2, ceiling);
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(pick(rng)));
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace detail

Database::Database(runtime::IoPool& io, PoolOptions options) : io_(io) {
  for (std::size_t i = 0; i < io.size(); ++i) pools_.push_back(std::make_unique<Pool>(io.context(i), options));
}

Database::~Database() = default;

asio::awaitable<Pool*> Database::current_pool() {
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto worker = io_.worker_of(context);
  if (!worker || *worker >= pools_.size()) {
    throw std::logic_error("ticketly::db::Database used from a coroutine that does not run on its IoPool");
  }
  co_return pools_[*worker].get();
}

asio::awaitable<Lease> Database::acquire() {
  Pool* pool = co_await current_pool();
  co_return co_await pool->acquire();
}

asio::awaitable<Result> Database::query_encoded(std::string sql, std::vector<Encoded> params) {
  Lease lease = co_await acquire();
  co_return co_await lease->query_encoded(std::move(sql), std::move(params));
}

asio::awaitable<Result> Database::execute_encoded(Statement stmt, std::vector<Encoded> params) {
  Lease lease = co_await acquire();
  co_return co_await lease->execute_encoded(stmt, std::move(params));
}

asio::awaitable<void> Database::ping() {
  Lease lease = co_await acquire();
  co_await lease->query_encoded("SELECT 1", {});
}

void Database::open_minimum() {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    asio::co_spawn(io_.context(i), pools_[i]->open_minimum(), [](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::warn("database pool: connections not opened ahead of demand: {}", e.what());
      }
    });
  }
}

PoolStats Database::stats() const {
  PoolStats total;
  for (const auto& p : pools_) total += p->stats();
  return total;
}

void Database::register_metrics(metrics::Registry& registry, std::string database_label) {
  // The callbacks hold the shared counters, not `this`: a scrape after the Database is
  // gone reads the last figures instead of freed memory.
  std::vector<std::shared_ptr<const detail::PoolCounters>> counters;
  for (const auto& p : pools_) counters.push_back(p->counters());
  auto read = [counters](auto field) {
    return [counters, field]() -> double {
      PoolStats total;
      for (const auto& c : counters) total += c->snapshot();
      return static_cast<double>(total.*field);
    };
  };
  const std::vector<std::pair<std::string, std::string>> labels{{"database", database_label}};
  registry.gauge_callback("ticketly_db_pool_size", "Maximum connections of the database pools (all workers).",
                          labels, read(&PoolStats::size));
  registry.gauge_callback("ticketly_db_pool_open_connections", "Open (or opening) database connections.", labels,
                          read(&PoolStats::open));
  registry.gauge_callback("ticketly_db_pool_idle_connections", "Idle database connections.", labels,
                          read(&PoolStats::idle));
  registry.gauge_callback("ticketly_db_pool_in_use_connections", "Database connections lent out.", labels,
                          read(&PoolStats::in_use));
  registry.gauge_callback("ticketly_db_pool_waiting", "Coroutines queued for a database connection.", labels,
                          read(&PoolStats::waiting));
  registry.counter_callback("ticketly_db_pool_acquired_total", "Database connections handed out.", labels,
                            read(&PoolStats::acquired_total));
  registry.counter_callback("ticketly_db_pool_acquire_timeouts_total",
                            "Acquires that gave up waiting for a database connection.", labels,
                            read(&PoolStats::acquire_timeouts_total));
  registry.counter_callback("ticketly_db_pool_connect_errors_total", "Failed attempts to open a database connection.",
                            labels, read(&PoolStats::connect_errors_total));
}

}  // namespace ticketly::db
