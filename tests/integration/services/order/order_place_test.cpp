// Placing and cancelling orders: validation, atomic multi-seat holds, races, limits,
// ownership (API.md §3, DESIGN.md §3).
#include <set>
#include <thread>

#include "order_fixture.h"
#include "support/metrics_support.h"
#include "support/sql_session.h"

namespace ticketly::testing {
namespace {

using OrderPlace = OrderSuite<DefaultEnv>;

TEST_F(OrderPlace, HoldsAllSeatsWithAPendingOrder) {
  auto s = published_event(6);
  auto buyer = app().new_user();
  auto r = app().place(buyer.token, s.event, {s.event.seats[0].id, s.event.seats[4].id});
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["session_id"], s.event.session_id);
  EXPECT_EQ(j["organization_id"], s.event.organization_id);
  EXPECT_EQ(j["user_id"], buyer.id);
  EXPECT_EQ(j["seat_ids"].size(), 2u);
  EXPECT_TRUE(j["expires_at"].is_string());
  const std::string id = j["order_id"];
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "LOCKED");
  EXPECT_EQ(seat_state(s.event, s.event.seats[4].id), "LOCKED");
  EXPECT_EQ(seat_state(s.event, s.event.seats[1].id), "AVAILABLE");
  EXPECT_TRUE(published("ticketly.order.created", id, {"\"Status\":\"pending\"", "\"OrderID\":\"" + id + "\""}));
  EXPECT_TRUE(published("ticketly.seats.status", s.event.session_id,
                        {"\"status\":\"LOCKED\"", s.event.seats[0].id, s.event.seats[4].id}));

  auto got = http_request(app().port(), "GET", "/api/order/" + id, "", bearer(buyer.token));
  ASSERT_EQ(got.status, 200) << got.body;
  auto o = got.json();
  EXPECT_EQ(o["OrderID"], id);
  EXPECT_EQ(o["Status"], "pending");
  EXPECT_EQ(o["SubTotal"], 3500.5);  // 1000.00 + 2500.50, priced by the server
  EXPECT_EQ(o["Price"], 3500.5);
  EXPECT_TRUE(o["tickets"].is_array());
  EXPECT_TRUE(o["tickets"].empty());
}

TEST_F(OrderPlace, RejectsInvalidInputWith400) {
  auto s = published_event(12);
  auto buyer = app().new_user();
  const auto h = bearer(buyer.token, {{"Content-Type", "application/json"}});
  auto post = [&](const std::string& body) { return http_request(app().port(), "POST", "/api/order", body, h); };
  EXPECT_EQ(post("{not json").status, 400);
  EXPECT_EQ(post("[]").status, 400);
  EXPECT_EQ(post(R"({"seat_ids":[],"event_id":1e400})").status, 400);  // was a 500 (tests/fuzz)
  json::Json body = {{"event_id", s.event.id},
                     {"session_id", s.event.session_id},
                     {"organization_id", s.event.organization_id},
                     {"seat_ids", json::Json::array()}};
  EXPECT_EQ(post(body.dump()).status, 400);  // no seats
  body["seat_ids"] = {"not-a-uuid"};
  EXPECT_EQ(post(body.dump()).status, 400);
  body["seat_ids"] = {s.event.seats[0].id, s.event.seats[0].id};
  EXPECT_EQ(post(body.dump()).status, 400);  // the same seat twice
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(s.event.seats[i].id);
  body["seat_ids"] = eleven;
  auto too_many = post(body.dump());
  EXPECT_EQ(too_many.status, 400);  // more than TICKETLY_ORDER_MAX_SEATS (10)
  EXPECT_NE(too_many.json()["message"].get<std::string>().find("at most 10"), std::string::npos);
  body["seat_ids"] = {new_uuid()};
  EXPECT_EQ(post(body.dump()).status, 400);  // not a seat of this session
  body["seat_ids"] = {s.event.seats[0].id};
  body["organization_id"] = new_uuid();
  EXPECT_EQ(post(body.dump()).status, 400);  // wrong organization
  body["organization_id"] = s.event.organization_id;
  body["session_id"] = new_uuid();
  EXPECT_EQ(post(body.dump()).status, 404);  // unknown session
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders WHERE event_id = '" + s.event.id + "'"), "0");
}

TEST_F(OrderPlace, RequiresAToken) {
  auto s = published_event(2);
  auto r = http_request(app().port(), "POST", "/api/order", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);
}

TEST_F(OrderPlace, ReservedAndTierlessSeatsAreNotSellable) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 4);
  s.event.seats[0].status = "RESERVED";
  s.event.seats[1].tier_id.clear();
  app().publish_event(s.event);
  auto buyer = app().new_user();
  EXPECT_EQ(app().place(buyer.token, s.event, {s.event.seats[0].id}).status, 400);
  EXPECT_EQ(app().place(buyer.token, s.event, {s.event.seats[1].id}).status, 400);
  EXPECT_EQ(app().place(buyer.token, s.event, {s.event.seats[2].id}).status, 201);
}

TEST_F(OrderPlace, SessionNotOnSaleOrEventNotApprovedIsRejected) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 2);
  s.event.session_status = "SCHEDULED";
  app().publish_event(s.event);
  auto buyer = app().new_user();
  auto r = app().place(buyer.token, s.event, {s.event.seats[0].id});
  EXPECT_EQ(r.status, 400) << r.body;
  // The next snapshot opens sales: the in-memory inventory follows it.
  s.event.version = 2;
  s.event.session_status = "ON_SALE";
  app().publish_event(s.event);
  EXPECT_EQ(app().place(buyer.token, s.event, {s.event.seats[0].id}).status, 201);
  // An older snapshot arriving late changes nothing.
  s.event.version = 1;
  s.event.session_status = "SCHEDULED";
  app().publish("ticketly.catalog.events", s.event.id, s.event.snapshot());
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(app().scalar("SELECT version FROM catalog_events WHERE id = '" + s.event.id + "'"), "2");
  EXPECT_EQ(app().place(buyer.token, s.event, {s.event.seats[1].id}).status, 201);
  s.event.version = 3;
  s.event.status = "PENDING";
  app().publish_event(s.event);
  auto other = app().new_user();
  EXPECT_EQ(app().place(other.token, s.event, {new_uuid()}).status, 400);
}

TEST_F(OrderPlace, LayoutChangesReplaceTheInventoryOnlyWhileNoOrderExists) {
  Setup s{app().new_user("owner"), {}};
  s.event = TestEvent::make(s.owner.id, 3);
  s.event.session_status = "SCHEDULED";
  app().publish_event(s.event);
  const auto count = [&] { return app().scalar("SELECT count(*) FROM seats WHERE session_id = '" + s.event.session_id + "'"); };
  EXPECT_EQ(count(), "3");
  auto old_seats = s.event.seats;
  s.event.seats = TestEvent::make(s.owner.id, 5).seats;  // a new layout, new seat ids
  for (auto& seat : s.event.seats) seat.tier_id = s.event.tiers[0].id;
  s.event.version = 2;
  app().publish_event(s.event);
  EXPECT_EQ(count(), "5");
  EXPECT_EQ(seat_state(s.event, old_seats[0].id), "");  // gone
  s.event.version = 3;
  s.event.session_status = "ON_SALE";
  app().publish_event(s.event);
  auto buyer = app().new_user();
  ASSERT_EQ(app().place(buyer.token, s.event, {s.event.seats[0].id}).status, 201);
  // With an order, a layout change is refused: the sold and held seats stay what they are.
  auto kept = s.event.seats;
  s.event.seats = old_seats;
  s.event.version = 4;
  app().publish_event(s.event);
  EXPECT_EQ(count(), "5");
  EXPECT_EQ(seat_state(s.event, kept[0].id), "LOCKED");
  // The refused layout stays different from every later snapshot's; with an order there
  // that settles it without locking seats (a payment or release holding one is not waited for).
  SqlSession busy(app().app().database_url("order"));
  busy.run("BEGIN");
  busy.run("SELECT 1 FROM seats WHERE session_id = '" + s.event.session_id + "' AND seat_id = '" + kept[1].id +
           "' FOR UPDATE");
  s.event.version = 5;
  app().publish_event(s.event);
  busy.run("COMMIT");
  EXPECT_EQ(count(), "5");
}

// A layout change that meets a hold in flight (its seats locked and updated, its order not
// written yet: order_place's order of work, played here by SQL) waits for the hold, then
// sees its order and keeps the old seats. The hold's order row shares the session row
// through its foreign key; the catalog used to lock that row FOR UPDATE, so each waited
// for the other until the deadlock detector aborted one of them after a second.
TEST_F(OrderPlace, ALayoutChangeWaitsForAHoldInFlightAndKeepsItsSeats) {
  auto s = published_event(3);
  const std::string session = s.event.session_id, seat = s.event.seats[0].id, order = new_uuid();
  const std::string the_seat = " WHERE session_id = '" + session + "' AND seat_id = '" + seat + "'";
  SqlSession hold(app().app().database_url("order"));
  hold.run("BEGIN");
  hold.run("SELECT 1 FROM seats" + the_seat + " FOR UPDATE");
  hold.run("UPDATE seats SET state = 'LOCKED', order_id = '" + order + "'" + the_seat);
  TestEvent changed = s.event;
  changed.seats = TestEvent::make(s.owner.id, 5).seats;  // a new layout, new seat ids
  for (auto& x : changed.seats) x.tier_id = changed.tiers[0].id;
  changed.version = 2;
  app().publish("ticketly.catalog.events", changed.id, changed.snapshot());
  const std::string catalog_waits =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
      "AND query LIKE '%seats%'";
  ASSERT_TRUE(wait_until([&] { return app().scalar(catalog_waits) != "0"; }, std::chrono::seconds(10)));
  // The order row must not wait for the catalog (a deadlock check would take a second).
  hold.run("SET lock_timeout = '300ms'");
  hold.run("INSERT INTO orders (id, user_id, event_id, organization_id, session_id, seat_ids, items, subtotal, "
           "price, created_at, expires_at) VALUES ('" + order + "', 'someone', '" + s.event.id + "', '" +
           s.event.organization_id + "', '" + session + "', ARRAY['" + seat +
           "']::uuid[], '[]', 100000, 100000, now(), now() + interval '1 hour')");
  hold.run("COMMIT");
  const std::string version = "SELECT version FROM catalog_events WHERE id = '" + s.event.id + "'";
  ASSERT_TRUE(wait_until([&] { return app().scalar(version) == "2"; }, std::chrono::seconds(10)));
  EXPECT_EQ(app().scalar("SELECT count(*) FROM seats WHERE session_id = '" + session + "'"), "3");
  EXPECT_EQ(seat_state(s.event, seat), "LOCKED");
}

TEST_F(OrderPlace, SecondHoldOnATakenSeatIs409AndHoldsNothing) {
  auto s = published_event(4);
  auto a = app().new_user(), b = app().new_user();
  ASSERT_EQ(app().place(a.token, s.event, {s.event.seats[1].id}).status, 201);
  auto r = app().place(b.token, s.event, {s.event.seats[0].id, s.event.seats[1].id});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_TRUE(r.json()["message"].is_string());
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "AVAILABLE");  // nothing held
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders WHERE user_id = '" + b.id + "'"), "0");
}

TEST_F(OrderPlace, RacingClientsForOneSeatExactlyOneWins) {
  auto s = published_event(2);
  std::vector<CreatedUser> users;
  for (int i = 0; i < 12; ++i) users.push_back(app().new_user());
  auto results = concurrently(12, [&](int i) { return app().place(users[i].token, s.event, {s.event.seats[0].id}); });
  int won = 0, lost = 0;
  for (const auto& r : results) {
    if (r.status == 201) ++won;
    if (r.status == 409) ++lost;
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(lost, 11);
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders WHERE event_id = '" + s.event.id + "'"), "1");
}

TEST_F(OrderPlace, OverlappingMultiSeatRequestsNeverHoldPartially) {
  auto s = published_event(8);
  std::vector<CreatedUser> users;
  for (int i = 0; i < 8; ++i) users.push_back(app().new_user());
  // Request i wants seats i and i+1 (wrapping): every request overlaps two others.
  auto results = concurrently(8, [&](int i) {
    return app().place(users[i].token, s.event, {s.event.seats[i].id, s.event.seats[(i + 1) % 8].id});
  });
  std::set<std::string> held;
  int won = 0;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(results[i].status == 201 || results[i].status == 409) << results[i].status << results[i].body;
    if (results[i].status != 201) continue;
    ++won;
    for (const auto& seat : {s.event.seats[i].id, s.event.seats[(i + 1) % 8].id}) {
      EXPECT_TRUE(held.insert(seat).second) << "seat held twice: " << seat;
    }
  }
  EXPECT_GE(won, 1);
  // Every LOCKED seat belongs to a winning order and each order holds exactly its two seats.
  EXPECT_EQ(app().scalar("SELECT count(*) FROM seats WHERE session_id = '" + s.event.session_id + "' AND state = 'LOCKED'"),
            std::to_string(held.size()));
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders o WHERE o.session_id = '" + s.event.session_id +
                         "' AND (SELECT count(*) FROM seats x WHERE x.order_id = o.id) <> 2"),
            "0");
}

TEST_F(OrderPlace, PendingOrdersPerUserAndSessionAreLimited) {
  auto s = published_event(6);
  auto buyer = app().new_user();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(app().place(buyer.token, s.event, {s.event.seats[i].id}).status, 201);
  auto r = app().place(buyer.token, s.event, {s.event.seats[3].id});
  EXPECT_EQ(r.status, 409) << r.body;  // TICKETLY_ORDER_MAX_PENDING = 3
  EXPECT_EQ(seat_state(s.event, s.event.seats[3].id), "AVAILABLE");
}

TEST_F(OrderPlace, ConcurrentRequestsOfOneUserNeverExceedThePendingLimit) {
  auto s = published_event(12);
  auto buyer = app().new_user();
  // Twelve requests for distinct seats at once: they land in different hold batches.
  auto results = concurrently(12, [&](int i) { return app().place(buyer.token, s.event, {s.event.seats[i].id}); });
  int won = 0;
  std::string first_won;
  for (const auto& r : results) {
    ASSERT_TRUE(r.status == 201 || r.status == 409) << r.status << r.body;
    if (r.status != 201) continue;
    if (first_won.empty()) first_won = r.json()["order_id"];
    ++won;
  }
  EXPECT_EQ(won, 3);  // TICKETLY_ORDER_MAX_PENDING = 3
  EXPECT_EQ(app().scalar("SELECT count(*) FROM seats WHERE session_id = '" + s.event.session_id + "' AND state = 'LOCKED'"),
            "3");
  // Ending a pending order (here: cancelling it) frees its place under the limit at once.
  ASSERT_EQ(http_request(app().port(), "DELETE", "/api/order/" + first_won, "", bearer(buyer.token)).status, 200);
  std::string free_seat;
  for (const auto& seat : s.event.seats) {
    if (seat_state(s.event, seat.id) == "AVAILABLE") {
      free_seat = seat.id;
      break;
    }
  }
  EXPECT_EQ(app().place(buyer.token, s.event, {free_seat}).status, 201);
  EXPECT_EQ(app().place(buyer.token, s.event, {s.event.seats[11].id == free_seat ? s.event.seats[10].id
                                                                                  : s.event.seats[11].id}).status,
            409);
}

TEST_F(OrderPlace, OwnerCancelsAndSeatsAreReleasedAtOnce) {
  auto s = published_event(3);
  auto a = app().new_user(), b = app().new_user();
  auto placed = app().place(a.token, s.event, {s.event.seats[0].id, s.event.seats[1].id});
  ASSERT_EQ(placed.status, 201);
  const std::string id = placed.json()["order_id"];
  // Another user can neither read nor cancel it.
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/" + id, "", bearer(b.token)).status, 404);
  EXPECT_EQ(http_request(app().port(), "DELETE", "/api/order/" + id, "", bearer(b.token)).status, 404);
  EXPECT_EQ(order_status(id), "pending");
  auto c = http_request(app().port(), "DELETE", "/api/order/" + id, "", bearer(a.token));
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.json()["order"]["Status"], "cancelled");
  EXPECT_EQ(order_status(id), "cancelled");
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "AVAILABLE");
  // Free again, for someone else, right away.
  EXPECT_EQ(app().place(b.token, s.event, {s.event.seats[0].id}).status, 201);
  EXPECT_EQ(http_request(app().port(), "DELETE", "/api/order/" + id, "", bearer(a.token)).status, 409);
}

TEST_F(OrderPlace, AnAdminMayReadAnyOrder) {
  auto s = published_event(2);
  auto buyer = app().new_user();
  auto placed = app().place(buyer.token, s.event, {s.event.seats[0].id});
  ASSERT_EQ(placed.status, 201);
  const std::string id = placed.json()["order_id"];
  const auto admin = user_token(app().port(), kAdminUser, kAdminPassword);
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/" + id, "", bearer(admin)).status, 200);
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/not-a-uuid", "", bearer(admin)).status, 400);
  EXPECT_EQ(http_request(app().port(), "DELETE", "/api/order/not-a-uuid", "", bearer(buyer.token)).status, 400);
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/" + new_uuid(), "", bearer(admin)).status, 404);
  // Paying is the buyer's alone: the intent's client secret is not the admin's to see.
  EXPECT_EQ(http_request(app().port(), "POST", "/api/order/" + id + "/create-payment-intent", "", bearer(admin)).status,
            404);
  EXPECT_EQ(http_request(app().port(), "POST", "/api/order/" + id + "/dev/payment", "", bearer(admin)).status, 404);
  // Cancelling is the buyer's or an admin's.
  auto cancelled = http_request(app().port(), "DELETE", "/api/order/" + id, "", bearer(admin));
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "AVAILABLE");
}

}  // namespace
}  // namespace ticketly::testing

namespace ticketly::testing {
namespace {

// A session that goes on sale is loaded (its fence taken, its seats read) before anyone
// orders: a sale's first requests arrive together and would all wait for that load.
TEST_F(OrderPlace, ASessionOnSaleIsLoadedBeforeItsFirstOrder) {
  auto fenced = [&](const std::string& session) {
    return app().scalar("SELECT count(*) FROM inventory_fences WHERE session_id = '" + session + "'") == "1";
  };
  auto owner = app().new_user("owner");
  TestEvent scheduled = TestEvent::make(owner.id, 4);
  scheduled.session_status = "SCHEDULED";
  app().publish_event(scheduled);
  TestEvent on_sale = TestEvent::make(owner.id, 4);
  app().publish_event(on_sale);
  EXPECT_TRUE(wait_until([&] { return fenced(on_sale.session_id); }, std::chrono::seconds(5)));
  EXPECT_FALSE(fenced(scheduled.session_id));
  // The scheduled session's sale opens: the next snapshot loads it.
  scheduled.version += 1;
  scheduled.session_status = "ON_SALE";
  app().publish_event(scheduled);
  EXPECT_TRUE(wait_until([&] { return fenced(scheduled.session_id); }, std::chrono::seconds(5)));
  // Its seats are sellable at once.
  auto buyer = app().new_user();
  EXPECT_EQ(app().place(buyer.token, scheduled, {scheduled.seats[0].id}).status, 201);
}

// The in-memory Locked marks are trusted only under the fence epoch they were loaded with.
// Here another process (played by SQL) holds the fence and releases a seat this process
// holds in memory; its fence lapses, and this process's own cancel takes the fence over
// through release_step (epoch + 1, no reload). Renewing that fence must not make the stale
// mark trusted: the released seat is sold to the next buyer, not refused from memory.
TEST_F(OrderPlace, AFenceHandedOverByAReleaseIsNotTrustedWithoutAReload) {
  auto s = published_event(3);
  const std::string session = s.event.session_id, x = s.event.seats[0].id, y = s.event.seats[1].id;
  const std::string of_session = " WHERE session_id = '" + session + "'";
  auto first = app().new_user(), second = app().new_user(), third = app().new_user();
  auto held_x = app().place(first.token, s.event, {x});
  ASSERT_EQ(held_x.status, 201) << held_x.body;
  const std::string order_x = held_x.json()["order_id"];
  // Another process takes the fence (and nobody may take it back for 10 s: it is wanted).
  const std::string other = new_uuid(), third_party = new_uuid();
  app().scalar("UPDATE inventory_fences SET holder = '" + other +
               "', epoch = epoch + 1, valid_until = now() + interval '1 hour', wanted_by = '" + third_party +
               "', wanted_at = now()" + of_session);
  // This process stops trusting its marks at its next renewal; a hold still works (database).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto held_y = app().place(second.token, s.event, {y});
  ASSERT_EQ(held_y.status, 201) << held_y.body;
  // The other process releases X (its sweeper would), then its fence lapses.
  app().scalar("BEGIN; UPDATE orders SET status = 'cancelled' WHERE id = '" + order_x +
               "'; UPDATE seats SET state = 'AVAILABLE', order_id = NULL WHERE session_id = '" + session +
               "' AND seat_id = '" + x + "'; UPDATE inventory_fences SET valid_until = now() - interval '1 second'" +
               of_session + "; COMMIT");
  // This process cancels Y: release_step hands it the lapsed fence (another epoch).
  const std::string order_y = held_y.json()["order_id"];
  ASSERT_EQ(http_request(app().port(), "DELETE", "/api/order/" + order_y, "", bearer(second.token)).status, 200);
  // Once the fence is no longer wanted (10 s), this process renews it.
  const std::string renewed =
      "SELECT count(*) FROM inventory_fences" + of_session + " AND wanted_by IS NULL AND valid_until > now()";
  ASSERT_TRUE(wait_until([&] { return app().scalar(renewed) == "1"; }, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the same tick's reload, if any
  auto held_again = app().place(third.token, s.event, {x});
  EXPECT_EQ(held_again.status, 201) << held_again.body;
}

// A load of seat states that overlaps a release of this process must not undo it. Here the
// owner's cancel is held up inside its transaction (after it marked the seat Free in memory,
// before it commits) while a new catalog version makes the service re-read the session: the
// re-read still sees the seat LOCKED. Once the cancel commits, the seat is free and the next
// buyer gets it; installing the LOCKED state read during the release refused it (409) from
// memory for as long as the fence stayed this process's.
TEST_F(OrderPlace, AReloadDuringOurOwnReleaseDoesNotRestoreTheReleasedHold) {
  auto s = published_event(3);
  const std::string x = s.event.seats[0].id;
  auto first = app().new_user(), second = app().new_user();
  auto held = app().place(first.token, s.event, {x});
  ASSERT_EQ(held.status, 201) << held.body;
  const std::string order = held.json()["order_id"];
  SqlSession blocker(app().app().database_url("order"));
  blocker.run("BEGIN");
  blocker.run("SELECT 1 FROM orders WHERE id = '" + order + "' FOR UPDATE");
  HttpResult cancelled;
  std::thread cancel([&] {
    cancelled = http_request(app().port(), "DELETE", "/api/order/" + order, "", bearer(first.token));
  });
  const std::string cancel_waits =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
  const bool waiting = wait_until([&] { return app().scalar(cancel_waits) != "0"; }, std::chrono::seconds(10));
  // A new version of the event: the service re-reads the session (Inventory::refresh)
  // before its consumer counts the message as handled.
  if (waiting) {
    const auto handled = consumed_messages(app().port(), "order", "ticketly.catalog.events");
    s.event.version = 2;
    app().publish_event(s.event);
    EXPECT_TRUE(wait_until(
        [&] { return consumed_messages(app().port(), "order", "ticketly.catalog.events") > handled; },
        std::chrono::seconds(10)));
  }
  blocker.run("COMMIT");
  cancel.join();
  ASSERT_TRUE(waiting) << "the cancel never waited for the blocked order row";
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  auto again = app().place(second.token, s.event, {x});
  EXPECT_EQ(again.status, 201) << again.body;
}

}  // namespace
}  // namespace ticketly::testing
