#include "platform/json/reader.h"

#include <cmath>

#include "platform/errors.h"

namespace ticketly::json {
namespace {

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Length in characters, not bytes, so limits match what a user typed.
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

ObjectReader::ObjectReader(const Json& value, std::string path) : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw bad_request(path_.empty() ? "Request body must be a JSON object" : "'" + path_ + "' must be an object");
  }
}

std::string ObjectReader::field(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const Json* ObjectReader::find(std::string_view key) const {
  auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json& ObjectReader::require(std::string_view key) const {
  const Json* v = find(key);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

bool ObjectReader::has(std::string_view key) const { return find(key) != nullptr; }

std::string ObjectReader::required_string(std::string_view key, Length len) const {
  auto v = optional_string(key, len);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

std::optional<std::string> ObjectReader::optional_string(std::string_view key, Length len) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw bad_request("'" + field(key) + "' must be a string");
  std::string s = len.trim ? trimmed(v->get<std::string>()) : v->get<std::string>();
  std::size_t n = utf8_length(s);
  if (n < len.min) {
    throw bad_request(len.min == 1 ? "'" + field(key) + "' must not be blank"
                                   : "'" + field(key) + "' must be at least " + std::to_string(len.min) +
                                         " characters");
  }
  if (n > len.max) {
    throw bad_request("'" + field(key) + "' must be at most " + std::to_string(len.max) + " characters");
  }
  return s;
}

Uuid ObjectReader::required_uuid(std::string_view key) const {
  auto v = optional_uuid(key);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

std::optional<Uuid> ObjectReader::optional_uuid(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw bad_request("'" + field(key) + "' must be a UUID string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  auto id = Uuid::parse(s);
  if (!id) throw bad_request("'" + field(key) + "' must be a valid UUID");
  return id;
}

std::int64_t ObjectReader::required_int(std::string_view key, std::int64_t min, std::int64_t max) const {
  auto v = optional_int(key, min, max);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

std::optional<std::int64_t> ObjectReader::optional_int(std::string_view key, std::int64_t min,
                                                       std::int64_t max) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  std::int64_t n;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      throw bad_request("'" + field(key) + "' is out of range");
    }
    n = v->get<std::int64_t>();
  } else if (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>() &&
             std::fabs(v->get<double>()) < 9e15) {
    n = static_cast<std::int64_t>(v->get<double>());  // 3.0 is an integer to a JavaScript client
  } else {
    throw bad_request("'" + field(key) + "' must be an integer");
  }
  if (n < min || n > max) {
    throw bad_request("'" + field(key) + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

double ObjectReader::required_number(std::string_view key, double min, double max) const {
  auto v = optional_number(key, min, max);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

std::optional<double> ObjectReader::optional_number(std::string_view key, double min, double max) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) throw bad_request("'" + field(key) + "' must be a number");
  double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    auto fmt = [](double x) {
      std::string s = std::to_string(x);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    throw bad_request("'" + field(key) + "' must be between " + fmt(min) + " and " + fmt(max));
  }
  return d;
}

bool ObjectReader::required_bool(std::string_view key) const {
  auto v = optional_bool(key);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

std::optional<bool> ObjectReader::optional_bool(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw bad_request("'" + field(key) + "' must be true or false");
  return v->get<bool>();
}

Timestamp ObjectReader::required_time(std::string_view key) const {
  auto v = optional_time(key);
  if (!v) throw bad_request("'" + field(key) + "' is required");
  return *v;
}

std::optional<Timestamp> ObjectReader::optional_time(std::string_view key) const {
  const Json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw bad_request("'" + field(key) + "' must be an ISO-8601 timestamp string");
  auto t = parse_iso8601(v->get_ref<const std::string&>());
  if (!t) throw bad_request("'" + field(key) + "' must be an ISO-8601 timestamp such as 2026-05-01T18:30:00Z");
  return t;
}

std::string ObjectReader::required_enum(std::string_view key, const std::vector<std::string_view>& allowed) const {
  std::string s = required_string(key);
  for (auto a : allowed) {
    if (s == a) return s;
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw bad_request("'" + field(key) + "' must be one of: " + list);
}

ObjectReader ObjectReader::required_object(std::string_view key) const {
  return ObjectReader(require(key), field(key));
}

const Json& ObjectReader::required_array(std::string_view key, std::size_t max_items) const {
  const Json* a = optional_array(key, max_items);
  if (!a) throw bad_request("'" + field(key) + "' is required");
  return *a;
}

const Json* ObjectReader::optional_array(std::string_view key, std::size_t max_items) const {
  const Json* v = find(key);
  if (!v) return nullptr;
  if (!v->is_array()) throw bad_request("'" + field(key) + "' must be an array");
  if (v->size() > max_items) {
    throw bad_request("'" + field(key) + "' must have at most " + std::to_string(max_items) + " items");
  }
  return v;
}

std::vector<Uuid> ObjectReader::uuid_list(std::string_view key, std::size_t max_items, bool required) const {
  const Json* a = required ? &required_array(key, max_items) : optional_array(key, max_items);
  std::vector<Uuid> out;
  if (!a) return out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const Json& item = (*a)[i];
    auto id = item.is_string() ? Uuid::parse(item.get_ref<const std::string&>()) : std::nullopt;
    if (!id) throw bad_request("'" + field(key) + "[" + std::to_string(i) + "]' must be a valid UUID");
    out.push_back(*id);
  }
  return out;
}

}  // namespace ticketly::json
