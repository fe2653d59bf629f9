// The reference's end-to-end flow: create an organization → create an event by multipart →
// approve → on sale (the scheduler's internal call) → a completed order arrives on the bus
// (seat booked, discount used) → close → COMPLETED → delete the event → delete the
// organization. Plus the internal routes the other services call.
#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandFlow : public EcSuite {};

TEST_F(EventCommandFlow, OrganizationToCompletedEventToDeletion) {
  const std::string org = api().create_organization(owner_, "Flow Org");
  Json request = event_request(org, api().any_category(owner_));
  auto created = api().create_event(owner_, request, {{"coverImages", "c.png", "image/png", png_bytes()}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string event = created.json()["id"];
  const std::string session = session_id(request), discount = discount_id(request);

  ASSERT_EQ(api().post("/v1/events/" + event + "/approve", Json::object(), admin_).status, 200);

  // The scheduler puts the session on sale at its sales start.
  const std::string svc = service();
  auto on_sale = api().patch("/internal/v1/sessions/" + session + "/on-sale", Json::object(), svc);
  ASSERT_EQ(on_sale.status, 200) << on_sale.body;
  EXPECT_EQ(on_sale.json()["status"], "ON_SALE");
  // Retried by the scheduler: still fine, and nothing changed (same version).
  const auto version = api().get("/v1/events/" + event, owner_).json()["version"];
  EXPECT_EQ(api().patch("/internal/v1/sessions/" + session + "/on-sale", Json::object(), svc).status, 200);
  EXPECT_EQ(api().get("/v1/events/" + event, owner_).json()["version"], version);

  // A completed order for two seats with the discount, delivered twice (at least once).
  auto detail = api().get("/v1/events/" + event, owner_).json();
  const auto& grid = detail["sessions"][0]["layoutData"]["layout"]["blocks"][0];
  const std::string seat1 = grid["rows"][0]["seats"][0]["id"];
  const std::string seat2 = grid["rows"][0]["seats"][1]["id"];
  const std::string order_id = Uuid::random().str();
  Json order = {{"type", "OrderSnapshot"},
                {"Version", 3},
                {"OrderID", order_id},
                {"UserID", subject_of(other_)},
                {"EventID", event},
                {"OrganizationID", org},
                {"SessionID", session},
                {"Status", "completed"},
                {"SubTotal", 10001.0},
                {"DiscountID", discount},
                {"DiscountCode", "SUMMER10"},
                {"DiscountAmount", 500.0},
                {"Price", 9501.0},
                {"tickets",
                 {{{"ticket_id", Uuid::random().str()}, {"order_id", order_id}, {"seat_id", seat1}},
                  {{"ticket_id", Uuid::random().str()}, {"order_id", order_id}, {"seat_id", seat2}}}}};
  publish_order_updated(*app_, order);
  publish_order_updated(*app_, order);

  bool counted = false;
  for (int i = 0; i < 200 && !counted; ++i) {
    auto d = api().get("/v1/events/" + event + "/discounts/" + discount, owner_);
    counted = d.status == 200 && d.json()["currentUsage"] == 1;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(counted) << "the order was not applied";
  // Applied once, although delivered twice.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto used = api().get("/v1/events/" + event + "/discounts/" + discount, owner_).json();
  EXPECT_EQ(used["currentUsage"], 1);
  EXPECT_EQ(used["discountedTotal"], 500.0);
  auto booked = api().get("/v1/sessions/" + session, owner_);
  ASSERT_EQ(booked.status, 200) << booked.body;
  const Json seats = booked.json()["layoutData"]["layout"]["blocks"][0]["rows"][0]["seats"];
  EXPECT_EQ(seats[0]["status"], "BOOKED");
  EXPECT_EQ(seats[1]["status"], "BOOKED");
  EXPECT_EQ(seats[2]["status"], "RESERVED");

  // The read side learns the discount's usage from the snapshot.
  ASSERT_TRUE(wait_published("ticketly.catalog.events", event, 4));
  EXPECT_EQ(published(*app_, "ticketly.catalog.events", event).back()["event"]["discounts"][0]["currentUsage"], 1);

  // A second order takes every other sellable seat: the session is SOLD_OUT.
  Json rest = order;
  rest["OrderID"] = Uuid::random().str();
  rest["DiscountID"] = nullptr;
  rest["tickets"] = Json::array();
  for (const auto& row : grid["rows"]) {
    for (const auto& seat : row["seats"]) {
      if (seat["status"] == "AVAILABLE" && seat["id"] != seat1 && seat["id"] != seat2) {
        rest["tickets"].push_back({{"seat_id", seat["id"]}});
      }
    }
  }
  for (const auto& seat : detail["sessions"][0]["layoutData"]["layout"]["blocks"][1]["seats"]) {
    rest["tickets"].push_back({{"seat_id", seat["id"]}});
  }
  ASSERT_EQ(rest["tickets"].size(), 5u);
  publish_order_updated(*app_, rest);
  bool sold_out = false;
  for (int i = 0; i < 200 && !sold_out; ++i) {
    sold_out = api().get("/v1/sessions/" + session, owner_).json()["status"] == "SOLD_OUT";
    if (!sold_out) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(sold_out);
  EXPECT_EQ(api().get("/v1/events/" + event + "/discounts/" + discount, owner_).json()["currentUsage"], 1);

  // While selling, neither the event nor its organization can be deleted.
  EXPECT_EQ(api().del("/v1/events/" + event, owner_).status, 409);
  EXPECT_EQ(api().del("/v1/organizations/" + org, owner_).status, 409);

  // The scheduler closes it at its end: every session finished → COMPLETED.
  auto closed = api().patch("/internal/v1/sessions/" + session + "/closed", Json::object(), svc);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.json()["status"], "CLOSED");
  EXPECT_EQ(api().get("/v1/events/" + event, owner_).json()["status"], "COMPLETED");

  ASSERT_TRUE(wait_published("ticketly.catalog.events", event, 4));
  auto snapshots = published(*app_, "ticketly.catalog.events", event);
  for (std::size_t i = 1; i < snapshots.size(); ++i) {
    EXPECT_GT(snapshots[i]["version"].get<long>(), snapshots[i - 1]["version"].get<long>());
  }
  EXPECT_EQ(snapshots.back()["event"]["status"], "COMPLETED");

  EXPECT_EQ(api().del("/v1/events/" + event, owner_).status, 204);
  EXPECT_EQ(api().del("/v1/organizations/" + org, owner_).status, 204);
  EXPECT_EQ(api().get("/v1/organizations/" + org, owner_).status, 404);
}

// A burst of order snapshots in one partition is applied in one transaction (the
// consumer's batch handler): each completed order counts once, a pending one not at all.
TEST_F(EventCommandFlow, ABurstOfOrdersCountsEachCompletedOrderOnce) {
  const std::string org = api().create_organization(owner_, "Burst Org");
  Json request = event_request(org, api().any_category(owner_));
  auto created = api().create_event(owner_, request, {});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string event = created.json()["id"];
  const std::string session = session_id(request), discount = discount_id(request);
  ASSERT_EQ(api().post("/v1/events/" + event + "/approve", Json::object(), admin_).status, 200);
  ASSERT_EQ(api().patch("/internal/v1/sessions/" + session + "/on-sale", Json::object(), service()).status, 200);
  auto detail = api().get("/v1/events/" + event, owner_).json();
  const auto& row = detail["sessions"][0]["layoutData"]["layout"]["blocks"][0]["rows"][0]["seats"];

  // Order ids on one partition of the topic, so that the messages wait together.
  auto same_partition_id = [](std::int32_t partition) {
    for (;;) {
      auto id = Uuid::random().str();
      if (bus::partition_for(id, 8) == partition) return id;
    }
  };
  const std::string a = Uuid::random().str();
  const auto partition = bus::partition_for(a, 8);
  const std::string b = same_partition_id(partition), c = same_partition_id(partition);
  auto order = [&](const std::string& id, const std::string& status, const std::vector<std::string>& seats,
                   bool with_discount) {
    Json tickets = Json::array();
    for (const auto& seat : seats) tickets.push_back({{"seat_id", seat}});
    return Json{{"type", "OrderSnapshot"}, {"Version", 3},         {"OrderID", id},
                {"EventID", event},         {"SessionID", session}, {"Status", status},
                {"DiscountID", with_discount ? Json(discount) : Json(nullptr)},
                {"DiscountAmount", with_discount ? 500.0 : 0.0},  {"tickets", tickets}};
  };
  const std::string s0 = row[0]["id"], s1 = row[1]["id"];
  const Json first = order(a, "completed", {s0}, true);
  publish_orders_updated(*app_, {first, order(b, "completed", {s1}, true), first, order(c, "pending", {}, false)});

  bool counted = false;
  for (int i = 0; i < 200 && !counted; ++i) {
    auto d = api().get("/v1/events/" + event + "/discounts/" + discount, owner_);
    counted = d.status == 200 && d.json()["currentUsage"] == 2;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(counted) << "the orders were not applied";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto used = api().get("/v1/events/" + event + "/discounts/" + discount, owner_).json();
  EXPECT_EQ(used["currentUsage"], 2);  // a and b, a once although delivered twice
  EXPECT_EQ(used["discountedTotal"], 1000.0);
  const Json seats = api().get("/v1/sessions/" + session, owner_).json()["layoutData"]["layout"]["blocks"][0]["rows"][0]["seats"];
  EXPECT_EQ(seats[0]["status"], "BOOKED");
  EXPECT_EQ(seats[1]["status"], "BOOKED");
  EXPECT_EQ(seats[2]["status"], "RESERVED");
}

TEST_F(EventCommandFlow, InternalRoutesNeedAServiceAccount) {
  auto c = create_event();
  const std::string path = "/internal/v1/sessions/" + c.session() + "/on-sale";
  EXPECT_EQ(api().patch(path, Json::object(), "").status, 401);
  EXPECT_EQ(api().patch(path, Json::object(), owner_).status, 403);
  EXPECT_EQ(api().patch(path, Json::object(), admin_).status, 403);
  // Not approved yet: the transition is refused.
  EXPECT_EQ(api().patch(path, Json::object(), service()).status, 409);
  EXPECT_EQ(api().patch("/internal/v1/sessions/" + Uuid::random().str() + "/on-sale", Json::object(), service()).status,
            404);
}

TEST_F(EventCommandFlow, OwnershipAndRoleChecksForOtherServices) {
  auto c = create_event();
  const std::string svc = service();
  const std::string owner = owner_subject();
  const std::string other = subject_of(other_);
  auto check = [&](const std::string& path) { return api().get(path, svc).body; };
  EXPECT_EQ(check("/internal/v1/events/verify-ownership?eventId=" + c.event + "&userId=" + owner), "true");
  EXPECT_EQ(check("/internal/v1/events/verify-ownership?eventId=" + c.event + "&userId=" + other), "false");
  EXPECT_EQ(check("/internal/v1/organizations/verify-ownership?organizationId=" + c.org + "&userId=" + owner), "true");
  EXPECT_EQ(check("/internal/v1/sessions/verify-ownership?sessionId=" + c.session() + "&userId=" + other), "false");
  EXPECT_EQ(check("/internal/v1/sessions/verify-ownership?sessionId=" + c.session() + "&userId=" + owner), "true");
  EXPECT_EQ(check("/internal/v1/sessions/verify-role?sessionId=" + c.session() + "&userId=" + other + "&role=SCANNER"),
            "false");
  EXPECT_EQ(api().get("/internal/v1/events/verify-ownership?userId=" + owner, svc).status, 400);
  EXPECT_EQ(api().get("/internal/v1/events/verify-ownership?eventId=" + c.event + "&userId=" + owner, owner_).status,
            403);
}

}  // namespace
}  // namespace ticketly::testing::ec
