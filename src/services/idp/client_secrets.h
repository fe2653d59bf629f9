#pragma once
// Secrets of the confidential clients. None is in the repository: each is generated on
// first use into <data_dir>/idp/client-secrets.json (0600) and can be overridden with
// TICKETLY_IDP_SECRET_<CLIENT_ID> (upper case, '-' -> '_').
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "platform/config/source.h"

namespace ticketly::idp {

// "TICKETLY_IDP_SECRET_ORDER_SERVICE" for "order-service".
std::string secret_override_key(std::string_view client_id);

// The stored secret of each client in `client_ids`, generating and saving the missing
// ones. Safe against other processes doing the same (a lock file serializes writers).
std::map<std::string, std::string> stored_client_secrets(const std::filesystem::path& data_dir,
                                                         const std::vector<std::string>& client_ids);

// The effective secrets: the override from `config` when set, else the stored one.
std::map<std::string, std::string> resolve_client_secrets(const config::Source& config,
                                                          const std::filesystem::path& data_dir,
                                                          const std::vector<std::string>& client_ids);

}  // namespace ticketly::idp
