#include "services/event_query/model/event_snapshot.h"

#include <map>
#include <stdexcept>

#include "platform/crypto/crypto.h"
#include "services/event_query/model/json_fields.h"
#include "services/event_query/model/views.h"

namespace ticketly::event_query {

namespace {

template <class J, class F>
void visit_seats(J& layout_data, const F& fn) {
  if (!layout_data.is_object()) return;
  auto layout = layout_data.find("layout");
  if (layout == layout_data.end() || !layout->is_object()) return;
  auto blocks = layout->find("blocks");
  if (blocks == layout->end() || !blocks->is_array()) return;
  for (auto& block : *blocks) {
    if (!block.is_object()) continue;
    if (auto rows = block.find("rows"); rows != block.end() && rows->is_array()) {
      for (auto& row : *rows) {
        if (!row.is_object()) continue;
        if (auto seats = row.find("seats"); seats != row.end() && seats->is_array()) {
          for (auto& seat : *seats) {
            if (seat.is_object()) fn(seat);
          }
        }
      }
    }
    if (auto seats = block.find("seats"); seats != block.end() && seats->is_array()) {
      for (auto& seat : *seats) {
        if (seat.is_object()) fn(seat);
      }
    }
  }
}

// API.md §0 accepts PENDING and CANCELED for sessions on input; everything past the
// parser (columns and the document the views are built from) sees the canonical names.
std::string canonical_session_status(std::string status) {
  if (status == "PENDING") return "SCHEDULED";
  if (status == "CANCELED") return "CANCELLED";
  return status;
}

// What the session's seating map shows besides live seat status: its layout and the
// event's tiers (views::seating_map), and whether it is shown at all (a public event).
// Hashed, since only equality matters.
std::string map_fingerprint(const json::Json& session, const std::string& tiers_text, bool shown) {
  const json::Json* layout = fields::find(session, "layoutData");
  const std::string layout_text = layout ? layout->dump() : std::string("null");
  return crypto::hex_encode(crypto::sha256((shown ? "shown\n" : "hidden\n") + tiers_text + '\n' + layout_text))
      .substr(0, 32);
}

SessionRow parse_session(const json::Json& s, const std::map<Uuid, std::int64_t>& tier_prices,
                         const std::string& tiers_text, bool shown) {
  SessionRow row;
  row.map_hash = map_fingerprint(s, tiers_text, shown);
  row.id = fields::uuid(s, "id");
  row.start_time = fields::time(s, "startTime");
  row.end_time = fields::opt_time(s, "endTime");
  row.sales_start_time = fields::opt_time(s, "salesStartTime");
  row.status = canonical_session_status(fields::opt_str(s, "status").value_or("SCHEDULED"));
  row.session_type = fields::opt_str(s, "sessionType").value_or("PHYSICAL");
  if (const auto* venue = fields::find(s, "venueDetails")) {
    row.latitude = fields::opt_number(*venue, "latitude");
    row.longitude = fields::opt_number(*venue, "longitude");
    if (!row.latitude || !row.longitude) row.latitude = row.longitude = std::nullopt;
  }
  std::map<Uuid, std::int64_t> used;
  if (const auto* layout = fields::find(s, "layoutData")) {
    for_each_seat(*layout, [&](const json::Json& seat) {
      auto tier = fields::opt_uuid(seat, "tierId");
      if (!tier) return;
      auto price = tier_prices.find(*tier);
      if (price == tier_prices.end()) return;  // a tier the event no longer has: not sellable
      // A RESERVED seat is never sold, so its tier must not make the session match a price filter.
      if (fields::opt_str(seat, "status").value_or("AVAILABLE") == "RESERVED") return;
      used.emplace(*tier, price->second);
      ++row.capacity;
    });
  }
  row.prices.assign(used.begin(), used.end());
  return row;
}

}  // namespace

void for_each_seat(const json::Json& layout_data, const std::function<void(const json::Json&)>& fn) {
  visit_seats(layout_data, fn);
}

void for_each_seat(json::Json& layout_data, const std::function<void(json::Json&)>& fn) {
  visit_seats(layout_data, fn);
}

EventSnapshot parse_event_snapshot(const json::Json& payload) {
  if (fields::opt_str(payload, "type").value_or("") != "EventSnapshot") {
    throw std::invalid_argument("not an EventSnapshot");
  }
  const json::Json* event = fields::find(payload, "event");
  if (!event || !event->is_object()) throw std::invalid_argument("field 'event' is required");
  EventSnapshot snap;
  snap.version = fields::integer(payload, "version");
  snap.id = fields::uuid(*event, "id");
  snap.status = fields::str(*event, "status");
  snap.owner_id = fields::opt_str(*event, "ownerId").value_or("");
  snap.title = fields::opt_str(*event, "title").value_or("");
  snap.description = fields::opt_str(*event, "description").value_or("");
  snap.created_at = fields::opt_time(*event, "createdAt");
  if (const auto* org = fields::find(*event, "organization")) snap.organization_id = fields::opt_uuid(*org, "id");
  if (const auto* cat = fields::find(*event, "category")) {
    if (auto id = fields::opt_uuid(*cat, "id")) {
      snap.category = CategoryRef{*id, fields::opt_str(*cat, "name").value_or(""), fields::opt_uuid(*cat, "parentId")};
    }
  }
  std::map<Uuid, std::int64_t> tier_prices;
  for (const auto& t : fields::array(*event, "tiers")) {
    tier_prices[fields::uuid(t, "id")] = fields::cents(fields::opt_number(t, "price").value_or(0));
  }
  const json::Json* tiers = fields::find(*event, "tiers");
  const std::string tiers_text = tiers ? tiers->dump() : std::string("null");
  for (const auto& s : fields::array(*event, "sessions")) {
    snap.sessions.push_back(parse_session(s, tier_prices, tiers_text, views::is_public_status(snap.status)));
  }
  // The views read these later; a malformed one must fail here (dead letter), not there.
  for (const auto& d : fields::array(*event, "discounts")) {
    fields::opt_time(d, "activeFrom");
    fields::opt_time(d, "expiresAt");
  }
  snap.doc = *event;
  if (auto sessions = snap.doc.find("sessions"); sessions != snap.doc.end() && sessions->is_array()) {
    for (auto& session : *sessions) {
      auto status = session.find("status");
      if (status != session.end() && status->is_string()) *status = canonical_session_status(status->get<std::string>());
    }
  }
  return snap;
}

}  // namespace ticketly::event_query
