#include <spdlog/spdlog.h>

#include "platform/errors.h"
#include "platform/text/ascii.h"
#include "services/event_command/directory/user_directory.h"

namespace ticketly::event_command {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {

DirectoryUser from_representation(const Json& u) {
  DirectoryUser out;
  out.id = u.value("id", "");
  out.email = text::ascii_lower(u.value("email", ""));
  std::string first = u.value("firstName", ""), last = u.value("lastName", "");
  out.name = first.empty() ? last : (last.empty() ? first : first + " " + last);
  if (out.name.empty()) out.name = u.value("username", "");
  return out;
}

Error provider_failure(std::string_view what, const http::ClientResponse& r) {
  spdlog::warn("identity provider admin API: {} answered {}: {}", what, r.status, r.body.substr(0, 300));
  return unavailable("The identity provider could not " + std::string(what) + "; try again later");
}

}  // namespace

KeycloakDirectory::KeycloakDirectory(runtime::IoPool& io, service::ServiceIdentity identity)
    : io_(io), identity_(std::move(identity)), clients_(io, {}) {}

auth::ServiceTokenClient& KeycloakDirectory::tokens() {
  std::call_once(tokens_once_, [this] {
    tokens_ = std::make_unique<auth::ServiceTokenClient>(io_, identity_.token_url(), identity_.client_id,
                                                         identity_.client_secret);
  });
  return *tokens_;
}

asio::awaitable<http::ClientResponse> KeycloakDirectory::call(std::string method, std::string url, std::string body) {
  if (identity_.client_secret.empty()) {
    throw unavailable("Staff invitations need the identity provider's admin API: configure the " +
                      identity_.client_id + " client secret");
  }
  http::HttpClient* client = co_await clients_.current();
  for (int attempt = 1;; ++attempt) {
    std::string token = co_await tokens().token();
    http::ClientRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    http::ClientResponse response;
    try {
      response = co_await client->send(std::move(request));
    } catch (const http::ClientError& e) {
      spdlog::warn("identity provider admin API {} {}: {}", method, url, e.what());
      throw unavailable("The identity provider is unavailable; try again later");
    }
    // A token the provider no longer accepts (restart, rotated key): fetch a new one once.
    if (response.status == 401 && attempt == 1) {
      tokens().invalidate();
      continue;
    }
    co_return response;
  }
}

asio::awaitable<std::optional<DirectoryUser>> KeycloakDirectory::find(const std::string& email) {
  auto response = co_await call("GET", identity_.admin_url() + "/users?exact=true&email=" + http::url_encode(email), "");
  if (response.status != 200) throw provider_failure("look the user up", response);
  auto users = Json::parse(response.body, nullptr, false);
  if (!users.is_array()) throw provider_failure("look the user up", response);
  for (const auto& u : users) {
    if (u.is_object() && text::ascii_lower(u.value("email", "")) == email) co_return from_representation(u);
  }
  co_return std::nullopt;
}

asio::awaitable<DirectoryUser> KeycloakDirectory::find_or_invite(std::string email) {
  email = text::ascii_lower(email);
  auto existing = co_await find(email);
  if (existing) co_return *existing;
  Json rep = {{"username", email},
              {"email", email},
              {"enabled", true},
              {"emailVerified", false},
              {"requiredActions", {"UPDATE_PASSWORD", "VERIFY_EMAIL"}}};
  auto created = co_await call("POST", identity_.admin_url() + "/users", rep.dump());
  if (created.status == 201) {
    std::string location = created.header("location");
    DirectoryUser user;
    user.id = location.substr(location.rfind('/') + 1);
    user.email = email;
    user.name = email;
    user.created = true;
    if (user.id.empty()) throw provider_failure("create the user", created);
    co_return user;
  }
  // 409: someone created it meanwhile (or the user name is taken): look it up again.
  if (created.status == 409) {
    auto raced = co_await find(email);
    if (raced) co_return *raced;
  }
  throw provider_failure("create the user", created);
}

}  // namespace ticketly::event_command
