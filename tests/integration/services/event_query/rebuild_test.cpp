// `ticketly rebuild-read-model`: the read model comes back from the bus alone.
#include <gtest/gtest.h>

#include "support/bus_test_support.h"
#include "support/child_process.h"
#include "support/event_query_support.h"
#include "support/http_client.h"

namespace ticketly::testing {
namespace {

std::string psql(const TestApp& app, const std::string& sql) {
  auto [code, out] = run_command({"/usr/bin/psql", app.database_url("event-query"), "-tAc", sql}, {});
  EXPECT_EQ(code, 0) << out;
  return out;
}

TEST(EventQueryRebuild, RebuildsFromTheBusAndDropsWhatDidNotComeFromIt) {
  TestApp app({"event-query"});
  BusPublisher bus(app);
  EventBuilder kept;
  kept.title("Survives The Rebuild");
  const auto s = kept.session();
  bus.event(kept.snapshot(1));
  kept.title("Survives The Rebuild v2");
  bus.event(kept.snapshot(2));
  EventBuilder gone;
  gone.session();
  bus.event(gone.snapshot(1));
  bus.event(gone.deleted(2));
  bus.seats(seat_status_message(s.id, {s.seat_ids[0]}, "BOOKED", 5));
  const std::string basic = "/api/event-query/v1/events/" + kept.id() + "/basic-info";
  ASSERT_EQ(poll_get(app.port(), basic, [](const HttpResult& r) {
              return r.status == 200 && r.json()["title"] == "Survives The Rebuild v2";
            }).status,
            200);
  ASSERT_TRUE(wait_handled(app.port(), "ticketly.seats.status", 1));
  // Something the bus never said: must not survive.
  psql(app, "INSERT INTO eq_categories (id, version, name) VALUES (gen_random_uuid(), 1, 'Forged')");

  // A seat-status subscriber: the replay cannot tell which maps changed, so it resyncs all.
  TestConnection stream(app.port());
  stream.send_raw("GET /api/event-query/v1/sse/sessions/" + s.id + "/seat-status HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_NE(stream.read_until("\r\n\r\n", std::chrono::seconds(5)).find(" 200 "), std::string::npos);

  auto env = app.child_environment();
  env.push_back("TICKETLY_LOG_LEVEL=warn");
  env.push_back("TICKETLY_BUS_POLL_INTERVAL=100ms");
  auto [code, out] = run_command({TICKETLY_BINARY, "rebuild-read-model"}, env, std::chrono::seconds(60));
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rebuilt the read model"), std::string::npos) << out;

  EXPECT_EQ(psql(app, "SELECT count(*) FROM eq_categories WHERE name = 'Forged'"), "0\n");
  EXPECT_EQ(psql(app, "SELECT title || ':' || version FROM eq_events WHERE id = '" + kept.id() + "'"),
            "Survives The Rebuild v2:2\n");
  EXPECT_EQ(psql(app, "SELECT deleted FROM eq_events WHERE id = '" + gone.id() + "'"), "t\n");
  EXPECT_EQ(psql(app, "SELECT status FROM eq_seat_status WHERE seat_id = '" + s.seat_ids[0] + "'"), "BOOKED\n");
  // The running service saw the rebuild's notification and serves the rebuilt state.
  auto r = poll_get(app.port(), basic, [](const HttpResult& res) { return res.status == 200; });
  EXPECT_EQ(r.json()["title"], "Survives The Rebuild v2");
  EXPECT_NO_THROW(stream.read_until("event: RESYNC\ndata: {\"sessionId\":\"" + s.id + "\"}", std::chrono::seconds(10)));
}

}  // namespace
}  // namespace ticketly::testing
