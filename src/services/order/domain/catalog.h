#pragma once
// The catalog as the order service needs it, parsed from the event-command snapshots of
// docs/EVENTS.md (`ticketly.catalog.events`, `ticketly.catalog.organizations`). Pure: no
// I/O. Parsing is strict about what selling depends on (ids, prices, tiers) and lenient
// about the rest, and reports a malformed snapshot with std::invalid_argument.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"
#include "services/order/domain/money.h"

namespace ticketly::order {

struct Tier {
  Uuid id;
  std::string name;
  std::string color;
  Money price;
};

enum class DiscountType { Percentage, FlatOff, BuyNGetNFree };

struct Discount {
  Uuid id;
  std::string code;
  DiscountType type = DiscountType::Percentage;
  double percentage = 0;              // PERCENTAGE: 0..100
  std::optional<Money> min_spend;     // PERCENTAGE, FLAT_OFF
  std::optional<Money> max_discount;  // PERCENTAGE
  Money amount;                       // FLAT_OFF
  int buy_quantity = 0;               // BUY_N_GET_N_FREE
  int get_quantity = 0;
  std::optional<std::int64_t> max_usage;  // null: unlimited
  bool active = false;
  bool is_public = false;
  std::optional<Timestamp> active_from;
  std::optional<Timestamp> expires_at;
  std::vector<Uuid> tier_ids;     // empty: every tier
  std::vector<Uuid> session_ids;  // empty: every session
};

// A sellable seat: it has a tier of the event and the layout does not reserve it.
struct CatalogSeat {
  Uuid id;
  std::string label;
  Uuid tier_id;
  std::string block_id;
  std::string block_name;
  std::string block_type;
};

struct CatalogSession {
  Uuid id;
  std::string status;  // SCHEDULED | ON_SALE | SOLD_OUT | CLOSED | CANCELLED
  std::string session_type;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::optional<Timestamp> sales_start;
  std::vector<CatalogSeat> seats;  // sellable seats only, in layout order
  // Fingerprint of the sellable layout (seat ids, labels, tiers): tells a layout change
  // from a status or price change.
  std::string layout_hash;
};

struct CatalogEvent {
  Uuid id;
  std::int64_t version = 0;
  std::string status;  // PENDING | APPROVED | REJECTED | COMPLETED
  std::string title;
  std::string owner_id;
  Uuid organization_id;
  std::string organization_name;
  std::vector<Tier> tiers;
  std::vector<CatalogSession> sessions;
  std::vector<Discount> discounts;

  const Tier* tier(const Uuid& id) const;
  const CatalogSession* session(const Uuid& id) const;
  const Discount* discount(const Uuid& id) const;
};

struct StaffMember {
  std::string user_id;
  std::vector<std::string> roles;
  bool active = false;
};

struct CatalogOrganization {
  Uuid id;
  std::int64_t version = 0;
  std::string name;
  std::string owner_id;
  std::vector<StaffMember> staff;

  bool is_owner(std::string_view user_id) const { return !owner_id.empty() && owner_id == user_id; }
  // An active member holding `role` (e.g. "SCANNER").
  bool has_active_role(std::string_view user_id, std::string_view role) const;
};

// "CANCELED" -> "CANCELLED", "PENDING" -> "SCHEDULED" (API.md §0 accepts both on input).
std::string normalize_session_status(std::string status);

// {"type":"EventSnapshot","version":…,"event":{…}}; throws std::invalid_argument.
CatalogEvent parse_event_snapshot(const json::Json& message);
// {"type":"OrganizationSnapshot","version":…,"organization":{…}}; throws std::invalid_argument.
CatalogOrganization parse_organization_snapshot(const json::Json& message);

// The snapshot message without the sessions' layouts: what the order database keeps per
// event (the sellable seats live in their own table). parse_event_snapshot reads it back.
json::Json strip_layouts(const json::Json& message);

}  // namespace ticketly::order
