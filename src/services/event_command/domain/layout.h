#pragma once
// Seating layouts (API.md "Seating map"): pure validation, expansion and normalization.
//
// A session's layoutData is stored normalized: every block, row and seat has a UUID
// (the client's when valid, else a new one; a repeated id is a 400), grids given as
// counts (the template form) are expanded into rows A…Z, AA… with seats "<column><row>",
// standing capacity becomes one "Slot N" seat per unit, and only the fields of the
// block's type are kept. Templates keep grids as counts and are shifted so that the
// smallest x and y equal the gap (25).
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "services/event_command/domain/model.h"

namespace ticketly::event_command {

inline constexpr double kLayoutGap = 25;
inline constexpr std::size_t kDefaultMaxSeatsPerSession = 100'000;
inline constexpr std::size_t kMaxBlocks = 500;
inline constexpr std::size_t kMaxGridRows = 702;     // A … ZZ
inline constexpr std::size_t kMaxGridColumns = 1000;
inline constexpr const char* kOnlineBlockName = "Online Attendees";

struct LayoutRules {
  std::unordered_set<Uuid> tier_ids;  // the event's tiers: every sellable seat needs one
  std::size_t max_seats = kDefaultMaxSeatsPerSession;
  SessionType session_type = SessionType::Physical;
};

struct NormalizedLayout {
  Json data;  // {"name": …, "layout": {"blocks": […]}}
  std::size_t seat_count = 0;
  std::size_t sellable_seats = 0;  // not RESERVED (and so with a tier)
  std::vector<Uuid> tier_ids;      // tiers the seats use, sorted
};

// Validates and normalizes a session's layoutData; `field` names it in messages.
// Throws ticketly::Error(400) with the path of the first problem.
NormalizedLayout normalize_session_layout(const Json& layout_data, const LayoutRules& rules,
                                          const std::string& field = "layoutData");

// Validates and normalizes a template's layoutData (grids stay counts).
Json normalize_template_layout(const Json& layout_data, std::size_t max_seats,
                               const std::string& field = "layoutData");

// Grid row labels: 0 → "A", 25 → "Z", 26 → "AA", 701 → "ZZ" (bijective base 26).
std::string row_label(std::size_t index);
// The inverse for 1–3 upper-case letters; nullopt otherwise.
std::optional<std::size_t> row_index(std::string_view label);

}  // namespace ticketly::event_command
