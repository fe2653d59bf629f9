#pragma once
// The public JSON views of API.md §2, built from an event document (the snapshot's
// "event" object as stored). Pure: no I/O, unit-tested.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::event_query::views {

using json::Json;

// Only APPROVED and COMPLETED events are visible to the public.
bool is_public_status(std::string_view status);

// The session object of `doc` with that id, or nullptr.
const Json* find_session(const Json& doc, std::string_view session_id);

// A discount anyone may use now: active, public, within activeFrom..expiresAt, not used up,
// and (when `session_id` is given) applicable to that session.
bool is_usable(const Json& discount, Timestamp now, std::optional<std::string_view> session_id);
// The same without the `public` requirement (discounts looked up by their code).
bool is_redeemable(const Json& discount, Timestamp now, std::string_view session_id);

Json discount(const Json& d);
Json tier(const Json& t);
// {name,address,onlineLink,location:{type:"Point",coordinates:[lng,lat]}|null}
Json venue(const Json& session);

Json basic_info(const Json& doc, Timestamp now);
Json session_info(const Json& doc, const Json& session, Timestamp now);
Json extended_info(const Json& doc, const Json& session);
Json public_discounts(const Json& doc, std::string_view session_id, Timestamp now);
// The discount with that code (case-insensitive) if it can be redeemed for the session.
std::optional<Json> discount_by_code(const Json& doc, std::string_view session_id, std::string_view code,
                                     Timestamp now);
// `starting_price_cents`: StoredEvent's (the cheapest sellable tier of a session not
// cancelled), shown as `startingPrice` in major units; null when nothing is for sale.
Json thumbnail(const Json& doc, Timestamp now, std::optional<std::int64_t> starting_price_cents);

// The session's layoutData with each seat's `tierId` replaced by `tier` ({id,name,price,
// color} or null) and its `status` the live one: `live` maps seat id → LOCKED / BOOKED /
// AVAILABLE / RESERVED from the order service; a seat absent there keeps the layout's.
Json seating_map(const Json& doc, const Json& session, const std::map<std::string, std::string>& live);

// The city of a venue: `city` when the producer sends one, else the last part of the address.
std::optional<std::string> city_of(const Json& venue_details);

}  // namespace ticketly::event_query::views
