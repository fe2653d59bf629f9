#pragma once
// Reading bus payloads (docs/EVENTS.md). A producer that breaks the contract gets a
// std::invalid_argument naming the field: the consumer retries, then dead-letters the
// message, and the partition moves on.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::event_query::fields {

using json::Json;

// The member, or nullptr when absent or null.
const Json* find(const Json& object, std::string_view key);

std::string str(const Json& object, std::string_view key);
std::optional<std::string> opt_str(const Json& object, std::string_view key);
Uuid uuid(const Json& object, std::string_view key);
std::optional<Uuid> opt_uuid(const Json& object, std::string_view key);
std::int64_t integer(const Json& object, std::string_view key);
std::optional<double> opt_number(const Json& object, std::string_view key);
Timestamp time(const Json& object, std::string_view key);
std::optional<Timestamp> opt_time(const Json& object, std::string_view key);

// Money on the bus is a number in major units: llround(x * 100) minor units.
std::int64_t cents(double major);
std::int64_t cents_of(const Json& object, std::string_view key);  // absent/null: 0
// Minor units back to a JSON number in major units (2 decimals).
Json money(std::int64_t cents);

// An array member, or an empty array when absent or null.
const Json& array(const Json& object, std::string_view key);

}  // namespace ticketly::event_query::fields
