// Two replicas of the service on one read-model database: whichever consumes a message,
// both drop their caches and both stream the change to their own subscribers.
#include <gtest/gtest.h>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"

namespace ticketly::testing {
namespace {

TEST(EventQueryReplicas, EveryReplicaStreamsAndInvalidatesOnEveryChange) {
  TestApp consuming({"event-query"});
  // The second replica shares the read model but not the bus: it never consumes these
  // messages itself, so it can only learn of changes through the database's notifications.
  TestApp other({"event-query"}, {},
                {{"TICKETLY_EVENT_QUERY_DATABASE_URL", consuming.database_url("event-query")}});
  BusPublisher bus(consuming);
  EventBuilder b;
  b.title("Replicated");
  const auto s = b.session();
  bus.event(b.snapshot(1));
  const std::string map = "/api/event-query/v1/sessions/" + s.id + "/seating-map";
  const std::string basic = "/api/event-query/v1/events/" + b.id() + "/basic-info";
  ASSERT_EQ(poll_get(consuming.port(), map, [](const HttpResult& r) { return r.status == 200; }).status, 200);
  // Warm the other replica's caches.
  ASSERT_EQ(poll_get(other.port(), map, [](const HttpResult& r) { return r.status == 200; }).status, 200);
  ASSERT_EQ(http_request(other.port(), "GET", basic).json()["title"], "Replicated");

  TestConnection stream(other.port());
  stream.send_raw("GET /api/event-query/v1/sse/sessions/" + s.id + "/seat-status HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_NE(stream.read_until("\r\n\r\n", std::chrono::seconds(5)).find(" 200 "), std::string::npos);

  bus.seats(seat_status_message(s.id, {s.seat_ids[0]}, "LOCKED", 1));
  auto got = stream.read_until("event: LOCKED", std::chrono::seconds(10));
  EXPECT_NE(got.find(s.seat_ids[0]), std::string::npos);
  auto m = poll_get(other.port(), map, [&](const HttpResult& r) {
    return r.body.find("\"LOCKED\"") != std::string::npos;
  });
  EXPECT_NE(m.body.find("\"LOCKED\""), std::string::npos) << "the other replica kept a stale seat map";

  b.title("Replicated, renamed");
  bus.event(b.snapshot(2));
  auto renamed = poll_get(other.port(), basic, [](const HttpResult& r) {
    return r.status == 200 && r.json()["title"] == "Replicated, renamed";
  });
  EXPECT_EQ(renamed.json()["title"], "Replicated, renamed") << "the other replica kept a stale event";
}

}  // namespace
}  // namespace ticketly::testing
