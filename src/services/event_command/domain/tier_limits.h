#pragma once
// What a user's plan allows (API.md §1 "Tier limits"), from the token's /Tiers/… group,
// and the fixed limits on images.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ticketly::event_command {

struct TierLimits {
  std::string_view tier;
  std::int64_t max_organizations_per_user;
  std::int64_t max_seating_layouts_per_org;
  std::int64_t max_active_events;  // per organization: PENDING or APPROVED at once
  std::int64_t max_sessions_per_event;
};

inline constexpr TierLimits kTierLimits[] = {
    {"FREE", 3, 5, 1, 5},
    {"PRO", 10, 25, 10, 52},
    {"ENTERPRISE", 100, 200, 1000, 200},
};

// The limits of `tier`; an unknown tier gets FREE's.
const TierLimits& limits_for(std::string_view tier);

inline constexpr std::size_t kMaxLogoBytes = 1u << 20;        // 1 MiB
inline constexpr std::size_t kMaxCoverPhotos = 5;
inline constexpr std::size_t kMaxCoverPhotoBytes = 5u << 20;  // 5 MiB
inline constexpr std::size_t kMaxStaffPerOrganization = 200;

}  // namespace ticketly::event_command
