#pragma once
// ObjectReader: strict, field-level access to a JSON request object. Every
// failure throws ticketly::Error(400) with a message naming the field, so a
// handler reads its DTO top to bottom and never produces a 500 for bad input.
//
//   json::ObjectReader r(body);
//   auto name = r.required_string("name", {.max = 100});
//   auto website = r.optional_string("website");
//   auto id = r.required_uuid("organizationId");
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::json {

struct Length {
  std::size_t min = 0;
  std::size_t max = 10000;
  bool trim = true;  // leading/trailing whitespace removed before the checks
};

class ObjectReader {
 public:
  // `path` prefixes field names in messages ("sessions[2].startTime").
  explicit ObjectReader(const Json& value, std::string path = "");

  bool has(std::string_view key) const;  // present and not null

  std::string required_string(std::string_view key, Length len = {}) const;
  std::optional<std::string> optional_string(std::string_view key, Length len = {}) const;

  Uuid required_uuid(std::string_view key) const;
  // Absent, null, and "" all mean "no id" (the web client sends "" for none).
  std::optional<Uuid> optional_uuid(std::string_view key) const;

  std::int64_t required_int(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optional_int(std::string_view key, std::int64_t min, std::int64_t max) const;

  double required_number(std::string_view key, double min, double max) const;
  std::optional<double> optional_number(std::string_view key, double min, double max) const;

  bool required_bool(std::string_view key) const;
  std::optional<bool> optional_bool(std::string_view key) const;

  Timestamp required_time(std::string_view key) const;
  std::optional<Timestamp> optional_time(std::string_view key) const;

  // One of `allowed` (case-sensitive), e.g. an enum name.
  std::string required_enum(std::string_view key, const std::vector<std::string_view>& allowed) const;

  ObjectReader required_object(std::string_view key) const;
  // The array itself; `max_items` bounds list lengths from clients.
  const Json& required_array(std::string_view key, std::size_t max_items) const;
  const Json* optional_array(std::string_view key, std::size_t max_items) const;

  std::vector<Uuid> uuid_list(std::string_view key, std::size_t max_items, bool required) const;

  const Json& raw() const { return value_; }
  std::string field(std::string_view key) const;  // "path.key" for messages

 private:
  const Json* find(std::string_view key) const;  // nullptr when absent or null
  const Json& require(std::string_view key) const;

  const Json& value_;
  std::string path_;
};

}  // namespace ticketly::json
