#include "platform/db/pool.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <vector>

namespace ticketly::db {

PoolStats& PoolStats::operator+=(const PoolStats& o) {
  size += o.size;
  open += o.open;
  idle += o.idle;
  in_use += o.in_use;
  waiting += o.waiting;
  acquired_total += o.acquired_total;
  acquire_timeouts_total += o.acquire_timeouts_total;
  connect_errors_total += o.connect_errors_total;
  return *this;
}

namespace detail {

PoolStats PoolCounters::snapshot() const {
  constexpr auto r = std::memory_order_relaxed;
  PoolStats s;
  s.size = size.load(r);
  s.open = open.load(r);
  s.idle = idle.load(r);
  s.in_use = in_use.load(r);
  s.waiting = waiting.load(r);
  s.acquired_total = acquired_total.load(r);
  s.acquire_timeouts_total = acquire_timeouts_total.load(r);
  s.connect_errors_total = connect_errors_total.load(r);
  return s;
}

struct PoolCore;

// An acquirer queued for a connection. It sleeps on its timer (expiring at its
// deadline); whoever frees a connection or a slot hands it over and cancels the timer.
struct Waiter {
  Waiter(PoolCore& core, asio::io_context& context) : core(core), timer(context) {}
  ~Waiter();
  PoolCore& core;
  asio::steady_timer timer;
  std::unique_ptr<Connection> conn;  // a connection handed over
  bool may_open = false;             // or a reserved slot to open one in
};

// The pool's state, shared with leases so that a lease outliving its Pool stays safe.
// Only touched on the pool's io_context thread (apart from `closed` and `counters`).
struct PoolCore : std::enable_shared_from_this<PoolCore> {
  PoolCore(asio::io_context& ctx, PoolOptions opts)
      : context(ctx), options(std::move(opts)), counters(std::make_shared<PoolCounters>()) {
    if (options.size == 0) options.size = 1;
    counters->size = options.size;
  }

  asio::io_context& context;
  PoolOptions options;
  std::atomic<bool> closed{false};
  std::vector<std::unique_ptr<Connection>> idle;  // most recently used last
  std::size_t open = 0;                           // idle + in use + being opened
  std::size_t in_use = 0;
  std::deque<Waiter*> waiters;
  std::shared_ptr<PoolCounters> counters;
  bool opening_minimum = false;  // open_minimum() is running (one at a time)

  void publish() {
    constexpr auto r = std::memory_order_relaxed;
    counters->open.store(open, r);
    counters->idle.store(idle.size(), r);
    counters->in_use.store(in_use, r);
    counters->waiting.store(waiters.size(), r);
  }

  Lease lease(std::unique_ptr<Connection> c) {
    ++in_use;
    counters->acquired_total.fetch_add(1, std::memory_order_relaxed);
    publish();
    return Lease(shared_from_this(), std::move(c));
  }

  void remove_waiter(Waiter* w) {
    auto it = std::find(waiters.begin(), waiters.end(), w);
    if (it != waiters.end()) waiters.erase(it);
  }

  // A slot became free: the first waiter may open a connection in it.
  void free_slot() {
    if (waiters.empty() || closed) return;
    Waiter* w = waiters.front();
    waiters.pop_front();
    ++open;  // reserved for w
    w->may_open = true;
    w->timer.cancel();
  }

  // Drops a connection that is lost or unfit for reuse.
  void discard(std::unique_ptr<Connection> c) {
    const bool had_one = c != nullptr;
    c.reset();
    --open;
    free_slot();
    publish();
    // Not after a failed connect: the database is unreachable, and the next connection
    // opened on demand (open_connection) starts the refill once it is back.
    if (had_one) refill();
  }

  std::size_t minimum() const { return std::min(options.min_open, options.size); }

  // Below the minimum after connections were lost (a database restart, an idle timeout)
  // or closed: opens it again in the background, so the next burst finds them ready.
  void refill() {
    if (opening_minimum || closed || open >= minimum()) return;
    asio::co_spawn(context, open_minimum_logged(shared_from_this()), asio::detached);
  }

  void give_back(std::unique_ptr<Connection> c) {
    --in_use;
    if (closed || !c->reusable()) {
      discard(std::move(c));
      return;
    }
    if (!waiters.empty()) {
      Waiter* w = waiters.front();
      waiters.pop_front();
      w->conn = std::move(c);
      w->timer.cancel();
    } else {
      idle.push_back(std::move(c));
    }
    publish();
  }

  ConnectOptions connect_options() const {
    return ConnectOptions{options.conninfo, options.connect_timeout, options.statement_timeout};
  }

  // Opens a connection in a slot already counted in `open`.
  asio::awaitable<Lease> open_connection() {
    std::unique_ptr<Connection> conn;
    std::string failure;
    try {
      conn = co_await Connection::connect(context.get_executor(), connect_options());
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!conn) {
      counters->connect_errors_total.fetch_add(1, std::memory_order_relaxed);
      discard(nullptr);
      // The details (host, user, server message) go to the log, not to API clients.
      spdlog::warn("database pool: {}", failure);
      throw Unavailable("cannot connect to the database");
    }
    if (!options.warm_up.empty()) {
      const bool usable = co_await warm_up(*conn);
      if (!usable) {
        discard(std::move(conn));
        throw Unavailable("the database connection broke while warming up");
      }
    }
    Lease leased = lease(std::move(conn));
    refill();  // the database answers again: the rest of the minimum may follow
    co_return leased;
  }

  // Runs PoolOptions::warm_up; false when the connection broke on the way.
  asio::awaitable<bool> warm_up(Connection& conn) {
    try {
      co_await conn.query(options.warm_up);
      co_return true;
    } catch (const std::exception& e) {
      spdlog::warn("database pool: warming up a new connection failed: {}", e.what());
    }
    co_return conn.reusable();
  }

  // Static, with the core as a parameter: the frame owns a reference from its creation.
  static asio::awaitable<Lease> acquire(std::shared_ptr<PoolCore> self);

  static asio::awaitable<void> open_minimum(std::shared_ptr<PoolCore> self) {
    if (self->opening_minimum) co_return;
    self->opening_minimum = true;
    struct Done {  // resets the flag however the loop ends
      bool& flag;
      ~Done() { flag = false; }
    } done{self->opening_minimum};
    // Holding every lease taken so far makes each acquire open a new connection until the
    // minimum is reached; they all go back to the idle list together.
    std::vector<Lease> leases;
    while (self->open < self->minimum() && !self->closed) leases.push_back(co_await acquire(self));
  }

  static asio::awaitable<void> open_minimum_logged(std::shared_ptr<PoolCore> self) {
    try {
      co_await open_minimum(self);
    } catch (const std::exception& e) {
      spdlog::warn("database pool: connections not reopened ahead of demand: {}", e.what());
    }
  }
};

Waiter::~Waiter() {
  // Only reached with state left when the coroutine is destroyed mid-wait (shutdown).
  core.remove_waiter(this);
  if (conn) {
    conn.reset();
    --core.open;
  }
  if (may_open) --core.open;
  core.publish();
}

asio::awaitable<Lease> PoolCore::acquire(std::shared_ptr<PoolCore> self) {
  PoolCore& core = *self;
  const auto deadline = std::chrono::steady_clock::now() + core.options.acquire_timeout;
  for (;;) {
    if (core.closed) throw Unavailable("the connection pool is closed");
    // Queued acquirers come first; idle connections only exist when nobody queues.
    if (core.waiters.empty()) {
      while (!core.idle.empty()) {
        auto c = std::move(core.idle.back());
        core.idle.pop_back();
        if (c->check_alive()) co_return core.lease(std::move(c));
        core.discard(std::move(c));
      }
      if (core.open < core.options.size) {
        ++core.open;
        core.publish();
        co_return co_await core.open_connection();
      }
    }

    Waiter w(core, core.context);
    w.timer.expires_at(deadline);
    core.waiters.push_back(&w);
    core.publish();
    boost::system::error_code ec;
    co_await w.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    core.remove_waiter(&w);
    core.publish();
    if (w.conn) {
      auto c = std::move(w.conn);
      if (c->check_alive()) co_return core.lease(std::move(c));
      core.discard(std::move(c));
      continue;
    }
    if (w.may_open) {
      w.may_open = false;
      co_return co_await core.open_connection();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      core.counters->acquire_timeouts_total.fetch_add(1, std::memory_order_relaxed);
      throw Unavailable("no connection free within " + std::to_string(core.options.acquire_timeout.count()) +
                        " ms (pool of " + std::to_string(core.options.size) + ")");
    }
  }
}

}  // namespace detail

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    core_ = std::move(other.core_);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

void Lease::release() {
  if (!conn_) return;
  auto core = std::move(core_);
  core->give_back(std::move(conn_));
}

Pool::Pool(asio::io_context& context, PoolOptions options)
    : core_(std::make_shared<detail::PoolCore>(context, std::move(options))) {}

Pool::~Pool() {
  core_->closed = true;
  core_->open -= core_->idle.size();
  core_->idle.clear();
  core_->publish();
}

asio::awaitable<Lease> Pool::acquire() { return detail::PoolCore::acquire(core_); }

asio::awaitable<void> Pool::open_minimum() { return detail::PoolCore::open_minimum(core_); }

PoolStats Pool::stats() const { return core_->counters->snapshot(); }

std::shared_ptr<const detail::PoolCounters> Pool::counters() const { return core_->counters; }

const PoolOptions& Pool::options() const { return core_->options; }

asio::io_context& Pool::context() const { return core_->context; }

}  // namespace ticketly::db
