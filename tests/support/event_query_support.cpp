#include "support/event_query_support.h"

#include <utility>

#include <algorithm>
#include <tuple>

#include <boost/asio/awaitable.hpp>
#include <thread>

#include "platform/bus/bus_config.h"
#include "platform/runtime/io_pool.h"
#include "platform/types/uuid.h"
#include "support/bus_test_support.h"

namespace ticketly::testing {

namespace {

std::string new_id() { return Uuid::random().str(); }
std::string iso(Timestamp t) { return format_iso8601(t); }

std::string row_label(int r) {
  std::string s;
  for (int n = r + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (n - 1) % 26));
  return s;
}

}  // namespace

EventBuilder::EventBuilder() : id_(new_id()), owner_(new_id()) {
  const std::string org = new_id();
  event_ = json::Json{{"id", id_},
                      {"title", "Symphony Under the Stars"},
                      {"description", "An evening of classical music in the open air."},
                      {"overview", "<p>Bring a blanket.</p>"},
                      {"status", "APPROVED"},
                      {"rejectionReason", nullptr},
                      {"ownerId", owner_},
                      {"organization", {{"id", org}, {"name", "Colombo Philharmonic"}, {"logoUrl", nullptr}}},
                      {"category", nullptr},
                      {"coverPhotos", json::Json::array({"http://localhost:8088/uploads/" + new_id() + ".jpg"})},
                      {"createdAt", iso(Clock::now() - std::chrono::hours(48))},
                      {"updatedAt", iso(Clock::now() - std::chrono::hours(1))},
                      {"tiers", json::Json::array()},
                      {"sessions", json::Json::array()},
                      {"discounts", json::Json::array()}};
  for (auto [name, price, color] : {std::tuple{"VIP", 5000.0, "#FFD700"}, std::tuple{"Regular", 1500.5, "#3366FF"}}) {
    const std::string id = new_id();
    event_["tiers"].push_back({{"id", id}, {"name", name}, {"color", color}, {"price", price}});
    tier_ids_.push_back(id);
  }
}

EventBuilder& EventBuilder::title(std::string v) {
  event_["title"] = std::move(v);
  return *this;
}
EventBuilder& EventBuilder::description(std::string v) {
  event_["description"] = std::move(v);
  return *this;
}
EventBuilder& EventBuilder::status(std::string v) {
  event_["status"] = std::move(v);
  return *this;
}
EventBuilder& EventBuilder::owner(std::string user_id) {
  owner_ = user_id;
  event_["ownerId"] = std::move(user_id);
  return *this;
}
EventBuilder& EventBuilder::category(std::string id, std::string name, std::optional<std::string> parent_id,
                                     std::optional<std::string> parent_name) {
  event_["category"] = {{"id", std::move(id)},
                        {"name", std::move(name)},
                        {"parentId", parent_id ? json::Json(*parent_id) : json::Json(nullptr)},
                        {"parentName", parent_name ? json::Json(*parent_name) : json::Json(nullptr)}};
  return *this;
}

std::string EventBuilder::tier(std::string name, double price, std::string color) {
  if (!custom_tiers_) {
    event_["tiers"] = json::Json::array();
    tier_ids_.clear();
    custom_tiers_ = true;
  }
  const std::string id = new_id();
  event_["tiers"].push_back({{"id", id}, {"name", std::move(name)}, {"color", std::move(color)}, {"price", price}});
  tier_ids_.push_back(id);
  return id;
}

const BuiltSession& EventBuilder::session(SessionSpec spec) {
  BuiltSession built;
  built.id = new_id();
  std::vector<std::string> tiers = spec.row_tiers.empty() ? tier_ids_ : spec.row_tiers;
  json::Json blocks = json::Json::array();
  blocks.push_back({{"id", new_id()},
                    {"name", "Stage"},
                    {"type", "non_sellable"},
                    {"position", {{"x", 25}, {"y", 25}}},
                    {"width", 674},
                    {"height", 90}});
  if (spec.rows > 0) {
    json::Json rows = json::Json::array();
    for (int r = 0; r < spec.rows; ++r) {
      const std::string& tier = tiers[static_cast<std::size_t>(r) % tiers.size()];
      json::Json seats = json::Json::array();
      for (int c = 0; c < spec.seats_per_row; ++c) {
        const std::string label = std::to_string(c + 1) + row_label(r);
        const bool reserved = std::find(spec.reserved_seats.begin(), spec.reserved_seats.end(), label) !=
                              spec.reserved_seats.end();
        const std::string seat_id = new_id();
        seats.push_back({{"id", seat_id},
                         {"label", label},
                         {"tierId", tier.empty() ? json::Json(nullptr) : json::Json(tier)},
                         {"status", reserved ? "RESERVED" : "AVAILABLE"}});
        built.seat_ids.push_back(seat_id);
        built.seat_tiers.push_back(tier);
      }
      rows.push_back({{"id", new_id()}, {"label", row_label(r)}, {"seats", std::move(seats)}});
    }
    blocks.push_back({{"id", new_id()},
                      {"name", "Orchestra"},
                      {"type", "seated_grid"},
                      {"position", {{"x", 25}, {"y", 140}}},
                      {"rows", std::move(rows)}});
  }
  if (spec.standing > 0) {
    json::Json seats = json::Json::array();
    for (int i = 0; i < spec.standing; ++i) {
      const std::string seat_id = new_id();
      seats.push_back({{"id", seat_id}, {"label", "Slot " + std::to_string(i + 1)}, {"tierId", tiers.front()},
                       {"status", "AVAILABLE"}});
      built.seat_ids.push_back(seat_id);
      built.seat_tiers.push_back(tiers.front());
    }
    blocks.push_back({{"id", new_id()},
                      {"name", spec.type == "ONLINE" ? "Online Attendees" : "GA Pit"},
                      {"type", "standing_capacity"},
                      {"position", {{"x", 400}, {"y", 140}}},
                      {"capacity", spec.standing},
                      {"width", 319},
                      {"height", 172},
                      {"seats", std::move(seats)}});
  }
  const auto& v = spec.venue;
  auto opt = [](const auto& o) { return o ? json::Json(*o) : json::Json(nullptr); };
  event_["sessions"].push_back(
      {{"id", built.id},
       {"startTime", iso(spec.start)},
       {"endTime", iso(spec.start + spec.length)},
       {"salesStartTime", iso(spec.sales_start.value_or(Clock::now() - std::chrono::hours(24)))},
       {"sessionType", spec.type},
       {"status", spec.status},
       {"venueDetails",
        {{"name", opt(v.name)},
         {"address", opt(v.address)},
         {"latitude", opt(v.latitude)},
         {"longitude", opt(v.longitude)},
         {"onlineLink", opt(v.online_link)}}},
       {"layoutData", {{"name", "Main Hall"}, {"layout", {{"blocks", std::move(blocks)}}}}}});
  sessions_.push_back(std::move(built));
  return sessions_.back();
}

EventBuilder& EventBuilder::discount(json::Json d) {
  event_["discounts"].push_back(std::move(d));
  return *this;
}

json::Json EventBuilder::snapshot(std::int64_t version) const {
  return {{"type", "EventSnapshot"}, {"version", version}, {"occurredAt", iso(Clock::now())}, {"event", event_}};
}

json::Json EventBuilder::deleted(std::int64_t version) const {
  return {{"type", "EventDeleted"}, {"version", version}, {"occurredAt", iso(Clock::now())}, {"eventId", id_}};
}

json::Json percentage_discount(std::string code, double percentage, bool is_public) {
  return {{"id", new_id()},
          {"code", std::move(code)},
          {"parameters", {{"type", "PERCENTAGE"}, {"percentage", percentage}, {"minSpend", nullptr}, {"maxDiscount", 500}}},
          {"maxUsage", 100},
          {"currentUsage", 3},
          {"active", true},
          {"public", is_public},
          {"activeFrom", iso(Clock::now() - std::chrono::hours(24))},
          {"expiresAt", iso(Clock::now() + std::chrono::hours(24 * 30))},
          {"applicableTierIds", json::Json::array()},
          {"applicableSessionIds", json::Json::array()}};
}

json::Json seat_status_message(const std::string& session_id, const std::vector<std::string>& seat_ids,
                               const std::string& status, std::int64_t seq, std::optional<std::string> order_id) {
  return {{"type", "SeatStatus"},
          {"session_id", session_id},
          {"seat_ids", seat_ids},
          {"status", status},
          {"order_id", order_id ? json::Json(*order_id) : json::Json(nullptr)},
          {"seq", seq},
          {"occurredAt", iso(Clock::now())}};
}

json::Json category_snapshot(const std::string& id, const std::string& name, std::optional<std::string> parent_id,
                             std::int64_t version) {
  return {{"type", "CategorySnapshot"},
          {"version", version},
          {"occurredAt", iso(Clock::now())},
          {"category",
           {{"id", id}, {"name", name}, {"parentId", parent_id ? json::Json(*parent_id) : json::Json(nullptr)}}}};
}

json::Json order_snapshot(const std::string& order_id, const std::string& event_id, const std::string& session_id,
                          const std::string& status, const std::vector<OrderTicket>& tickets, double discount,
                          std::int64_t version) {
  double subtotal = 0;
  json::Json ts = json::Json::array();
  for (const auto& t : tickets) {
    subtotal += t.price;
    ts.push_back({{"ticket_id", new_id()},
                  {"order_id", order_id},
                  {"seat_id", t.seat_id},
                  {"seat_label", "1A"},
                  {"colour", "#AABBCC"},
                  {"tier_id", t.tier_id},
                  {"tier_name", "Tier"},
                  {"price_at_purchase", t.price},
                  {"issued_at", iso(Clock::now())},
                  {"checked_in", false},
                  {"checked_in_time", "0001-01-01T00:00:00Z"}});
  }
  return {{"type", "OrderSnapshot"},
          {"Version", version},
          {"OrderID", order_id},
          {"UserID", new_id()},
          {"EventID", event_id},
          {"OrganizationID", new_id()},
          {"SessionID", session_id},
          {"Status", status},
          {"SubTotal", subtotal},
          {"DiscountID", nullptr},
          {"DiscountCode", nullptr},
          {"DiscountAmount", discount},
          {"Price", subtotal - discount},
          {"CreatedAt", iso(Clock::now())},
          {"PaymentIntentID", nullptr},
          {"tickets", std::move(ts)}};
}

struct BusPublisher::Impl {
  runtime::IoPool io{1};
  std::unique_ptr<bus::Bus> bus;
};

BusPublisher::BusPublisher(const TestApp& app) : impl_(std::make_unique<Impl>()) {
  const auto& s = app.settings();
  impl_->io.start();
  impl_->bus = bus::make_bus(s.bus, impl_->io, bus::bus_database_url(s.bus, s.pg_url, s.db_name_prefix));
  impl_->bus->start();
  std::vector<bus::TopicSpec> topics;
  for (const char* t : {"ticketly.catalog.events", "ticketly.catalog.categories", "ticketly.seats.status",
                        "ticketly.order.created", "ticketly.order.updated", "ticketly.order.cancelled"}) {
    topics.push_back(bus::TopicSpec{t, 0});
  }
  auto& b = *impl_->bus;
  run_on(impl_->io, [&]() -> boost::asio::awaitable<void> { co_await b.ensure_topics(topics); });
}

BusPublisher::~BusPublisher() {
  impl_->bus->stop();
  impl_->io.stop();
  impl_->io.join();
}

void BusPublisher::publish(const std::string& topic, const std::string& key, const json::Json& payload) {
  std::vector<bus::OutgoingMessage> messages;
  bus::OutgoingMessage m;
  m.topic = topic;
  m.key = key;
  m.payload = payload.dump();
  m.headers.emplace("type", payload.value("type", ""));
  m.headers.emplace("x-message-id", new_id());
  messages.push_back(std::move(m));
  auto& b = *impl_->bus;
  run_on(impl_->io, [&]() -> boost::asio::awaitable<void> { co_await b.produce(std::move(messages)); });
}

void BusPublisher::event(const json::Json& m) {
  const std::string key = m.contains("event") ? m["event"]["id"].get<std::string>() : m["eventId"].get<std::string>();
  publish("ticketly.catalog.events", key, m);
}
void BusPublisher::seats(const json::Json& m) { publish("ticketly.seats.status", m["session_id"], m); }
void BusPublisher::order(const std::string& suffix, const json::Json& m) {
  publish("ticketly.order." + suffix, m["OrderID"], m);
}
void BusPublisher::category(const json::Json& m) {
  publish("ticketly.catalog.categories", m["category"]["id"], m);
}

HttpResult poll_get(std::uint16_t port, const std::string& target, const std::function<bool(const HttpResult&)>& done,
                    std::chrono::milliseconds timeout, const Headers& headers) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpResult r;
  while (true) {
    r = http_request(port, "GET", target, "", headers);
    if (done(r) || std::chrono::steady_clock::now() > deadline) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

std::int64_t handled_messages(std::uint16_t port, const std::string& topic) {
  return consumed_messages(port, "event_query", topic);
}

bool wait_handled(std::uint16_t port, const std::string& topic, std::int64_t at_least,
                  std::chrono::milliseconds timeout) {
  return wait_until([&] { return handled_messages(port, topic) >= at_least; }, timeout);
}

}  // namespace ticketly::testing
