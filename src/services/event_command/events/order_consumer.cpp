#include "services/event_command/events/order_consumer.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "platform/text/ascii.h"
#include "services/event_command/domain/money.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/store/catalog_store.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command {

namespace asio = boost::asio;

namespace {

std::optional<Uuid> uuid_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return Uuid::parse(it->get_ref<const std::string&>());
}

struct CompletedOrder {
  Uuid order_id;
  Uuid session_id;
  std::vector<Uuid> seat_ids;
  std::optional<Uuid> discount_id;
  Cents discount_amount = 0;
};

std::optional<CompletedOrder> completed_order(const Json& order) {
  if (!order.is_object()) return std::nullopt;
  if (!text::iequals_ascii(order.value("Status", ""), "completed")) return std::nullopt;
  auto order_id = uuid_field(order, "OrderID");
  auto session_id = uuid_field(order, "SessionID");
  if (!order_id || !session_id) {
    spdlog::warn("order.updated without OrderID/SessionID skipped");
    return std::nullopt;
  }
  CompletedOrder out{*order_id, *session_id, {}, uuid_field(order, "DiscountID"), 0};
  if (auto tickets = order.find("tickets"); tickets != order.end() && tickets->is_array()) {
    for (const auto& t : *tickets) {
      if (auto seat = t.is_object() ? uuid_field(t, "seat_id") : std::nullopt) out.seat_ids.push_back(*seat);
    }
  }
  if (auto amount = order.find("DiscountAmount"); amount != order.end() && amount->is_number()) {
    double v = amount->get<double>();
    if (std::isfinite(v) && v > 0) out.discount_amount = static_cast<Cents>(std::llround(v * 100));
  }
  return out;
}

std::optional<CompletedOrder> completed_order_of(const bus::Message& m) {
  Json order = Json::parse(m.payload, nullptr, false);
  if (order.is_discarded()) {
    spdlog::warn("order.updated message {} is not JSON; skipped", m.key);
    return std::nullopt;
  }
  return completed_order(order);
}

// After the orders counted for the first time are booked: discount use, sold-out
// sessions, and a new snapshot of the event when either changed it.
asio::awaitable<void> settle_event(db::Connection& tx, App& app, const Uuid& event_id,
                                   const std::vector<const CompletedOrder*>& orders) {
  bool publish = false;  // the snapshot carries discount usage and session status
  std::set<Uuid> sessions;
  for (const CompletedOrder* order : orders) {
    if (order->discount_id) {
      co_await store::count_discount_use(tx, event_id, *order->discount_id, order->discount_amount);
      publish = true;
    }
    sessions.insert(order->session_id);
  }
  for (const Uuid& session_id : sessions) {
    auto session = co_await store::find_session(tx, session_id);
    const bool sold_out = co_await store::sold_out(tx, session_id);
    if (session->status == SessionStatus::OnSale && sold_out) {
      co_await store::update_status(tx, session_id, SessionStatus::SoldOut);
      publish = true;
    }
  }
  if (publish) {
    co_await store::bump_event(tx, event_id);
    co_await publish_event(tx, app, event_id);
  }
}

// The completed orders among `messages`, in one transaction, with one statement per
// table for the whole burst (a burst is tens of orders under a sale). Events are locked
// first, in id order, so batches that run side by side (one per topic partition) never
// wait on each other in a cycle. A message that can never apply (not JSON, no ids) is
// logged and skipped rather than retried into the dead-letter topic.
asio::awaitable<void> apply_messages(App& app, std::span<const bus::Message> messages) {
  std::vector<CompletedOrder> orders;
  for (const auto& m : messages) {
    if (auto order = completed_order_of(m)) orders.push_back(std::move(*order));
  }
  if (orders.empty()) co_return;
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    std::vector<Uuid> session_ids;
    for (const auto& order : orders) session_ids.push_back(order.session_id);
    const auto event_of = co_await store::events_of_sessions(tx, session_ids);
    std::map<Uuid, std::vector<const CompletedOrder*>> by_event;
    std::vector<store::OrderToCount> to_count;
    for (const auto& order : orders) {
      auto it = event_of.find(order.session_id);
      if (it == event_of.end()) continue;  // the event is gone: nothing to keep current
      by_event[it->second].push_back(&order);
      to_count.push_back({order.order_id, order.session_id, order.discount_id});
    }
    for (const auto& entry : by_event) co_await store::find_event(tx, entry.first, true);
    auto fresh = co_await store::count_orders(tx, to_count);
    store::SeatSales sales;
    std::map<Uuid, std::vector<const CompletedOrder*>> fresh_by_event;
    for (const auto& [event_id, list] : by_event) {
      for (const CompletedOrder* order : list) {
        if (fresh.erase(order->order_id) == 0) continue;  // counted before, or named twice
        fresh_by_event[event_id].push_back(order);
        sales.add(order->session_id, order->seat_ids, order->order_id);
      }
    }
    co_await store::book_seats(tx, sales);
    for (const auto& [event_id, list] : fresh_by_event) co_await settle_event(tx, app, event_id, list);
  };
  co_await app.db.transaction(work);
}

}  // namespace

void register_order_consumer(App& app, bus::ConsumerRuntime& consumer) {
  consumer.on(
      std::string(topics::kOrderUpdated),
      [&app](const bus::Message& m) { return apply_messages(app, std::span<const bus::Message>(&m, 1)); },
      [&app](const std::vector<bus::Message>& batch) { return apply_messages(app, batch); });
}

}  // namespace ticketly::event_command
