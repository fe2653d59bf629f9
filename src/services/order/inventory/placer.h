#pragma once
// Placing an order (POST /api/order), the flash-sale hot path (DESIGN.md §3):
//
//   1. the session's in-memory inventory (loaded once): catalog checks — session on sale,
//      seats sellable, discount applicable — and the price, from the catalog only;
//   2. single flight: the seats are claimed in memory; a seat known taken is rejected
//      right here (session_inventory.h says when that is safe), a seat another request of
//      this process is asking for waits for that answer;
//   3. the hold: order_place() in a group-committed transaction (hold_writer.h), all seats
//      with the order and its outbox messages, or nothing.
//
// No call to another service. Catalog-based rejections are confirmed against the
// database's catalog version first (a newer snapshot may have arrived in another process).
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "platform/db/database.h"
#include "services/order/domain/order.h"
#include "services/order/events/checkout_hub.h"
#include "services/order/inventory/hold_writer.h"
#include "services/order/inventory/inventory.h"
#include "services/order/order_config.h"

namespace ticketly::order::inventory {

struct PlaceCommand {
  std::string user_id;
  Uuid event_id;
  Uuid session_id;
  Uuid organization_id;
  std::vector<Uuid> seat_ids;
  std::optional<Uuid> discount_id;
};

class Placer {
 public:
  Placer(db::Database& db, Inventory& inventory, HoldWriter& writer, const OrderConfig& config,
         events::CheckoutHub* hub = nullptr)
      : db_(db), inventory_(inventory), writer_(writer), config_(config), hub_(hub) {}

  // The pending order. Throws ticketly::Error: 400 (not on sale, not sellable, discount),
  // 404 (unknown session), 409 (a seat is taken; nothing held), 503 (busy database).
  // The held order, or (`unavailable`, a 409's message) why some seat is not available —
  // the everyday answer of a flash sale, so it is returned rather than thrown: unwinding
  // an exception per rejection cost ~5 % of the CPU of bench/order's race. Every other
  // refusal (400, 404, the pending limit, 503) is thrown as ticketly::Error.
  struct Outcome {
    std::optional<Order> order;
    std::string unavailable;
  };
  asio::awaitable<Outcome> place(const PlaceCommand& command);

 private:
  // Throws the catalog rejection, unless the catalog changed (then returns to retry).
  asio::awaitable<void> reject_unless_stale(const SessionCatalog& catalog, int status, std::string message);

  db::Database& db_;
  Inventory& inventory_;
  HoldWriter& writer_;
  const OrderConfig& config_;
  events::CheckoutHub* hub_;
};

}  // namespace ticketly::order::inventory
