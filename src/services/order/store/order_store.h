#pragma once
// SQL of orders, tickets and payments (migrations/order). Functions that take a
// db::Connection run inside the caller's transaction; those that take the Database run on
// their own. Every statement is prepared.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/database.h"
#include "platform/json/json.h"
#include "services/order/domain/order.h"

namespace ticketly::order::store {

namespace asio = boost::asio;

// ---- placing orders (order_place) ----

struct TakenSeat {
  Uuid seat_id;
  std::string state;  // LOCKED | BOOKED
};

struct PlaceResult {
  enum class Kind { Held, Taken, Stale, Limit, DiscountUsedUp } kind = Kind::Stale;
  std::int64_t seq = 0;
  std::vector<TakenSeat> taken;
};

// `requests`: the JSON array order_place() reads (see migrations/order/0002_functions.sql).
asio::awaitable<std::vector<PlaceResult>> place_orders(db::Connection& tx, const json::Json& requests);

// ---- reading ----

asio::awaitable<std::optional<Order>> find_order(db::Database& db, const Uuid& id, bool with_tickets);
asio::awaitable<std::optional<Order>> find_order(db::Connection& tx, const Uuid& id, bool with_tickets);
// Newest first, with tickets.
asio::awaitable<std::vector<Order>> orders_of_user(db::Database& db, const std::string& user_id, int limit);
// Tickets of completed orders.
asio::awaitable<std::int64_t> count_tickets(db::Database& db);
// The orders with these ids, in the given order, completed ones with their tickets.
asio::awaitable<std::vector<Order>> load_orders(db::Database& db, const std::vector<Uuid>& ids);
asio::awaitable<std::vector<Order>> load_orders(db::Connection& tx, const std::vector<Uuid>& ids);
// Decodes a row of `SELECT <ticket columns>` (order_store.cpp's TICKET_COLUMNS).
Ticket ticket_from_row(const db::Row& row);
// "t.id, t.order_id, …": the columns ticket_from_row reads, in its order.
extern const char* const kTicketColumns;

// ---- cancelling and expiring ----

struct Released {
  Uuid order_id;
  Uuid session_id;
  std::vector<Uuid> seat_ids;
  std::int64_t seq = 0;
};

// Pending orders whose hold has expired, locked for this transaction (SKIP LOCKED: replicas
// sweeping at the same time take different orders).
struct Expiring {
  Uuid order_id;
  Uuid session_id;
  std::vector<Uuid> seat_ids;
};
asio::awaitable<std::vector<Expiring>> lock_expired_orders(db::Connection& tx, int limit);

// Cancels the pending orders among `orders` (`expired_only`: only those past expires_at),
// frees their seats and gives back their discount use. Returns what it released.
asio::awaitable<std::vector<Released>> release_orders(db::Connection& tx, const std::vector<Uuid>& orders,
                                                      const std::string& reason, bool expired_only);

// ---- payments ----

// Records each intent on its order if the order is pending and has none, in one statement
// (group-committed: payments/intent_writer.h). One answer per intent, in their order: the
// order as stored after (its intent may be another caller's, if one won the race);
// nullopt if there is no such order. Callers sort by order id.
struct IntentToAttach {
  Uuid order_id;
  std::string intent_id;
  std::string client_secret;
};
asio::awaitable<std::vector<std::optional<Order>>> attach_payment_intents(db::Connection& tx,
                                                                         const std::vector<IntentToAttach>& intents);
asio::awaitable<std::string> client_secret_of(db::Database& db, const Uuid& order_id);

struct PayResult {
  std::string result;  // duplicate | unknown_order | already_completed | completed | refund
  std::int64_t seq = 0;
  bool reacquired = false;
  std::string reason;
  // Completed or refunded: the payment changed its order (which is then read back and published).
  bool changed_order() const { return result == "completed" || result == "refund"; }
};
// order_pay() over each element of `payments` in one statement (order_pay_all,
// migrations/order/0003); one result per payment, in order.
asio::awaitable<std::vector<PayResult>> apply_payments(db::Connection& tx, const json::Json& payments);

// Records a failed payment on a pending order (once per provider event). Returns the
// order's new version when it changed, nullopt for a duplicate or an order past pending.
asio::awaitable<std::optional<std::int64_t>> record_payment_failure(db::Connection& tx, const std::string& event_id,
                                                                    const std::string& intent_id,
                                                                    const Uuid& order_id);

struct Refund {
  Uuid id;
  Uuid order_id;
  std::string payment_intent_id;
  Money amount;
  std::string reason;
  int attempts = 0;
  std::string provider_refund_id;  // set once the provider accepted it but had not settled it
};
// Claims refunds that are due (all, or the one of `intent_id`) for one attempt: their
// next attempt moves a minute ahead, so another replica does not try them meanwhile.
asio::awaitable<std::vector<Refund>> claim_due_refunds(db::Database& db, int limit);
asio::awaitable<std::vector<Refund>> claim_refund_of_intent(db::Database& db, const std::string& intent_id);
// The provider confirmed: the refund is done and the order says so (returns its order id
// when the order changed).
asio::awaitable<std::optional<Uuid>> finish_refund(db::Connection& tx, const Refund& refund,
                                                   const std::string& provider_refund_id);
asio::awaitable<void> retry_refund_later(db::Database& db, const Refund& refund, const std::string& error);
// The provider accepted the refund and will settle it later: ask again after the backoff.
asio::awaitable<void> refund_pending_at_provider(db::Database& db, const Refund& refund,
                                                 const std::string& provider_refund_id);
// The money did not go back and retrying cannot help (the provider reports the refund
// failed, or every attempt did): the refund is `failed`, its order `refund_failed`, for
// an operator to settle. Returns the order when it changed.
asio::awaitable<std::optional<Uuid>> fail_refund(db::Connection& tx, const Refund& refund, const std::string& error);

// ---- check-in ----

struct CheckinTicket {
  Ticket ticket;
  Uuid session_id;
  Uuid event_id;
  Uuid organization_id;
  std::string order_status;
  bool session_called_off = false;  // cancelled or removed, or its event deleted
};
asio::awaitable<std::optional<CheckinTicket>> find_ticket(db::Database& db, const Uuid& ticket_id);
// Atomically marks the ticket used; nullopt when it already was (or does not exist).
asio::awaitable<std::optional<Ticket>> check_in(db::Connection& tx, const Uuid& ticket_id, const std::string& by);

// ---- decoding ----
std::vector<OrderItem> items_from_json(const json::Json& items);
json::Json items_to_json(const std::vector<OrderItem>& items);

}  // namespace ticketly::order::store
