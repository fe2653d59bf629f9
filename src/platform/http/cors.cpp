#include "platform/http/cors.h"

namespace ticketly::http {

bool CorsPolicy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  for (const auto& o : allowed_origins) {
    // Origins are scheme://host[:port] and compared exactly; with credentials
    // allowed, "*" still answers with the caller's origin, never a literal "*".
    if (o == "*" || o == origin) return true;
  }
  return false;
}

}  // namespace ticketly::http
