// Organizer analytics, the public ticket count and checkout streams: numbers from what
// was paid; only owners see them (API.md §3).
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderAnalytics = OrderSuite<DefaultEnv>;

TEST_F(OrderAnalytics, RevenueCountsWhatWasPaidAndOnlyTheOwnerSeesIt) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 4);
  const auto d = s.event.add_discount("TEN", {{"type", "FLAT_OFF"}, {"amount", 100}, {"currency", "LKR"}});
  app().publish_event(s.event);
  app().publish_organization(s.event.organization_id, s.owner.id, 1);
  auto buyer = app().new_user();
  auto placed = app().place(buyer.token, s.event, {s.event.seats[0].id, s.event.seats[3].id}, d);
  ASSERT_EQ(placed.status, 201);
  const std::string id = placed.json()["order_id"];
  ASSERT_EQ(app().pay(buyer.token, id).status, 200);
  // A pending order does not count.
  auto pending = app().place(buyer.token, s.event, {s.event.seats[1].id});
  ASSERT_EQ(pending.status, 201);

  const std::string base = "/api/order/analytics/events/" + s.event.id;
  auto r = http_request(app().port(), "GET", base, "", bearer(s.owner.token));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["event_id"], s.event.id);
  EXPECT_EQ(j["total_before_discounts"], 3500.5);
  EXPECT_EQ(j["total_revenue"], 3400.5);
  EXPECT_EQ(j["total_tickets_sold"], 2);
  ASSERT_EQ(j["daily_sales"].size(), 1u);
  EXPECT_EQ(j["daily_sales"][0]["tickets_sold"], 2);
  ASSERT_EQ(j["sales_by_tier"].size(), 2u);  // by name: one ticket of each tier, as paid
  const auto& standard = j["sales_by_tier"][0];
  const auto& vip = j["sales_by_tier"][1];
  EXPECT_EQ(standard["tier_id"], s.event.tiers[0].id);
  EXPECT_EQ(standard["tier_name"], "Standard");
  EXPECT_EQ(standard["tier_color"], "#112233");
  EXPECT_EQ(standard["tickets_sold"], 1);
  EXPECT_EQ(vip["tier_id"], s.event.tiers[1].id);
  EXPECT_EQ(vip["tier_name"], "VIP");
  EXPECT_EQ(vip["tier_color"], "#AABBCC");
  EXPECT_EQ(vip["tickets_sold"], 1);
  // The 100.00 off is shared by price (28.57 and 71.43); together they are the revenue.
  EXPECT_DOUBLE_EQ(standard["revenue"].get<double>(), 971.43);
  EXPECT_DOUBLE_EQ(vip["revenue"].get<double>(), 2429.07);

  auto sessions = http_request(app().port(), "GET", base + "/sessions", "", bearer(s.owner.token));
  ASSERT_EQ(sessions.status, 200);
  EXPECT_EQ(sessions.json()["sessions"][0]["total_tickets_sold"], 2);
  auto one = http_request(app().port(), "GET", base + "/sessions/" + s.event.session_id, "", bearer(s.owner.token));
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["total_revenue"], 3400.5);
  auto discounts = http_request(app().port(), "GET", base + "/discounts", "", bearer(s.owner.token));
  ASSERT_EQ(discounts.status, 200);
  EXPECT_EQ(discounts.json()["discount_usage"][0]["discount_code"], "TEN");
  EXPECT_EQ(discounts.json()["discount_usage"][0]["usage_count"], 1);
  auto orders = http_request(app().port(), "GET", base + "/orders?status=completed&sort=price&order=desc&limit=5", "",
                             bearer(s.owner.token));
  ASSERT_EQ(orders.status, 200) << orders.body;
  ASSERT_EQ(orders.json().size(), 1u);
  EXPECT_EQ(orders.json()[0]["TotalCount"], 1);
  EXPECT_EQ(http_request(app().port(), "GET", base + "/orders?sort=bogus", "", bearer(s.owner.token)).status, 400);
  // Cancelled orders, under either spelling the API accepts.
  const std::string pending_id = pending.json()["order_id"];
  auto cancel = http_request(app().port(), "DELETE", "/api/order/" + pending_id, "", bearer(buyer.token));
  ASSERT_LT(cancel.status, 300) << cancel.body;
  for (const char* spelling : {"cancelled", "canceled"}) {
    auto r = http_request(app().port(), "GET", base + "/orders?status=" + spelling, "", bearer(s.owner.token));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().size(), 1u) << spelling;
    EXPECT_EQ(r.json()[0]["OrderID"], pending_id) << r.body;
  }
  auto org = http_request(app().port(), "GET", "/api/order/analytics/organizations/" + s.event.organization_id, "",
                          bearer(s.owner.token));
  ASSERT_EQ(org.status, 200);
  EXPECT_EQ(org.json()["total_tickets_sold"], 2);
  auto tickets = http_request(app().port(), "GET", "/api/order/analytics/sessions/" + s.event.session_id + "/tickets",
                              "", bearer(s.owner.token));
  ASSERT_EQ(tickets.status, 200);
  EXPECT_EQ(tickets.json().size(), 2u);

  // Nobody else: not the buyer, not another organizer.
  for (const auto& token : {buyer.token, app().new_user().token}) {
    EXPECT_EQ(http_request(app().port(), "GET", base, "", bearer(token)).status, 403);
    EXPECT_EQ(http_request(app().port(), "GET", base + "/orders", "", bearer(token)).status, 403);
    EXPECT_EQ(http_request(app().port(), "GET", "/api/order/analytics/organizations/" + s.event.organization_id, "",
                           bearer(token))
                  .status,
              403);
    EXPECT_EQ(http_request(app().port(), "GET", "/api/order/analytics/sessions/" + s.event.session_id + "/tickets", "",
                           bearer(token))
                  .status,
              403);
    EXPECT_EQ(http_request(app().port(), "GET", "/api/order/sse/checkouts/event/" + s.event.id, "", bearer(token)).status,
              403);
  }
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/analytics/events/" + new_uuid(), "", bearer(s.owner.token)).status,
            404);
  EXPECT_EQ(http_request(app().port(), "GET", base).status, 401);
}

TEST_F(OrderAnalytics, CheckoutStreamAnnouncesOrdersOfTheEvent) {
  auto s = published_event(2);
  TestConnection stream(app().port());
  stream.send_raw("GET /api/order/sse/checkouts/event/" + s.event.id + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                  s.owner.token + "\r\nAccept: text/event-stream\r\n\r\n");
  auto hello = stream.read_until("event: CONNECTED\n", std::chrono::seconds(10));
  EXPECT_NE(hello.find("text/event-stream"), std::string::npos);
  auto buyer = app().new_user();
  auto placed = app().place(buyer.token, s.event, {s.event.seats[0].id});
  ASSERT_EQ(placed.status, 201);
  const std::string id = placed.json()["order_id"];
  auto text = stream.read_until(id, std::chrono::seconds(10));
  EXPECT_NE(text.find("event: CHECKOUT\n"), std::string::npos);
  EXPECT_NE(text.find("\"status\":\"pending\""), std::string::npos);
}

}  // namespace
}  // namespace ticketly::testing
