#include "services/event_command/domain/discounts.h"

#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/domain/money.h"

namespace ticketly::event_command {
namespace {

Json money_or_null(const std::optional<Cents>& c) { return c ? Json(to_major(*c)) : Json(nullptr); }

std::optional<Cents> read_money(const json::ObjectReader& r, std::string_view key, bool positive) {
  auto v = r.optional_number(key, 0, kMaxMoney);
  if (!v) return std::nullopt;
  auto cents = to_cents(*v);
  if (!cents) throw bad_request("'" + r.field(key) + "' must have at most two decimals");
  if (positive && *cents == 0) throw bad_request("'" + r.field(key) + "' must be greater than 0");
  return cents;
}

}  // namespace

bool valid_discount_code(std::string_view code) {
  if (code.size() < 3 || code.size() > 50) return false;
  for (unsigned char c : code) {
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

Json parameters_to_json(const DiscountParameters& p) {
  switch (p.type) {
    case DiscountType::Percentage:
      return {{"type", "PERCENTAGE"},
              {"percentage", p.percentage},
              {"minSpend", money_or_null(p.min_spend)},
              {"maxDiscount", money_or_null(p.max_discount)}};
    case DiscountType::FlatOff:
      return {{"type", "FLAT_OFF"}, {"amount", to_major(p.amount)}, {"currency", "LKR"}, {"minSpend", money_or_null(p.min_spend)}};
    case DiscountType::BuyNGetNFree:
      return {{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", p.buy_quantity}, {"getQuantity", p.get_quantity}};
  }
  return Json::object();
}

DiscountParameters read_parameters(const Json& value, const std::string& field) {
  json::ObjectReader r(value, field);
  DiscountParameters p;
  p.type = *parse_discount_type(r.required_enum("type", {"PERCENTAGE", "FLAT_OFF", "BUY_N_GET_N_FREE"}));
  switch (p.type) {
    case DiscountType::Percentage:
      p.percentage = r.required_number("percentage", 0, 100);
      if (p.percentage <= 0) throw bad_request("'" + r.field("percentage") + "' must be greater than 0");
      p.min_spend = read_money(r, "minSpend", false);
      p.max_discount = read_money(r, "maxDiscount", true);
      break;
    case DiscountType::FlatOff: {
      auto amount = read_money(r, "amount", true);
      if (!amount) throw bad_request("'" + r.field("amount") + "' is required");
      p.amount = *amount;
      auto currency = r.optional_string("currency").value_or("LKR");
      if (currency != "LKR") throw bad_request("'" + r.field("currency") + "' must be LKR");
      p.min_spend = read_money(r, "minSpend", false);
      break;
    }
    case DiscountType::BuyNGetNFree:
      p.buy_quantity = r.required_int("buyQuantity", 1, 100);
      p.get_quantity = r.required_int("getQuantity", 1, 100);
      break;
  }
  return p;
}

void validate_discount(const Discount& d, const std::unordered_set<Uuid>& tier_ids,
                       const std::unordered_set<Uuid>& session_ids, const std::string& field) {
  auto name = [&](std::string_view key) { return field.empty() ? std::string(key) : field + "." + std::string(key); };
  if (!valid_discount_code(d.code)) {
    throw bad_request("'" + name("code") + "' must be 3 to 50 letters, digits, '-' or '_'");
  }
  if (d.active_from && d.expires_at && *d.active_from >= *d.expires_at) {
    throw bad_request("'" + name("expiresAt") + "' must be after activeFrom");
  }
  for (const auto& t : d.applicable_tier_ids) {
    if (!tier_ids.contains(t)) throw bad_request("'" + name("applicableTierIds") + "' contains " + t.str() + ", which is not a tier of this event");
  }
  for (const auto& s : d.applicable_session_ids) {
    if (!session_ids.contains(s)) {
      throw bad_request("'" + name("applicableSessionIds") + "' contains " + s.str() + ", which is not a session of this event");
    }
  }
}

}  // namespace ticketly::event_command
