#pragma once
// A user of the development identity provider, as stored in its database.
#include <string>
#include <vector>

#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::idp {

struct User {
  Uuid id;
  std::string username;  // lowercase, unique
  std::string email;     // lowercase, unique; empty when none
  std::string first_name;
  std::string last_name;
  bool enabled = true;
  bool email_verified = false;
  std::vector<std::string> groups;       // full paths, e.g. "/Tiers/PRO"
  std::vector<std::string> realm_roles;  // direct roles (groups add theirs)
  std::string password_hash;             // crypto::hash_password form; empty: no password
  Timestamp created_at{};

  bool service_account = false;  // a client's service account: not stored, never logs in
};

}  // namespace ticketly::idp
