#include "app/demo/seeder.h"

#include <utility>  // before Asio (Boost 1.74 + g++ 12)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <nlohmann/json.hpp>

#include <ostream>
#include <stdexcept>

#include "app/demo/demo_data.h"
#include "platform/http/client.h"
#include "platform/types/uuid.h"

namespace ticketly::app::demo {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

constexpr const char* kRealm = "/realms/event-ticketing/protocol/openid-connect/token";
constexpr const char* kSeating = "/api/event-seating";

// One call's outcome, or a clear error naming it.
json expect(const http::ClientResponse& r, const std::string& what, std::initializer_list<int> ok) {
  for (int status : ok) {
    if (r.status == status) return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }
  std::string message = r.body;
  if (auto body = json::parse(r.body, nullptr, false); body.is_object() && body.contains("message")) {
    message = body["message"].get<std::string>();
  }
  throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) + " " + message);
}

// multipart/form-data with one JSON part named `request` (CreateEventRequest).
std::pair<std::string, std::string> multipart_request(const json& request) {
  const std::string boundary = "ticketly-seed-" + Uuid::random().str();
  std::string body = "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"request\"\r\n";
  body += "Content-Type: application/json\r\n\r\n";
  body += request.dump();
  body += "\r\n--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

class Seeder {
 public:
  Seeder(asio::io_context& io, const SeedOptions& options) : client_(io), options_(options) {}

  asio::awaitable<SeedResult> run() {
    // Each response is named before it is checked: g++ 12 mishandles braced temporaries
    // (the `{200}` lists) inside a co_await expression.
    const std::string user = co_await login(options_.organizer, options_.organizer_password);
    SeedResult result;
    auto r = co_await call("GET", std::string(kSeating) + "/v1/organizations/my", user);
    for (const auto& org : expect(r, "listing the organizer's organizations", {200})) {
      if (org.value("name", "") == kOrganizationName) {
        result.organization_id = org.at("id").get<std::string>();
        co_return result;  // seeded before
      }
    }
    r = co_await call("POST", std::string(kSeating) + "/v1/organizations", user, organization_request().dump());
    result.organization_id = expect(r, "creating the organization", {201}).at("id").get<std::string>();

    const std::string category = co_await pick_category(user);
    const auto request = event_request(result.organization_id, category, Clock::now());
    auto [content_type, body] = multipart_request(request);
    r = co_await call("POST", std::string(kSeating) + "/v1/events", user, std::move(body), content_type);
    result.event_id = expect(r, "creating the event", {201}).at("id").get<std::string>();
    result.sellable_seats = sellable_seats(request);

    const std::string admin = co_await login(options_.admin, options_.admin_password);
    r = co_await call("POST", std::string(kSeating) + "/v1/events/" + result.event_id + "/approve", admin, "{}");
    expect(r, "approving the event", {200});
    // Open sales now rather than a week before each session, so the demo can sell at once.
    const std::string on_sale = json{{"status", "ON_SALE"}}.dump();
    for (const auto& session : request.at("sessions")) {
      const std::string path = std::string(kSeating) + "/v1/sessions/" + session.at("id").get<std::string>() + "/status";
      r = co_await call("PUT", path, user, on_sale);
      expect(r, "opening sales", {200});
      ++result.sessions;
    }
    result.created = true;
    co_return result;
  }

 private:
  asio::awaitable<std::string> login(const std::string& username, const std::string& password) {
    const http::HeaderList form{{"grant_type", "password"}, {"client_id", "login-testing"},
                                {"username", username},     {"password", password}};
    const auto r = co_await client_.post_form(options_.base_url + kRealm, form);
    co_return expect(r, "logging in as " + username, {200}).at("access_token").get<std::string>();
  }

  // A leaf under the "Music" root when there is one, else the first category.
  asio::awaitable<std::string> pick_category(const std::string& token) {
    const auto r = co_await call("GET", std::string(kSeating) + "/v1/categories", token);
    const auto tree = expect(r, "listing categories", {200});
    if (!tree.is_array() || tree.empty()) throw std::runtime_error("listing categories: the server has none");
    for (const auto& root : tree) {
      const auto& subs = root.value("subCategories", json::array());
      if (root.value("name", "") == "Music" && !subs.empty()) co_return subs.front().at("id").get<std::string>();
    }
    co_return tree.front().at("id").get<std::string>();
  }

  asio::awaitable<http::ClientResponse> call(std::string method, std::string path, const std::string& token,
                                             std::string body = {}, std::string content_type = "application/json") {
    http::ClientRequest request;
    request.method = std::move(method);
    request.url = options_.base_url + path;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (!body.empty()) request.headers.emplace_back("Content-Type", std::move(content_type));
    request.body = std::move(body);
    co_return co_await client_.send(std::move(request));
  }

  http::HttpClient client_;
  const SeedOptions& options_;
};

}  // namespace

SeedResult seed(const SeedOptions& options) {
  asio::io_context io;
  Seeder seeder(io, options);
  auto done = asio::co_spawn(io, seeder.run(), asio::use_future);
  io.run();
  try {
    return done.get();  // rethrows the flow's error
  } catch (const http::ClientError& e) {
    throw std::runtime_error("cannot reach " + options.base_url + ": " + e.what());
  }
}

void print_summary(std::ostream& out, const SeedOptions& options, const SeedResult& result) {
  if (!result.created) {
    out << "demo data already present (organization " << result.organization_id << ")\n";
    return;
  }
  out << "demo data created:\n"
      << "  organization  " << kOrganizationName << "  " << result.organization_id << "  (owner "
      << options.organizer << ")\n"
      << "  event         " << kEventTitle << "  " << result.event_id << "  (approved, " << result.sessions
      << " sessions on sale, " << result.sellable_seats << " sellable seats)\n"
      << "  event page    " << options.base_url << "/api/event-query/v1/events/" << result.event_id
      << "/basic-info\n"
      << "  discount      EARLYBIRD (10 %, public), FRIENDS2FOR1 (buy 2 get 1, Standard tier)\n";
}

}  // namespace ticketly::app::demo
