#include "services/order/domain/pricing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ticketly::order {
namespace {

bool applies_to_tier(const Discount& d, const Uuid& tier) {
  return d.tier_ids.empty() || std::find(d.tier_ids.begin(), d.tier_ids.end(), tier) != d.tier_ids.end();
}

Money sum(std::span<const PricedSeat> seats) {
  Money total;
  for (const auto& s : seats) total += s.price;
  return total;
}

std::string major_text(Money m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", m.major());
  return buf;
}

// Splits `amount` over the seats at `indices` in proportion to their prices (largest
// remainder, so the parts sum exactly to `amount`).
void allocate(Money amount, std::span<const PricedSeat> seats, const std::vector<std::size_t>& indices,
              std::vector<Money>& discount_per_seat) {
  Money base;
  for (auto i : indices) base += seats[i].price;
  if (amount <= Money() || base <= Money()) return;
  std::vector<std::pair<long double, std::size_t>> remainders;
  Money given;
  for (auto i : indices) {
    const long double exact = static_cast<long double>(amount.units()) * seats[i].price.units() / base.units();
    const auto whole = static_cast<std::int64_t>(std::floor(exact));
    discount_per_seat[i] += Money::minor(whole);
    given += Money::minor(whole);
    remainders.emplace_back(exact - whole, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < amount && k < remainders.size(); ++k) {
    discount_per_seat[remainders[k].second] += Money::minor(1);
    given += Money::minor(1);
  }
}

}  // namespace

void check_discount(const Discount& d, std::span<const PricedSeat> seats, const Uuid& session_id, Timestamp now) {
  if (!d.active) throw DiscountNotApplicable("Discount " + d.code + " is not active");
  if (d.active_from && now < *d.active_from) throw DiscountNotApplicable("Discount " + d.code + " is not active yet");
  if (d.expires_at && now >= *d.expires_at) throw DiscountNotApplicable("Discount " + d.code + " has expired");
  if (!d.session_ids.empty() &&
      std::find(d.session_ids.begin(), d.session_ids.end(), session_id) == d.session_ids.end()) {
    throw DiscountNotApplicable("Discount " + d.code + " does not apply to this session");
  }
  std::size_t applicable = 0;
  for (const auto& s : seats) applicable += applies_to_tier(d, s.tier_id) ? 1 : 0;
  if (applicable == 0) throw DiscountNotApplicable("Discount " + d.code + " does not apply to the selected seats");
  const Money subtotal = sum(seats);
  switch (d.type) {
    case DiscountType::Percentage:
    case DiscountType::FlatOff:
      if (d.min_spend && subtotal < *d.min_spend) {
        throw DiscountNotApplicable("Discount " + d.code + " needs a minimum spend of " + major_text(*d.min_spend));
      }
      break;
    case DiscountType::BuyNGetNFree:
      if (applicable < static_cast<std::size_t>(d.buy_quantity)) {
        throw DiscountNotApplicable("Discount " + d.code + " needs at least " + std::to_string(d.buy_quantity) +
                                    " eligible seats");
      }
      break;
  }
}

Pricing price_order(std::span<const PricedSeat> seats, const Discount* d, const Uuid& session_id, Timestamp now) {
  Pricing p;
  p.subtotal = sum(seats);
  std::vector<Money> off(seats.size());
  if (d) {
    check_discount(*d, seats, session_id, now);
    std::vector<std::size_t> applicable;
    for (std::size_t i = 0; i < seats.size(); ++i) {
      if (applies_to_tier(*d, seats[i].tier_id)) applicable.push_back(i);
    }
    Money applicable_subtotal;
    for (auto i : applicable) applicable_subtotal += seats[i].price;
    Money amount;
    switch (d->type) {
      case DiscountType::Percentage: {
        const long double exact = static_cast<long double>(applicable_subtotal.units()) * d->percentage / 100.0L;
        amount = Money::minor(static_cast<std::int64_t>(std::llround(exact)));
        if (d->max_discount) amount = min(amount, *d->max_discount);
        amount = min(amount, p.subtotal);
        allocate(amount, seats, applicable, off);
        break;
      }
      case DiscountType::FlatOff:
        amount = min(min(d->amount, applicable_subtotal), p.subtotal);
        allocate(amount, seats, applicable, off);
        break;
      case DiscountType::BuyNGetNFree: {
        const std::size_t n = applicable.size();
        const std::size_t groups = n / static_cast<std::size_t>(d->buy_quantity);
        const std::size_t free = std::min(n, groups * static_cast<std::size_t>(d->get_quantity));
        // Cheapest first; among equal prices the earlier seat, so the result is stable.
        std::stable_sort(applicable.begin(), applicable.end(),
                         [&](std::size_t a, std::size_t b) { return seats[a].price < seats[b].price; });
        for (std::size_t k = 0; k < free; ++k) {
          off[applicable[k]] = seats[applicable[k]].price;
          amount += seats[applicable[k]].price;
        }
        break;
      }
    }
    p.discount = amount;
  }
  p.total = p.subtotal - p.discount;
  p.paid.reserve(seats.size());
  for (std::size_t i = 0; i < seats.size(); ++i) p.paid.push_back(seats[i].price - off[i]);
  return p;
}

}  // namespace ticketly::order
