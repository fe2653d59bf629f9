#pragma once
// Pricing of an order (API.md §3 "Pricing"): the subtotal is the sum of the seats' tier
// prices, always computed here from the catalog, never taken from the client; an optional
// discount is validated and applied. Pure and deterministic: unit-tested.
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/types/time.h"
#include "platform/types/uuid.h"
#include "services/order/domain/catalog.h"
#include "services/order/domain/money.h"

namespace ticketly::order {

// A discount that does not apply to this order; the message is what the client shows.
class DiscountNotApplicable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PricedSeat {
  Uuid seat_id;
  Uuid tier_id;
  Money price;
};

struct Pricing {
  Money subtotal;
  Money discount;  // never more than the subtotal
  Money total;     // subtotal - discount
  // What each seat costs after the discount, in the order of the input; sums to `total`.
  std::vector<Money> paid;
};

// Everything but `maxUsage`, which the database checks atomically with the hold:
// active, within activeFrom..expiresAt, for this session (empty list = all), for at least
// one seat's tier (empty = all), and the type's own rule (minSpend, buyQuantity).
// Throws DiscountNotApplicable.
void check_discount(const Discount& discount, std::span<const PricedSeat> seats, const Uuid& session_id,
                    Timestamp now);

// The amount a discount takes off (after check_discount), and its split over the seats.
//   PERCENTAGE: applicable subtotal x percentage, rounded to the cent, capped at maxDiscount.
//   FLAT_OFF: min(amount, applicable subtotal).
//   BUY_N_GET_N_FREE: floor(n / buy) x get of the n applicable seats free, cheapest first.
// The discount never exceeds the subtotal.
Pricing price_order(std::span<const PricedSeat> seats, const Discount* discount, const Uuid& session_id,
                    Timestamp now);

}  // namespace ticketly::order
