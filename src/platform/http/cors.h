#pragma once
// CORS per API.md §0: a configured origin list, credentials allowed, preflight
// answered without a token.
#include <string>
#include <string_view>
#include <vector>

namespace ticketly::http {

struct CorsPolicy {
  std::vector<std::string> allowed_origins{"http://localhost:8090", "http://localhost:3000"};  // "*" = any
  std::string allowed_methods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  std::string allowed_headers = "Authorization, Content-Type, Accept";
  std::string exposed_headers = "X-Request-Id";
  bool allow_credentials = true;
  int max_age_seconds = 3600;

  bool allows(std::string_view origin) const;
};

}  // namespace ticketly::http
