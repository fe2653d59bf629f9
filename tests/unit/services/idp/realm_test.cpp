#include "services/idp/realm.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;

std::string realm_dir() { return std::filesystem::path(locate_realm_file(std::nullopt)).parent_path().string(); }

TEST(Realm, DevRealmFileHasTheSeedUsersClientsAndGroups) {
  Realm r = load_realm_file(locate_realm_file(std::nullopt));
  EXPECT_EQ(r.name, "event-ticketing");
  EXPECT_EQ(r.default_role, "default-roles-event-ticketing");
  ASSERT_EQ(r.users.size(), 3u);
  const Client* web = r.client("web-frontend");
  ASSERT_NE(web, nullptr);
  EXPECT_TRUE(web->public_client);
  EXPECT_TRUE(web->standard_flow);
  EXPECT_FALSE(web->direct_access_grants);
  EXPECT_EQ(web->redirect_uris, (std::vector<std::string>{"http://localhost:8090/*", "http://localhost:3000/*"}));
  EXPECT_EQ(web->post_logout_redirect_uris, web->redirect_uris);  // "+"
  const Client* testing = r.client("login-testing");
  ASSERT_NE(testing, nullptr);
  EXPECT_TRUE(testing->direct_access_grants);
  for (const char* id : {"event-command-service", "event-query-service", "order-service", "scheduler-service"}) {
    const Client* c = r.client(id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_TRUE(c->confidential() && c->service_accounts) << id;
    EXPECT_NE(std::find(c->default_scopes.begin(), c->default_scopes.end(), "internal-api"), c->default_scopes.end());
  }
  // Only event-command-service invites staff: only its service account may manage users.
  EXPECT_TRUE(r.client("event-command-service")->has_realm_management_role("manage-users"));
  for (const char* id : {"event-query-service", "order-service", "scheduler-service"}) {
    EXPECT_TRUE(r.client(id)->realm_management_roles.empty()) << id;
  }
  ASSERT_NE(r.group("/Permissions/Users/System Admins"), nullptr);
  for (const char* t : {"/Tiers/FREE", "/Tiers/PRO", "/Tiers/ENTERPRISE"}) EXPECT_NE(r.group(t), nullptr) << t;
  auto admin_roles = r.effective_roles({}, {"/Permissions/Users/System Admins"});
  EXPECT_EQ(admin_roles, (std::vector<std::string>{"category_admin", "event_admin", "organization_admin"}));
  auto scope = r.scope("user-groups");
  ASSERT_TRUE(scope && scope->groups);
  EXPECT_EQ(scope->groups->claim, "user_groups");
  EXPECT_TRUE(scope->groups->full_path);
}

TEST(Realm, KeycloakImportDeclaresTheSameRealm) {
  // realm-export.json is for a real Keycloak; it must not drift from what the built-in
  // provider serves.
  Realm dev = load_realm_file(realm_dir() + "/dev-realm.json");
  Realm kc = load_realm_file(realm_dir() + "/realm-export.json");
  EXPECT_EQ(kc.name, dev.name);
  auto names = [](const auto& list, auto field) {
    std::set<std::string> out;
    for (const auto& e : list) out.insert(e.*field);
    return out;
  };
  EXPECT_EQ(names(kc.clients, &Client::client_id), names(dev.clients, &Client::client_id));
  EXPECT_EQ(names(kc.groups, &Group::path), names(dev.groups, &Group::path));
  EXPECT_EQ(names(kc.roles, &Role::name), names(dev.roles, &Role::name));
  EXPECT_EQ(names(kc.users, &RealmUser::username), names(dev.users, &RealmUser::username));
  for (const auto& c : dev.clients) {
    const Client* k = kc.client(c.client_id);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->public_client, c.public_client) << c.client_id;
    EXPECT_EQ(k->direct_access_grants, c.direct_access_grants) << c.client_id;
    EXPECT_EQ(k->service_accounts, c.service_accounts) << c.client_id;
    EXPECT_EQ(k->redirect_uris, c.redirect_uris) << c.client_id;
    auto sorted = [](std::vector<std::string> v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    EXPECT_EQ(sorted(k->default_scopes), sorted(c.default_scopes)) << c.client_id;
    EXPECT_EQ(sorted(k->realm_management_roles), sorted(c.realm_management_roles)) << c.client_id;
  }
  for (const auto& u : dev.users) {
    auto it = std::find_if(kc.users.begin(), kc.users.end(), [&](const auto& k) { return k.username == u.username; });
    ASSERT_NE(it, kc.users.end());
    EXPECT_EQ(it->groups, u.groups) << u.username;
    EXPECT_EQ(it->password, u.password) << u.username;
  }
  EXPECT_EQ(kc.group("/Permissions/Users/System Admins")->realm_roles,
            dev.group("/Permissions/Users/System Admins")->realm_roles);
}

Json minimal() {
  return Json::parse(R"({
    "realm": "event-ticketing",
    "roles": {"realm": [{"name": "r1"}, {"name": "r2", "composite": true, "composites": {"realm": ["r1"]}}]},
    "groups": [{"name": "A", "realmRoles": ["r2"], "subGroups": [{"name": "B"}]}],
    "clients": [{"clientId": "c", "publicClient": true, "defaultClientScopes": ["profile"]},
                {"clientId": "x", "serviceAccountsEnabled": true}],
    "users": [{"username": "Someone", "email": "Some@One.example", "groups": ["/A/B"],
               "credentials": [{"type": "password", "value": "pw"}]},
              {"username": "service-account-x", "serviceAccountClientId": "x",
               "clientRoles": {"realm-management": ["view-users"], "account": ["manage-account"]}}]
  })");
}

TEST(Realm, ParsesSubgroupsCompositesAndLowercasesNames) {
  Realm r = parse_realm(minimal());
  ASSERT_EQ(r.users.size(), 1u);  // service-account users belong to their client
  EXPECT_EQ(r.client("x")->realm_management_roles, std::vector<std::string>{"view-users"});
  EXPECT_TRUE(r.client("c")->realm_management_roles.empty());
  EXPECT_EQ(r.users[0].username, "someone");
  EXPECT_EQ(r.users[0].email, "some@one.example");
  EXPECT_EQ(r.users[0].password, "pw");
  // Subgroup members inherit the parent's roles, composites expand.
  EXPECT_EQ(r.effective_roles({}, {"/A/B"}), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(r.effective_roles({}, {"no-slash"}), std::vector<std::string>{});
}

TEST(Realm, RejectsInconsistentFilesWithAClearMessage) {
  auto expect_error = [](Json rep, const std::string& fragment) {
    try {
      parse_realm(rep);
      ADD_FAILURE() << "accepted: " << fragment;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  auto r = minimal();
  r["users"][0]["groups"] = {"/Nope"};
  expect_error(r, "unknown group /Nope");
  r = minimal();
  r["clients"][0]["secret"] = "s3cret";
  expect_error(r, "client secrets do not belong");
  r = minimal();
  r["clients"].push_back(r["clients"][0]);
  expect_error(r, "duplicate client c");
  r = minimal();
  r["clients"][0]["publicClient"] = "yes";
  expect_error(r, "publicClient");
  r = minimal();
  r["clients"][0]["defaultClientScopes"] = {"nonexistent"};
  expect_error(r, "unknown client scope nonexistent");
  r = minimal();
  r["groups"][0]["realmRoles"] = {"ghost"};
  expect_error(r, "unknown role ghost");
  r = minimal();
  r["users"][1]["serviceAccountClientId"] = "c";  // a public client has no service account
  expect_error(r, "serviceAccountClientId c is not a client with service accounts enabled");
  EXPECT_THROW(load_realm_file("/nonexistent/realm.json"), std::runtime_error);
  EXPECT_THROW(locate_realm_file(std::string("/nonexistent/realm.json")), std::runtime_error);
}

}  // namespace
}  // namespace ticketly::idp
