#pragma once
// An EventSnapshot (docs/EVENTS.md, ticketly.catalog.events) taken apart into what the
// read model stores: the document itself plus the columns and rows search filters on.
// Pure: no I/O, unit-tested.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::event_query {

struct SessionRow {
  Uuid id;
  Timestamp start_time;
  std::optional<Timestamp> end_time;
  std::optional<Timestamp> sales_start_time;
  std::string status;
  std::string session_type;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::int64_t capacity = 0;  // sellable seats: with a tier and not RESERVED in the layout
  // The tiers this session's seats are sold in, with their prices (minor units).
  std::vector<std::pair<Uuid, std::int64_t>> prices;
  // Fingerprint of what its seating map shows besides live status (layout, the event's
  // tiers, whether the event is public at all): subscribers of its seat-status stream
  // re-fetch the map when it changes.
  std::string map_hash;
};

struct CategoryRef {
  Uuid id;
  std::string name;
  std::optional<Uuid> parent_id;
};

struct EventSnapshot {
  Uuid id;
  std::int64_t version = 0;
  std::string status;
  std::string owner_id;
  std::optional<Uuid> organization_id;
  std::optional<CategoryRef> category;
  std::string title;
  std::string description;
  std::optional<Timestamp> created_at;
  json::Json doc;  // the payload's "event" object, as received
  std::vector<SessionRow> sessions;
};

// Parses {"type":"EventSnapshot","version":…,"event":{…}}; std::invalid_argument when the
// payload breaks the contract.
EventSnapshot parse_event_snapshot(const json::Json& payload);

// Calls `fn(seat)` for every seat object of a layoutData document (grid rows and
// standing-capacity slots).
void for_each_seat(const json::Json& layout_data, const std::function<void(const json::Json&)>& fn);
void for_each_seat(json::Json& layout_data, const std::function<void(json::Json&)>& fn);

}  // namespace ticketly::event_query
