// Payments: intents, the signed webhook (replays, reordering, forgery), tickets with QR,
// the development provider (API.md §3, DESIGN.md §3).
#include <cctype>
#include <cstdint>
#include <future>
#include <map>
#include <string>

#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderPayment = OrderSuite<DefaultEnv>;

HttpResult deliver(const std::string& body, const std::string& secret = kWebhookSecret,
                   std::int64_t at = now_seconds()) {
  return deliver_webhook(OrderPayment::app().port(), body, secret, at);
}

struct Placed {
  OrderPayment::Setup setup;
  CreatedUser buyer;
  std::string order_id;
  std::string intent;
  std::int64_t amount = 0;  // minor units
};

Placed place_with_intent(int seats_in_order) {
  auto& app = OrderPayment::app();
  Placed p{OrderPayment::published_event(4), app.new_user(), "", "", 0};
  std::vector<std::string> seats;
  for (int i = 0; i < seats_in_order; ++i) seats.push_back(p.setup.event.seats[i].id);
  auto r = app.place(p.buyer.token, p.setup.event, seats);
  EXPECT_EQ(r.status, 201) << r.body;
  p.order_id = r.json()["order_id"];
  auto pi = http_request(app.port(), "POST", "/api/order/" + p.order_id + "/create-payment-intent", "",
                         bearer(p.buyer.token));
  EXPECT_EQ(pi.status, 200) << pi.body;
  auto j = pi.json();
  p.intent = j["paymentIntentId"];
  EXPECT_TRUE(j["clientSecret"].get<std::string>().starts_with("dev_"));
  EXPECT_EQ(j["seatLockDurationMins"], 10);
  EXPECT_EQ(j["order"]["OrderID"], p.order_id);
  p.amount = std::llround(j["order"]["Price"].get<double>() * 100);
  return p;
}

TEST_F(OrderPayment, PaymentIntentIsIdempotentAndOnlyForTheBuyer) {
  auto p = place_with_intent(1);
  auto again = http_request(app().port(), "POST", "/api/order/" + p.order_id + "/create-payment-intent", "",
                            bearer(p.buyer.token));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["paymentIntentId"], p.intent);
  auto other = app().new_user();
  EXPECT_EQ(http_request(app().port(), "POST", "/api/order/" + p.order_id + "/create-payment-intent", "",
                         bearer(other.token))
                .status,
            404);
  EXPECT_EQ(app().pay(other.token, p.order_id).status, 404);  // nobody pays (or fails) another's order
}

// Intents are recorded group-committed (payments/intent_writer.h): checkouts that start at
// once, some of them twice for the same order and one for a cancelled order, each get
// their own answer, and one intent per order is recorded.
TEST_F(OrderPayment, ConcurrentCheckoutsEachRecordTheirOwnIntent) {
  auto setup = published_event(8);
  constexpr int kOrders = 6;
  std::vector<CreatedUser> buyers;
  std::vector<std::string> orders;
  for (int i = 0; i < kOrders; ++i) {
    buyers.push_back(app().new_user());
    auto r = app().place(buyers[i].token, setup.event, {setup.event.seats[i].id});
    ASSERT_EQ(r.status, 201) << r.body;
    orders.push_back(r.json()["order_id"]);
  }
  const int cancelled = kOrders - 1;
  ASSERT_EQ(http_request(app().port(), "DELETE", "/api/order/" + orders[cancelled], "", bearer(buyers[cancelled].token))
                .status,
            200);
  auto results = concurrently(2 * kOrders, [&](int i) {
    const int k = i % kOrders;
    return http_request(app().port(), "POST", "/api/order/" + orders[k] + "/create-payment-intent", "",
                        bearer(buyers[k].token));
  });
  for (int k = 0; k < kOrders; ++k) {
    const auto& first = results[k];
    const auto& second = results[k + kOrders];
    if (k == cancelled) {
      EXPECT_EQ(first.status, 409) << first.body;
      EXPECT_EQ(second.status, 409) << second.body;
      continue;
    }
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(first.json()["paymentIntentId"], second.json()["paymentIntentId"]);
    EXPECT_EQ(first.json()["clientSecret"], second.json()["clientSecret"]);
    EXPECT_EQ(first.json()["order"]["OrderID"], orders[k]);
    EXPECT_EQ(app().scalar("SELECT payment_intent_id FROM orders WHERE id = '" + orders[k] + "'"),
              first.json()["paymentIntentId"].get<std::string>());
    EXPECT_EQ(app().scalar("SELECT payment_status FROM orders WHERE id = '" + orders[k] + "'"), "requires_payment");
  }
  EXPECT_EQ(app().scalar("SELECT coalesce(payment_intent_id, 'none') FROM orders WHERE id = '" + orders[cancelled] + "'"),
            "none");
}

// Orders are read batched (store/order_reader.h): reads that arrive together share one
// query, yet each answers its own request — its own order, with tickets once completed —
// and another buyer's order or an unknown id stays a 404 within a shared batch.
TEST_F(OrderPayment, ConcurrentReadsEachGetTheirOwnOrder) {
  auto setup = published_event(8);
  constexpr int kOrders = 4;
  std::vector<CreatedUser> buyers;
  std::vector<std::string> orders;
  for (int i = 0; i < kOrders; ++i) {
    buyers.push_back(app().new_user());
    auto r = app().place(buyers[i].token, setup.event, {setup.event.seats[2 * i].id, setup.event.seats[2 * i + 1].id});
    ASSERT_EQ(r.status, 201) << r.body;
    orders.push_back(r.json()["order_id"]);
  }
  ASSERT_EQ(app().pay(buyers[0].token, orders[0]).status, 200);  // one completed, with tickets
  const std::string unknown = Uuid::random().str();
  // Per order: its buyer twice, the next buyer (not theirs), and the unknown id.
  auto results = concurrently(4 * kOrders, [&](int i) {
    const int k = i % kOrders, kind = i / kOrders;
    const auto& who = buyers[kind == 2 ? (k + 1) % kOrders : k];
    const std::string& id = kind == 3 ? unknown : orders[k];
    return http_request(app().port(), "GET", "/api/order/" + id, "", bearer(who.token));
  });
  for (int k = 0; k < kOrders; ++k) {
    for (int kind = 0; kind < 2; ++kind) {
      const auto& r = results[kind * kOrders + k];
      ASSERT_EQ(r.status, 200) << r.body;
      auto o = r.json();
      EXPECT_EQ(o["OrderID"], orders[k]);
      EXPECT_EQ(o["UserID"], buyers[k].id);
      EXPECT_EQ(o["Status"], k == 0 ? "completed" : "pending");
      EXPECT_EQ(o["tickets"].size(), k == 0 ? 2u : 0u) << r.body;
    }
    EXPECT_EQ(results[2 * kOrders + k].status, 404) << results[2 * kOrders + k].body;
    EXPECT_EQ(results[3 * kOrders + k].status, 404) << results[3 * kOrders + k].body;
  }
}

TEST_F(OrderPayment, SucceededWebhookCompletesTheOrderWithOneTicketPerSeat) {
  auto p = place_with_intent(2);
  auto r = deliver(stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, p.amount));
  ASSERT_EQ(r.status, 200) << r.body;
  auto got = http_request(app().port(), "GET", "/api/order/" + p.order_id, "", bearer(p.buyer.token));
  ASSERT_EQ(got.status, 200);
  auto o = got.json();
  EXPECT_EQ(o["Status"], "completed");
  EXPECT_EQ(o["PaymentIntentID"], p.intent);
  ASSERT_EQ(o["tickets"].size(), 2u);
  for (const auto& t : o["tickets"]) {
    EXPECT_EQ(t["order_id"], p.order_id);
    EXPECT_FALSE(t["checked_in"].get<bool>());
    EXPECT_EQ(t["checked_in_time"], "0001-01-01T00:00:00Z");
    EXPECT_TRUE(t["qr_code"].get<std::string>().starts_with("iVBORw0K"));  // base64 PNG
  }
  EXPECT_EQ(seat_state(p.setup.event, p.setup.event.seats[0].id), "BOOKED");
  EXPECT_TRUE(published("ticketly.order.updated", p.order_id, {"\"Status\":\"completed\"", "\"ticket_id\""}));
  EXPECT_TRUE(published("ticketly.seats.status", p.setup.event.session_id,
                        {"\"status\":\"BOOKED\"", p.setup.event.seats[0].id, p.setup.event.seats[1].id}));
  // The user's list shows it, with tickets; another user cannot list them.
  auto mine = http_request(app().port(), "GET", "/api/order/user/" + p.buyer.id, "", bearer(p.buyer.token));
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.json().size(), 1u);
  EXPECT_EQ(mine.json()[0]["tickets"].size(), 2u);
  // The same id in capitals is the same user, with the same orders.
  std::string upper = p.buyer.id;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto shouted = http_request(app().port(), "GET", "/api/order/user/" + upper, "", bearer(p.buyer.token));
  ASSERT_EQ(shouted.status, 200);
  EXPECT_EQ(shouted.json().size(), 1u);
  // An admin may list them; another user may not.
  const auto admin = user_token(app().port(), kAdminUser, kAdminPassword);
  auto listed = http_request(app().port(), "GET", "/api/order/user/" + p.buyer.id, "", bearer(admin));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json().size(), 1u);
  auto other = app().new_user();
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/user/" + p.buyer.id, "", bearer(other.token)).status, 403);
}

TEST_F(OrderPayment, ReplayedWebhookIsAcknowledgedWithoutASecondEffect) {
  auto p = place_with_intent(1);
  const std::string body = stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, p.amount);
  ASSERT_EQ(deliver(body).status, 200);
  auto replay = deliver(body);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.json()["result"], "duplicate");
  // Another delivery of the same payment under a new event id does not issue more tickets.
  ASSERT_EQ(deliver(stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, p.amount)).status,
            200);
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + p.order_id + "'"), "1");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + p.order_id + "'"), "0");
}

// Payments arriving together are group-committed (payment_writer.h): each keeps its own
// outcome, a replay racing its original in the same burst changes nothing, and an
// underpayment in the burst is refunded without failing its neighbours.
TEST_F(OrderPayment, ConcurrentPaymentsAndReplaysEachHaveTheirOwnOutcome) {
  constexpr int kOrders = 6;
  std::vector<Placed> placed;
  for (int i = 0; i < kOrders; ++i) placed.push_back(place_with_intent(1));
  std::vector<std::string> bodies;
  for (int i = 0; i < kOrders; ++i) {
    const auto& p = placed[i];
    const std::int64_t amount = i == kOrders - 1 ? p.amount - 1 : p.amount;  // the last one underpays
    bodies.push_back(stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, amount));
  }
  std::vector<std::string> burst = bodies;
  burst.insert(burst.end(), bodies.begin(), bodies.end());  // every event delivered twice, at once
  std::vector<std::future<HttpResult>> answers;
  for (const auto& b : burst) answers.push_back(std::async(std::launch::async, [b] { return deliver(b); }));
  std::map<std::string, int> results;
  for (auto& a : answers) {
    auto r = a.get();
    ASSERT_EQ(r.status, 200) << r.body;
    ++results[r.json()["result"].get<std::string>()];
  }
  EXPECT_EQ(results["completed"], kOrders - 1);
  EXPECT_EQ(results["refund"], 1);
  EXPECT_EQ(results["duplicate"], kOrders);
  for (int i = 0; i < kOrders; ++i) {
    const auto& p = placed[i];
    const bool paid = i < kOrders - 1;
    EXPECT_EQ(order_status(p.order_id), paid ? "completed" : "pending") << i;
    EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + p.order_id + "'"), paid ? "1" : "0");
    EXPECT_EQ(seat_state(p.setup.event, p.setup.event.seats[0].id), paid ? "BOOKED" : "LOCKED") << i;
  }
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + placed.back().order_id + "'"), "1");
}

TEST_F(OrderPayment, LateFailureAfterSuccessChangesNothing) {
  auto p = place_with_intent(1);
  ASSERT_EQ(deliver(stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, p.amount)).status,
            200);
  ASSERT_EQ(deliver(stripe_event("evt_" + new_uuid(), "payment_intent.payment_failed", p.intent, p.order_id, p.amount))
                .status,
            200);
  EXPECT_EQ(order_status(p.order_id), "completed");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + p.order_id + "'"), "1");
  EXPECT_EQ(seat_state(p.setup.event, p.setup.event.seats[0].id), "BOOKED");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + p.order_id + "'"), "0");
  EXPECT_EQ(app().scalar("SELECT payment_status FROM orders WHERE id = '" + p.order_id + "'"), "succeeded");
}

TEST_F(OrderPayment, FailedPaymentKeepsTheOrderPendingAndTheSeatsHeld) {
  auto p = place_with_intent(1);
  auto r = deliver(stripe_event("evt_" + new_uuid(), "payment_intent.payment_failed", p.intent, p.order_id, p.amount));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(order_status(p.order_id), "pending");
  EXPECT_EQ(seat_state(p.setup.event, p.setup.event.seats[0].id), "LOCKED");
  // The buyer may still pay.
  auto paid = app().pay(p.buyer.token, p.order_id);
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_EQ(order_status(p.order_id), "completed");
}

TEST_F(OrderPayment, ForgedStaleOrMalformedWebhooksAreRejected) {
  auto p = place_with_intent(1);
  const std::string body = stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, p.amount);
  EXPECT_EQ(deliver(body, "whsec_wrong").status, 400);
  EXPECT_EQ(deliver(body, kWebhookSecret, now_seconds() - 3600).status, 400);
  EXPECT_EQ(deliver(body, kWebhookSecret, now_seconds() + 3600).status, 400);  // dated in the future
  EXPECT_EQ(http_request(app().port(), "POST", "/api/order/webhook/stripe", body, {{"Content-Type", "application/json"}})
                .status,
            400);
  EXPECT_EQ(deliver("{not json").status, 400);
  EXPECT_EQ(order_status(p.order_id), "pending");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + p.order_id + "'"), "0");
}

TEST_F(OrderPayment, UnderpaymentIsRefundedNotTicketed) {
  auto p = place_with_intent(1);
  ASSERT_EQ(deliver(stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", p.intent, p.order_id, p.amount - 1))
                .status,
            200);
  EXPECT_NE(order_status(p.order_id), "completed");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + p.order_id + "'"), "0");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + p.order_id + "'"), "1");
}

TEST_F(OrderPayment, DevProviderCompletesThePurchaseEndToEnd) {
  auto s = published_event(3);
  auto buyer = app().new_user();
  auto placed = app().place(buyer.token, s.event, {s.event.seats[2].id});
  ASSERT_EQ(placed.status, 201);
  const std::string id = placed.json()["order_id"];
  auto failed = app().pay(buyer.token, id, false);
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(failed.json()["order"]["Status"], "pending");
  auto paid = app().pay(buyer.token, id, true);
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_EQ(paid.json()["order"]["Status"], "completed");
  EXPECT_EQ(paid.json()["order"]["tickets"].size(), 1u);
  auto count = http_request(app().port(), "GET", "/api/order/tickets/count");
  ASSERT_EQ(count.status, 200);
  EXPECT_GE(count.json()["total_count"].get<int>(), 1);
}

// A discount may bring the price to 0 (it never exceeds the subtotal, API.md §3). There is
// nothing to charge, and Stripe refuses an intent for 0: the checkout completes the order.
TEST_F(OrderPayment, AnOrderADiscountMadeFreeCompletesAtCheckout) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 2);
  const auto all_off = s.event.add_discount(
      "ALLOFF", {{"type", "FLAT_OFF"}, {"amount", 5000}, {"currency", "LKR"}, {"minSpend", nullptr}});
  app().publish_event(s.event);
  auto buyer = app().new_user();
  auto placed = app().place(buyer.token, s.event, {s.event.seats[0].id}, all_off);
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string id = placed.json()["order_id"];
  const std::string path = "/api/order/" + id + "/create-payment-intent";
  auto checkout = http_request(app().port(), "POST", path, "", bearer(buyer.token));
  ASSERT_EQ(checkout.status, 200) << checkout.body;
  auto j = checkout.json();
  EXPECT_EQ(j["clientSecret"], "");
  EXPECT_EQ(j["order"]["Price"], 0);
  EXPECT_EQ(j["order"]["Status"], "completed");
  EXPECT_EQ(j["order"]["tickets"].size(), 1u);
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "BOOKED");
  // Asked again (a client retrying): the same answer, nothing issued twice.
  auto again = http_request(app().port(), "POST", path, "", bearer(buyer.token));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["paymentIntentId"], j["paymentIntentId"]);
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + id + "'"), "1");
  // Someone else may not.
  auto other = app().new_user();
  EXPECT_EQ(http_request(app().port(), "POST", path, "", bearer(other.token)).status, 404);
}

// The public count is kept for a while (store/ticket_counter.h) rather than counted per
// request, and grows at once by the tickets this server issues: right after each purchase
// it is the number of rows in the table.
TEST_F(OrderPayment, TicketCountFollowsEachPurchaseAtOnce) {
  auto count = [] {
    auto r = http_request(app().port(), "GET", "/api/order/tickets/count");  // public: no token
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("total_count").get<std::int64_t>();
  };
  const std::int64_t before = count();
  EXPECT_EQ(before, std::stoll(app().scalar("SELECT count(*) FROM tickets")));
  auto s = published_event(4);
  auto buyer = app().new_user();
  auto one = app().place(buyer.token, s.event, {s.event.seats[0].id});
  auto two = app().place(buyer.token, s.event, {s.event.seats[1].id, s.event.seats[2].id});
  ASSERT_EQ(one.status, 201) << one.body;
  ASSERT_EQ(two.status, 201) << two.body;
  ASSERT_EQ(app().pay(buyer.token, one.json()["order_id"], true).status, 200);
  EXPECT_EQ(count(), before + 1);
  ASSERT_EQ(app().pay(buyer.token, two.json()["order_id"], true).status, 200);
  EXPECT_EQ(count(), before + 3);
  EXPECT_EQ(count(), std::stoll(app().scalar("SELECT count(*) FROM tickets")));
}

}  // namespace
}  // namespace ticketly::testing
