#pragma once
// Timestamps are UTC system_clock time points inside; ISO-8601 with `Z` on the wire.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ticketly {

using Clock = std::chrono::system_clock;
using Timestamp = Clock::time_point;

// "2026-11-26T20:39:19Z", or with milliseconds: "2026-11-26T20:39:19.123Z".
std::string format_iso8601(Timestamp t, bool millis = false);

// Accepts "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by `Z`, `±HH:MM`, `±HHMM`, or
// nothing (read as UTC, as the web client's date pickers send local-less values).
// A space instead of `T` is accepted too. Returns nullopt on anything else,
// including impossible dates (2026-02-30) and instants a Timestamp cannot hold (before
// 1677-09-22 or after 2262-04-10, roughly: 64-bit nanoseconds).
std::optional<Timestamp> parse_iso8601(std::string_view text);

// Days since 1970-01-01 for a civil date (proleptic Gregorian), and back.
long long days_from_civil(int y, unsigned m, unsigned d);

}  // namespace ticketly
