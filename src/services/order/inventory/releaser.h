#pragma once
// Giving seats back: an owner cancelling a pending order (seats free at once) and the
// durable expiry sweep (orders.expires_at, swept with FOR UPDATE SKIP LOCKED, so several
// replicas sweep side by side without taking the same order). Both run the fence step
// first (fence.h) and turn the seats Free in this process's memory before they commit.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>

#include "platform/db/database.h"
#include "platform/runtime/io_pool.h"
#include "services/order/domain/order.h"
#include "services/order/events/checkout_hub.h"
#include "services/order/inventory/inventory.h"

namespace ticketly::order::inventory {

class Releaser {
 public:
  Releaser(db::Database& db, runtime::IoPool& io, Inventory& inventory, events::CheckoutHub* hub = nullptr);
  ~Releaser();

  // Cancels a pending order (the caller checked ownership). nullopt when it is no longer
  // pending. Waits (at most about one fence lease) when another process holds the
  // session's fence.
  asio::awaitable<std::optional<Order>> cancel(const Uuid& order_id, const Uuid& session_id);

  // Releases up to `limit` expired holds now; returns how many it released.
  asio::awaitable<std::size_t> sweep_once(int limit);

  // The periodic sweep, every `interval`, on worker 0.
  void start(std::chrono::milliseconds interval);
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ticketly::order::inventory
