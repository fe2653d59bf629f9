// Every analytics route and checkout stream of API.md §3 for each kind of caller: the
// owner gets 200, anyone else 403, a resource that does not exist 404, a malformed
// parameter 400; an active scanner reads a session's tickets and nothing else.
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderAnalyticsAccess = OrderSuite<DefaultEnv>;

int status_of(const std::string& path, const std::string& token) {
  return http_request(OrderAnalyticsAccess::app().port(), "GET", path, "", bearer(token)).status;
}

// Opens a checkout stream and reads up to `marker` (the stream never ends by itself).
std::string read_stream(const std::string& path, const std::string& token, const std::string& marker) {
  TestConnection stream(OrderAnalyticsAccess::app().port());
  stream.send_raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                  "\r\nAccept: text/event-stream\r\n\r\n");
  return stream.read_until(marker, std::chrono::seconds(10));
}

struct Scope {
  OrderAnalyticsAccess::Setup setup;
  CreatedUser scanner;
  std::string event, org, session;  // base paths of the routes
};

Scope organized_event() {
  Scope s{OrderAnalyticsAccess::published_event(3), OrderAnalyticsAccess::app().new_user("scanner"), "", "", ""};
  const auto& e = s.setup.event;
  json::Json staff = json::Json::array(
      {{{"userId", s.scanner.id}, {"email", s.scanner.email}, {"roles", {"SCANNER"}}, {"active", true}}});
  OrderAnalyticsAccess::app().publish_organization(e.organization_id, s.setup.owner.id, 1, staff);
  s.event = "/api/order/analytics/events/" + e.id;
  s.org = "/api/order/analytics/organizations/" + e.organization_id;
  s.session = "/api/order/analytics/sessions/" + e.session_id + "/tickets";
  return s;
}

TEST_F(OrderAnalyticsAccess, EveryRouteAnswersTheOwnerAndRefusesEveryoneElse) {
  const auto s = organized_event();
  const auto& e = s.setup.event;
  const auto stranger = app().new_user();
  const std::vector<std::string> owned = {s.event,
                                          s.event + "/sessions",
                                          s.event + "/sessions/" + e.session_id,
                                          s.event + "/discounts",
                                          s.event + "/orders",
                                          s.org,
                                          s.session};
  for (const auto& path : owned) {
    EXPECT_EQ(status_of(path, s.setup.owner.token), 200) << path;
    EXPECT_EQ(status_of(path, stranger.token), 403) << path;
    EXPECT_EQ(http_request(app().port(), "GET", path).status, 401) << path;
  }
  // The owner and the scanner of another organization are strangers here.
  const auto rival = organized_event();
  for (const auto& path : owned) {
    EXPECT_EQ(status_of(path, rival.setup.owner.token), 403) << path;
    EXPECT_EQ(status_of(path, rival.scanner.token), 403) << path;
  }
  // A scanner of the organization reads the session's tickets, and no figures.
  EXPECT_EQ(status_of(s.session, s.scanner.token), 200);
  for (const auto& path : {s.event, s.org, s.event + "/orders"}) EXPECT_EQ(status_of(path, s.scanner.token), 403) << path;
  // Streams: the owner's opens with CONNECTED; anyone else is refused before it opens.
  const std::string event_stream = "/api/order/sse/checkouts/event/" + e.id;
  const std::string org_stream = "/api/order/sse/checkouts/organization/" + e.organization_id;
  for (const auto& path : {event_stream, org_stream}) {
    EXPECT_NE(read_stream(path, s.setup.owner.token, "event: CONNECTED\n").find("text/event-stream"), std::string::npos)
        << path;
    EXPECT_EQ(status_of(path, stranger.token), 403) << path;
    EXPECT_EQ(status_of(path, s.scanner.token), 403) << path;
    EXPECT_EQ(status_of(path, rival.setup.owner.token), 403) << path;
  }
}

TEST_F(OrderAnalyticsAccess, WhatDoesNotExistIs404AndMalformedIdsAre400) {
  const auto s = organized_event();
  const auto& owner = s.setup.owner.token;
  const std::string unknown_event = "/api/order/analytics/events/" + new_uuid();
  for (const auto& path : {unknown_event, unknown_event + "/sessions", unknown_event + "/discounts",
                           unknown_event + "/orders", unknown_event + "/sessions/" + s.setup.event.session_id,
                           "/api/order/analytics/organizations/" + new_uuid(),
                           "/api/order/analytics/sessions/" + new_uuid() + "/tickets",
                           "/api/order/sse/checkouts/event/" + new_uuid(),
                           "/api/order/sse/checkouts/organization/" + new_uuid()}) {
    EXPECT_EQ(status_of(path, owner), 404) << path;
  }
  // A session of another event, asked for under this one.
  const auto other = published_event(1);
  EXPECT_EQ(status_of(s.event + "/sessions/" + other.event.session_id, owner), 404);
  for (const auto& path : {std::string("/api/order/analytics/events/not-a-uuid"), s.event + "/sessions/42",
                           std::string("/api/order/analytics/organizations/x"),
                           std::string("/api/order/analytics/sessions/x/tickets"),
                           std::string("/api/order/sse/checkouts/event/x")}) {
    EXPECT_EQ(status_of(path, owner), 400) << path;
  }
}

TEST_F(OrderAnalyticsAccess, TheOrderListRejectsEveryMalformedParameter) {
  const auto s = organized_event();
  const std::string orders = s.event + "/orders?";
  for (const char* query : {"limit=0", "limit=501", "limit=ten", "offset=-1", "offset=x", "status=paid",
                            "order=sideways", "sort=bogus", "sessionId=not-a-uuid"}) {
    auto r = http_request(app().port(), "GET", orders + query, "", bearer(s.setup.owner.token));
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_FALSE(r.json().value("message", "").empty()) << query;
  }
  for (const char* query : {"limit=500", "offset=0", "status=pending", "order=asc", "sort=created_at"}) {
    EXPECT_EQ(status_of(orders + query, s.setup.owner.token), 200) << query;
  }
}

TEST_F(OrderAnalyticsAccess, TheOrganizationStreamAnnouncesACompletedCheckout) {
  const auto s = organized_event();
  const auto& e = s.setup.event;
  TestConnection stream(app().port());
  stream.send_raw("GET /api/order/sse/checkouts/organization/" + e.organization_id +
                  " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.setup.owner.token +
                  "\r\nAccept: text/event-stream\r\n\r\n");
  stream.read_until("event: CONNECTED\n", std::chrono::seconds(10));
  auto buyer = app().new_user();
  auto placed = app().place(buyer.token, e, {e.seats[0].id});
  ASSERT_EQ(placed.status, 201);
  const std::string id = placed.json()["order_id"];
  ASSERT_EQ(app().pay(buyer.token, id).status, 200);
  // The pending checkout, then the completed one with its ticket.
  const std::string text = stream.read_until("\"status\":\"completed\"", std::chrono::seconds(10));
  EXPECT_NE(text.find("event: CHECKOUT\n"), std::string::npos);
  EXPECT_NE(text.find("\"status\":\"pending\""), std::string::npos);
  EXPECT_NE(text.find("\"organization_id\":\"" + e.organization_id + "\""), std::string::npos);
  EXPECT_NE(text.find(id), std::string::npos);
}

}  // namespace
}  // namespace ticketly::testing
