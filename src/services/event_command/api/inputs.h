#pragma once
// Request DTOs of API.md §1 read into domain values, with field-level 400s. Shared by
// the event-creation path and the per-resource routes, so both validate the same way.
#include <string>
#include <unordered_set>
#include <vector>

#include "platform/json/reader.h"
#include "services/event_command/domain/layout.h"
#include "services/event_command/domain/model.h"

namespace ticketly::event_command::api {

inline constexpr std::size_t kMaxTiersPerEvent = 50;
inline constexpr std::size_t kMaxDiscountsPerEvent = 100;
inline constexpr std::size_t kMaxSessionsPerRequest = 200;

// {id?, name, color "#RRGGBB", price ≥ 0}; the id is kept when it is a valid UUID.
Tier read_tier(const Json& value, const std::string& path);
// venueDetails {name?, address?, latitude?, longitude?, onlineLink?}
Venue read_venue(const Json& value, const std::string& path);
// {startTime, endTime, salesStartTime}, with the schedule rules checked; `path` names the
// object in messages ("sessions[1]", or "" for a body).
Schedule read_schedule(const json::ObjectReader& r, const std::string& path, Timestamp now);

struct SessionInput {
  Session session;
  NormalizedLayout layout;
};
// SessionRequest {id?, startTime, endTime, salesStartTime, sessionType, venueDetails, layoutData}.
SessionInput read_session(const Json& value, const std::string& path, const std::unordered_set<Uuid>& tier_ids,
                          std::size_t max_seats, Timestamp now);

// Discount {id?, code, parameters, maxUsage?, active?, public?, activeFrom?, expiresAt?,
// applicableTierIds?, applicableSessionIds?} (also isActive / isPublic).
Discount read_discount(const Json& value, const std::string& path, const Uuid& event_id);

// description ≤ 5000 and overview ≤ 50000 characters.
inline constexpr json::Length kDescriptionLength{.max = 5000};
inline constexpr json::Length kOverviewLength{.max = 50000, .trim = false};
inline constexpr json::Length kTitleLength{.min = 3, .max = 255};

// A UUID from an "id" field when valid, else a new one (client ids are kept when valid).
Uuid client_id_or_new(const json::ObjectReader& r);

}  // namespace ticketly::event_command::api
