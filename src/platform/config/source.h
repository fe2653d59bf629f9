#pragma once
// Where settings come from: the process environment, over an optional file of
// KEY=VALUE lines named by TICKETLY_CONFIG_FILE (the environment wins).
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ticketly::config {

class Source {
 public:
  // Reads the environment and, when TICKETLY_CONFIG_FILE is set, that file.
  // Throws std::runtime_error when the file cannot be read or has a bad line.
  static Source from_environment();
  static Source from_map(std::map<std::string, std::string> values) { return Source(std::move(values)); }
  // Parses KEY=VALUE lines; `#` comments, blank lines, optional `export `, and
  // single or double quotes around the value.
  static std::map<std::string, std::string> parse_file(std::string_view text, std::string_view origin);

  std::optional<std::string> get(std::string_view key) const;
  Source with(std::string key, std::string value) const;  // a copy with one value overridden

 private:
  explicit Source(std::map<std::string, std::string> values) : values_(values.begin(), values.end()) {}
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace ticketly::config
