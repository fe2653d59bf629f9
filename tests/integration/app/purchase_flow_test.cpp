// The whole product in one process, every service real and talking only over the bus:
// an organizer's event (event-command) → the public seat map (event-query) → an order,
// a payment through the development provider, tickets with QR codes (order) → the seats
// BOOKED on the read side and sold on the write side → check-in at the door, once.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "app/demo/seeder.h"
#include "platform/crypto/crypto.h"
#include "services/order/domain/qr.h"
#include "support/tokens.h"

namespace ticketly::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kQrKeys = "e2e:" + crypto::base64_encode(std::string(32, 'k'));

// Polls `fetch` until `done` holds (the services learn of each other asynchronously).
HttpResult eventually(const std::function<HttpResult()>& fetch, const std::function<bool(const HttpResult&)>& done,
                      std::chrono::milliseconds timeout = 30s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  HttpResult r = fetch();
  while (!done(r) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
    r = fetch();
  }
  return r;
}


TEST(PurchaseFlow, FromTheOrganizersEventToCheckInAcrossEveryService) {
  TestApp app({}, {}, {{"TICKETLY_QR_KEYS", kQrKeys}});
  const auto port = app.port();
  app::demo::SeedOptions seed;
  seed.base_url = "http://127.0.0.1:" + std::to_string(port);
  const auto seeded = app::demo::seed(seed);
  ASSERT_TRUE(seeded.created);
  const std::string owner = user_token(port, kProUser, kProPassword);
  auto buyer = create_user(app, "buyer");
  const Headers buyer_json = bearer(buyer.token, {{"Content-Type", "application/json"}});

  // The public seat map, from event-command's snapshots.
  const auto event = http_request(port, "GET", "/api/event-seating/v1/events/" + seeded.event_id, "", bearer(owner))
                         .json();
  const std::string session = event["sessions"][0]["id"];
  auto map = eventually([&] { return http_request(port, "GET", "/api/event-query/v1/sessions/" + session + "/seating-map"); },
                        [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(map.status, 200) << map.body.substr(0, 300);
  std::vector<std::string> seats;
  double list_price = 0;
  const auto layout = map.json();
  for (const auto& block : layout["layout"]["blocks"]) {
    if (!block.contains("rows")) continue;
    for (const auto& seat : block["rows"][0]["seats"]) {
      if (seats.size() < 2 && seat["status"] == "AVAILABLE" && seat["tier"].is_object()) {
        seats.push_back(seat["id"]);
        list_price += seat["tier"]["price"].get<double>();
      }
    }
  }
  ASSERT_EQ(seats.size(), 2u);

  // An order, as soon as the order service has the session's inventory.
  const Json order_request = {{"event_id", seeded.event_id}, {"session_id", session},
                              {"organization_id", seeded.organization_id}, {"seat_ids", seats},
                              {"discount_id", nullptr}};
  auto placed = eventually([&] { return http_request(port, "POST", "/api/order", order_request.dump(), buyer_json); },
                           [](const HttpResult& r) { return r.status == 201; });
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string order_id = placed.json()["order_id"];
  // Nobody else gets those seats now.
  auto rival = create_user(app, "rival");
  EXPECT_EQ(http_request(port, "POST", "/api/order", order_request.dump(),
                         bearer(rival.token, {{"Content-Type", "application/json"}}))
                .status,
            409);
  auto locked = eventually(
      [&] { return http_request(port, "GET", "/api/event-query/v1/sessions/" + session + "/seating-map"); },
      [&](const HttpResult& r) { return r.body.find("LOCKED") != std::string::npos; });
  EXPECT_NE(locked.body.find("LOCKED"), std::string::npos);

  // Pay through the development provider (a signed webhook, like Stripe's).
  auto intent = http_request(port, "POST", "/api/order/" + order_id + "/create-payment-intent", "{}", buyer_json);
  ASSERT_EQ(intent.status, 200) << intent.body;
  EXPECT_FALSE(intent.json()["clientSecret"].get<std::string>().empty());
  auto paid = http_request(port, "POST", "/api/order/" + order_id + "/dev/payment",
                           Json{{"outcome", "succeeded"}}.dump(), buyer_json);
  ASSERT_EQ(paid.status, 200) << paid.body;
  auto done = eventually([&] { return http_request(port, "GET", "/api/order/" + order_id, "", bearer(buyer.token)); },
                         [](const HttpResult& r) { return r.status == 200 && r.json()["Status"] == "completed"; });
  ASSERT_EQ(done.json()["Status"], "completed") << done.body;
  const auto order = done.json();
  EXPECT_DOUBLE_EQ(order["Price"].get<double>(), list_price);
  ASSERT_EQ(order["tickets"].size(), 2u);
  std::string qr_code = order["tickets"][0]["qr_code"];  // standard base64 → base64url
  for (char& c : qr_code) c = c == '+' ? '-' : c == '/' ? '_' : c;
  const auto png = crypto::base64url_decode(qr_code);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

  // Both sides of the catalogue learn of the sale from the bus.
  auto booked = eventually(
      [&] { return http_request(port, "GET", "/api/event-query/v1/sessions/" + session + "/seating-map"); },
      [&](const HttpResult& r) {
        std::size_t n = 0;
        for (std::size_t at = r.body.find("BOOKED"); at != std::string::npos; at = r.body.find("BOOKED", at + 1)) ++n;
        return n == 2;
      });
  EXPECT_NE(booked.body.find("BOOKED"), std::string::npos);
  auto sold = eventually(
      [&] { return http_request(port, "GET", "/api/event-seating/v1/sessions/" + session, "", bearer(owner)); },
      [&](const HttpResult& r) { return r.body.find("BOOKED") != std::string::npos; });
  EXPECT_NE(sold.body.find("BOOKED"), std::string::npos) << sold.body.substr(0, 300);

  // At the door: what the QR code holds (ticket, session, issue time, signed), scanned
  // by the organizer; a second scan of the same ticket is refused.
  const auto& ticket = order["tickets"][0];
  const auto issued = parse_iso8601(ticket["issued_at"].get<std::string>());
  ASSERT_TRUE(issued);
  const std::string qr = order::QrKeyRing::parse(kQrKeys).sign(
      *Uuid::parse(ticket["ticket_id"].get<std::string>()), *Uuid::parse(session),
      std::chrono::floor<std::chrono::seconds>(*issued));
  const std::string scan = Json{{"encrypted_qr", qr}}.dump();
  EXPECT_EQ(http_request(port, "POST", "/api/order/ticket/checkin", scan, buyer_json).status, 403);
  const Headers owner_json = bearer(owner, {{"Content-Type", "application/json"}});
  auto checked = eventually(
      [&] { return http_request(port, "POST", "/api/order/ticket/checkin", scan, owner_json); },
      [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_EQ(checked.json()["ticket"]["checked_in"], true);
  EXPECT_EQ(http_request(port, "POST", "/api/order/ticket/checkin", scan, owner_json).status, 409);
}

}  // namespace
}  // namespace ticketly::testing
