#include "services/event_command/domain/tier_limits.h"

namespace ticketly::event_command {

const TierLimits& limits_for(std::string_view tier) {
  for (const auto& l : kTierLimits) {
    if (l.tier == tier) return l;
  }
  return kTierLimits[0];
}

}  // namespace ticketly::event_command
