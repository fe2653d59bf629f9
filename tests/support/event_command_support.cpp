#include "support/event_command_support.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>

#include "app/settings.h"
#include "platform/bus/bus_config.h"
#include "platform/crypto/crypto.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::testing::ec {

HttpResult EcClient::send(const std::string& method, const std::string& path, const std::string& body,
                          Headers headers, const std::string& token) const {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return http_request(port_, method, kBase + path, body, headers);
}

HttpResult EcClient::get(const std::string& path, const std::string& token) const {
  return send("GET", path, "", {}, token);
}

HttpResult EcClient::del(const std::string& path, const std::string& token) const {
  return send("DELETE", path, "", {}, token);
}

HttpResult EcClient::post(const std::string& path, const Json& body, const std::string& token, Headers extra) const {
  extra.emplace_back("Content-Type", "application/json");
  return send("POST", path, body.dump(), std::move(extra), token);
}

HttpResult EcClient::put(const std::string& path, const Json& body, const std::string& token, Headers extra) const {
  extra.emplace_back("Content-Type", "application/json");
  return send("PUT", path, body.dump(), std::move(extra), token);
}

HttpResult EcClient::patch(const std::string& path, const Json& body, const std::string& token) const {
  return send("PATCH", path, body.dump(), {{"Content-Type", "application/json"}}, token);
}

HttpResult EcClient::multipart(const std::string& method, const std::string& path, const std::string& token,
                               const std::vector<std::pair<std::string, std::string>>& fields,
                               const std::vector<FilePart>& files) const {
  const std::string boundary = "----ticketly" + crypto::hex_encode(crypto::random_bytes(8));
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n";
    body += "Content-Type: application/json\r\n\r\n" + value + "\r\n";
  }
  for (const auto& f : files) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"; filename=\"" +
            f.filename + "\"\r\nContent-Type: " + f.content_type + "\r\n\r\n" + f.data + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  return send(method, path, body, {{"Content-Type", "multipart/form-data; boundary=" + boundary}}, token);
}

HttpResult EcClient::create_event(const std::string& token, const Json& request,
                                  const std::vector<FilePart>& images) const {
  return multipart("POST", "/v1/events", token, {{"request", request.dump()}}, images);
}

std::string EcClient::create_organization(const std::string& token, const std::string& name) const {
  auto r = post("/v1/organizations", {{"name", name}, {"website", "https://example.com"}}, token);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? r.json().value("id", "") : "";
}

std::string EcClient::any_category(const std::string& token) const {
  auto r = get("/v1/categories", token);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return "";
  auto tree = r.json();
  if (!tree.is_array() || tree.empty()) return "";
  const auto& root = tree[0];
  if (root.contains("subCategories") && !root["subCategories"].empty()) return root["subCategories"][0]["id"];
  return root["id"];
}

std::string iso_from_now(std::chrono::minutes offset) {
  auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + offset);
  return format_iso8601(t);
}

Json sample_layout(const std::string& vip, const std::string& ga, int standing) {
  Json grid_rows = Json::array();
  const char* labels[] = {"A", "B"};
  int n = 0;
  for (const char* row : labels) {
    Json seats = Json::array();
    for (int c = 1; c <= 3; ++c) {
      const bool reserved = (std::string(row) == "A" && c == 3);
      seats.push_back({{"id", Uuid::random().str()},
                       {"label", std::to_string(c) + row},
                       {"tierId", reserved ? Json(nullptr) : Json(vip)},
                       {"status", reserved ? "RESERVED" : "AVAILABLE"}});
      ++n;
    }
    grid_rows.push_back({{"id", Uuid::random().str()}, {"label", row}, {"seats", seats}});
  }
  Json slots = Json::array();
  for (int i = 1; i <= standing; ++i) {
    slots.push_back({{"id", Uuid::random().str()},
                     {"label", "Slot " + std::to_string(i)},
                     {"tierId", ga},
                     {"status", "AVAILABLE"}});
  }
  return {{"name", "Main Hall"},
          {"layout",
           {{"blocks",
             {{{"id", Uuid::random().str()},
               {"name", "Orchestra"},
               {"type", "seated_grid"},
               {"position", {{"x", 25}, {"y", 140}}},
               {"rows", grid_rows}},
              {{"id", Uuid::random().str()},
               {"name", "GA Pit"},
               {"type", "standing_capacity"},
               {"position", {{"x", 400}, {"y", 140}}},
               {"capacity", standing},
               {"width", 319},
               {"height", 172},
               {"seats", slots}},
              {{"id", Uuid::random().str()},
               {"name", "Stage"},
               {"type", "non_sellable"},
               {"position", {{"x", 25}, {"y", 25}}},
               {"width", 674},
               {"height", 90}}}}}}};
}

Json sample_session(const std::string& vip, const std::string& ga, std::string id) {
  using std::chrono::hours;
  if (id.empty()) id = Uuid::random().str();
  return {{"id", id},
          {"startTime", iso_from_now(hours(72))},
          {"endTime", iso_from_now(hours(74))},
          {"salesStartTime", iso_from_now(hours(24))},
          {"sessionType", "PHYSICAL"},
          {"venueDetails", {{"name", "Nelum Pokuna"}, {"address", "Colombo"}, {"latitude", 6.9}, {"longitude", 79.8}}},
          {"layoutData", sample_layout(vip, ga)}};
}

Json event_request(const std::string& organization_id, const std::string& category_id) {
  const std::string vip = Uuid::random().str(), ga = Uuid::random().str(), session = Uuid::random().str();
  return {{"title", "Symphony Night"},
          {"description", "An evening of music"},
          {"overview", "# Symphony Night"},
          {"organizationId", organization_id},
          {"categoryId", category_id},
          {"tiers",
           {{{"id", vip}, {"name", "VIP"}, {"color", "#AABBCC"}, {"price", 5000.5}},
            {{"id", ga}, {"name", "General"}, {"color", "#112233"}, {"price", 1000}}}},
          {"sessions", {sample_session(vip, ga, session)}},
          {"discounts",
           {{{"id", Uuid::random().str()},
             {"code", "SUMMER10"},
             {"parameters", {{"type", "PERCENTAGE"}, {"percentage", 10}, {"minSpend", nullptr}, {"maxDiscount", 500}}},
             {"maxUsage", 100},
             {"active", true},
             {"public", true},
             {"applicableTierIds", {vip}},
             {"applicableSessionIds", {session}}}}}};
}

std::string png_bytes() {
  // A 1×1 transparent PNG.
  static const unsigned char kPng[] = {
      0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
      0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
      0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

std::string jpeg_bytes() {
  std::string s("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
  s += std::string(64, '\0');
  s += "\xFF\xD9";
  return s;
}

std::vector<std::vector<std::string>> sql(const std::string& url, const std::string& query,
                                          const std::vector<std::string>& params) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  std::vector<std::vector<std::string>> rows;
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "connect " << url << ": " << PQerrorMessage(conn.get());
    return rows;
  }
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> res(
      PQexecParams(conn.get(), query.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                   nullptr, 0),
      &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    ADD_FAILURE() << query << ": " << PQerrorMessage(conn.get());
    return rows;
  }
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(res.get()); ++c) row.emplace_back(PQgetvalue(res.get(), r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

void publish_order_updated(const TestApp& app, const Json& order) {
  const std::string key = order.value("OrderID", "");
  sql(app.database_url("event_command"),
      "INSERT INTO outbox (topic, key, payload, headers) VALUES ('ticketly.order.updated', $1, $2::jsonb, "
      "'{\"type\":\"OrderSnapshot\"}'::jsonb)",
      {key, order.dump()});
  sql(app.database_url("event_command"), "NOTIFY ticketly_outbox");
}

void publish_orders_updated(const TestApp& app, const std::vector<Json>& orders) {
  Json keys = Json::array(), payloads = Json::array();
  for (const auto& o : orders) {
    keys.push_back(o.value("OrderID", ""));
    payloads.push_back(o);
  }
  sql(app.database_url("event_command"),
      "INSERT INTO outbox (topic, key, payload, headers) "
      "SELECT 'ticketly.order.updated', k, p, '{\"type\":\"OrderSnapshot\"}'::jsonb "
      "FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS a(k, i) "
      "JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS b(p, i) USING (i) ORDER BY i",
      {keys.dump(), payloads.dump()});
  sql(app.database_url("event_command"), "NOTIFY ticketly_outbox");
}

std::vector<Json> published(const TestApp& app, const std::string& topic, const std::string& key) {
  const auto& s = app.settings();
  const std::string url = bus::bus_database_url(s.bus, s.pg_url, s.db_name_prefix);
  std::vector<Json> out;
  for (const auto& row : sql(url,
                             "SELECT payload FROM bus_messages WHERE topic = $1 AND key = $2 "
                             "ORDER BY partition, \"offset\"",
                             {topic, key})) {
    out.push_back(Json::parse(row[0]));
  }
  return out;
}

}  // namespace ticketly::testing::ec
