#pragma once
// Principal: who a verified access token speaks for, in Keycloak's vocabulary.
//
// Built once per token from its verified claims (from_claims) and then shared,
// immutable, by every request that presents the same token (the verifier caches it).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::auth {

struct VerifierOptions;  // verifier.h

// Tier groups, lowest first: a user in several tiers gets the highest one.
inline constexpr std::string_view kTierFree = "FREE";
inline constexpr std::string_view kTierPro = "PRO";
inline constexpr std::string_view kTierEnterprise = "ENTERPRISE";
// Membership in this group makes a system administrator, who also holds kAdminRoles.
inline constexpr std::string_view kSystemAdminsGroup = "/Permissions/Users/System Admins";
inline constexpr std::string_view kAdminRoles[] = {"event_admin", "category_admin", "organization_admin"};
// Keycloak names a client's service-account user "service-account-<client id>".
inline constexpr std::string_view kServiceAccountPrefix = "service-account-";
// The scope service clients carry to call internal routes.
inline constexpr std::string_view kInternalApiScope = "internal-api";

struct Principal {
  std::string subject;                   // sub
  std::string email;                     // email
  std::string name;                      // name
  std::string username;                  // preferred_username
  std::string issuer;                    // iss
  std::string authorized_party;          // azp (or client_id)
  std::string session_id;                // sid
  std::vector<std::string> realm_roles;  // realm_access.roles (+ kAdminRoles for system admins)
  std::vector<std::string> groups;       // user_groups
  std::vector<std::string> scopes;       // scope, split on spaces
  std::string tier{kTierFree};           // highest of the /Tiers/* groups
  bool system_admin = false;             // member of kSystemAdminsGroup
  // A client's own identity (client-credentials grant) from a configured service client,
  // not a person: preferred_username "service-account-…" and azp in service_clients.
  bool service_account = false;
  Timestamp expires_at{};  // exp

  bool has_role(std::string_view role) const;
  bool has_scope(std::string_view scope) const;
  // The subject as a Uuid when it is one (Keycloak user ids are).
  std::optional<Uuid> user_id() const;
};

// Maps verified claims to a Principal. Only reads: optional claims that are missing or
// of the wrong type are left empty, unknown tiers are ignored. It checks nothing — the
// verifier has already validated signature, time, issuer and audience.
Principal from_claims(const nlohmann::json& claims, const VerifierOptions& options);

}  // namespace ticketly::auth
