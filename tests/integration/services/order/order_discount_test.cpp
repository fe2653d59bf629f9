// Discounts at the hold: each type priced by the server, not applicable → 400, maxUsage
// counted atomically over pending + completed orders (API.md §3 "Pricing").
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderDiscount = OrderSuite<DefaultEnv>;

json::Json order_of(const CreatedUser& u, const HttpResult& placed) {
  return http_request(OrderDiscount::app().port(), "GET", "/api/order/" + placed.json()["order_id"].get<std::string>(),
                      "", bearer(u.token))
      .json();
}

TEST_F(OrderDiscount, EachTypeIsPricedByTheServer) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 10);  // seats 0-4 tier A 1000.00, 5-9 tier B 2500.50
  const auto pct = s.event.add_discount("PCT10", {{"type", "PERCENTAGE"}, {"percentage", 10}, {"minSpend", nullptr}, {"maxDiscount", 300}});
  const auto flat = s.event.add_discount("FLAT", {{"type", "FLAT_OFF"}, {"amount", 750.25}, {"currency", "LKR"}, {"minSpend", 2000}});
  const auto b2g1 = s.event.add_discount("B2G1", {{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", 2}, {"getQuantity", 1}});
  const auto vip = s.event.add_discount("VIPONLY", {{"type", "PERCENTAGE"}, {"percentage", 50}}, {}, {s.event.tiers[1].id});
  app().publish_event(s.event);
  const auto& seat = s.event.seats;

  auto u1 = app().new_user();
  auto r = app().place(u1.token, s.event, {seat[0].id, seat[5].id}, pct);
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = order_of(u1, r);
  EXPECT_EQ(o["SubTotal"], 3500.5);
  EXPECT_EQ(o["DiscountAmount"], 300);  // 350.05 capped at 300
  EXPECT_EQ(o["Price"], 3200.5);
  EXPECT_EQ(o["DiscountCode"], "PCT10");
  EXPECT_EQ(o["DiscountID"], pct);

  auto u2 = app().new_user();
  EXPECT_EQ(app().place(u2.token, s.event, {seat[1].id}, flat).status, 400);  // below minSpend 2000
  r = app().place(u2.token, s.event, {seat[1].id, seat[6].id}, flat);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(order_of(u2, r)["DiscountAmount"], 750.25);

  auto u3 = app().new_user();
  EXPECT_EQ(app().place(u3.token, s.event, {seat[2].id}, b2g1).status, 400);  // needs 2 seats
  r = app().place(u3.token, s.event, {seat[2].id, seat[7].id, seat[8].id}, b2g1);
  ASSERT_EQ(r.status, 201) << r.body;
  o = order_of(u3, r);
  EXPECT_EQ(o["DiscountAmount"], 1000);  // floor(3/2)*1 = the cheapest seat free
  EXPECT_EQ(o["Price"], 5001);

  auto u4 = app().new_user();
  EXPECT_EQ(app().place(u4.token, s.event, {seat[3].id}, vip).status, 400);  // no VIP seat
  r = app().place(u4.token, s.event, {seat[3].id, seat[9].id}, vip);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(order_of(u4, r)["DiscountAmount"], 1250.25);  // 50 % of the VIP seat only

  auto u5 = app().new_user();
  EXPECT_EQ(app().place(u5.token, s.event, {seat[4].id}, new_uuid()).status, 400);  // not this event's
}

TEST_F(OrderDiscount, MaxUsageHoldsUnderConcurrencyAndCancellationGivesAUseBack) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 10);
  const auto code = s.event.add_discount("LIMITED", {{"type", "PERCENTAGE"}, {"percentage", 5}}, 3);
  app().publish_event(s.event);
  std::vector<CreatedUser> users;
  for (int i = 0; i < 10; ++i) users.push_back(app().new_user());
  auto results = concurrently(10, [&](int i) { return app().place(users[i].token, s.event, {s.event.seats[i].id}, code); });
  int ok = 0, rejected = 0;
  std::string first_ok;
  for (int i = 0; i < 10; ++i) {
    if (results[i].status == 201) {
      ++ok;
      if (first_ok.empty()) first_ok = results[i].json()["order_id"];
    }
    rejected += results[i].status == 400;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(rejected, 7);
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders WHERE discount_id = '" + code + "' AND status = 'pending'"), "3");
  // A cancelled pending order frees its use.
  const std::string owner_of_first = app().scalar("SELECT user_id FROM orders WHERE id = '" + first_ok + "'");
  for (const auto& u : users) {
    if (u.id != owner_of_first) continue;
    ASSERT_EQ(http_request(app().port(), "DELETE", "/api/order/" + first_ok, "", bearer(u.token)).status, 200);
  }
  auto late = app().new_user();
  // Seats of the rejected requests are free: take one of them with the code.
  std::string free_seat;
  for (int i = 0; i < 10; ++i) {
    if (results[i].status == 400) free_seat = s.event.seats[i].id;
  }
  EXPECT_EQ(app().place(late.token, s.event, {free_seat}, code).status, 201);
}

}  // namespace
}  // namespace ticketly::testing
