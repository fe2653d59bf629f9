#pragma once
// Discount rules (API.md §1 and "Discount parameters"): the polymorphic parameters, the
// code format, and what a discount may refer to.
#include <string>
#include <string_view>
#include <unordered_set>

#include "services/event_command/domain/model.h"

namespace ticketly::event_command {

// 3–50 letters, digits, '-' or '_' (codes are typed at checkout).
bool valid_discount_code(std::string_view code);

// The wire form: {"type":"PERCENTAGE","percentage":10,"minSpend":null,"maxDiscount":500}, …
Json parameters_to_json(const DiscountParameters& p);
// Reads client input; throws ticketly::Error(400) naming the field under `field`.
DiscountParameters read_parameters(const Json& value, const std::string& field);

// Window (activeFrom < expiresAt) and references: applicable tiers and sessions must be
// the event's own. Throws ticketly::Error(400).
void validate_discount(const Discount& d, const std::unordered_set<Uuid>& tier_ids,
                       const std::unordered_set<Uuid>& session_ids, const std::string& field);

}  // namespace ticketly::event_command
