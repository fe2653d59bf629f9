#include "services/order/inventory/releaser.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>

#include "platform/bus/outbox.h"
#include "services/order/events/messages.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::inventory {

using namespace std::chrono_literals;

struct Releaser::State {
  State(db::Database& db, runtime::IoPool& io, Inventory& inventory, events::CheckoutHub* hub)
      : db(db), io(io), inventory(inventory), hub(hub), timer(io.context(0)) {}

  db::Database& db;
  runtime::IoPool& io;
  Inventory& inventory;
  events::CheckoutHub* hub;
  asio::steady_timer timer;
  std::atomic<bool> started{false}, stopping{false};
  std::promise<void> finished;

  // In `tx`: releases `orders` (in sessions the fence lets us release in), publishes the
  // cancellations. Returns the cancelled orders.
  asio::awaitable<std::vector<Order>> release(db::Connection& tx, const std::vector<store::Expiring>& candidates,
                                              const std::string& reason, bool expired_only) {
    std::vector<Uuid> sessions;
    for (const auto& c : candidates) sessions.push_back(c.session_id);
    auto allowed = co_await release_step(tx, sessions, inventory.instance());
    std::sort(allowed.begin(), allowed.end());
    // Until this transaction has committed (the COMMIT goes with the last statement below),
    // loads do not trust the LOCKED states they read in these sessions.
    const ReleaseLog::Scope releasing(inventory.releases(), allowed);
    std::vector<Uuid> ids;
    for (const auto& c : candidates) {
      if (!std::binary_search(allowed.begin(), allowed.end(), c.session_id)) continue;
      ids.push_back(c.order_id);
      // Before the commit: from here on this process asks the database about these seats.
      if (auto inv = inventory.loaded(c.session_id)) inv->mark_free(c.seat_ids);
    }
    std::vector<Order> out;
    if (ids.empty()) co_return out;
    auto released = co_await store::release_orders(tx, ids, reason, expired_only);
    std::vector<bus::OutgoingMessage> messages;
    std::map<Uuid, std::pair<std::vector<Uuid>, std::int64_t>> freed;
    for (const auto& r : released) {
      auto order = co_await store::find_order(tx, r.order_id, false);
      if (!order) continue;
      messages.push_back(events::order_snapshot(events::kOrderCancelledTopic, *order));
      auto& entry = freed[r.session_id];
      entry.first.insert(entry.first.end(), r.seat_ids.begin(), r.seat_ids.end());
      entry.second = std::max(entry.second, r.seq);
      out.push_back(std::move(*order));
    }
    for (auto& [session, seats] : freed) {
      std::optional<Uuid> only;
      if (out.size() == 1) only = out.front().id;
      messages.push_back(events::seat_status(session, seats.first, "AVAILABLE", only, seats.second));
    }
    tx.commit_with_next();  // the last statement takes the COMMIT along
    co_await bus::publish_batch(tx, std::move(messages));
    co_return out;
  }

  void announce(const std::vector<Order>& orders) {
    if (!hub) return;
    for (const auto& o : orders) hub->publish(o);
  }

  asio::awaitable<std::size_t> sweep_once(int limit) {
    auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<Order>> {
      auto candidates = co_await store::lock_expired_orders(tx, limit);
      co_return co_await release(tx, candidates, "expired", true);
    };
    auto cancelled = co_await db.transaction(work);
    announce(cancelled);
    if (!cancelled.empty()) spdlog::debug("order sweeper: released {} expired hold(s)", cancelled.size());
    co_return cancelled.size();
  }

  static asio::awaitable<void> run(std::shared_ptr<State> self, std::chrono::milliseconds interval) {
    while (!self->stopping) {
      self->timer.expires_after(interval);
      boost::system::error_code ec;
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping) break;
      try {
        // Drain the backlog in batches, so a burst of expiries does not wait for the next tick.
        for (;;) {
          if (self->stopping) break;
          const std::size_t released = co_await self->sweep_once(500);
          if (released < 500) break;
        }
      } catch (const std::exception& e) {
        spdlog::warn("order sweeper: {}", e.what());
      }
    }
    self->finished.set_value();
  }
};

Releaser::Releaser(db::Database& db, runtime::IoPool& io, Inventory& inventory, events::CheckoutHub* hub)
    : state_(std::make_shared<State>(db, io, inventory, hub)) {}

Releaser::~Releaser() { stop(); }

asio::awaitable<std::optional<Order>> Releaser::cancel(const Uuid& order_id, const Uuid& session_id) {
  auto& s = *state_;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::vector<store::Expiring> candidates;
    bool fenced_elsewhere = false;
    auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<Order>> {
      fenced_elsewhere = false;
      auto order = co_await store::find_order(tx, order_id, false);
      std::vector<Order> none;
      if (!order || order->status != OrderStatus::Pending) co_return none;
      candidates = {store::Expiring{order->id, order->session_id, order->seat_ids()}};
      auto out = co_await s.release(tx, candidates, "cancelled", false);
      if (out.empty()) {
        // Either another process holds the fence, or the order stopped being pending.
        auto again = co_await store::find_order(tx, order_id, false);
        fenced_elsewhere = again && again->status == OrderStatus::Pending;
      }
      co_return out;
    };
    auto cancelled = co_await s.db.transaction(work);
    if (!cancelled.empty()) {
      s.announce(cancelled);
      co_return cancelled.front();
    }
    if (!fenced_elsewhere) co_return std::nullopt;
    // Another process trusts its memory for this session: ask it to let go, wait out its fence.
    auto wait = co_await want_fence(s.db, session_id, s.inventory.instance());
    if (wait) {
      asio::steady_timer timer(co_await asio::this_coro::executor, std::min<std::chrono::milliseconds>(*wait, 10s));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  throw unavailable("The order could not be cancelled right now; please try again");
}

asio::awaitable<std::size_t> Releaser::sweep_once(int limit) { co_return co_await state_->sweep_once(limit); }

void Releaser::start(std::chrono::milliseconds interval) {
  if (state_->started.exchange(true)) return;
  asio::co_spawn(state_->io.context(0), State::run(state_, interval), asio::detached);
}

void Releaser::stop() {
  if (!state_->started || state_->stopping.exchange(true)) return;
  if (state_->io.context(0).stopped()) return;
  auto finished = state_->finished.get_future();
  asio::post(state_->io.context(0), [s = state_] { s->timer.cancel(); });
  if (finished.wait_for(30s) != std::future_status::ready) spdlog::error("order sweeper did not stop");
}

}  // namespace ticketly::order::inventory
