#pragma once
// Money on the wire is a JSON number in major units with at most two decimals (LKR);
// inside it is integer cents, so sums never drift.
#include <cmath>
#include <optional>
#include <string>

#include "services/event_command/domain/model.h"

namespace ticketly::event_command {

// Largest price or amount accepted: 100 million LKR.
inline constexpr double kMaxMoney = 100'000'000.0;

// Cents for a major-unit amount, or nullopt when it is negative, too large, not finite,
// or has more than two decimals (1.005 would round silently).
inline std::optional<Cents> to_cents(double major) {
  if (!std::isfinite(major) || major < 0 || major > kMaxMoney) return std::nullopt;
  double scaled = major * 100.0;
  double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-6) return std::nullopt;
  return static_cast<Cents>(rounded);
}

inline double to_major(Cents cents) { return static_cast<double>(cents) / 100.0; }

}  // namespace ticketly::event_command
