// What the order service publishes: seat-status messages grouped per session for a batch.
#include <gtest/gtest.h>

#include "platform/json/json.h"
#include "services/order/events/messages.h"

namespace ticketly::order::events {
namespace {

json::Json payload_of(const bus::OutgoingMessage& m) { return json::Json::parse(m.payload); }

TEST(OrderSeatStatusBatch, OneMessagePerSessionWithEverySeatAndTheHighestSeq) {
  const Uuid a = Uuid::random(), b = Uuid::random();
  const Uuid o1 = Uuid::random(), o2 = Uuid::random(), o3 = Uuid::random();
  const Uuid s1 = Uuid::random(), s2 = Uuid::random(), s3 = Uuid::random(), s4 = Uuid::random();
  SeatStatusBatch batch("BOOKED");
  batch.add(a, {s1, s2}, o1, 7);
  batch.add(b, {s3}, o2, 9);
  batch.add(a, {s4}, o3, 5);
  const auto messages = batch.messages();
  ASSERT_EQ(messages.size(), 2u);
  for (const auto& m : messages) {
    EXPECT_EQ(m.topic, kSeatStatusTopic);
    const auto p = payload_of(m);
    EXPECT_EQ(p["status"], "BOOKED");
    if (m.key == a.str()) {
      EXPECT_EQ(p["seat_ids"], json::Json::array({s1.str(), s2.str(), s4.str()}));
      EXPECT_EQ(p["seq"], 7);
      EXPECT_TRUE(!p.contains("order_id") || p["order_id"].is_null()) << p.dump();  // two orders
    } else {
      EXPECT_EQ(m.key, b.str());
      EXPECT_EQ(p["seat_ids"], json::Json::array({s3.str()}));
      EXPECT_EQ(p["seq"], 9);
      EXPECT_EQ(p["order_id"], o2.str());
    }
  }
  EXPECT_TRUE(SeatStatusBatch("LOCKED").messages().empty());
}

}  // namespace
}  // namespace ticketly::order::events
