#pragma once
// The projection: bus messages → the read model (docs/EVENTS.md is the input contract).
// Every apply runs in one transaction that also announces the change on the
// `event_query_changes` channel, so every replica (ChangeListener) drops its cached
// responses and fans seat changes out to its own SSE subscribers.
//
// Idempotent and order-insensitive: snapshots carry versions (an older or repeated one
// changes nothing), seat updates carry the per-session `seq` (kept per seat).
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/bus/bus.h"
#include "platform/db/database.h"
#include "platform/json/json.h"

namespace ticketly::bus {
class ConsumerRuntime;
}

namespace ticketly::event_query {

namespace asio = boost::asio;

// Topics this service consumes.
inline constexpr std::string_view kEventsTopic = "ticketly.catalog.events";
inline constexpr std::string_view kCategoriesTopic = "ticketly.catalog.categories";
inline constexpr std::string_view kSeatStatusTopic = "ticketly.seats.status";
inline constexpr std::string_view kOrderTopics[] = {"ticketly.order.created", "ticketly.order.updated",
                                                    "ticketly.order.cancelled"};
// The NOTIFY channel of the read model's changes.
inline constexpr std::string_view kChangesChannel = "event_query_changes";

class Projector {
 public:
  explicit Projector(db::Database& db) : db_(db) {}

  // Dispatches on the topic; throws std::invalid_argument for a payload that breaks the
  // contract (the consumer retries, then dead-letters it).
  asio::awaitable<void> apply(const bus::Message& message);

  asio::awaitable<void> apply_event_message(const json::Json& payload);
  asio::awaitable<void> apply_category_message(const json::Json& payload);
  asio::awaitable<void> apply_seat_status(const json::Json& payload);
  asio::awaitable<void> apply_order(const json::Json& payload);
  // Order snapshots of one topic partition (the consumer's batch handler): one statement and
  // one transaction for all; throws like apply() if any payload breaks the contract (the
  // consumer then applies them one by one).
  asio::awaitable<void> apply_orders(const std::vector<bus::Message>& messages);
  // Seat-status messages of one partition (one session's, in order), in one transaction:
  // each applied as apply_seat_status would, with one commit for the burst.
  asio::awaitable<void> apply_seat_statuses(const std::vector<bus::Message>& messages);

  // Registers the handlers of every topic above (the service and rebuild-read-model).
  void subscribe(bus::ConsumerRuntime& consumer);

 private:
  db::Database& db_;
};

// NOTIFY payloads (each < 8000 bytes: seat lists are split).
std::string catalog_change_payload(std::string_view event_id);
// Sessions whose seating map changed other than by seat status (layout, tiers, removal):
// their stream subscribers get RESYNC.
std::vector<std::string> map_change_payloads(const std::vector<std::string>& session_ids);
// Every cached response and every stream subscriber (after a rebuild of the read model).
std::string resync_all_payload();
// A seat change's payloads carry its `seq`: PostgreSQL delivers identical payloads of one
// transaction only once, and a batch may lock, release and lock the same seats again.
std::vector<std::string> seat_change_payloads(std::string_view session_id, std::string_view status, std::int64_t seq,
                                              const std::vector<std::string>& seat_ids);

}  // namespace ticketly::event_query
