#include "services/event_command/events/order_consumer.h"

#include <spdlog/spdlog.h>

#include <cmath>

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
  std::string status = order.value("Status", "");
  for (auto& c : status) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (status != "completed") return std::nullopt;
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

asio::awaitable<void> handle(App& app, const bus::Message& m) {
  Json order = Json::parse(m.payload, nullptr, false);
  if (order.is_discarded()) {
    spdlog::warn("order.updated message {} is not JSON; skipped", m.key);
    co_return;
  }
  co_await apply_order_update(app, order);
}

}  // namespace

void register_order_consumer(App& app, bus::ConsumerRuntime& consumer) {
  consumer.on(std::string(topics::kOrderUpdated), [&app](const bus::Message& m) { return handle(app, m); });
}

asio::awaitable<bool> apply_order_update(App& app, const Json& payload) {
  const auto order = completed_order(payload);
  if (!order) co_return false;
  auto work = [&](db::Connection& tx) -> asio::awaitable<bool> {
    auto event_id = co_await store::event_of_session(tx, order->session_id);
    if (!event_id) co_return false;  // the event is gone: nothing to keep current
    co_await store::find_event(tx, *event_id, true);  // one change of the aggregate at a time
    const bool first = co_await store::count_order(tx, order->order_id, order->session_id, order->discount_id);
    if (!first) co_return false;
    co_await store::book_seats(tx, order->session_id, order->seat_ids, order->order_id);
    // The snapshot carries each discount's currentUsage (the read side refuses used-up
    // codes) and each session's status: either change publishes a new version.
    bool changed = false;
    if (order->discount_id) {
      co_await store::count_discount_use(tx, *event_id, *order->discount_id, order->discount_amount);
      changed = true;
    }
    auto session = co_await store::find_session(tx, order->session_id);
    const bool sold_out = co_await store::sold_out(tx, order->session_id);
    if (session->status == SessionStatus::OnSale && sold_out) {
      co_await store::update_status(tx, order->session_id, SessionStatus::SoldOut);
      changed = true;
    }
    if (changed) {
      co_await store::bump_event(tx, *event_id);
      co_await publish_event(tx, app, *event_id);
    }
    co_return true;
  };
  co_return co_await app.db.transaction(work);
}

}  // namespace ticketly::event_command
