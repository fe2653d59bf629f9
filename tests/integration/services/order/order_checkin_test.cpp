// Check-in at the door: genuine QR only, tickets of completed orders, owner or active
// scanner only, single use under races (API.md §3).
#include "order_fixture.h"
#include "platform/crypto/crypto.h"
#include "services/order/domain/qr.h"

namespace ticketly::testing {
namespace {

using OrderCheckin = OrderSuite<DefaultEnv>;
using namespace std::chrono_literals;

struct Sold {
  OrderCheckin::Setup setup;
  CreatedUser buyer;
  std::string order_id;
  std::string ticket_id;
  std::string qr;  // the signed payload the ticket's QR code holds
};

std::string sign(const std::string& keys, const std::string& ticket, const std::string& session, std::int64_t issued) {
  return order::QrKeyRing::parse(keys).sign(*Uuid::parse(ticket), *Uuid::parse(session),
                                           Timestamp(std::chrono::seconds(issued)));
}

Sold sold_ticket(const json::Json& staff = json::Json::array()) {
  auto& app = OrderCheckin::app();
  Sold s{OrderCheckin::published_event(2), app.new_user(), "", "", ""};
  app.publish_organization(s.setup.event.organization_id, s.setup.owner.id, 1, staff);
  auto r = app.place(s.buyer.token, s.setup.event, {s.setup.event.seats[0].id});
  EXPECT_EQ(r.status, 201) << r.body;
  s.order_id = r.json()["order_id"];
  auto paid = app.pay(s.buyer.token, s.order_id);
  EXPECT_EQ(paid.status, 200) << paid.body;
  s.ticket_id = app.scalar("SELECT id FROM tickets WHERE order_id = '" + s.order_id + "'");
  const auto issued = std::stoll(app.scalar("SELECT extract(epoch FROM issued_at)::bigint FROM tickets WHERE id = '" +
                                            s.ticket_id + "'"));
  s.qr = sign(kQrKeys, s.ticket_id, s.setup.event.session_id, issued);
  return s;
}

HttpResult scan(const std::string& token, const std::string& qr) {
  json::Json body = {{"encrypted_qr", qr}};
  return http_request(OrderCheckin::app().port(), "POST", "/api/order/ticket/checkin", body.dump(),
                      bearer(token, {{"Content-Type", "application/json"}}));
}

TEST_F(OrderCheckin, OwnerChecksInOnceAndTheSecondScanGets409WithTheFirstTime) {
  auto s = sold_ticket();
  auto first = scan(s.setup.owner.token, s.qr);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["ticket"]["ticket_id"], s.ticket_id);
  EXPECT_TRUE(first.json()["ticket"]["checked_in"].get<bool>());
  const std::string when = first.json()["ticket"]["checked_in_time"];
  EXPECT_NE(when, "0001-01-01T00:00:00Z");
  auto second = scan(s.setup.owner.token, s.qr);
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.json()["checked_in_time"], when);
  EXPECT_NE(second.json()["message"].get<std::string>().find(when), std::string::npos);
}

// A ticket admits nobody once its session is cancelled or its event deleted; a CLOSED
// session (sales over) still opens its doors.
TEST_F(OrderCheckin, TicketsOfACancelledSessionOrADeletedEventAre400) {
  auto closed = sold_ticket(), cancelled = sold_ticket(), deleted = sold_ticket();
  closed.setup.event.version = 2;
  closed.setup.event.session_status = "CLOSED";
  OrderCheckin::app().publish_event(closed.setup.event);
  cancelled.setup.event.version = 2;
  cancelled.setup.event.session_status = "CANCELLED";
  OrderCheckin::app().publish_event(cancelled.setup.event);
  OrderCheckin::app().publish("ticketly.catalog.events", deleted.setup.event.id,
                              {{"type", "EventDeleted"}, {"version", 2}, {"eventId", deleted.setup.event.id},
                               {"occurredAt", "2026-11-28T08:00:00Z"}});
  auto status_of = [](const Sold& s) {
    return OrderCheckin::app().scalar("SELECT s.status || e.deleted::text FROM sessions s JOIN catalog_events e "
                                      "ON e.id = s.event_id WHERE s.id = '" + s.setup.event.session_id + "'");
  };
  ASSERT_TRUE(wait_until([&] {
    return status_of(closed) == "CLOSEDfalse" && status_of(cancelled) == "CANCELLEDfalse" &&
           status_of(deleted).ends_with("true");
  }, 10s));
  for (const Sold* s : {&cancelled, &deleted}) {
    auto r = scan(s->setup.owner.token, s->qr);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.json()["message"].get<std::string>().find("cancelled"), std::string::npos) << r.body;
    EXPECT_EQ(OrderCheckin::app().scalar("SELECT checked_in FROM tickets WHERE id = '" + s->ticket_id + "'"), "f");
  }
  EXPECT_EQ(scan(closed.setup.owner.token, closed.qr).status, 200);
}

TEST_F(OrderCheckin, RacingScansExactlyOneWins) {
  auto s = sold_ticket();
  auto results = OrderCheckin::concurrently(8, [&](int) { return scan(s.setup.owner.token, s.qr); });
  int ok = 0, conflicts = 0;
  std::string winner_time;
  for (const auto& r : results) {
    ok += r.status == 200;
    conflicts += r.status == 409;
    if (r.status == 200) winner_time = r.json()["ticket"]["checked_in_time"];
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, 7);
  // Every loser names the winner's scan, not a time of its own attempt.
  ASSERT_FALSE(winner_time.empty());
  for (const auto& r : results) {
    if (r.status == 409) {
      EXPECT_EQ(r.json()["checked_in_time"], winner_time) << r.body;
    }
  }
}

TEST_F(OrderCheckin, ActiveScannersMayOthersMayNot) {
  auto scanner = app().new_user("scanner"), retired = app().new_user("retired"), stranger = app().new_user();
  json::Json staff = json::Json::array({{{"userId", scanner.id}, {"email", scanner.email}, {"roles", {"SCANNER"}}, {"active", true}},
                                        {{"userId", retired.id}, {"email", retired.email}, {"roles", {"SCANNER"}}, {"active", false}}});
  auto s = sold_ticket(staff);
  // Another organization's owner and its active scanner: staff of theirs, not of this one.
  auto rival_scanner = app().new_user("rival-scanner");
  auto rival = sold_ticket(json::Json::array(
      {{{"userId", rival_scanner.id}, {"email", rival_scanner.email}, {"roles", {"SCANNER"}}, {"active", true}}}));
  EXPECT_EQ(scan(rival.setup.owner.token, s.qr).status, 403);
  EXPECT_EQ(scan(rival_scanner.token, s.qr).status, 403);
  EXPECT_EQ(scan(stranger.token, s.qr).status, 403);
  EXPECT_EQ(scan(retired.token, s.qr).status, 403);
  EXPECT_EQ(scan(s.buyer.token, s.qr).status, 403);  // the buyer cannot check themselves in
  EXPECT_EQ(app().scalar("SELECT checked_in FROM tickets WHERE id = '" + s.ticket_id + "'"), "f");
  EXPECT_EQ(scan(scanner.token, s.qr).status, 200);
}

TEST_F(OrderCheckin, ForgedOrAlteredCodesAre400) {
  auto s = sold_ticket();
  const auto issued = std::stoll(app().scalar("SELECT extract(epoch FROM issued_at)::bigint FROM tickets WHERE id = '" +
                                              s.ticket_id + "'"));
  const std::string other_key = "t1:" + crypto::base64_encode(std::string(32, 'x'));
  EXPECT_EQ(scan(s.setup.owner.token, sign(other_key, s.ticket_id, s.setup.event.session_id, issued)).status, 400);
  // A genuine signature over another (unknown) ticket id: still not a ticket.
  EXPECT_EQ(scan(s.setup.owner.token, sign(kQrKeys, new_uuid(), s.setup.event.session_id, issued)).status, 400);
  std::string altered = s.qr;
  altered[8] = altered[8] == 'A' ? 'B' : 'A';
  EXPECT_EQ(scan(s.setup.owner.token, altered).status, 400);
  EXPECT_EQ(scan(s.setup.owner.token, "").status, 400);
  EXPECT_EQ(scan(s.setup.owner.token, std::string(600, 'a')).status, 400);
  EXPECT_EQ(app().scalar("SELECT checked_in FROM tickets WHERE id = '" + s.ticket_id + "'"), "f");
}

}  // namespace
}  // namespace ticketly::testing
