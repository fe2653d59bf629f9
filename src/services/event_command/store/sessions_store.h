#pragma once
// SQL for sessions, their seating maps, and the sales view kept from completed orders.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "platform/db/connection.h"
#include "services/event_command/domain/layout.h"
#include "services/event_command/domain/model.h"
#include "services/event_command/store/paging.h"

namespace ticketly::event_command::store {

namespace asio = boost::asio;

// Throws 409 when the id is taken (a client id used before).
asio::awaitable<void> insert_session(db::Connection& c, const Session& s, const NormalizedLayout& layout);
asio::awaitable<std::vector<Session>> sessions_of_event(db::Connection& c, const Uuid& event_id);
asio::awaitable<std::optional<Session>> find_session(db::Connection& c, const Uuid& id);
// The event a session belongs to (to lock the event before changing the session).
asio::awaitable<std::optional<Uuid>> event_of_session(db::Connection& c, const Uuid& id);
asio::awaitable<std::vector<Uuid>> session_ids_of_event(db::Connection& c, const Uuid& event_id);
asio::awaitable<std::vector<SessionStatus>> session_statuses(db::Connection& c, const Uuid& event_id);
asio::awaitable<std::int64_t> count_sessions(db::Connection& c, const Uuid& event_id);
asio::awaitable<void> update_schedule(db::Connection& c, const Uuid& id, const Schedule& s);
asio::awaitable<void> update_status(db::Connection& c, const Uuid& id, SessionStatus status);
asio::awaitable<void> update_venue(db::Connection& c, const Uuid& id, SessionType type, const Venue& venue);
asio::awaitable<void> update_layout(db::Connection& c, const Uuid& id, const NormalizedLayout& layout);
asio::awaitable<void> delete_session(db::Connection& c, const Uuid& id);

// ---- the sales view (ticketly.order.updated) ----
// A burst of completed orders is applied with one statement per table, not one per order.
// The events of the sessions that still exist (session id -> event id).
asio::awaitable<std::unordered_map<Uuid, Uuid>> events_of_sessions(db::Connection& c,
                                                                   const std::vector<Uuid>& session_ids);
struct OrderToCount {
  Uuid order_id;
  Uuid session_id;
  std::optional<Uuid> discount_id;
};
// Records each order once; returns the ones not counted before (an order named twice
// is returned once).
asio::awaitable<std::unordered_set<Uuid>> count_orders(db::Connection& c, const std::vector<OrderToCount>& orders);
// The seats sold by counted orders, as three parallel columns.
struct SeatSales {
  std::vector<Uuid> session_ids, seat_ids, order_ids;
  void add(const Uuid& session_id, const std::vector<Uuid>& seats, const Uuid& order_id);
  bool empty() const { return seat_ids.empty(); }
};
asio::awaitable<void> book_seats(db::Connection& c, const SeatSales& sales);
// Every sellable seat of the session is booked (and it has some).
asio::awaitable<bool> sold_out(db::Connection& c, const Uuid& session_id);
asio::awaitable<std::vector<Uuid>> booked_seats(db::Connection& c, const Uuid& session_id);

// ---- analytics ----
struct StatusCount {
  SessionStatus status;
  std::int64_t count;
};
// Sessions of the organization (optionally of one event) by status.
asio::awaitable<std::vector<StatusCount>> session_counts(db::Connection& c, const Uuid& organization_id,
                                                         const std::optional<Uuid>& event_id);
struct SessionListing {
  Session session;  // without layout
  std::string event_title;
  EventStatus event_status = EventStatus::Pending;
  std::string category_name;
};
asio::awaitable<Page<SessionListing>> sessions_of_organization(db::Connection& c, const Uuid& organization_id,
                                                               const std::optional<SessionStatus>& status,
                                                               PageRequest page);

}  // namespace ticketly::event_command::store
