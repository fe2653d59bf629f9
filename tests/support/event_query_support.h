#pragma once
// Test support for the event-query service: realistic bus messages (docs/EVENTS.md) built
// the way event-command and order produce them, a publisher that puts them on the running
// TestApp's bus, and polling helpers for the (asynchronous) projection.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "support/http_client.h"
#include "support/metrics_support.h"
#include "support/test_app.h"

namespace ticketly::testing {

struct VenueSpec {
  std::optional<std::string> name = "Nelum Pokuna Theatre";
  std::optional<std::string> address = "110 Ananda Coomaraswamy Mawatha, Colombo";
  std::optional<double> latitude = 6.9103;
  std::optional<double> longitude = 79.8630;
  std::optional<std::string> online_link;
};

struct SessionSpec {
  Timestamp start = Clock::now() + std::chrono::hours(24 * 7);
  std::chrono::hours length{3};
  std::optional<Timestamp> sales_start;  // default: a day before now
  std::string status = "ON_SALE";
  std::string type = "PHYSICAL";
  VenueSpec venue;
  // A seated grid: `rows` rows of `seats_per_row` seats; row r uses row_tiers[r % size]
  // (an empty string makes that row's seats tierless, i.e. not sellable).
  int rows = 2;
  int seats_per_row = 5;
  std::vector<std::string> row_tiers;  // default: the event's tiers in turn
  int standing = 0;                    // slots of a standing block (first tier)
  std::vector<std::string> reserved_seats;  // labels the organizer reserved ("1A")
};

struct BuiltSession {
  std::string id;
  std::vector<std::string> seat_ids;  // in layout order
  std::vector<std::string> seat_tiers;
};

class EventBuilder {
 public:
  EventBuilder();

  EventBuilder& title(std::string v);
  EventBuilder& description(std::string v);
  EventBuilder& status(std::string v);
  EventBuilder& owner(std::string user_id);
  EventBuilder& category(std::string id, std::string name, std::optional<std::string> parent_id = std::nullopt,
                         std::optional<std::string> parent_name = std::nullopt);
  // Replaces the default tiers on first call. Returns the tier id.
  std::string tier(std::string name, double price, std::string color = "#AABBCC");
  const BuiltSession& session(SessionSpec spec = {});
  EventBuilder& discount(json::Json d);

  const std::string& id() const { return id_; }
  const std::string& owner_id() const { return owner_; }
  const std::vector<std::string>& tier_ids() const { return tier_ids_; }
  const std::vector<BuiltSession>& sessions() const { return sessions_; }
  json::Json& event() { return event_; }

  json::Json snapshot(std::int64_t version) const;
  json::Json deleted(std::int64_t version) const;

 private:
  std::string id_;
  std::string owner_;
  json::Json event_;
  std::vector<std::string> tier_ids_;
  bool custom_tiers_ = false;
  std::vector<BuiltSession> sessions_;
};

// A discount as event-command publishes it (fields may be overridden by the caller).
json::Json percentage_discount(std::string code, double percentage, bool is_public = true);

json::Json seat_status_message(const std::string& session_id, const std::vector<std::string>& seat_ids,
                               const std::string& status, std::int64_t seq,
                               std::optional<std::string> order_id = std::nullopt);
json::Json category_snapshot(const std::string& id, const std::string& name, std::optional<std::string> parent_id,
                             std::int64_t version);

struct OrderTicket {
  std::string seat_id;
  std::string tier_id;
  double price;
};
json::Json order_snapshot(const std::string& order_id, const std::string& event_id, const std::string& session_id,
                          const std::string& status, const std::vector<OrderTicket>& tickets, double discount,
                          std::int64_t version);

// Publishes on the TestApp's bus (its own IoPool and producer, like another service would).
class BusPublisher {
 public:
  explicit BusPublisher(const TestApp& app);
  ~BusPublisher();
  void publish(const std::string& topic, const std::string& key, const json::Json& payload);
  void event(const json::Json& snapshot_or_deletion);  // ticketly.catalog.events
  void seats(const json::Json& seat_status);           // ticketly.seats.status
  void order(const std::string& topic_suffix, const json::Json& order);  // created|updated|cancelled
  void category(const json::Json& category);           // ticketly.catalog.categories

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// GETs `target` until `done(result)` holds or `timeout` passes; returns the last result.
HttpResult poll_get(std::uint16_t port, const std::string& target, const std::function<bool(const HttpResult&)>& done,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10), const Headers& headers = {});

// Messages of `topic` the event-query consumer has handled (or dead-lettered), from /metrics.
std::int64_t handled_messages(std::uint16_t port, const std::string& topic);
// Waits until handled_messages(topic) reaches `at_least`; false on timeout.
bool wait_handled(std::uint16_t port, const std::string& topic, std::int64_t at_least,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace ticketly::testing
