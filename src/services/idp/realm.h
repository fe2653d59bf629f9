#pragma once
// The realm of the development identity provider, read from a subset of Keycloak's own
// realm representation (deploy/keycloak/dev-realm.json), so the same file imports into a
// real Keycloak. Immutable after loading; shared by every worker without locks.
//
// Understood: realm, enabled, defaultGroups, roles.realm (name, description, composite,
// composites.realm), groups (name, realmRoles, subGroups), clients (clientId, name,
// enabled, publicClient, standardFlowEnabled, directAccessGrantsEnabled,
// serviceAccountsEnabled, redirectUris, webOrigins, defaultClientScopes,
// optionalClientScopes, attributes["post.logout.redirect.uris"], protocolMappers),
// clientScopes (name, attributes["include.in.token.scope"], protocolMappers), users
// (id, username, email, firstName, lastName, enabled, emailVerified, groups, realmRoles,
// credentials[{type:"password",value}]; a service-account user: serviceAccountClientId and
// clientRoles["realm-management"]). Everything else is ignored, so a full Keycloak export
// parses too.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/types/uuid.h"

namespace ticketly::idp {

inline constexpr std::string_view kRealmName = "event-ticketing";

struct Role {
  std::string name;
  std::string description;
  std::vector<std::string> composites;  // realm roles this role grants too
};

struct Group {
  std::string path;  // "/Permissions/Users/System Admins"
  std::vector<std::string> realm_roles;
};

// Keycloak's oidc-group-membership-mapper: the user's groups in one claim.
struct GroupClaim {
  std::string claim = "user_groups";
  bool full_path = true;
  bool access_token = true;
  bool id_token = true;
  bool userinfo = true;
};

struct ClientScope {
  std::string name;
  bool include_in_token_scope = true;  // listed in the token's `scope` claim
  std::optional<GroupClaim> groups;
};

struct Client {
  std::string client_id;
  std::string name;
  bool enabled = true;
  bool public_client = false;
  bool standard_flow = true;
  bool direct_access_grants = false;
  bool service_accounts = false;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;  // "+" in the attribute: the redirect URIs
  std::vector<std::string> web_origins;
  std::vector<std::string> default_scopes;
  std::vector<std::string> optional_scopes;
  std::optional<GroupClaim> groups;  // a group mapper on the client itself
  // Client roles of `realm-management` its service account holds (from the
  // `service-account-<client>` user's clientRoles, as Keycloak exports them): what the
  // admin API lets it do, e.g. manage-users, view-users, query-users.
  std::vector<std::string> realm_management_roles;

  bool confidential() const { return !public_client; }
  bool has_realm_management_role(std::string_view role) const;
};

struct RealmUser {
  std::optional<Uuid> id;
  std::string username;  // lowercase, as Keycloak stores it
  std::string email;     // lowercase; empty when none
  std::string first_name;
  std::string last_name;
  bool enabled = true;
  bool email_verified = false;
  std::vector<std::string> groups;  // full paths
  std::vector<std::string> realm_roles;
  std::optional<std::string> password;
};

class Realm {
 public:
  std::string name;
  std::vector<Role> roles;
  std::vector<Group> groups;  // flattened, parents before children
  std::vector<ClientScope> scopes;
  std::vector<Client> clients;
  std::vector<RealmUser> users;
  std::vector<std::string> default_groups;
  std::string default_role;  // "default-roles-event-ticketing" when declared

  const Client* client(std::string_view client_id) const;
  const Group* group(std::string_view path) const;
  const Role* role(std::string_view name) const;
  // A declared scope, or Keycloak's built-in of that name (profile, email, roles, ...).
  std::optional<ClientScope> scope(std::string_view name) const;

  // Realm roles of a user: direct roles, roles of each group and of its ancestors, and
  // composites, expanded; sorted and unique.
  std::vector<std::string> effective_roles(const std::vector<std::string>& user_roles,
                                           const std::vector<std::string>& user_groups) const;
  // The roles a service account gets: the realm's default role, expanded.
  std::vector<std::string> default_roles() const;
};

// Parses a realm representation; throws std::runtime_error naming the problem
// (unknown group of a user, duplicate client, wrong types, ...).
Realm parse_realm(const nlohmann::json& representation);
Realm load_realm_file(const std::string& path);

// Where the realm file is: `configured` when given (it must exist); otherwise
// deploy/keycloak/dev-realm.json in the current directory or one of its parents, or
// in the source tree this binary was built from. Throws std::runtime_error when none exists.
std::string locate_realm_file(const std::optional<std::string>& configured);

}  // namespace ticketly::idp
