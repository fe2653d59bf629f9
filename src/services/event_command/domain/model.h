#pragma once
// The event-command domain: organizations, events and what they contain. Plain values;
// the store reads and writes them, the api maps them to JSON (api/dto.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::event_command {

using Json = nlohmann::json;
// Money in integer minor units (cents of LKR); JSON carries major units.
using Cents = std::int64_t;

enum class EventStatus { Pending, Approved, Rejected, Completed };
enum class SessionStatus { Scheduled, OnSale, SoldOut, Closed, Cancelled };
enum class SessionType { Physical, Online };
enum class DiscountType { Percentage, FlatOff, BuyNGetNFree };

std::string_view to_string(EventStatus s);
std::string_view to_string(SessionStatus s);
std::string_view to_string(SessionType t);
std::string_view to_string(DiscountType t);
// Exact wire names; session statuses also accept PENDING (= SCHEDULED) and CANCELED.
std::optional<EventStatus> parse_event_status(std::string_view s);
std::optional<SessionStatus> parse_session_status(std::string_view s);
std::optional<SessionType> parse_session_type(std::string_view s);
std::optional<DiscountType> parse_discount_type(std::string_view s);

inline constexpr SessionStatus kAllSessionStatuses[] = {SessionStatus::Scheduled, SessionStatus::OnSale,
                                                        SessionStatus::SoldOut, SessionStatus::Closed,
                                                        SessionStatus::Cancelled};

// An image stored for an organization (logo) or an event (cover photo).
struct ImageRef {
  Uuid id;
  std::string ext;  // jpg | png | gif | webp
  std::string file_name() const { return id.str() + "." + ext; }
};

struct Organization {
  Uuid id;
  std::string owner_id;
  std::string name;
  std::optional<std::string> website;
  std::optional<ImageRef> logo;
  std::int64_t version = 1;
  Timestamp created_at{};
  Timestamp updated_at{};
};

struct Member {
  Uuid id;
  Uuid organization_id;
  std::string user_id;
  std::string email;
  std::string name;
  std::vector<std::string> roles;
  bool active = true;
  Timestamp created_at{};
};

struct Category {
  Uuid id;
  std::string name;
  std::optional<Uuid> parent_id;
  std::int64_t version = 1;
};

struct Tier {
  Uuid id;
  std::string name;
  std::string color;  // #RRGGBB
  Cents price = 0;
};

struct Venue {
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::optional<std::string> online_link;
};

// {"name","address","latitude","longitude","onlineLink"}: absent values are null.
Json venue_to_json(const Venue& v);
// Reads a stored venue (trusted: wrong types are treated as absent).
Venue venue_from_json(const Json& j);

struct Schedule {
  Timestamp start{};
  Timestamp end{};
  Timestamp sales_start{};
};

struct Session {
  Uuid id;
  Uuid event_id;
  Schedule schedule;
  SessionType type = SessionType::Physical;
  SessionStatus status = SessionStatus::Scheduled;
  Venue venue;
  Json layout;  // normalized seating map {"name":…,"layout":{"blocks":[…]}}
};

struct DiscountParameters {
  DiscountType type = DiscountType::Percentage;
  double percentage = 0;               // PERCENTAGE: (0, 100]
  std::optional<Cents> min_spend;      // PERCENTAGE, FLAT_OFF
  std::optional<Cents> max_discount;   // PERCENTAGE
  Cents amount = 0;                    // FLAT_OFF
  std::int64_t buy_quantity = 0;       // BUY_N_GET_N_FREE
  std::int64_t get_quantity = 0;
};

struct Discount {
  Uuid id;
  Uuid event_id;
  std::string code;
  DiscountParameters parameters;
  std::optional<std::int64_t> max_usage;
  std::int64_t current_usage = 0;
  Cents discounted_total = 0;
  bool active = true;
  bool is_public = false;
  std::optional<Timestamp> active_from;
  std::optional<Timestamp> expires_at;
  std::vector<Uuid> applicable_tier_ids;
  std::vector<Uuid> applicable_session_ids;
};

struct Event {
  Uuid id;
  Uuid organization_id;
  Uuid category_id;
  std::string title;
  std::optional<std::string> description;
  std::optional<std::string> overview;
  EventStatus status = EventStatus::Pending;
  std::optional<std::string> rejection_reason;
  std::int64_t version = 1;
  Timestamp created_at{};
  Timestamp updated_at{};
};

// Everything a snapshot or an EventDetail shows, read in one transaction.
struct EventAggregate {
  Event event;
  Organization organization;
  Category category;
  std::optional<Category> parent_category;
  std::vector<ImageRef> cover_photos;
  std::vector<Tier> tiers;
  std::vector<Session> sessions;
  std::vector<Discount> discounts;
};

struct SeatingTemplate {
  Uuid id;
  Uuid organization_id;
  std::string name;
  Json layout;
  std::int64_t version = 1;
  Timestamp created_at{};
  Timestamp updated_at{};
};

}  // namespace ticketly::event_command
