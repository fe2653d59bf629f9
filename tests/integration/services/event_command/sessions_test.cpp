// Sessions (API.md §1): creation on an existing event, reading, rescheduling, the status
// machine, venue and seating-map changes while SCHEDULED, deletion.
#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandSessions : public EcSuite {
 protected:
  static std::string message(const HttpResult& r) { return r.json().value("message", ""); }
  HttpResult set_status(const std::string& session, const std::string& status, const std::string& token) const {
    return api().put("/v1/sessions/" + session + "/status", {{"status", status}}, token);
  }
  Created approved_event() const {
    auto c = create_event();
    EXPECT_EQ(api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_).status, 200);
    return c;
  }
  // Adds one more (PHYSICAL) session to the event; returns its id.
  std::string add_session(const Created& c) const {
    const std::string id = Uuid::random().str();
    Json session = sample_session(vip_tier(c.request), ga_tier(c.request), id);
    auto r = api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {session}}}, owner_);
    EXPECT_EQ(r.status, 201) << r.body;
    return id;
  }
  // PUT of the request's discount with other session ids.
  HttpResult retarget_discount(const Created& c, const Json& session_ids) const {
    Json d = c.request["discounts"][0];
    d["applicableSessionIds"] = session_ids;
    return api().put("/v1/events/" + c.event + "/discounts/" + c.discount(), d, owner_);
  }
  std::string event_status(const Created& c) const {
    return api().get("/v1/events/" + c.event, owner_).json().value("status", "");
  }
};

TEST_F(EventCommandSessions, AddsSessionsToAnEvent) {
  auto c = create_event();
  Json online = sample_session(vip_tier(c.request), ga_tier(c.request));
  online["sessionType"] = "ONLINE";
  online["venueDetails"] = {{"onlineLink", "https://meet.example.com/x"}};
  online["layoutData"] = {{"name", "Online"},
                          {"layout",
                           {{"blocks",
                             {{{"id", Uuid::random().str()},
                               {"name", "Online Attendees"},
                               {"type", "standing_capacity"},
                               {"position", {{"x", 25}, {"y", 25}}},
                               {"capacity", 3},
                               {"seats", Json::array()}}}}}}};
  // Slots without ids are generated from the capacity, all with the block's tier.
  online["layoutData"]["layout"]["blocks"][0]["tierId"] = ga_tier(c.request);
  auto r = api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {online}}}, owner_);
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = r.json();
  EXPECT_EQ(body["eventId"], c.event);
  EXPECT_EQ(body["totalCreated"], 1);
  ASSERT_EQ(body["sessions"].size(), 1u);
  EXPECT_EQ(body["sessions"][0]["sessionType"], "ONLINE");
  EXPECT_EQ(body["sessions"][0]["status"], "SCHEDULED");

  auto list = api().get("/v1/sessions?eventId=" + c.event, owner_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json().size(), 2u);
  EXPECT_EQ(api().get("/v1/sessions?eventId=" + c.event, other_).status, 403);
  EXPECT_EQ(api().get("/v1/sessions", owner_).status, 400);
  EXPECT_EQ(api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {online}}}, other_).status, 403);
  EXPECT_EQ(api().post("/v1/sessions", {{"eventId", Uuid::random().str()}, {"sessions", {online}}}, owner_).status, 404);
  EXPECT_EQ(api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {online}}}, "").status, 401);
}

TEST_F(EventCommandSessions, ValidatesSessionsOnThisPathToo) {
  auto c = create_event();
  Json s = sample_session(vip_tier(c.request), ga_tier(c.request));
  s["layoutData"]["layout"]["blocks"][0]["rows"][0]["seats"][0]["tierId"] = Uuid::random().str();
  auto foreign = api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {s}}}, owner_);
  EXPECT_EQ(foreign.status, 400) << foreign.body;

  Json short_one = sample_session(vip_tier(c.request), ga_tier(c.request));
  short_one["endTime"] = short_one["startTime"];
  auto too_short = api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {short_one}}}, owner_);
  EXPECT_EQ(too_short.status, 400);
  EXPECT_NE(message(too_short).find("at least 30 minutes"), std::string::npos) << too_short.body;

  auto empty = api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", Json::array()}}, owner_);
  EXPECT_EQ(empty.status, 400);
  auto no_event = api().post("/v1/sessions", {{"sessions", {s}}}, owner_);
  EXPECT_EQ(no_event.status, 400);
  EXPECT_NE(message(no_event).find("eventId"), std::string::npos);
}

TEST_F(EventCommandSessions, FreePlanAllowsFiveSessionsPerEvent) {
  auto user = create_user(*app_, "free-sessions");
  const std::string org = api().create_organization(user.token, "Free sessions");
  Json request = event_request(org, api().any_category(user.token));
  for (int i = 0; i < 4; ++i) request["sessions"].push_back(sample_session(vip_tier(request), ga_tier(request)));
  auto r = api().create_event(user.token, request);
  ASSERT_EQ(r.status, 201) << r.body;
  Json sixth = sample_session(vip_tier(request), ga_tier(request));
  auto refused = api().post("/v1/sessions", {{"eventId", r.json()["id"]}, {"sessions", {sixth}}}, user.token);
  EXPECT_EQ(refused.status, 403) << refused.body;
  request["sessions"].push_back(sixth);
  EXPECT_EQ(api().create_event(user.token, request).status, 403);
  // FREE: one active (PENDING or APPROVED) event per organization.
  auto second = api().create_event(user.token, event_request(org, api().any_category(user.token)));
  EXPECT_EQ(second.status, 403) << second.body;
  EXPECT_NE(second.json().value("message", "").find("active events"), std::string::npos) << second.body;
}

TEST_F(EventCommandSessions, OwnerReadsOthersDoNot) {
  auto c = create_event();
  auto r = api().get("/v1/sessions/" + c.session(), owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto s = r.json();
  EXPECT_EQ(s["id"], c.session());
  EXPECT_EQ(s["eventId"], c.event);
  EXPECT_EQ(s["venueDetails"]["name"], "Nelum Pokuna");
  EXPECT_TRUE(s["layoutData"]["layout"]["blocks"].is_array());
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), other_).status, 403);
  EXPECT_EQ(api().get("/v1/sessions/" + Uuid::random().str(), owner_).status, 404);
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), "").status, 401);
}

TEST_F(EventCommandSessions, StatusMachine) {
  auto pending = create_event();
  // Not approved: cannot go on sale.
  EXPECT_EQ(set_status(pending.session(), "ON_SALE", owner_).status, 409);

  auto c = approved_event();
  EXPECT_EQ(set_status(c.session(), "ON_SALE", other_).status, 403);
  EXPECT_EQ(set_status(c.session(), "BOGUS", owner_).status, 400);
  EXPECT_EQ(set_status(c.session(), "CLOSED", owner_).status, 409);  // SCHEDULED → CLOSED is not allowed
  const auto scheduled_sales =
      parse_iso8601(api().get("/v1/sessions/" + c.session(), owner_).json()["salesStartTime"].get<std::string>());
  auto on_sale = set_status(c.session(), "ON_SALE", owner_);
  ASSERT_EQ(on_sale.status, 200) << on_sale.body;
  EXPECT_EQ(on_sale.json()["status"], "ON_SALE");
  // Opened before its scheduled time: the sales start becomes now, for every reader.
  const auto opened = parse_iso8601(on_sale.json()["salesStartTime"].get<std::string>());
  ASSERT_TRUE(scheduled_sales && opened);
  EXPECT_GT(*scheduled_sales, Clock::now());
  EXPECT_LE(*opened, Clock::now());
  EXPECT_EQ(set_status(c.session(), "SCHEDULED", owner_).status, 409);
  EXPECT_EQ(set_status(c.session(), "SOLD_OUT", owner_).json()["status"], "SOLD_OUT");
  EXPECT_EQ(set_status(c.session(), "ON_SALE", owner_).json()["status"], "ON_SALE");
  // While on sale the map and the venue are fixed.
  EXPECT_EQ(api().put("/v1/sessions/" + c.session() + "/venue-details", {{"venueDetails", {{"name", "Elsewhere"}}}}, owner_)
                .status,
            409);
  EXPECT_EQ(api().del("/v1/sessions/" + c.session(), owner_).status, 409);
  auto cancelled = set_status(c.session(), "CANCELED", owner_);  // the alternative spelling
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json()["status"], "CANCELLED");
  EXPECT_EQ(set_status(c.session(), "ON_SALE", owner_).status, 409);  // terminal
  // Its only session is cancelled: the event is COMPLETED.
  EXPECT_EQ(api().get("/v1/events/" + c.event, owner_).json()["status"], "COMPLETED");
}

TEST_F(EventCommandSessions, ReschedulesWithTheSameRules) {
  auto c = create_event();
  const std::string path = "/v1/sessions/" + c.session() + "/time";
  Json time = {{"startTime", iso_from_now(std::chrono::hours(100))},
               {"endTime", iso_from_now(std::chrono::hours(103))},
               {"salesStartTime", iso_from_now(std::chrono::hours(50))}};
  auto r = api().put(path, time, owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["startTime"], time["startTime"]);
  time["endTime"] = iso_from_now(std::chrono::hours(120));
  auto too_long = api().put(path, time, owner_);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_NE(message(too_long).find("at most 12 hours"), std::string::npos) << too_long.body;
  EXPECT_EQ(api().put("/v1/sessions/" + Uuid::random().str() + "/time", time, owner_).status, 400);
  time["endTime"] = iso_from_now(std::chrono::hours(101));
  EXPECT_EQ(api().put(path, time, other_).status, 403);
  EXPECT_EQ(api().put("/v1/sessions/" + Uuid::random().str() + "/time", time, owner_).status, 404);
}

TEST_F(EventCommandSessions, ChangesVenueAndLayoutWhileScheduled) {
  auto c = create_event();
  auto venue = api().put("/v1/sessions/" + c.session() + "/venue-details",
                         {{"venueDetails", {{"name", "BMICH"}, {"address", "Colombo 07"}}}}, owner_);
  ASSERT_EQ(venue.status, 200) << venue.body;
  EXPECT_EQ(venue.json()["venueDetails"]["name"], "BMICH");
  EXPECT_EQ(api().put("/v1/sessions/" + c.session() + "/venue-details", {{"venueDetails", {{"address", "x"}}}}, owner_)
                .status,
            400);

  Json layout = sample_layout(vip_tier(c.request), ga_tier(c.request), 5);
  auto changed = api().put("/v1/sessions/" + c.session() + "/layout", {{"layoutData", layout}}, owner_);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json()["layoutData"]["layout"]["blocks"][1]["seats"].size(), 5u);
  layout["layout"]["blocks"][1]["seats"][0]["id"] = layout["layout"]["blocks"][0]["rows"][0]["seats"][0]["id"];
  auto dup = api().put("/v1/sessions/" + c.session() + "/layout", {{"layoutData", layout}}, owner_);
  EXPECT_EQ(dup.status, 400) << dup.body;
  EXPECT_EQ(api().put("/v1/sessions/" + c.session() + "/layout", {{"layoutData", layout}}, other_).status, 403);

  Json online_layout = {{"name", "Online"},
                        {"layout",
                         {{"blocks",
                           {{{"id", Uuid::random().str()},
                             {"name", "Online Attendees"},
                             {"type", "standing_capacity"},
                             {"position", {{"x", 25}, {"y", 25}}},
                             {"capacity", 1},
                             {"seats", {{{"id", Uuid::random().str()}, {"label", "Slot 1"}, {"tierId", ga_tier(c.request)}, {"status", "AVAILABLE"}}}}}}}}}};
  auto online = api().put("/v1/sessions/" + c.session() + "/venue",
                          {{"sessionType", "ONLINE"},
                           {"venueDetails", {{"onlineLink", "https://zoom.example.com/j/1"}}},
                           {"layoutData", online_layout}},
                          owner_);
  ASSERT_EQ(online.status, 200) << online.body;
  EXPECT_EQ(online.json()["sessionType"], "ONLINE");
  auto missing_link = api().put("/v1/sessions/" + c.session() + "/venue",
                                {{"sessionType", "ONLINE"}, {"venueDetails", Json::object()}, {"layoutData", online_layout}},
                                owner_);
  EXPECT_EQ(missing_link.status, 400) << missing_link.body;
}

TEST_F(EventCommandSessions, DeletesAScheduledSession) {
  auto c = create_event();
  const std::string second = add_session(c);
  ASSERT_EQ(retarget_discount(c, {c.session(), second}).status, 200);
  EXPECT_EQ(api().del("/v1/sessions/" + c.session(), other_).status, 403);
  EXPECT_EQ(api().del("/v1/sessions/" + c.session(), owner_).status, 204);
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), owner_).status, 404);
  EXPECT_EQ(api().del("/v1/sessions/" + c.session(), owner_).status, 404);
  // The discount no longer refers to it, and still applies to the other session only.
  auto d = api().get("/v1/events/" + c.event + "/discounts/" + c.discount(), owner_);
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.json()["applicableSessionIds"], Json::array({second}));
}

TEST_F(EventCommandSessions, RefusesToDeleteTheOnlySessionOfADiscount) {
  auto c = create_event();  // its discount SUMMER10 applies to its session alone
  auto refused = api().del("/v1/sessions/" + c.session(), owner_);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(message(refused).find("SUMMER10"), std::string::npos) << refused.body;
  // Nothing changed: the session is there, the discount still limited to it (not "all").
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), owner_).status, 200);
  auto d = api().get("/v1/events/" + c.event + "/discounts/" + c.discount(), owner_);
  EXPECT_EQ(d.json()["applicableSessionIds"], Json::array({c.session()})) << d.body;
  // Once the organizer retargets the discount, the session can go.
  ASSERT_EQ(retarget_discount(c, Json::array()).status, 200);
  EXPECT_EQ(api().del("/v1/sessions/" + c.session(), owner_).status, 204);
}

TEST_F(EventCommandSessions, DeletingTheLastUnfinishedSessionCompletesTheEvent) {
  auto c = approved_event();
  const std::string second = add_session(c);
  ASSERT_EQ(set_status(c.session(), "ON_SALE", owner_).status, 200);
  ASSERT_EQ(set_status(c.session(), "CLOSED", owner_).status, 200);
  EXPECT_EQ(event_status(c), "APPROVED");  // the second session is still SCHEDULED
  ASSERT_EQ(api().del("/v1/sessions/" + second, owner_).status, 204);
  EXPECT_EQ(event_status(c), "COMPLETED");
}

TEST_F(EventCommandSessions, DeletingTheOnlySessionLeavesTheEventOpenForNewOnes) {
  auto c = approved_event();
  ASSERT_EQ(retarget_discount(c, Json::array()).status, 200);
  ASSERT_EQ(api().del("/v1/sessions/" + c.session(), owner_).status, 204);
  // No sessions is not "all finished": the event stays APPROVED and can get new sessions.
  EXPECT_EQ(event_status(c), "APPROVED");
  add_session(c);
}

TEST_F(EventCommandSessions, ConcurrentEditsNeverLoseAnUpdate) {
  auto c = create_event();
  // Two clients read version v and both try to change the event: one wins, one gets 409.
  const long version = api().get("/v1/events/" + c.event, owner_).json()["version"].get<long>();
  Headers if_match = {{"If-Match", std::to_string(version)}};
  auto first = api().put("/v1/sessions/" + c.session() + "/venue-details", {{"venueDetails", {{"name", "First"}}}}, owner_,
                         if_match);
  auto second = api().put("/v1/sessions/" + c.session() + "/venue-details", {{"venueDetails", {{"name", "Second"}}}},
                          owner_, if_match);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), owner_).json()["venueDetails"]["name"], "First");
}

}  // namespace
}  // namespace ticketly::testing::ec
