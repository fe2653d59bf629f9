#pragma once
// SQL for what an event sells: tiers and discounts.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "platform/db/connection.h"
#include "services/event_command/domain/model.h"

namespace ticketly::event_command::store {

namespace asio = boost::asio;

// Throws 409 when the id is taken (a client id used before).
asio::awaitable<void> insert_tier(db::Connection& c, const Uuid& event_id, const Tier& t);
asio::awaitable<std::vector<Tier>> tiers_of_event(db::Connection& c, const Uuid& event_id);
// False when the event has no such tier.
asio::awaitable<bool> update_tier(db::Connection& c, const Uuid& event_id, const Tier& t);
asio::awaitable<bool> delete_tier(db::Connection& c, const Uuid& event_id, const Uuid& tier_id);
// Seats of the event's session layouts that use the tier.
asio::awaitable<bool> tier_in_use(db::Connection& c, const Uuid& event_id, const Uuid& tier_id);
// Takes a deleted tier (or session) out of the event's discounts' applicability lists.
asio::awaitable<void> forget_in_discounts(db::Connection& c, const Uuid& event_id, const Uuid& tier_or_session_id);
// Codes of the discounts that apply to this tier (or session) alone.
asio::awaitable<std::vector<std::string>> discounts_only_for(db::Connection& c, const Uuid& event_id,
                                                             const Uuid& tier_or_session_id);

// Throws 409 for a code the event already has (case-insensitive) or a taken id.
asio::awaitable<void> insert_discount(db::Connection& c, const Discount& d);
asio::awaitable<bool> update_discount(db::Connection& c, const Discount& d);
asio::awaitable<bool> delete_discount(db::Connection& c, const Uuid& event_id, const Uuid& discount_id);
asio::awaitable<std::vector<Discount>> discounts_of_event(db::Connection& c, const Uuid& event_id, bool public_only);
asio::awaitable<std::optional<Discount>> find_discount(db::Connection& c, const Uuid& event_id, const Uuid& discount_id);
// Counts a completed order: usage + 1, amount added to the discounted total (a discount of
// another event is ignored).
asio::awaitable<void> count_discount_use(db::Connection& c, const Uuid& event_id, const Uuid& discount_id,
                                         Cents amount);

}  // namespace ticketly::event_command::store
