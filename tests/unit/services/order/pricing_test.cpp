#include "services/order/domain/pricing.h"

#include <gtest/gtest.h>

namespace ticketly::order {
namespace {

using namespace std::chrono_literals;

const Uuid kSession = Uuid::random();
const Uuid kTierA = Uuid::random();
const Uuid kTierB = Uuid::random();
const Timestamp kNow = Clock::now();

std::vector<PricedSeat> seats(std::initializer_list<std::pair<Uuid, std::int64_t>> list) {
  std::vector<PricedSeat> out;
  for (const auto& [tier, cents] : list) out.push_back({Uuid::random(), tier, Money::minor(cents)});
  return out;
}

Discount base(DiscountType type) {
  Discount d;
  d.id = Uuid::random();
  d.code = "CODE";
  d.type = type;
  d.active = true;
  return d;
}

Money sum(const std::vector<Money>& v) {
  Money m;
  for (auto x : v) m += x;
  return m;
}

TEST(OrderPricing, SubtotalIsSumOfTierPricesWithoutDiscount) {
  auto s = seats({{kTierA, 100000}, {kTierB, 250050}});
  auto p = price_order(s, nullptr, kSession, kNow);
  EXPECT_EQ(p.subtotal.units(), 350050);
  EXPECT_EQ(p.discount.units(), 0);
  EXPECT_EQ(p.total.units(), 350050);
  EXPECT_EQ(sum(p.paid), p.total);
}

TEST(OrderPricing, PercentageAppliesToApplicableTiersAndIsCappedAtMaxDiscount) {
  auto d = base(DiscountType::Percentage);
  d.percentage = 10;
  d.tier_ids = {kTierB};
  auto s = seats({{kTierA, 100000}, {kTierB, 200000}});
  auto p = price_order(s, &d, kSession, kNow);
  EXPECT_EQ(p.discount.units(), 20000);  // 10 % of tier B only
  EXPECT_EQ(p.paid[0].units(), 100000);
  EXPECT_EQ(p.paid[1].units(), 180000);
  d.max_discount = Money::minor(5000);
  p = price_order(s, &d, kSession, kNow);
  EXPECT_EQ(p.discount.units(), 5000);
  EXPECT_EQ(p.total.units(), 295000);
  EXPECT_EQ(sum(p.paid), p.total);
}

TEST(OrderPricing, PercentageRoundsToTheCentAndSplitsExactly) {
  auto d = base(DiscountType::Percentage);
  d.percentage = 33.333;
  auto s = seats({{kTierA, 1001}, {kTierA, 1001}, {kTierA, 1001}});
  auto p = price_order(s, &d, kSession, kNow);
  EXPECT_EQ(p.discount.units(), 1001);  // 3003 * 33.333 % = 1000.99 -> 1001
  EXPECT_EQ(sum(p.paid), p.total);
}

TEST(OrderPricing, MinSpendIsRequired) {
  auto d = base(DiscountType::Percentage);
  d.percentage = 50;
  d.min_spend = Money::minor(500000);
  auto s = seats({{kTierA, 100000}});
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);
  auto f = base(DiscountType::FlatOff);
  f.amount = Money::minor(100);
  f.min_spend = Money::minor(500000);
  EXPECT_THROW(price_order(s, &f, kSession, kNow), DiscountNotApplicable);
}

TEST(OrderPricing, FlatOffNeverExceedsApplicableSubtotal) {
  auto d = base(DiscountType::FlatOff);
  d.amount = Money::minor(1000000);
  d.tier_ids = {kTierA};
  auto s = seats({{kTierA, 100000}, {kTierB, 200000}});
  auto p = price_order(s, &d, kSession, kNow);
  EXPECT_EQ(p.discount.units(), 100000);
  EXPECT_EQ(p.total.units(), 200000);
  d.amount = Money::minor(2550);
  p = price_order(s, &d, kSession, kNow);
  EXPECT_EQ(p.discount.units(), 2550);
  EXPECT_EQ(sum(p.paid), p.total);
}

TEST(OrderPricing, BuyNGetNMakesTheCheapestApplicableSeatsFree) {
  auto d = base(DiscountType::BuyNGetNFree);
  d.buy_quantity = 2;
  d.get_quantity = 1;
  auto s = seats({{kTierB, 250000}, {kTierA, 100000}, {kTierB, 200000}, {kTierA, 150000}, {kTierB, 300000}});
  auto p = price_order(s, &d, kSession, kNow);
  // 5 seats: floor(5/2) * 1 = 2 free, the two cheapest (1000.00 and 1500.00).
  EXPECT_EQ(p.discount.units(), 250000);
  EXPECT_EQ(p.paid[1].units(), 0);
  EXPECT_EQ(p.paid[3].units(), 0);
  EXPECT_EQ(p.paid[0].units(), 250000);
}

TEST(OrderPricing, BuyNGetNCountsOnlyApplicableTiersAndNeedsBuyQuantity) {
  auto d = base(DiscountType::BuyNGetNFree);
  d.buy_quantity = 2;
  d.get_quantity = 2;
  d.tier_ids = {kTierB};
  auto s = seats({{kTierA, 1000}, {kTierB, 5000}});
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);  // one applicable seat
  s = seats({{kTierA, 1000}, {kTierB, 5000}, {kTierB, 7000}});
  auto p = price_order(s, &d, kSession, kNow);
  EXPECT_EQ(p.discount.units(), 12000);  // both B seats free (get 2), the cheaper A seat is not eligible
  EXPECT_EQ(p.total.units(), 1000);
}

TEST(OrderPricing, RejectsInactiveExpiredNotYetActiveOtherSessionOrTier) {
  auto s = seats({{kTierA, 1000}});
  auto d = base(DiscountType::Percentage);
  d.percentage = 10;
  d.active = false;
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);
  d.active = true;
  d.expires_at = kNow - 1s;
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);
  d.expires_at.reset();
  d.active_from = kNow + 1h;
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);
  d.active_from.reset();
  d.session_ids = {Uuid::random()};
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);
  d.session_ids = {kSession};
  d.tier_ids = {kTierB};
  EXPECT_THROW(price_order(s, &d, kSession, kNow), DiscountNotApplicable);
  d.tier_ids.clear();
  EXPECT_EQ(price_order(s, &d, kSession, kNow).discount.units(), 100);
}

}  // namespace
}  // namespace ticketly::order
