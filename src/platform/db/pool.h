#pragma once
// A connection pool bound to ONE io_context and used only from that context's thread,
// so it needs no locks (Database keeps one per worker). Connections are opened lazily up
// to `size`; when all are in use, acquirers queue first come, first served until
// `acquire_timeout`, then get a 503.
//
//   auto lease = co_await pool.acquire();        // db::Unavailable (503) on timeout
//   auto r = co_await lease->query("SELECT 1");
//   // the connection goes back to the pool when `lease` is destroyed
//
// A connection that comes back broken, mid-command or inside a transaction is closed
// rather than reused: a later user must never inherit someone else's transaction.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/db/connection.h"

namespace ticketly::db {

struct PoolOptions {
  std::string conninfo;
  std::size_t size = 8;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::milliseconds statement_timeout{0};  // 0: the server's default
  // Connections open_minimum() opens ahead of demand (at most `size`). Opening one costs
  // several round trips, and a new server process answers its first statements slowly;
  // the first burst of a sale should not pay for that (docs/ARCHITECTURE.md, "Round trips").
  std::size_t min_open = 0;
  // A statement run on every new connection before its first use, e.g. one that takes the
  // hot path's statements through a rolled-back transaction so that their plans and the
  // server's caches are ready (order_warm_up()). Empty: none. It must leave no data behind.
  // A failure is logged; the connection is used all the same unless it broke.
  std::string warm_up;
};

struct PoolStats {
  std::size_t size = 0;     // the configured maximum
  std::size_t open = 0;     // open or being opened
  std::size_t idle = 0;
  std::size_t in_use = 0;
  std::size_t waiting = 0;  // acquirers queued for a connection
  std::uint64_t acquired_total = 0;
  std::uint64_t acquire_timeouts_total = 0;
  std::uint64_t connect_errors_total = 0;

  PoolStats& operator+=(const PoolStats& o);
};

namespace detail {
struct PoolCore;

// The pool's figures as relaxed atomics, so metrics can read them from any thread while
// the owning worker updates them. Shared, so a scrape after the pool is gone is harmless.
struct PoolCounters {
  std::atomic<std::size_t> size{0}, open{0}, idle{0}, in_use{0}, waiting{0};
  std::atomic<std::uint64_t> acquired_total{0}, acquire_timeouts_total{0}, connect_errors_total{0};
  PoolStats snapshot() const;
};
}  // namespace detail

// Exclusive use of one pooled connection; gives it back when destroyed.
class Lease {
 public:
  Lease() = default;
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease() { release(); }

  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_.get(); }
  Connection& get() const { return *conn_; }
  explicit operator bool() const { return conn_ != nullptr; }

  // Gives the connection back now (the lease is empty afterwards).
  void release();

 private:
  friend struct detail::PoolCore;
  Lease(std::shared_ptr<detail::PoolCore> core, std::unique_ptr<Connection> conn)
      : core_(std::move(core)), conn_(std::move(conn)) {}

  std::shared_ptr<detail::PoolCore> core_;
  std::unique_ptr<Connection> conn_;
};

class Pool {
 public:
  Pool(asio::io_context& context, PoolOptions options);
  // Closes idle connections. Leases still out close theirs when they come back.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Must run on this pool's io_context. Throws db::Unavailable (a ticketly::Error 503)
  // when no connection frees up within acquire_timeout or the database cannot be reached.
  asio::awaitable<Lease> acquire();
  // Opens connections until `min_open` are open, and leaves them idle. Must run on this
  // pool's io_context; throws db::Unavailable when the database cannot be reached. Once
  // called or not, the pool reopens its minimum by itself whenever it drops below it
  // (connections lost in a database restart, or closed as unfit for reuse); while the
  // database is unreachable, from the first connection opened on demand after it returns.
  asio::awaitable<void> open_minimum();

  // Safe from any thread.
  PoolStats stats() const;
  std::shared_ptr<const detail::PoolCounters> counters() const;
  const PoolOptions& options() const;
  asio::io_context& context() const;

 private:
  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace ticketly::db
