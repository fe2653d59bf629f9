#include "services/event_query/model/views.h"

#include <unordered_map>

#include "platform/text/ascii.h"
#include "services/event_query/model/event_snapshot.h"
#include "services/event_query/model/json_fields.h"

namespace ticketly::event_query::views {

namespace {

Json value_or_null(const Json& object, std::string_view key) {
  const Json* v = fields::find(object, key);
  return v ? *v : Json(nullptr);
}

bool contains_id(const Json& list, std::string_view id) {
  if (!list.is_array() || list.empty()) return true;  // empty = applies to all
  for (const auto& v : list) {
    if (v.is_string() && text::iequals_ascii(v.get_ref<const std::string&>(), id)) return true;
  }
  return false;
}

bool in_window(const Json& d, Timestamp now) {
  if (auto from = fields::opt_time(d, "activeFrom"); from && now < *from) return false;
  if (auto until = fields::opt_time(d, "expiresAt"); until && now >= *until) return false;
  return true;
}

bool has_uses_left(const Json& d) {
  const Json* max = fields::find(d, "maxUsage");
  if (!max || !max->is_number()) return true;
  const Json* used = fields::find(d, "currentUsage");
  const std::int64_t current = used && used->is_number() ? used->get<std::int64_t>() : 0;
  return current < max->get<std::int64_t>();
}

const Json& discounts_of(const Json& doc) { return fields::array(doc, "discounts"); }

}  // namespace

bool is_public_status(std::string_view status) { return status == "APPROVED" || status == "COMPLETED"; }

const Json* find_session(const Json& doc, std::string_view session_id) {
  for (const auto& s : fields::array(doc, "sessions")) {
    if (auto id = fields::opt_str(s, "id"); id && text::iequals_ascii(*id, session_id)) return &s;
  }
  return nullptr;
}

bool is_redeemable(const Json& d, Timestamp now, std::string_view session_id) {
  const Json* active = fields::find(d, "active");
  if (!active || !active->is_boolean() || !active->get<bool>()) return false;
  return in_window(d, now) && has_uses_left(d) && contains_id(fields::array(d, "applicableSessionIds"), session_id);
}

bool is_usable(const Json& d, Timestamp now, std::optional<std::string_view> session_id) {
  const Json* pub = fields::find(d, "public");
  if (!pub || !pub->is_boolean() || !pub->get<bool>()) return false;
  const Json* active = fields::find(d, "active");
  if (!active || !active->is_boolean() || !active->get<bool>()) return false;
  if (!in_window(d, now) || !has_uses_left(d)) return false;
  return !session_id || contains_id(fields::array(d, "applicableSessionIds"), *session_id);
}

Json discount(const Json& d) {
  return Json{{"id", value_or_null(d, "id")},
              {"code", value_or_null(d, "code")},
              {"parameters", value_or_null(d, "parameters")},
              {"maxUsage", value_or_null(d, "maxUsage")},
              {"currentUsage", d.value("currentUsage", Json(0))},
              {"active", d.value("active", Json(false))},
              {"public", d.value("public", Json(false))},
              {"activeFrom", value_or_null(d, "activeFrom")},
              {"expiresAt", value_or_null(d, "expiresAt")},
              {"applicableTierIds", fields::array(d, "applicableTierIds")},
              {"applicableSessionIds", fields::array(d, "applicableSessionIds")}};
}

Json tier(const Json& t) {
  return Json{{"id", value_or_null(t, "id")},
              {"name", value_or_null(t, "name")},
              {"color", value_or_null(t, "color")},
              {"price", t.value("price", Json(0))}};
}

Json venue(const Json& session) {
  static const Json kEmpty = Json::object();
  const Json* v = fields::find(session, "venueDetails");
  const Json& vd = v ? *v : kEmpty;
  Json location = nullptr;
  auto lat = fields::opt_number(vd, "latitude");
  auto lng = fields::opt_number(vd, "longitude");
  if (lat && lng) location = Json{{"type", "Point"}, {"coordinates", Json::array({*lng, *lat})}};
  return Json{{"name", value_or_null(vd, "name")},
              {"address", value_or_null(vd, "address")},
              {"onlineLink", value_or_null(vd, "onlineLink")},
              {"location", std::move(location)}};
}

Json basic_info(const Json& doc, Timestamp now) {
  static const Json kEmpty = Json::object();
  const Json* org = fields::find(doc, "organization");
  const Json* cat = fields::find(doc, "category");
  Json tiers = Json::array();
  for (const auto& t : fields::array(doc, "tiers")) tiers.push_back(tier(t));
  Json available = Json::array();
  for (const auto& d : discounts_of(doc)) {
    if (is_usable(d, now, std::nullopt)) available.push_back(discount(d));
  }
  Json category = nullptr;
  if (cat) {
    category = Json{{"id", value_or_null(*cat, "id")},
                    {"name", value_or_null(*cat, "name")},
                    {"parentName", value_or_null(*cat, "parentName")}};
  }
  const Json& o = org ? *org : kEmpty;
  return Json{{"id", value_or_null(doc, "id")},
              {"title", value_or_null(doc, "title")},
              {"description", value_or_null(doc, "description")},
              {"overview", value_or_null(doc, "overview")},
              {"coverPhotos", fields::array(doc, "coverPhotos")},
              {"organization",
               Json{{"id", value_or_null(o, "id")}, {"name", value_or_null(o, "name")},
                    {"logoUrl", value_or_null(o, "logoUrl")}}},
              {"category", std::move(category)},
              {"tiers", std::move(tiers)},
              {"availableDiscounts", std::move(available)}};
}

Json public_discounts(const Json& doc, std::string_view session_id, Timestamp now) {
  Json out = Json::array();
  for (const auto& d : discounts_of(doc)) {
    if (is_usable(d, now, session_id)) out.push_back(discount(d));
  }
  return out;
}

std::optional<Json> discount_by_code(const Json& doc, std::string_view session_id, std::string_view code,
                                     Timestamp now) {
  for (const auto& d : discounts_of(doc)) {
    auto c = fields::opt_str(d, "code");
    if (!c || !text::iequals_ascii(*c, code)) continue;
    if (!is_redeemable(d, now, session_id)) return std::nullopt;
    return discount(d);
  }
  return std::nullopt;
}

Json session_info(const Json& doc, const Json& session, Timestamp now) {
  const std::string id = fields::opt_str(session, "id").value_or("");
  Json org_id = nullptr;
  if (const Json* org = fields::find(doc, "organization")) org_id = value_or_null(*org, "id");
  return Json{{"id", id},
              {"eventId", value_or_null(doc, "id")},
              {"organizationId", std::move(org_id)},
              {"startTime", value_or_null(session, "startTime")},
              {"endTime", value_or_null(session, "endTime")},
              {"salesStartTime", value_or_null(session, "salesStartTime")},
              {"status", value_or_null(session, "status")},
              {"sessionType", value_or_null(session, "sessionType")},
              {"venueDetails", venue(session)},
              {"discounts", public_discounts(doc, id, now)}};
}

Json extended_info(const Json& doc, const Json& session) {
  return Json{{"sessionId", value_or_null(session, "id")},
              {"eventId", value_or_null(doc, "id")},
              {"eventTitle", value_or_null(doc, "title")},
              {"startTime", value_or_null(session, "startTime")},
              {"endTime", value_or_null(session, "endTime")},
              {"salesStartTime", value_or_null(session, "salesStartTime")},
              {"status", value_or_null(session, "status")},
              {"sessionType", value_or_null(session, "sessionType")},
              {"venueDetails", venue(session)}};
}

std::optional<std::string> city_of(const Json& vd) {
  if (auto c = fields::opt_str(vd, "city"); c && !c->empty()) return c;
  auto address = fields::opt_str(vd, "address");
  if (!address) return std::nullopt;
  auto pos = address->rfind(',');
  std::string part = pos == std::string::npos ? *address : address->substr(pos + 1);
  auto b = part.find_first_not_of(" \t");
  auto e = part.find_last_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  return part.substr(b, e - b + 1);
}

Json thumbnail(const Json& doc, Timestamp now, std::optional<std::int64_t> starting_price_cents) {
  static const Json kEmpty = Json::object();
  // The earliest session that has not started yet, else the latest one (an event whose
  // sessions are all past still shows where and when it was).
  const Json* earliest = nullptr;
  Timestamp earliest_time{};
  const Json* latest = nullptr;
  Timestamp latest_time{};
  for (const auto& s : fields::array(doc, "sessions")) {
    auto start = fields::opt_time(s, "startTime");
    if (!start) continue;
    auto status = fields::opt_str(s, "status").value_or("");
    if (*start >= now && status != "CANCELLED" && (!earliest || *start < earliest_time)) {
      earliest = &s;
      earliest_time = *start;
    }
    if (!latest || *start > latest_time) {
      latest = &s;
      latest_time = *start;
    }
  }
  if (!earliest) earliest = latest;
  Json session = nullptr;
  if (earliest) {
    const Json* v = fields::find(*earliest, "venueDetails");
    const Json& vd = v ? *v : kEmpty;
    auto name = fields::opt_str(vd, "name");
    auto city = city_of(vd);
    session = Json{{"startTime", value_or_null(*earliest, "startTime")},
                   {"venueName", name && !name->empty() ? *name : std::string("Online")},
                   {"city", city ? Json(*city) : Json(nullptr)}};
  }
  Json discounts = Json::array();
  for (const auto& d : discounts_of(doc)) {
    if (!is_usable(d, now, std::nullopt)) continue;
    discounts.push_back(Json{{"parameters", value_or_null(d, "parameters")},
                             {"expiresAt", value_or_null(d, "expiresAt")},
                             {"maxUsage", value_or_null(d, "maxUsage")},
                             {"currentUsage", d.value("currentUsage", Json(0))}});
  }
  const Json* org = fields::find(doc, "organization");
  const Json* cat = fields::find(doc, "category");
  const auto photos = fields::array(doc, "coverPhotos");
  return Json{{"id", value_or_null(doc, "id")},
              {"title", value_or_null(doc, "title")},
              {"coverPhotoUrl", photos.empty() ? Json(nullptr) : photos.front()},
              {"organizationName", org ? value_or_null(*org, "name") : Json(nullptr)},
              {"organizationId", org ? value_or_null(*org, "id") : Json(nullptr)},
              {"categoryName", cat ? value_or_null(*cat, "name") : Json(nullptr)},
              {"earliestSession", std::move(session)},
              {"startingPrice", starting_price_cents ? Json(static_cast<double>(*starting_price_cents) / 100.0)
                                                     : Json(nullptr)},
              {"discounts", std::move(discounts)}};
}

Json seating_map(const Json& doc, const Json& session, const std::map<std::string, std::string>& live) {
  std::unordered_map<std::string, Json> tiers;
  for (const auto& t : fields::array(doc, "tiers")) {
    if (auto id = fields::opt_str(t, "id")) tiers.emplace(text::ascii_lower(*id), tier(t));
  }
  const Json* layout = fields::find(session, "layoutData");
  if (!layout) return Json{{"name", nullptr}, {"layout", Json{{"blocks", Json::array()}}}};
  Json out = *layout;
  for_each_seat(out, [&](Json& seat) {
    Json tier_json = nullptr;
    if (auto it = seat.find("tierId"); it != seat.end()) {
      if (it->is_string()) {
        if (auto t = tiers.find(text::ascii_lower(it->get<std::string>())); t != tiers.end()) tier_json = t->second;
      }
      seat.erase(it);
    }
    seat["tier"] = std::move(tier_json);
    const std::string layout_status = seat.value("status", std::string("AVAILABLE"));
    std::string status = layout_status;
    if (auto id = seat.find("id"); id != seat.end() && id->is_string()) {
      if (auto l = live.find(text::ascii_lower(id->get<std::string>())); l != live.end()) {
        // The organizer's RESERVED is not for sale whatever the order service says.
        status = layout_status == "RESERVED" ? layout_status : l->second;
      }
    }
    seat["status"] = status;
  });
  return out;
}

}  // namespace ticketly::event_query::views
