#include "platform/config/reader.h"

#include <charconv>

#include "platform/text/ascii.h"

namespace ticketly::config {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error("invalid configuration:\n  " + join(problems, "\n  ")), problems_(std::move(problems)) {}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::chrono::milliseconds bare_unit) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  std::string_view unit(p, text.data() + text.size() - p);
  using namespace std::chrono;
  if (unit.empty()) return bare_unit * n;
  if (unit == "ms") return milliseconds(n);
  if (unit == "s") return seconds(n);
  if (unit == "m" || unit == "min") return minutes(n);
  if (unit == "h") return hours(n);
  return std::nullopt;
}

std::optional<std::size_t> parse_bytes(std::string_view text) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc()) return std::nullopt;
  std::string unit = text::ascii_lower(std::string_view(p, text.data() + text.size() - p));
  std::uint64_t mult;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1024;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1024 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1024ULL * 1024 * 1024;
  else return std::nullopt;
  if (n > UINT64_MAX / mult) return std::nullopt;
  return static_cast<std::size_t>(n * mult);
}

void Reader::problem(std::string_view key, std::string_view message) {
  problems_.push_back(std::string(key) + ": " + std::string(message));
}

void Reader::finish() const {
  if (!problems_.empty()) throw ConfigError(problems_);
}

std::string Reader::string(std::string_view key, std::string_view fallback) {
  auto v = source_.get(key);
  return v && !v->empty() ? *v : std::string(fallback);
}

std::optional<std::string> Reader::optional_string(std::string_view key) {
  auto v = source_.get(key);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

std::string Reader::required_string(std::string_view key, std::string_view hint) {
  auto v = optional_string(key);
  if (!v) {
    problem(key, "is required (" + std::string(hint) + ")");
    return {};
  }
  return *v;
}

std::int64_t Reader::integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto v = optional_string(key);
  if (!v) return fallback;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size()) {
    problem(key, "'" + *v + "' is not an integer");
    return fallback;
  }
  if (n < min || n > max) {
    problem(key, "'" + *v + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return n;
}

std::uint16_t Reader::port(std::string_view key, std::uint16_t fallback) {
  return static_cast<std::uint16_t>(integer(key, fallback, 0, 65535));
}

bool Reader::boolean(std::string_view key, bool fallback) {
  auto v = optional_string(key);
  if (!v) return fallback;
  auto s = text::ascii_lower(*v);
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  problem(key, "'" + *v + "' is not a boolean (true/false)");
  return fallback;
}

std::chrono::milliseconds Reader::duration(std::string_view key, std::chrono::milliseconds fallback,
                                           std::chrono::milliseconds bare_unit) {
  auto v = optional_string(key);
  if (!v) return fallback;
  auto d = parse_duration(*v, bare_unit);
  if (!d) {
    problem(key, "'" + *v + "' is not a duration (e.g. 250ms, 10s, 5m, 1h)");
    return fallback;
  }
  return *d;
}

std::size_t Reader::bytes(std::string_view key, std::size_t fallback, std::size_t min, std::size_t max) {
  auto v = optional_string(key);
  if (!v) return fallback;
  auto b = parse_bytes(*v);
  if (!b) {
    problem(key, "'" + *v + "' is not a size (e.g. 1048576, 512KiB, 1MiB)");
    return fallback;
  }
  if (*b < min || *b > max) {
    problem(key, "'" + *v + "' must be between " + std::to_string(min) + " and " + std::to_string(max) + " bytes");
    return fallback;
  }
  return *b;
}

std::string Reader::one_of(std::string_view key, std::string_view fallback, const std::vector<std::string_view>& allowed) {
  auto v = optional_string(key);
  if (!v) return std::string(fallback);
  for (auto a : allowed) {
    if (*v == a) return *v;
  }
  std::vector<std::string> names(allowed.begin(), allowed.end());
  problem(key, "'" + *v + "' must be one of: " + join(names, ", "));
  return std::string(fallback);
}

std::vector<std::string> Reader::list(std::string_view key, const std::vector<std::string>& fallback) {
  auto v = source_.get(key);
  if (!v) return fallback;
  std::vector<std::string> out;
  std::string_view rest = *v;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return out;
}

}  // namespace ticketly::config
