// A subset of Keycloak's admin REST API for users (create, find, get), so another
// service can invite staff the same way against this provider or a real Keycloak.
// Only service accounts may call it, and only with the realm-management client roles
// Keycloak would ask for (the realm file grants them to event-command-service alone).
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/idp/provider.h"

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;

// Keycloak's admin API answers errors as {"error": …} / {"errorMessage": …}; both are set.
struct AdminError {
  int status;
  std::string message;
};

http::Response admin_error(const AdminError& e) {
  auto res = http::Response::json(e.status, {{"error", e.message}, {"errorMessage", e.message}});
  if (e.status == 401) res.set(http::Field::www_authenticate, "Bearer realm=\"" + std::string(kRealmName) + "\"");
  return res;
}

// What a call needs, as Keycloak checks it: creating needs manage-users; reading a user
// needs view-users (manage-users implies it); searching needs query-users as well.
enum class Need { Manage, View, Query };

bool permits(const Client& client, Need need) {
  const bool view = client.has_realm_management_role("view-users") || client.has_realm_management_role("manage-users");
  switch (need) {
    case Need::Manage: return client.has_realm_management_role("manage-users");
    case Need::View: return view;
    case Need::Query: return view && client.has_realm_management_role("query-users");
  }
  return false;
}

void require_service_account(const Provider& p, const http::Request& req, Need need) {
  auto token = bearer_token(req);
  if (!token) throw AdminError{401, "HTTP 401 Unauthorized"};
  auto claims = verify_token(p.key, *token, "Bearer", p.settings.issuer, Clock::now());
  if (!claims) throw AdminError{401, "HTTP 401 Unauthorized"};
  std::string azp = claims->value("azp", "");
  const Client* client = p.realm.client(azp);
  bool service = client && client->confidential() && client->service_accounts &&
                 claims->value("preferred_username", "") == "service-account-" + azp &&
                 claims->value("sub", "") == service_account_id(azp).str();
  if (!service) throw AdminError{403, "HTTP 403 Forbidden"};
  if (!permits(*client, need)) {
    throw AdminError{403, "HTTP 403 Forbidden: the service account of " + azp +
                              " lacks the realm-management role this needs"};
  }
}

// Groups that carry realm roles (System Admins: event_admin, …) are granted by an
// administrator, never through a service's invitation: a leaked service secret must not
// mint administrators. Tier groups carry none and stay allowed.
void refuse_privileged_group(const Realm& realm, const std::string& path) {
  if (realm.effective_roles({}, {path}).empty()) return;
  throw AdminError{403, "Group " + path + " grants realm roles; assign it in the identity provider's console"};
}

Json representation(const User& u) {
  Json j = {{"id", u.id.str()},
            {"username", u.username},
            {"enabled", u.enabled},
            {"emailVerified", u.email_verified},
            {"createdTimestamp",
             std::chrono::duration_cast<std::chrono::milliseconds>(u.created_at.time_since_epoch()).count()},
            {"totp", false},
            {"disableableCredentialTypes", Json::array()},
            {"requiredActions", Json::array()},
            {"notBefore", 0}};
  if (!u.email.empty()) j["email"] = u.email;
  if (!u.first_name.empty()) j["firstName"] = u.first_name;
  if (!u.last_name.empty()) j["lastName"] = u.last_name;
  return j;
}

bool plausible_email(std::string_view e) {
  auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string_view::npos &&
         e.find_first_of(" \t\r\n<>()[],;:\\\"") == std::string_view::npos;
}

NewUser read_new_user(const Provider& p, const Json& body) {
  if (!body.is_object()) throw AdminError{400, "A JSON object (UserRepresentation) is required"};
  json::ObjectReader r(body);
  NewUser u;
  u.email = r.optional_string("email", {.max = 254}).value_or("");
  u.username = r.optional_string("username", {.max = 255}).value_or(u.email);
  if (u.username.empty()) throw AdminError{400, "User name is missing"};
  if (std::any_of(u.username.begin(), u.username.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    throw AdminError{400, "Invalid username"};
  }
  if (!u.email.empty() && !plausible_email(u.email)) throw AdminError{400, "Invalid email address"};
  u.first_name = r.optional_string("firstName", {.max = 255}).value_or("");
  u.last_name = r.optional_string("lastName", {.max = 255}).value_or("");
  u.enabled = r.optional_bool("enabled").value_or(false);  // Keycloak's default, too
  u.email_verified = r.optional_bool("emailVerified").value_or(false);
  if (const Json* creds = r.optional_array("credentials", 10)) {
    for (const auto& c : *creds) {
      json::ObjectReader cr(c, "credentials[]");
      if (cr.optional_string("type").value_or("password") != "password") continue;
      // Temporary passwords would need Keycloak's "update password" action, which this
      // development provider does not have: they are kept as ordinary passwords.
      u.password = cr.required_string("value", {.min = 1, .max = 1024, .trim = false});
    }
  }
  u.groups = p.realm.default_groups;
  if (const Json* groups = r.optional_array("groups", 50)) {
    for (const auto& g : *groups) {
      if (!g.is_string()) throw AdminError{400, "groups must be an array of group paths"};
      std::string path = g.get<std::string>();
      if (!path.starts_with('/')) path = "/" + path;
      if (!p.realm.group(path)) throw AdminError{400, "Group " + path + " not found"};
      refuse_privileged_group(p.realm, path);
      if (std::find(u.groups.begin(), u.groups.end(), path) == u.groups.end()) u.groups.push_back(path);
    }
  }
  if (!p.realm.default_role.empty()) u.realm_roles = {p.realm.default_role};
  return u;
}

std::optional<std::string> query_text(const http::Request& req, std::string_view name) {
  auto v = req.query.get(name);
  if (!v || v->empty()) return std::nullopt;
  return std::string(*v);
}

}  // namespace

asio::awaitable<http::Response> admin_create_user(Provider& p, http::Request& req) {
  AdminError error{500, ""};
  try {
    require_service_account(p, req, Need::Manage);
    NewUser user = read_new_user(p, req.json());
    auto created = co_await p.users.create(std::move(user));
    if (created.conflict == UserStore::Conflict::Username) throw AdminError{409, "User exists with same username"};
    if (created.conflict == UserStore::Conflict::Email) throw AdminError{409, "User exists with same email"};
    http::Response res;
    res.message.result(201);
    res.set(http::Field::location,
            p.settings.public_url + std::string(kAdminBasePath) + "/users/" + created.user->id.str());
    co_return res;
  } catch (const AdminError& e) {
    error = e;
  } catch (const Error& e) {
    if (e.status() >= 500) throw;
    error = AdminError{e.status(), e.what()};
  }
  co_return admin_error(error);
}

asio::awaitable<http::Response> admin_find_users(Provider& p, http::Request& req) {
  AdminError error{500, ""};
  try {
    require_service_account(p, req, Need::Query);
    UserQuery q;
    q.username = query_text(req, "username");
    q.email = query_text(req, "email");
    q.first_name = query_text(req, "firstName");
    q.last_name = query_text(req, "lastName");
    q.search = query_text(req, "search");
    if (q.search) {
      std::erase(*q.search, '*');  // Keycloak's wildcard; "contains" is the default anyway
      if (q.search->empty()) q.search.reset();
    }
    q.exact = req.query.boolean("exact").value_or(false);
    q.first = req.query.integer("first", 0, 1'000'000'000).value_or(0);
    q.max = req.query.integer("max", 0, 1000).value_or(100);
    auto users = co_await p.users.search(q);
    Json out = Json::array();
    for (const auto& u : users) out.push_back(representation(u));
    co_return http::Response::json(200, out);
  } catch (const AdminError& e) {
    error = e;
  } catch (const Error& e) {
    if (e.status() >= 500) throw;
    error = AdminError{e.status(), e.what()};
  }
  co_return admin_error(error);
}

asio::awaitable<http::Response> admin_get_user(Provider& p, http::Request& req) {
  AdminError error{500, ""};
  try {
    require_service_account(p, req, Need::View);
    auto id = Uuid::parse(req.params.get("id"));
    std::optional<User> user;
    if (id) user = co_await p.users.find_by_id(*id);
    if (!user) throw AdminError{404, "User not found"};
    co_return http::Response::json(200, representation(*user));
  } catch (const AdminError& e) {
    error = e;
  } catch (const Error& e) {
    if (e.status() >= 500) throw;
    error = AdminError{e.status(), e.what()};
  }
  co_return admin_error(error);
}

}  // namespace ticketly::idp
