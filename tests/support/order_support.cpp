#include "support/order_support.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <stdexcept>

#include "app/settings.h"
#include "platform/bus/bus.h"
#include "platform/bus/bus_config.h"
#include "platform/runtime/io_pool.h"
#include "platform/types/uuid.h"
#include "support/bus_test_support.h"

namespace ticketly::testing {

std::string new_uuid() { return Uuid::random().str(); }

TestEvent TestEvent::make(const std::string& owner_id, int seats) {
  TestEvent e;
  e.id = new_uuid();
  e.owner_id = owner_id;
  e.organization_id = new_uuid();
  e.session_id = new_uuid();
  e.tiers = {{new_uuid(), "Standard", "#112233", 1000.00}, {new_uuid(), "VIP", "#AABBCC", 2500.50}};
  for (int i = 0; i < seats; ++i) {
    const std::string& tier = i < seats / 2 || seats == 1 ? e.tiers[0].id : e.tiers[1].id;
    e.seats.push_back({new_uuid(), std::to_string(i + 1) + "A", tier});
  }
  return e;
}

std::string TestEvent::add_discount(const std::string& code, json::Json parameters, std::optional<int> max_usage,
                                    std::vector<std::string> tier_ids, std::vector<std::string> session_ids) {
  const std::string id = new_uuid();
  discounts.push_back({{"id", id},
                       {"code", code},
                       {"parameters", std::move(parameters)},
                       {"maxUsage", max_usage ? json::Json(*max_usage) : json::Json(nullptr)},
                       {"currentUsage", 0},
                       {"active", true},
                       {"public", true},
                       {"activeFrom", nullptr},
                       {"expiresAt", nullptr},
                       {"applicableTierIds", tier_ids},
                       {"applicableSessionIds", session_ids}});
  return id;
}

json::Json TestEvent::snapshot() const {
  json::Json tier_list = json::Json::array();
  for (const auto& t : tiers) tier_list.push_back({{"id", t.id}, {"name", t.name}, {"color", t.color}, {"price", t.price}});
  json::Json grid = json::Json::array();
  for (const auto& s : seats) {
    grid.push_back({{"id", s.id},
                    {"label", s.label},
                    {"tierId", s.tier_id.empty() ? json::Json(nullptr) : json::Json(s.tier_id)},
                    {"status", s.status}});
  }
  json::Json layout = {
      {"name", "Main Hall"},
      {"layout",
       {{"blocks",
         json::Json::array({{{"id", "block-1"},
                             {"name", "Orchestra"},
                             {"type", "seated_grid"},
                             {"position", {{"x", 25}, {"y", 140}}},
                             {"rows", json::Json::array({{{"id", "row-a"}, {"label", "A"}, {"seats", grid}}})}},
                            {{"id", "stage"},
                             {"name", "Stage"},
                             {"type", "non_sellable"},
                             {"position", {{"x", 25}, {"y", 25}}},
                             {"width", 600},
                             {"height", 90}}})}}}};
  json::Json session = {{"id", session_id},
                        {"startTime", "2030-01-01T18:00:00Z"},
                        {"endTime", "2030-01-01T22:00:00Z"},
                        {"salesStartTime", "2020-01-01T00:00:00Z"},
                        {"sessionType", "PHYSICAL"},
                        {"status", session_status},
                        {"venueDetails", {{"name", "Hall"}, {"address", "Colombo"}}},
                        {"layoutData", layout}};
  return {{"type", "EventSnapshot"},
          {"version", version},
          {"occurredAt", "2026-11-26T20:00:00Z"},
          {"event",
           {{"id", id},
            {"title", "Test event"},
            {"description", "d"},
            {"overview", "o"},
            {"status", status},
            {"rejectionReason", nullptr},
            {"ownerId", owner_id},
            {"organization", {{"id", organization_id}, {"name", "Org"}, {"logoUrl", nullptr}}},
            {"category", {{"id", new_uuid()}, {"name", "Music"}, {"parentId", nullptr}, {"parentName", nullptr}}},
            {"coverPhotos", json::Json::array()},
            {"createdAt", "2026-11-26T20:00:00Z"},
            {"updatedAt", "2026-11-26T20:00:00Z"},
            {"tiers", tier_list},
            {"sessions", json::Json::array({session})},
            {"discounts", discounts}}}};
}

OrderTestApp::OrderTestApp(std::map<std::string, std::string> env) {
  env.emplace("TICKETLY_ORDER_SWEEP_INTERVAL", "100ms");
  app_ = std::make_unique<TestApp>(std::vector<std::string>{"idp", "order"}, std::function<void(app::Settings&)>{},
                                   std::move(env));
  io_ = std::make_unique<runtime::IoPool>(1);
  io_->start();
  const auto& s = app_->settings();
  bus_ = bus::make_bus(s.bus, *io_, bus::bus_database_url(s.bus, s.pg_url, s.db_name_prefix));
  bus_->start();
}

OrderTestApp::~OrderTestApp() {
  bus_->stop();
  io_->stop();
  io_->join();
  bus_.reset();
}

void OrderTestApp::publish(const std::string& topic, const std::string& key, const json::Json& payload) {
  std::vector<bus::OutgoingMessage> messages{
      {topic, key, payload.dump(), {{"type", payload.value("type", "")}}}};
  auto* b = bus_.get();
  auto produce = [b, &messages]() -> boost::asio::awaitable<void> { co_await b->produce(std::move(messages)); };
  run_on(*io_, produce);
}

void OrderTestApp::publish_event(const TestEvent& event) {
  publish("ticketly.catalog.events", event.id, event.snapshot());
  const std::string sql = "SELECT version FROM catalog_events WHERE id = '" + event.id + "'";
  const bool applied = wait_until([&] { return scalar(sql) == std::to_string(event.version); }, std::chrono::seconds(15));
  ASSERT_TRUE(applied) << "the order service did not apply event " << event.id << " v" << event.version;
}

void OrderTestApp::publish_organization(const std::string& org_id, const std::string& owner_id, std::int64_t version,
                                        const json::Json& staff) {
  json::Json m = {{"type", "OrganizationSnapshot"},
                  {"version", version},
                  {"occurredAt", "2026-11-26T20:00:00Z"},
                  {"organization",
                   {{"id", org_id},
                    {"name", "Org"},
                    {"website", nullptr},
                    {"logoUrl", nullptr},
                    {"ownerId", owner_id},
                    {"createdAt", "2026-11-26T20:00:00Z"},
                    {"updatedAt", "2026-11-26T20:00:00Z"},
                    {"staff", staff}}}};
  publish("ticketly.catalog.organizations", org_id, m);
  const std::string sql = "SELECT version FROM catalog_organizations WHERE id = '" + org_id + "'";
  const bool applied = wait_until([&] { return scalar(sql) == std::to_string(version); }, std::chrono::seconds(15));
  ASSERT_TRUE(applied) << "the order service did not apply organization " << org_id;
}

namespace {

std::string query_scalar(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("order database: " + error);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  std::string out;
  const auto status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    std::string error = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
    throw std::runtime_error("query failed: " + error + " (" + sql + ")");
  }
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) out = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(conn);
  return out;
}

}  // namespace

std::string OrderTestApp::scalar(const std::string& sql) { return query_scalar(app_->database_url("order"), sql); }

std::string OrderTestApp::bus_scalar(const std::string& sql) {
  const auto& s = app_->settings();
  return query_scalar(bus::bus_database_url(s.bus, s.pg_url, s.db_name_prefix), sql);
}

CreatedUser OrderTestApp::new_user(const std::string& prefix) { return create_user(*app_, prefix); }

HttpResult OrderTestApp::place(const std::string& token, const TestEvent& event, const std::vector<std::string>& seats,
                               const std::string& discount_id) {
  json::Json body = {{"event_id", event.id},
                     {"session_id", event.session_id},
                     {"organization_id", event.organization_id},
                     {"seat_ids", seats},
                     {"discount_id", discount_id}};
  return http_request(port(), "POST", "/api/order", body.dump(),
                      bearer(token, {{"Content-Type", "application/json"}}));
}

HttpResult OrderTestApp::pay(const std::string& token, const std::string& order_id, bool succeed) {
  json::Json body = {{"outcome", succeed ? "succeeded" : "failed"}};
  return http_request(port(), "POST", "/api/order/" + order_id + "/dev/payment", body.dump(),
                      bearer(token, {{"Content-Type", "application/json"}}));
}

}  // namespace ticketly::testing
