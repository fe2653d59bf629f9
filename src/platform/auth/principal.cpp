#include "platform/auth/principal.h"

#include <algorithm>

#include "platform/auth/jwt.h"
#include "platform/auth/verifier.h"

namespace ticketly::auth {
namespace {

using nlohmann::json;

std::string string_claim(const json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An array of strings (non-strings skipped), or a single string as a one-element list.
std::vector<std::string> string_list(const json* value) {
  std::vector<std::string> out;
  if (!value) return out;
  if (value->is_string()) {
    out.push_back(value->get<std::string>());
  } else if (value->is_array()) {
    for (const auto& v : *value) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

const json* member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// 0 FREE, 1 PRO, 2 ENTERPRISE; -1 for a group that is not a (known) tier.
int tier_rank(std::string_view group) {
  if (group.starts_with('/')) group.remove_prefix(1);
  if (!group.starts_with("Tiers/")) return -1;
  group.remove_prefix(6);
  if (group == kTierFree) return 0;
  if (group == kTierPro) return 1;
  if (group == kTierEnterprise) return 2;
  return -1;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool Principal::has_role(std::string_view role) const { return contains(realm_roles, role); }
bool Principal::has_scope(std::string_view scope) const { return contains(scopes, scope); }
std::optional<Uuid> Principal::user_id() const { return Uuid::parse(subject); }

Principal from_claims(const json& claims, const VerifierOptions& options) {
  Principal p;
  p.subject = string_claim(claims, "sub");
  p.email = string_claim(claims, "email");
  p.name = string_claim(claims, "name");
  p.username = string_claim(claims, "preferred_username");
  p.issuer = string_claim(claims, "iss");
  p.authorized_party = string_claim(claims, "azp");
  if (p.authorized_party.empty()) p.authorized_party = string_claim(claims, "client_id");
  p.session_id = string_claim(claims, "sid");

  const json* realm_access = member(claims, "realm_access");
  p.realm_roles = string_list(realm_access ? member(*realm_access, "roles") : nullptr);
  p.groups = string_list(member(claims, "user_groups"));
  const json* scope = member(claims, "scope");
  if (scope && scope->is_string()) {
    p.scopes = split_spaces(scope->get_ref<const std::string&>());
  } else {
    p.scopes = string_list(scope);  // some providers send an array
  }

  const std::string_view tiers[] = {kTierFree, kTierPro, kTierEnterprise};
  int best = 0;
  for (const auto& g : p.groups) best = std::max(best, tier_rank(g));
  p.tier = std::string(tiers[best]);

  p.system_admin = contains(p.groups, kSystemAdminsGroup);
  if (p.system_admin) {
    for (auto role : kAdminRoles) {
      if (!p.has_role(role)) p.realm_roles.emplace_back(role);
    }
  }

  p.service_account = p.username.starts_with(kServiceAccountPrefix) && !p.authorized_party.empty() &&
                      contains(options.service_clients, p.authorized_party);

  if (const json* exp = member(claims, "exp")) p.expires_at = numeric_date(*exp).value_or(Timestamp{});
  return p;
}

}  // namespace ticketly::auth
