#pragma once
// Queries of the read model behind the HTTP views (the projection writes, this reads).
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/database.h"
#include "platform/json/json.h"
#include "platform/types/uuid.h"

namespace ticketly::event_query {

namespace asio = boost::asio;

struct StoredEvent {
  std::string status;
  std::string owner_id;
  json::Json doc;
  // The cheapest seat on sale: the lowest price among the tiers that sellable seats (not
  // RESERVED) of its sessions not cancelled use, in minor units; none when nothing is for
  // sale. Thumbnails show it, and sort=price orders by the same rule.
  std::optional<std::int64_t> starting_price_cents;
  // The length of the document's JSON text as stored: what the document cache charges for
  // it (document_cache.h).
  std::size_t text_bytes = 0;
};

struct StoredOrder {
  std::string session_id;
  std::string status;
  std::int64_t subtotal_cents = 0;
  std::int64_t price_cents = 0;
  json::Json tickets;  // [{seat_id,tier_id,price_cents}]
};

struct Category {
  std::string id;
  std::string name;
  std::optional<std::string> parent_id;
  std::optional<std::string> parent_name;
};

class ReadStore {
 public:
  explicit ReadStore(db::Database& db) : db_(db) {}

  // The event (not deleted), whatever its status.
  asio::awaitable<std::optional<StoredEvent>> event(const Uuid& id);
  // Several events (not deleted) by id, in no particular order.
  asio::awaitable<std::vector<std::pair<Uuid, StoredEvent>>> events(const std::vector<Uuid>& ids);
  // The id of the event a session belongs to.
  asio::awaitable<std::optional<Uuid>> event_id_of_session(const Uuid& session_id);
  // Live seat states of a session: seat id (lowercase) → status.
  asio::awaitable<std::map<std::string, std::string>> seat_states(const Uuid& session_id);
  asio::awaitable<std::vector<Category>> categories(bool parents_only);
  // Sessions of public events.
  asio::awaitable<std::int64_t> session_count();
  // Orders of an event (all statuses).
  asio::awaitable<std::vector<StoredOrder>> orders_of_event(const Uuid& event_id);

  // Page views: adds one, returns the new count.
  asio::awaitable<std::int64_t> add_view(const Uuid& event_id);
  // Recomputes every public event's trending score; returns how many were scored.
  asio::awaitable<std::int64_t> recompute_trending();
  // When the scores were last computed (nullopt: never).
  asio::awaitable<std::optional<Timestamp>> trending_computed_at();
  // Ids of the top `limit` public events by score.
  asio::awaitable<std::vector<Uuid>> trending(std::int64_t limit);

 private:
  db::Database& db_;
};

}  // namespace ticketly::event_query
