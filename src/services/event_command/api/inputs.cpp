#include "services/event_command/api/inputs.h"

#include "platform/errors.h"
#include "services/event_command/domain/discounts.h"
#include "services/event_command/domain/money.h"
#include "services/event_command/domain/session_rules.h"

namespace ticketly::event_command::api {
namespace {

bool hex_color(const std::string& s) {
  if (s.size() != 7 || s[0] != '#') return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool http_url(const std::string& s) {
  return (s.starts_with("http://") || s.starts_with("https://")) && s.size() > 8 &&
         s.find_first_of(" \t\r\n") == std::string::npos;
}

std::optional<bool> either_bool(const json::ObjectReader& r, std::string_view a, std::string_view b) {
  if (auto v = r.optional_bool(a)) return v;
  return r.optional_bool(b);
}

}  // namespace

Uuid client_id_or_new(const json::ObjectReader& r) {
  auto it = r.raw().find("id");
  if (it != r.raw().end() && it->is_string()) {
    if (auto id = Uuid::parse(it->get_ref<const std::string&>())) return *id;
  }
  return Uuid::random();
}

Tier read_tier(const Json& value, const std::string& path) {
  json::ObjectReader r(value, path);
  Tier t;
  t.id = client_id_or_new(r);
  t.name = r.required_string("name", {.min = 1, .max = 100});
  t.color = r.required_string("color", {.max = 7});
  if (!hex_color(t.color)) throw bad_request("'" + r.field("color") + "' must be a colour like #1A2B3C");
  auto cents = to_cents(r.required_number("price", 0, kMaxMoney));
  if (!cents) throw bad_request("'" + r.field("price") + "' must have at most two decimals");
  t.price = *cents;
  return t;
}

Venue read_venue(const Json& value, const std::string& path) {
  json::ObjectReader r(value, path);
  Venue v;
  v.name = r.optional_string("name", {.max = 200});
  v.address = r.optional_string("address", {.max = 500});
  v.latitude = r.optional_number("latitude", -90, 90);
  v.longitude = r.optional_number("longitude", -180, 180);
  v.online_link = r.optional_string("onlineLink", {.max = 2000});
  if (v.name && v.name->empty()) v.name.reset();
  if (v.address && v.address->empty()) v.address.reset();
  if (v.online_link && v.online_link->empty()) v.online_link.reset();
  if (v.online_link && !http_url(*v.online_link)) {
    throw bad_request("'" + r.field("onlineLink") + "' must be an http(s) URL");
  }
  return v;
}

Schedule read_schedule(const json::ObjectReader& r, const std::string& path, Timestamp now) {
  Schedule s{r.required_time("startTime"), r.required_time("endTime"), r.required_time("salesStartTime")};
  validate_schedule(s, now, path);
  return s;
}

SessionInput read_session(const Json& value, const std::string& path, const std::unordered_set<Uuid>& tier_ids,
                          std::size_t max_seats, Timestamp now) {
  json::ObjectReader r(value, path);
  SessionInput in;
  Session& s = in.session;
  s.id = client_id_or_new(r);
  s.schedule = read_schedule(r, path, now);
  s.type = *parse_session_type(r.required_enum("sessionType", {"PHYSICAL", "ONLINE"}));
  if (!r.has("venueDetails")) throw bad_request("'" + r.field("venueDetails") + "' is required");
  s.venue = read_venue(r.raw().at("venueDetails"), r.field("venueDetails"));
  validate_venue(s.type, s.venue, r.field("venueDetails"));
  if (!r.has("layoutData")) throw bad_request("'" + r.field("layoutData") + "' is required");
  LayoutRules rules{tier_ids, max_seats, s.type};
  in.layout = normalize_session_layout(r.raw().at("layoutData"), rules, r.field("layoutData"));
  s.layout = in.layout.data;
  return in;
}

Discount read_discount(const Json& value, const std::string& path, const Uuid& event_id) {
  json::ObjectReader r(value, path);
  Discount d;
  d.id = client_id_or_new(r);
  d.event_id = event_id;
  d.code = r.required_string("code", {.min = 1, .max = 50});
  if (!valid_discount_code(d.code)) {
    throw bad_request("'" + r.field("code") + "' must be 3 to 50 letters, digits, '-' or '_'");
  }
  if (!r.has("parameters")) throw bad_request("'" + r.field("parameters") + "' is required");
  d.parameters = read_parameters(r.raw().at("parameters"), r.field("parameters"));
  d.max_usage = r.optional_int("maxUsage", 1, 100'000'000);
  d.active = either_bool(r, "active", "isActive").value_or(true);
  d.is_public = either_bool(r, "public", "isPublic").value_or(false);
  d.active_from = r.optional_time("activeFrom");
  d.expires_at = r.optional_time("expiresAt");
  d.applicable_tier_ids = r.uuid_list("applicableTierIds", kMaxTiersPerEvent, false);
  d.applicable_session_ids = r.uuid_list("applicableSessionIds", kMaxSessionsPerRequest, false);
  return d;
}

}  // namespace ticketly::event_command::api
