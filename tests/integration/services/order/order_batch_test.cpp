// order_place and order_pay_all decide a whole group-committed batch (migrations/order/0004):
// the common requests set-based, the rest one by one after them. These tests hand the
// functions batches that mix both and check that every request gets the answer it would
// get if the batch were decided one request after another.
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderBatches = OrderSuite<DefaultEnv>;

struct Batch {
  const TestEvent& event;
  int max_pending = 2;

  std::int64_t price_of(const std::string& seat) const {
    return std::stoll(OrderBatches::app().scalar("SELECT price FROM seats WHERE session_id = '" + event.session_id +
                                                 "' AND seat_id = '" + seat + "'"));
  }
  // A request as the HoldWriter sends it (placer.cpp); `price_delta` makes it priced
  // against another catalog than the current one.
  json::Json request(const std::string& order_id, const std::string& user, const std::vector<std::string>& seats,
                     std::int64_t price_delta = 0, std::int64_t version_delta = 0) const {
    json::Json seat_ids = json::Json::array(), prices = json::Json::array(), items = json::Json::array();
    std::int64_t total = 0;
    for (const auto& s : seats) {
      const std::int64_t p = price_of(s) + price_delta;
      seat_ids.push_back(s);
      prices.push_back(p);
      items.push_back({{"seat_id", s}, {"seat_label", s.substr(0, 4)}, {"tier_id", event.tiers[0].id},
                       {"tier_name", "A"}, {"tier_color", "#fff"}, {"price", p}, {"paid", p}});
      total += p;
    }
    return {{"order_id", order_id},          {"user_id", user},
            {"event_id", event.id},          {"event_version", event.version + version_delta},
            {"organization_id", event.organization_id},
            {"session_id", event.session_id}, {"seat_ids", seat_ids},
            {"prices", prices},              {"discount_id", nullptr},
            {"discount_code", ""},           {"discount_max", nullptr},
            {"subtotal", total},             {"discount_amount", 0},
            {"price", total},                {"items", items},
            {"created_at", "2026-11-27T10:00:00Z"}, {"expires_at", "2099-01-01T00:00:00Z"},
            {"max_pending", max_pending}};
  }
};

json::Json call(const std::string& function, const json::Json& batch) {
  std::string text = batch.dump();
  std::string quoted;
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return json::Json::parse(OrderBatches::app().scalar("SELECT " + function + "('" + quoted + "'::jsonb)::text"));
}

std::string seat_row(const TestEvent& e, const std::string& seat) {
  return OrderBatches::app().scalar("SELECT state || ':' || coalesce(order_id::text, '') FROM seats WHERE session_id = '" +
                                    e.session_id + "' AND seat_id = '" + seat + "'");
}

json::Json payment(const std::string& event_id, const std::string& order_id, std::int64_t amount) {
  return {{"event_id", event_id}, {"event_type", "payment_intent.succeeded"}, {"intent_id", "pi_" + order_id},
          {"order_id", order_id}, {"amount", amount}};
}

TEST_F(OrderBatches, EveryRequestOfAMixedBatchGetsItsOwnAnswer) {
  auto setup = published_event(10);
  const auto& e = setup.event;
  const Batch b{e};
  auto seat = [&](int i) { return e.seats[i].id; };
  const std::string a = Uuid::time_ordered().str(), bb = Uuid::time_ordered().str(), c = Uuid::time_ordered().str(),
                    d = Uuid::time_ordered().str(), s = Uuid::time_ordered().str(), v = Uuid::time_ordered().str(),
                    g = Uuid::time_ordered().str();
  json::Json batch = json::Json::array({
      b.request(a, "u1", {seat(0), seat(1)}),    // held
      b.request(bb, "u2", {seat(1)}),            // taken by the first, in the same batch
      b.request(c, "u1", {seat(2)}),             // held: u1's second pending order
      b.request(d, "u1", {seat(3)}),             // u1 is at the limit of 2
      b.request(s, "u3", {seat(4)}, 1),          // priced against another catalog
      b.request(v, "u3", {seat(5)}, 0, -1),      // an older event version
      b.request(g, "u4", {seat(6)}),             // held
  });
  const auto results = call("order_place", batch);
  ASSERT_EQ(results.size(), 7u) << results.dump();
  EXPECT_EQ(results[0]["result"], "held");
  EXPECT_EQ(results[1]["result"], "taken");
  ASSERT_EQ(results[1]["seats"].size(), 1u);
  EXPECT_EQ(results[1]["seats"][0]["seat_id"], seat(1));
  EXPECT_EQ(results[1]["seats"][0]["state"], "LOCKED");
  EXPECT_EQ(results[2]["result"], "held");
  EXPECT_EQ(results[3]["result"], "limit");
  EXPECT_EQ(results[4]["result"], "stale");
  EXPECT_EQ(results[5]["result"], "stale");
  EXPECT_EQ(results[6]["result"], "held");
  EXPECT_GT(results[0].value("seq", 0), 0);

  EXPECT_EQ(seat_row(e, seat(0)), "LOCKED:" + a);
  EXPECT_EQ(seat_row(e, seat(1)), "LOCKED:" + a);
  EXPECT_EQ(seat_row(e, seat(2)), "LOCKED:" + c);
  for (int i : {3, 4, 5}) EXPECT_EQ(seat_row(e, seat(i)), "AVAILABLE:") << i;
  EXPECT_EQ(seat_row(e, seat(6)), "LOCKED:" + g);
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders WHERE session_id = '" + e.session_id + "'"), "3");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM order_pending_slots WHERE user_id = 'u1' AND session_id = '" +
                         e.session_id + "'"),
            "2");
  EXPECT_EQ(app().scalar("SELECT count(DISTINCT slot) FROM order_pending_slots WHERE user_id = 'u1' AND session_id = '" +
                         e.session_id + "'"),
            "2");

  // The next batch sees the committed holds: the limit and the taken seats hold across batches.
  const std::string h = Uuid::time_ordered().str(), k = Uuid::time_ordered().str();
  const auto next = call("order_place", json::Json::array({b.request(h, "u1", {seat(7)}),
                                                           b.request(k, "u5", {seat(8), seat(0)})}));
  EXPECT_EQ(next[0]["result"], "limit");
  EXPECT_EQ(next[1]["result"], "taken");
  EXPECT_EQ(seat_row(e, seat(8)), "AVAILABLE:");  // nothing held partially
}

TEST_F(OrderBatches, EveryPaymentOfAMixedBatchGetsItsOwnAnswer) {
  auto setup = published_event(6);
  const auto& e = setup.event;
  const Batch b{e};
  auto seat = [&](int i) { return e.seats[i].id; };
  const std::string a = Uuid::time_ordered().str(), c = Uuid::time_ordered().str(), g = Uuid::time_ordered().str(),
                    h = Uuid::time_ordered().str();
  const auto held = call("order_place", json::Json::array({b.request(a, "p1", {seat(0), seat(1)}),
                                                           b.request(c, "p2", {seat(2)}),
                                                           b.request(g, "p3", {seat(3)}),
                                                           b.request(h, "p4", {seat(4)})}));
  for (const auto& r : held) ASSERT_EQ(r["result"], "held") << held.dump();
  const std::int64_t price_a = b.price_of(seat(0)) + b.price_of(seat(1)), price_c = b.price_of(seat(2)),
                     price_g = b.price_of(seat(3)), price_h = b.price_of(seat(4));
  // An event recorded before (its delivery decided nothing about h) is a duplicate.
  app().scalar("INSERT INTO payment_events (event_id, type, intent_id, order_id) VALUES ('evt_h', "
               "'payment_intent.succeeded', 'pi_" + h + "', '" + h + "') RETURNING 1");
  const std::string unknown = Uuid::time_ordered().str();

  const auto results = call("order_pay_all", json::Json::array({
                                                 payment("evt_a1", a, price_a),       // completes a
                                                 payment("evt_a2", a, price_a),       // a again: already paid
                                                 payment("evt_c", c, price_c - 1),    // underpaid: refund
                                                 payment("evt_u", unknown, 100),      // no such order
                                                 payment("evt_a1", a, price_a),       // replay of the first
                                                 payment("evt_g", g, price_g),        // completes g
                                                 payment("evt_h", h, price_h),        // recorded before
                                             }));
  ASSERT_EQ(results.size(), 7u) << results.dump();
  EXPECT_EQ(results[0]["result"], "completed");
  EXPECT_EQ(results[1]["result"], "already_completed");
  EXPECT_EQ(results[2]["result"], "refund");
  EXPECT_EQ(results[3]["result"], "unknown_order");
  EXPECT_EQ(results[4]["result"], "duplicate");
  EXPECT_EQ(results[5]["result"], "completed");
  EXPECT_GT(results[5].value("seq", 0), 0);
  EXPECT_EQ(results[6]["result"], "duplicate");

  EXPECT_EQ(order_status(a), "completed");
  EXPECT_EQ(order_status(g), "completed");
  EXPECT_EQ(order_status(c), "pending");
  EXPECT_EQ(order_status(h), "pending");
  EXPECT_EQ(app().scalar("SELECT payment_status FROM orders WHERE id = '" + c + "'"), "refund_pending");
  EXPECT_EQ(app().scalar("SELECT payment_intent_id FROM orders WHERE id = '" + g + "'"), "pi_" + g);
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + a + "'"), "2");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + g + "'"), "1");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id IN ('" + c + "', '" + h + "')"), "0");
  EXPECT_EQ(seat_row(e, seat(0)), "BOOKED:" + a);
  EXPECT_EQ(seat_row(e, seat(1)), "BOOKED:" + a);
  EXPECT_EQ(seat_row(e, seat(3)), "BOOKED:" + g);
  EXPECT_EQ(seat_row(e, seat(2)), "LOCKED:" + c);
  EXPECT_EQ(seat_row(e, seat(4)), "LOCKED:" + h);
  // A completed order frees its pending slot.
  EXPECT_EQ(app().scalar("SELECT count(*) FROM order_pending_slots WHERE order_id IN ('" + a + "', '" + g + "')"),
            "0");
  EXPECT_EQ(app().scalar("SELECT outcome FROM payment_events WHERE event_id = 'evt_g'"), "completed");
}

}  // namespace
}  // namespace ticketly::testing
