#pragma once
// What the order service publishes (docs/EVENTS.md): seat status per session and order
// snapshots. Built here, written to the outbox in the transaction that made the change.
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "platform/bus/bus.h"
#include "services/order/domain/order.h"

namespace ticketly::order::events {

inline constexpr std::string_view kCatalogEventsTopic = "ticketly.catalog.events";
inline constexpr std::string_view kCatalogOrganizationsTopic = "ticketly.catalog.organizations";
inline constexpr std::string_view kSeatStatusTopic = "ticketly.seats.status";
inline constexpr std::string_view kOrderCreatedTopic = "ticketly.order.created";
inline constexpr std::string_view kOrderUpdatedTopic = "ticketly.order.updated";
inline constexpr std::string_view kOrderCancelledTopic = "ticketly.order.cancelled";

// {"type":"SeatStatus","session_id","seat_ids","status","order_id","seq","occurredAt"}, keyed by session.
// `seq` comes from the seat_status_seq sequence: it grows per seat and per session.
bus::OutgoingMessage seat_status(const Uuid& session, const std::vector<Uuid>& seats, std::string_view status,
                                 const std::optional<Uuid>& order, std::int64_t seq);

// One seat-status message per session for the seats a batch changed to one status (a
// group-committed batch of holds or payments): a burst costs one message per session
// instead of one per order. `order_id` is set only when one order changed them all.
class SeatStatusBatch {
 public:
  explicit SeatStatusBatch(std::string_view status) : status_(status) {}
  void add(const Uuid& session, const std::vector<Uuid>& seats, const Uuid& order, std::int64_t seq);
  std::vector<bus::OutgoingMessage> messages() const;

 private:
  struct Session {
    std::vector<Uuid> seats;
    std::vector<Uuid> orders;
    std::int64_t seq = 0;
  };
  std::string_view status_;
  std::map<Uuid, Session> sessions_;
};

// The order as GET /api/order/{id} shows it (without qr_code), plus "type":"OrderSnapshot"
// and "Version"; keyed by order id.
bus::OutgoingMessage order_snapshot(std::string_view topic, const Order& order);

}  // namespace ticketly::order::events
