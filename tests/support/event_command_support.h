#pragma once
// Helpers of the event-command integration tests: a client for /api/event-seating that
// speaks JSON and multipart, a valid CreateEventRequest to vary, image bytes, and access
// to the service's database and the bus (to feed it order messages and read what it
// published).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "support/http_client.h"
#include "support/test_app.h"

namespace ticketly::testing::ec {

using Json = nlohmann::json;

inline const std::string kBase = "/api/event-seating";

struct FilePart {
  std::string name;          // form field
  std::string filename;      // "cover.png"
  std::string content_type;  // "image/png"
  std::string data;
};

// A client of the service; `token` empty sends no Authorization header.
class EcClient {
 public:
  explicit EcClient(std::uint16_t port) : port_(port) {}

  HttpResult get(const std::string& path, const std::string& token) const;
  HttpResult del(const std::string& path, const std::string& token) const;
  HttpResult post(const std::string& path, const Json& body, const std::string& token, Headers extra = {}) const;
  HttpResult put(const std::string& path, const Json& body, const std::string& token, Headers extra = {}) const;
  HttpResult patch(const std::string& path, const Json& body, const std::string& token) const;
  // multipart/form-data: text fields (name, value) then files.
  HttpResult multipart(const std::string& method, const std::string& path, const std::string& token,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       const std::vector<FilePart>& files) const;

  // POST /v1/events as the web client sends it: part `request` + `coverImages`.
  HttpResult create_event(const std::string& token, const Json& request, const std::vector<FilePart>& images = {}) const;
  // POST /v1/organizations; returns the new id (fails the test otherwise).
  std::string create_organization(const std::string& token, const std::string& name) const;
  // The id of a seeded category ("Music" root's first child when present).
  std::string any_category(const std::string& token) const;

  std::uint16_t port() const { return port_; }

 private:
  HttpResult send(const std::string& method, const std::string& path, const std::string& body, Headers headers,
                  const std::string& token) const;
  std::uint16_t port_;
};

// ISO-8601 UTC time `offset` from now ("2026-11-28T10:00:00Z").
std::string iso_from_now(std::chrono::minutes offset);

// A seating map: one 2×3 grid (tier `vip`, seat 3A reserved), one standing block of
// `standing` slots (tier `ga`) and a stage. Every id is new.
Json sample_layout(const std::string& vip, const std::string& ga, int standing = 2);
// A PHYSICAL session starting in 3 days (2 h long), sales from 1 day ahead.
Json sample_session(const std::string& vip, const std::string& ga, std::string id = "");
// A valid CreateEventRequest with two tiers (VIP, General), one session and one public
// discount, all with new client ids: read them back with the accessors below.
Json event_request(const std::string& organization_id, const std::string& category_id);
inline std::string vip_tier(const Json& request) { return request["tiers"][0]["id"]; }
inline std::string ga_tier(const Json& request) { return request["tiers"][1]["id"]; }
inline std::string session_id(const Json& request) { return request["sessions"][0]["id"]; }
inline std::string discount_id(const Json& request) { return request["discounts"][0]["id"]; }

// Bytes that are a real (tiny) PNG / a JPEG header, and not an image.
std::string png_bytes();
std::string jpeg_bytes();

// Blocking SQL against a database URL; rows of text values ("" for NULL). Fails the
// test on an error.
std::vector<std::vector<std::string>> sql(const std::string& url, const std::string& query,
                                          const std::vector<std::string>& params = {});

// Puts `order` (an OrderSnapshot as docs/EVENTS.md describes) on `ticketly.order.updated`
// through the service database's outbox, as the order service would.
void publish_order_updated(const TestApp& app, const Json& order);
// The same for several snapshots in one outbox transaction: they reach the bus together.
void publish_orders_updated(const TestApp& app, const std::vector<Json>& orders);

// The payloads published to `topic` with `key` so far, oldest first (from the bus log).
std::vector<Json> published(const TestApp& app, const std::string& topic, const std::string& key);

}  // namespace ticketly::testing::ec
