#pragma once
// Helpers for the order service's tests: a running app (identity provider + order), the
// catalog fed the way event-command feeds it (snapshots on the bus, docs/EVENTS.md),
// buyers with tokens, and direct looks into the order database.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "support/http_client.h"
#include "support/test_app.h"
#include "support/tokens.h"

namespace ticketly::runtime {
class IoPool;
}
namespace ticketly::bus {
class Bus;
}

namespace ticketly::testing {

// A seat of a test session.
struct TestSeat {
  std::string id;
  std::string label;
  std::string tier_id;  // empty: no tier (not sellable)
  std::string status = "AVAILABLE";
};

// An event aggregate as event-command would publish it; fields are public so a test
// can change any of them and publish the next version.
struct TestEvent {
  std::string id;
  std::int64_t version = 1;
  std::string status = "APPROVED";
  std::string owner_id;
  std::string organization_id;
  struct Tier {
    std::string id, name, color;
    double price = 0;
  };
  std::vector<Tier> tiers;
  std::string session_id;
  std::string session_status = "ON_SALE";
  std::vector<TestSeat> seats;
  json::Json discounts = json::Json::array();

  // An APPROVED event of `owner_id` with one ON_SALE session of `seats` seats: tier A
  // (1000.00) for the first half, tier B (2500.50) for the rest.
  static TestEvent make(const std::string& owner_id, int seats);
  json::Json snapshot() const;  // {"type":"EventSnapshot",…}
  // Adds a discount; `parameters` as API.md. Returns its id.
  std::string add_discount(const std::string& code, json::Json parameters, std::optional<int> max_usage = {},
                           std::vector<std::string> tier_ids = {}, std::vector<std::string> session_ids = {});
};

class OrderTestApp {
 public:
  // Starts idp + order; `env` adds settings (e.g. TICKETLY_HOLD_DURATION).
  explicit OrderTestApp(std::map<std::string, std::string> env = {});
  ~OrderTestApp();

  std::uint16_t port() const { return app_->port(); }
  TestApp& app() { return *app_; }

  // Publishes on the bus (as event-command would) and waits until the order database
  // holds the version (or the deletion).
  void publish_event(const TestEvent& event);
  void publish_organization(const std::string& org_id, const std::string& owner_id, std::int64_t version,
                            const json::Json& staff = json::Json::array());
  // Raw publish without waiting.
  void publish(const std::string& topic, const std::string& key, const json::Json& payload);

  // One query on the order database; the first column of the first row ("" when none or NULL).
  std::string scalar(const std::string& sql);
  // The same on the bus's PostgreSQL log (what the order service published, once relayed).
  std::string bus_scalar(const std::string& sql);

  // A new user of the identity provider, with a token.
  CreatedUser new_user(const std::string& prefix = "buyer");

  // POST /api/order for `seats` of the event's session.
  HttpResult place(const std::string& token, const TestEvent& event, const std::vector<std::string>& seats,
                   const std::string& discount_id = "");
  // The dev provider's payment; `succeed` false delivers payment_failed.
  HttpResult pay(const std::string& token, const std::string& order_id, bool succeed = true);

 private:
  std::unique_ptr<TestApp> app_;
  std::unique_ptr<runtime::IoPool> io_;
  std::unique_ptr<bus::Bus> bus_;
};

std::string new_uuid();

}  // namespace ticketly::testing
