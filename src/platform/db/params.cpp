#include "platform/db/params.h"

#include <cmath>
#include <cstdio>

namespace ticketly::db {

std::string format_timestamp(std::chrono::sys_time<std::chrono::microseconds> t) {
  using namespace std::chrono;
  if (t == sys_time<microseconds>::max()) return "infinity";
  if (t == sys_time<microseconds>::min()) return "-infinity";
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[64];
  // An explicit `Z` makes the text unambiguous whatever the session's TimeZone is.
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()),
                        static_cast<long long>(hms.subseconds().count()));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  (void)ec;
  return std::string(buf, end);
}

std::string array_literal(const std::vector<Encoded>& elements) {
  std::string out = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i) out.push_back(',');
    const auto& e = elements[i];
    if (!e) {
      out += "NULL";
      continue;
    }
    // Always quoting is simpler than deciding when quotes are needed (empty strings,
    // "NULL", spaces, commas, braces) and the server accepts it for every element type.
    out.push_back('"');
    for (char c : *e) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace ticketly::db
