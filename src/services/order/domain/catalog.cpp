#include "services/order/domain/catalog.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "platform/crypto/crypto.h"

namespace ticketly::order {
namespace {

using json::Json;

[[noreturn]] void malformed(const std::string& what) { throw std::invalid_argument("malformed snapshot: " + what); }

const Json& member(const Json& obj, const char* key, const std::string& where) {
  if (!obj.is_object() || !obj.contains(key)) malformed(where + "." + key + " is missing");
  return obj.at(key);
}

Uuid uuid_of(const Json& v, const std::string& where) {
  if (!v.is_string()) malformed(where + " is not a UUID");
  auto u = Uuid::parse(v.get<std::string>());
  if (!u) malformed(where + " is not a UUID");
  return *u;
}

std::optional<Uuid> optional_uuid(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_string()) return std::nullopt;
  return Uuid::parse(obj.at(key).get<std::string>());
}

std::string string_or(const Json& obj, const char* key, std::string fallback = {}) {
  if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_string()) return fallback;
  return obj.at(key).get<std::string>();
}

std::optional<Timestamp> time_of(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_string()) return std::nullopt;
  return parse_iso8601(obj.at(key).get<std::string>());
}

std::optional<Money> money_of(const Json& obj, const char* key, const std::string& where) {
  if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null()) return std::nullopt;
  const Json& v = obj.at(key);
  if (!v.is_number()) malformed(where + "." + key + " is not a number");
  auto m = Money::from_major(v.get<double>());
  if (!m || *m < Money()) malformed(where + "." + key + " is out of range");
  return m;
}

std::vector<Uuid> uuid_list(const Json& obj, const char* key) {
  std::vector<Uuid> out;
  if (!obj.is_object() || !obj.contains(key) || !obj.at(key).is_array()) return out;
  for (const auto& v : obj.at(key)) {
    if (!v.is_string()) continue;
    if (auto u = Uuid::parse(v.get<std::string>())) out.push_back(*u);
  }
  return out;
}

Discount parse_discount(const Json& d, const std::string& where) {
  Discount out;
  out.id = uuid_of(member(d, "id", where), where + ".id");
  out.code = string_or(d, "code");
  const Json& p = member(d, "parameters", where);
  const std::string type = string_or(p, "type");
  const std::string pw = where + ".parameters";
  if (type == "PERCENTAGE") {
    out.type = DiscountType::Percentage;
    const Json& pct = member(p, "percentage", pw);
    if (!pct.is_number()) malformed(pw + ".percentage is not a number");
    out.percentage = std::clamp(pct.get<double>(), 0.0, 100.0);
    out.min_spend = money_of(p, "minSpend", pw);
    out.max_discount = money_of(p, "maxDiscount", pw);
  } else if (type == "FLAT_OFF") {
    out.type = DiscountType::FlatOff;
    auto amount = money_of(p, "amount", pw);
    if (!amount) malformed(pw + ".amount is missing");
    out.amount = *amount;
    out.min_spend = money_of(p, "minSpend", pw);
  } else if (type == "BUY_N_GET_N_FREE") {
    out.type = DiscountType::BuyNGetNFree;
    const Json& buy = member(p, "buyQuantity", pw);
    const Json& get = member(p, "getQuantity", pw);
    if (!buy.is_number_integer() || !get.is_number_integer()) malformed(pw + " quantities must be integers");
    out.buy_quantity = buy.get<int>();
    out.get_quantity = get.get<int>();
    if (out.buy_quantity < 1 || out.get_quantity < 0) malformed(pw + " quantities out of range");
  } else {
    malformed(pw + ".type '" + type + "' is unknown");
  }
  if (d.contains("maxUsage") && d.at("maxUsage").is_number_integer()) out.max_usage = d.at("maxUsage").get<std::int64_t>();
  out.active = d.value("active", d.value("isActive", false));
  out.is_public = d.value("public", d.value("isPublic", false));
  out.active_from = time_of(d, "activeFrom");
  out.expires_at = time_of(d, "expiresAt");
  out.tier_ids = uuid_list(d, "applicableTierIds");
  out.session_ids = uuid_list(d, "applicableSessionIds");
  return out;
}

// Appends the sellable seats of one list of layout seats.
void add_seats(const Json& seats, const Json& block, const CatalogEvent& event, std::vector<CatalogSeat>& out) {
  if (!seats.is_array()) return;
  for (const auto& s : seats) {
    if (!s.is_object()) continue;
    if (string_or(s, "status", "AVAILABLE") == "RESERVED") continue;  // the layout keeps it off sale
    auto id = optional_uuid(s, "id");
    auto tier = optional_uuid(s, "tierId");
    if (!tier && s.contains("tier") && s.at("tier").is_object()) tier = optional_uuid(s.at("tier"), "id");
    if (!id || !tier || !event.tier(*tier)) continue;  // without a tier of this event: not sellable
    out.push_back(CatalogSeat{*id, string_or(s, "label"), *tier, string_or(block, "id"), string_or(block, "name"),
                              string_or(block, "type")});
  }
}

std::vector<CatalogSeat> sellable_seats(const Json& layout_data, const CatalogEvent& event) {
  std::vector<CatalogSeat> out;
  if (!layout_data.is_object()) return out;
  const Json* layout = layout_data.contains("layout") ? &layout_data.at("layout") : &layout_data;
  if (!layout->is_object() || !layout->contains("blocks") || !layout->at("blocks").is_array()) return out;
  for (const auto& block : layout->at("blocks")) {
    if (!block.is_object()) continue;
    const std::string type = string_or(block, "type");
    if (type == "non_sellable") continue;
    if (block.contains("rows") && block.at("rows").is_array()) {
      for (const auto& row : block.at("rows")) {
        if (row.is_object() && row.contains("seats")) add_seats(row.at("seats"), block, event, out);
      }
    }
    if (block.contains("seats")) add_seats(block.at("seats"), block, event, out);
  }
  // A seat id twice in one layout is the producer's bug; the first one counts.
  std::unordered_set<Uuid> seen;
  std::vector<CatalogSeat> unique;
  unique.reserve(out.size());
  for (auto& s : out) {
    if (seen.insert(s.id).second) unique.push_back(std::move(s));
  }
  return unique;
}

std::string layout_hash(const std::vector<CatalogSeat>& seats) {
  std::string text;
  text.reserve(seats.size() * 80);
  for (const auto& s : seats) {
    text += s.id.str();
    text += '|';
    text += s.label;
    text += '|';
    text += s.tier_id.str();
    text += '\n';
  }
  return crypto::hex_encode(crypto::sha256(text));
}

}  // namespace

const Tier* CatalogEvent::tier(const Uuid& id) const {
  for (const auto& t : tiers) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const CatalogSession* CatalogEvent::session(const Uuid& id) const {
  for (const auto& s : sessions) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Discount* CatalogEvent::discount(const Uuid& id) const {
  for (const auto& d : discounts) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

bool CatalogOrganization::has_active_role(std::string_view user_id, std::string_view role) const {
  for (const auto& m : staff) {
    if (m.user_id != user_id || !m.active) continue;
    if (std::find(m.roles.begin(), m.roles.end(), role) != m.roles.end()) return true;
  }
  return false;
}

std::string normalize_session_status(std::string status) {
  if (status == "CANCELED") return "CANCELLED";
  if (status == "PENDING") return "SCHEDULED";
  return status;
}

CatalogEvent parse_event_snapshot(const Json& message) {
  if (!message.is_object()) malformed("not an object");
  CatalogEvent e;
  const Json& version = member(message, "version", "snapshot");
  if (!version.is_number_integer()) malformed("version is not an integer");
  e.version = version.get<std::int64_t>();
  const Json& ev = member(message, "event", "snapshot");
  e.id = uuid_of(member(ev, "id", "event"), "event.id");
  e.status = string_or(ev, "status", "PENDING");
  e.title = string_or(ev, "title");
  e.owner_id = string_or(ev, "ownerId");
  if (ev.contains("organization") && ev.at("organization").is_object()) {
    const Json& org = ev.at("organization");
    if (auto id = optional_uuid(org, "id")) e.organization_id = *id;
    e.organization_name = string_or(org, "name");
  }
  if (auto id = optional_uuid(ev, "organizationId"); id && e.organization_id.is_nil()) e.organization_id = *id;
  if (ev.contains("tiers") && ev.at("tiers").is_array()) {
    int i = 0;
    for (const auto& t : ev.at("tiers")) {
      const std::string where = "event.tiers[" + std::to_string(i++) + "]";
      Tier tier;
      tier.id = uuid_of(member(t, "id", where), where + ".id");
      tier.name = string_or(t, "name");
      tier.color = string_or(t, "color");
      auto price = money_of(t, "price", where);
      if (!price) malformed(where + ".price is missing");
      tier.price = *price;
      e.tiers.push_back(std::move(tier));
    }
  }
  if (ev.contains("discounts") && ev.at("discounts").is_array()) {
    int i = 0;
    for (const auto& d : ev.at("discounts")) {
      e.discounts.push_back(parse_discount(d, "event.discounts[" + std::to_string(i++) + "]"));
    }
  }
  if (ev.contains("sessions") && ev.at("sessions").is_array()) {
    int i = 0;
    for (const auto& s : ev.at("sessions")) {
      const std::string where = "event.sessions[" + std::to_string(i++) + "]";
      CatalogSession session;
      session.id = uuid_of(member(s, "id", where), where + ".id");
      session.status = normalize_session_status(string_or(s, "status", "SCHEDULED"));
      session.session_type = string_or(s, "sessionType", "PHYSICAL");
      session.start_time = time_of(s, "startTime");
      session.end_time = time_of(s, "endTime");
      session.sales_start = time_of(s, "salesStartTime");
      if (s.contains("layoutData")) session.seats = sellable_seats(s.at("layoutData"), e);
      session.layout_hash = layout_hash(session.seats);
      e.sessions.push_back(std::move(session));
    }
  }
  return e;
}

CatalogOrganization parse_organization_snapshot(const Json& message) {
  if (!message.is_object()) malformed("not an object");
  CatalogOrganization o;
  const Json& version = member(message, "version", "snapshot");
  if (!version.is_number_integer()) malformed("version is not an integer");
  o.version = version.get<std::int64_t>();
  const Json& org = member(message, "organization", "snapshot");
  o.id = uuid_of(member(org, "id", "organization"), "organization.id");
  o.name = string_or(org, "name");
  o.owner_id = string_or(org, "ownerId");
  if (org.contains("staff") && org.at("staff").is_array()) {
    for (const auto& m : org.at("staff")) {
      if (!m.is_object()) continue;
      StaffMember member;
      member.user_id = string_or(m, "userId");
      member.active = m.value("active", m.value("isActive", false));
      if (m.contains("roles") && m.at("roles").is_array()) {
        for (const auto& r : m.at("roles")) {
          if (r.is_string()) member.roles.push_back(r.get<std::string>());
        }
      }
      if (!member.user_id.empty()) o.staff.push_back(std::move(member));
    }
  }
  return o;
}

json::Json strip_layouts(const json::Json& message) {
  json::Json out = message;
  if (out.contains("event") && out["event"].contains("sessions") && out["event"]["sessions"].is_array()) {
    for (auto& s : out["event"]["sessions"]) {
      if (s.is_object()) s.erase("layoutData");
    }
  }
  return out;
}

}  // namespace ticketly::order
