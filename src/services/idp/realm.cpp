#include "services/idp/realm.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "platform/text/ascii.h"

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error("realm: " + where + ": " + what);
}

const Json* member(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string str(const Json& obj, const char* key, const std::string& where, std::string fallback = {}) {
  const Json* v = member(obj, key);
  if (!v) return fallback;
  if (!v->is_string()) fail(where + "." + key, "must be a string");
  return v->get<std::string>();
}

bool flag(const Json& obj, const char* key, const std::string& where, bool fallback) {
  const Json* v = member(obj, key);
  if (!v) return fallback;
  if (!v->is_boolean()) fail(where + "." + key, "must be true or false");
  return v->get<bool>();
}

std::vector<std::string> strings(const Json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  const Json* v = member(obj, key);
  if (!v) return out;
  if (!v->is_array()) fail(where + "." + key, "must be an array of strings");
  for (const auto& e : *v) {
    if (!e.is_string()) fail(where + "." + key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

const Json& array(const Json& obj, const char* key, const std::string& where) {
  static const Json empty = Json::array();
  const Json* v = member(obj, key);
  if (!v) return empty;
  if (!v->is_array()) fail(where + "." + key, "must be an array");
  return *v;
}

const Json& object(const Json& v, const std::string& where) {
  if (!v.is_object()) fail(where, "must be an object");
  return v;
}

// Keycloak keeps attributes as strings ("true"); accept JSON booleans too.
std::optional<std::string> attribute(const Json& obj, const char* key) {
  const Json* attrs = member(obj, "attributes");
  if (!attrs || !attrs->is_object()) return std::nullopt;
  const Json* v = member(*attrs, key);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  return std::nullopt;
}

// The first oidc-group-membership-mapper among `protocolMappers`, if any.
std::optional<GroupClaim> group_mapper(const Json& obj, const std::string& where) {
  for (const auto& m : array(obj, "protocolMappers", where)) {
    object(m, where + ".protocolMappers[]");
    if (str(m, "protocolMapper", where) != "oidc-group-membership-mapper") continue;
    GroupClaim g;
    if (const Json* cfg = member(m, "config"); cfg && cfg->is_object()) {
      auto text = [&](const char* k, const std::string& d) {
        const Json* v = member(*cfg, k);
        return v && v->is_string() ? v->get<std::string>() : d;
      };
      g.claim = text("claim.name", g.claim);
      g.full_path = text("full.path", "true") == "true";
      g.access_token = text("access.token.claim", "true") == "true";
      g.id_token = text("id.token.claim", "true") == "true";
      g.userinfo = text("userinfo.token.claim", "true") == "true";
    }
    if (g.claim.empty()) fail(where, "group mapper without claim.name");
    return g;
  }
  return std::nullopt;
}

void parse_groups(const Json& list, const std::string& parent, Realm& realm, const std::string& where) {
  for (const auto& g : list) {
    object(g, where);
    auto name = str(g, "name", where);
    if (name.empty() || name.find('/') != std::string::npos)
      fail(where, "group name '" + name + "' is empty or has '/'");
    Group group{parent + "/" + name, strings(g, "realmRoles", where)};
    if (realm.group(group.path)) fail(where, "duplicate group " + group.path);
    realm.groups.push_back(group);
    parse_groups(array(g, "subGroups", where), group.path, realm, where + "." + name);
  }
}

Client parse_client(const Json& c, const std::string& where) {
  object(c, where);
  Client client;
  client.client_id = str(c, "clientId", where);
  if (client.client_id.empty()) fail(where, "clientId is required");
  const std::string at = "clients." + client.client_id;
  client.name = str(c, "name", at);
  client.enabled = flag(c, "enabled", at, true);
  client.public_client = flag(c, "publicClient", at, false);
  client.standard_flow = flag(c, "standardFlowEnabled", at, true);
  client.direct_access_grants = flag(c, "directAccessGrantsEnabled", at, false);
  client.service_accounts = flag(c, "serviceAccountsEnabled", at, false);
  if (flag(c, "bearerOnly", at, false)) client.standard_flow = client.direct_access_grants = false;
  client.redirect_uris = strings(c, "redirectUris", at);
  client.web_origins = strings(c, "webOrigins", at);
  client.default_scopes = strings(c, "defaultClientScopes", at);
  client.optional_scopes = strings(c, "optionalClientScopes", at);
  client.groups = group_mapper(c, at);
  if (member(c, "secret")) fail(at, "client secrets do not belong in the realm file (they are generated at start)");
  // Keycloak 18+: valid post-logout redirect URIs, "##"-separated; "+" = the redirect URIs.
  auto logout = attribute(c, "post.logout.redirect.uris").value_or("+");
  std::stringstream in(logout);
  for (std::string part; std::getline(in, part, '#');) {
    if (part.empty()) continue;
    if (part == "+") {
      client.post_logout_redirect_uris.insert(client.post_logout_redirect_uris.end(), client.redirect_uris.begin(),
                                              client.redirect_uris.end());
    } else {
      client.post_logout_redirect_uris.push_back(part);
    }
  }
  if (client.service_accounts && client.public_client) fail(at, "a public client cannot have a service account");
  return client;
}

RealmUser parse_user(const Json& u, const Realm& realm, const std::string& where) {
  object(u, where);
  RealmUser user;
  user.username = text::ascii_lower(str(u, "username", where));
  if (user.username.empty()) fail(where, "username is required");
  const std::string at = "users." + user.username;
  if (auto id = str(u, "id", at); !id.empty()) {
    user.id = Uuid::parse(id);
    if (!user.id) fail(at + ".id", "must be a UUID");
  }
  user.email = text::ascii_lower(str(u, "email", at));
  user.first_name = str(u, "firstName", at);
  user.last_name = str(u, "lastName", at);
  user.enabled = flag(u, "enabled", at, true);
  user.email_verified = flag(u, "emailVerified", at, false);
  user.groups = strings(u, "groups", at);
  for (const auto& g : user.groups) {
    if (!realm.group(g)) fail(at + ".groups", "unknown group " + g);
  }
  user.realm_roles = strings(u, "realmRoles", at);
  for (const auto& r : user.realm_roles) {
    if (!realm.role(r)) fail(at + ".realmRoles", "unknown role " + r);
  }
  for (const auto& cred : array(u, "credentials", at)) {
    object(cred, at + ".credentials[]");
    if (str(cred, "type", at, "password") != "password") continue;
    if (const Json* v = member(cred, "value"); v && v->is_string()) user.password = v->get<std::string>();
  }
  return user;
}

// A service-account user belongs to its client: its realm-management client roles are
// the client's admin API permissions.
void attach_service_account(const Json& u, Realm& realm, const std::string& where) {
  object(u, where);
  const std::string at = "users." + str(u, "username", where);
  const std::string client_id = str(u, "serviceAccountClientId", at);
  auto client = std::find_if(realm.clients.begin(), realm.clients.end(),
                             [&](const Client& c) { return c.client_id == client_id; });
  if (client == realm.clients.end() || !client->service_accounts) {
    fail(at, "serviceAccountClientId " + client_id + " is not a client with service accounts enabled");
  }
  if (const Json* roles = member(u, "clientRoles")) {
    client->realm_management_roles = strings(object(*roles, at + ".clientRoles"), "realm-management", at + ".clientRoles");
  }
}

}  // namespace

bool Client::has_realm_management_role(std::string_view role) const {
  return std::find(realm_management_roles.begin(), realm_management_roles.end(), role) != realm_management_roles.end();
}

const Client* Realm::client(std::string_view client_id) const {
  for (const auto& c : clients) {
    if (c.client_id == client_id) return &c;
  }
  return nullptr;
}

const Group* Realm::group(std::string_view path) const {
  for (const auto& g : groups) {
    if (g.path == path) return &g;
  }
  return nullptr;
}

const Role* Realm::role(std::string_view role_name) const {
  for (const auto& r : roles) {
    if (r.name == role_name) return &r;
  }
  return nullptr;
}

std::optional<ClientScope> Realm::scope(std::string_view scope_name) const {
  for (const auto& s : scopes) {
    if (s.name == scope_name) return s;
  }
  // Keycloak creates these in every realm; a realm file need not spell them out.
  static const std::vector<std::pair<std::string_view, bool>> kBuiltIn = {
      {"profile", true}, {"email", true},           {"roles", false},         {"web-origins", false},
      {"acr", false},    {"basic", false},          {"offline_access", true}, {"address", true},
      {"phone", true},   {"microprofile-jwt", true}};
  for (const auto& [n, in_scope] : kBuiltIn) {
    if (n == scope_name) return ClientScope{std::string(n), in_scope, std::nullopt};
  }
  return std::nullopt;
}

std::vector<std::string> Realm::effective_roles(const std::vector<std::string>& user_roles,
                                                const std::vector<std::string>& user_groups) const {
  std::set<std::string> out;
  std::function<void(const std::string&)> add = [&](const std::string& r) {
    if (!out.insert(r).second) return;
    if (const Role* role_def = role(r)) {
      for (const auto& c : role_def->composites) add(c);
    }
  };
  for (const auto& r : user_roles) add(r);
  for (const auto& path : user_groups) {
    // Members of a subgroup inherit the role mappings of every ancestor group.
    for (std::string p = path; !p.empty();) {
      if (const Group* g = group(p)) {
        for (const auto& r : g->realm_roles) add(r);
      }
      auto slash = p.rfind('/');
      p = slash == std::string::npos ? std::string() : p.substr(0, slash);
    }
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> Realm::default_roles() const {
  if (default_role.empty()) return {};
  return effective_roles({default_role}, {});
}

Realm parse_realm(const Json& rep) {
  object(rep, "realm file");
  Realm realm;
  realm.name = str(rep, "realm", "realm");
  if (realm.name.empty()) fail("realm", "the realm name is required");
  if (!flag(rep, "enabled", "realm", true)) fail("realm", "the realm is disabled");

  const Json* roles = member(rep, "roles");
  if (roles) {
    for (const auto& r : array(object(*roles, "roles"), "realm", "roles")) {
      object(r, "roles.realm[]");
      Role role{str(r, "name", "roles.realm[]"), str(r, "description", "roles.realm[]"), {}};
      if (role.name.empty()) fail("roles.realm[]", "name is required");
      if (const Json* comp = member(r, "composites")) role.composites = strings(*comp, "realm", "roles." + role.name);
      if (realm.role(role.name)) fail("roles.realm", "duplicate role " + role.name);
      realm.roles.push_back(role);
    }
  }
  for (const auto& role : realm.roles) {
    for (const auto& c : role.composites) {
      if (!realm.role(c)) fail("roles." + role.name, "unknown composite role " + c);
    }
  }
  if (const Json* d = member(rep, "defaultRole")) {
    realm.default_role = str(*d, "name", "defaultRole");
  } else if (realm.role("default-roles-" + realm.name)) {
    realm.default_role = "default-roles-" + realm.name;
  }

  parse_groups(array(rep, "groups", "groups"), "", realm, "groups");
  for (const auto& g : realm.groups) {
    for (const auto& r : g.realm_roles) {
      if (!realm.role(r)) fail("groups" + g.path, "unknown role " + r);
    }
  }
  realm.default_groups = strings(rep, "defaultGroups", "realm");
  for (const auto& g : realm.default_groups) {
    if (!realm.group(g)) fail("defaultGroups", "unknown group " + g);
  }

  for (const auto& s : array(rep, "clientScopes", "clientScopes")) {
    object(s, "clientScopes[]");
    ClientScope scope{str(s, "name", "clientScopes[]"), true, std::nullopt};
    if (scope.name.empty()) fail("clientScopes[]", "name is required");
    scope.include_in_token_scope = attribute(s, "include.in.token.scope").value_or("true") == "true";
    scope.groups = group_mapper(s, "clientScopes." + scope.name);
    realm.scopes.push_back(scope);
  }

  for (const auto& c : array(rep, "clients", "clients")) {
    Client client = parse_client(c, "clients[]");
    if (realm.client(client.client_id)) fail("clients", "duplicate client " + client.client_id);
    for (const auto* list : {&client.default_scopes, &client.optional_scopes}) {
      for (const auto& s : *list) {
        if (!realm.scope(s)) fail("clients." + client.client_id, "unknown client scope " + s);
      }
    }
    realm.clients.push_back(std::move(client));
  }

  std::set<std::string> usernames, emails;
  for (const auto& u : array(rep, "users", "users")) {
    // Keycloak exports list service-account users too; they belong to their client.
    if (member(u, "serviceAccountClientId")) {
      attach_service_account(u, realm, "users[]");
      continue;
    }
    RealmUser user = parse_user(u, realm, "users[]");
    if (!usernames.insert(user.username).second) fail("users", "duplicate username " + user.username);
    if (!user.email.empty() && !emails.insert(user.email).second) fail("users", "duplicate email " + user.email);
    realm.users.push_back(std::move(user));
  }
  return realm;
}

Realm load_realm_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("realm file " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  Json rep = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (rep.is_discarded()) throw std::runtime_error("realm file " + path + " is not valid JSON");
  try {
    return parse_realm(rep);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::string locate_realm_file(const std::optional<std::string>& configured) {
  if (configured && !configured->empty()) {
    if (!fs::is_regular_file(*configured)) {
      throw std::runtime_error("TICKETLY_IDP_REALM_FILE: " + *configured + " does not exist");
    }
    return *configured;
  }
  const fs::path relative = fs::path("deploy") / "keycloak" / "dev-realm.json";
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / relative, ec)) return (dir / relative).string();
    if (dir == dir.parent_path()) break;
  }
#ifdef TICKETLY_SOURCE_DIR
  if (fs::path p = fs::path(TICKETLY_SOURCE_DIR) / relative; fs::is_regular_file(p, ec)) return p.string();
#endif
  // The build passes absolute source paths to the compiler, so this file's own path
  // leads back to the source tree (src/services/idp/realm.cpp -> the checkout).
  fs::path source = fs::path(__FILE__);
  if (source.is_absolute()) {
    fs::path root = source.parent_path().parent_path().parent_path().parent_path();
    if (fs::is_regular_file(root / relative, ec)) return (root / relative).string();
  }
  throw std::runtime_error("the development realm file deploy/keycloak/dev-realm.json was not found from " +
                           fs::current_path(ec).string() + "; set TICKETLY_IDP_REALM_FILE");
}

}  // namespace ticketly::idp
