#pragma once
// Reader: typed access to settings that collects every problem instead of
// stopping at the first, so a bad deployment shows all its mistakes at once.
//
//   config::Reader r(source);
//   auto port = r.port("TICKETLY_PORT", 8088);
//   auto grace = r.duration("TICKETLY_SHUTDOWN_GRACE", std::chrono::seconds(10));
//   r.finish();  // throws ConfigError listing one line per bad value
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "platform/config/source.h"

namespace ticketly::config {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

class Reader {
 public:
  explicit Reader(const Source& source) : source_(source) {}

  std::string string(std::string_view key, std::string_view fallback);
  std::optional<std::string> optional_string(std::string_view key);
  std::string required_string(std::string_view key, std::string_view hint);
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  std::uint16_t port(std::string_view key, std::uint16_t fallback);
  bool boolean(std::string_view key, bool fallback);  // true/false, 1/0, yes/no, on/off
  // Durations: "250ms", "10s", "5m", "1h"; a bare number means `bare_unit`.
  std::chrono::milliseconds duration(std::string_view key, std::chrono::milliseconds fallback,
                                     std::chrono::milliseconds bare_unit = std::chrono::seconds(1));
  // Sizes: "1048576", "512KiB", "1MiB", "50MB" (MB = MiB here; say so in the docs).
  std::size_t bytes(std::string_view key, std::size_t fallback, std::size_t min, std::size_t max);
  std::string one_of(std::string_view key, std::string_view fallback, const std::vector<std::string_view>& allowed);
  std::vector<std::string> list(std::string_view key, const std::vector<std::string>& fallback);  // comma separated

  void problem(std::string_view key, std::string_view message);
  bool ok() const { return problems_.empty(); }
  void finish() const;  // throws ConfigError when any value was bad

 private:
  const Source& source_;
  std::vector<std::string> problems_;
};

// Parsers shared with tests; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::chrono::milliseconds bare_unit);
std::optional<std::size_t> parse_bytes(std::string_view text);

}  // namespace ticketly::config
