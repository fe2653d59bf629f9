// Request DTOs read field by field (json/reader.h): an order (services/order/api/dto.h)
// and an event's tiers, venues, sessions and discounts (services/event_command/api/inputs.h).
// Input: a JSON body, read as each of them.
// Properties: refused only with 4xx; an accepted order has 1…max distinct seats.
#include <set>

#include "fuzz_support.h"
#include "platform/json/json.h"
#include "services/event_command/api/inputs.h"
#include "services/event_command/domain/discounts.h"
#include "services/order/api/dto.h"

using namespace ticketly;

namespace {

const Uuid kTier = *Uuid::parse("11111111-1111-4111-8111-111111111111");
const Uuid kSession = *Uuid::parse("33333333-3333-4333-8333-333333333333");
const Uuid kEvent = *Uuid::parse("44444444-4444-4444-8444-444444444444");
const Timestamp kNow{std::chrono::seconds(1'800'000'000)};

void read_order(const json::Json& body) {
  order::api::PlaceOrderBody order;
  if (!fuzz::accepted([&] { order = order::api::parse_place_order(body, 10); })) return;
  fuzz::check(!order.seat_ids.empty() && order.seat_ids.size() <= 10, "an order with 0 or too many seats");
  fuzz::check(std::set<Uuid>(order.seat_ids.begin(), order.seat_ids.end()).size() == order.seat_ids.size(),
              "an order with a seat twice");
}

void read_event_parts(const json::Json& body) {
  namespace ec = event_command;
  fuzz::accepted([&] { ec::api::read_tier(body, "tiers[0]"); });
  fuzz::accepted([&] { ec::api::read_venue(body, "venueDetails"); });
  fuzz::accepted([&] { ec::api::read_session(body, "sessions[0]", {kTier}, 2000, kNow); });
  fuzz::accepted([&] {
    const auto discount = ec::api::read_discount(body, "discounts[0]", kEvent);
    ec::validate_discount(discount, {kTier}, {kSession}, "discounts[0]");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json::Json body;
  if (!fuzz::accepted([&] { body = json::parse_body(fuzz::as_text(data, size)); })) return 0;
  read_order(body);
  read_event_parts(body);
  return 0;
}
