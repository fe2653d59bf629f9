#include "services/event_query/model/json_fields.h"

#include <cmath>
#include <stdexcept>

namespace ticketly::event_query::fields {

namespace {
[[noreturn]] void bad(std::string_view key, std::string_view what) {
  throw std::invalid_argument("field '" + std::string(key) + "' " + std::string(what));
}
}  // namespace

const Json* find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> opt_str(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) bad(key, "must be a string");
  return v->get<std::string>();
}

std::string str(const Json& object, std::string_view key) {
  auto v = opt_str(object, key);
  if (!v) bad(key, "is required");
  return *v;
}

std::optional<Uuid> opt_uuid(const Json& object, std::string_view key) {
  auto s = opt_str(object, key);
  if (!s || s->empty()) return std::nullopt;
  auto u = Uuid::parse(*s);
  if (!u) bad(key, "must be a UUID");
  return u;
}

Uuid uuid(const Json& object, std::string_view key) {
  auto u = opt_uuid(object, key);
  if (!u) bad(key, "is required");
  return *u;
}

std::int64_t integer(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v || !v->is_number()) bad(key, "must be a number");
  if (v->is_number_float()) return static_cast<std::int64_t>(v->get<double>());
  return v->get<std::int64_t>();
}

std::optional<double> opt_number(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) bad(key, "must be a number");
  return v->get<double>();
}

std::optional<Timestamp> opt_time(const Json& object, std::string_view key) {
  auto s = opt_str(object, key);
  if (!s || s->empty()) return std::nullopt;
  auto t = parse_iso8601(*s);
  if (!t) bad(key, "must be an ISO-8601 time");
  return t;
}

Timestamp time(const Json& object, std::string_view key) {
  auto t = opt_time(object, key);
  if (!t) bad(key, "is required");
  return *t;
}

std::int64_t cents(double major) { return std::llround(major * 100.0); }

std::int64_t cents_of(const Json& object, std::string_view key) {
  auto v = opt_number(object, key);
  return v ? cents(*v) : 0;
}

Json money(std::int64_t c) {
  if (c % 100 == 0) return Json(c / 100);
  return Json(static_cast<double>(c) / 100.0);
}

const Json& array(const Json& object, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json* v = find(object, key);
  if (!v) return kEmpty;
  if (!v->is_array()) bad(key, "must be an array");
  return *v;
}

}  // namespace ticketly::event_query::fields
