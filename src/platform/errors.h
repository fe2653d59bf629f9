#pragma once
// The one error type that carries an HTTP status across layers. Domain and platform
// code throw it (or a subclass) for anything the caller did wrong or that is
// temporarily unavailable; the HTTP edge maps it to the JSON error envelope once.
// Anything else that escapes a handler is a bug and becomes a 500.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ticketly {

class Error : public std::runtime_error {
 public:
  Error(int status, std::string message) : std::runtime_error(std::move(message)), status_(status) {}

  int status() const { return status_; }
  // Extra response headers (e.g. Allow, WWW-Authenticate, Retry-After).
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  Error& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

 private:
  int status_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

inline Error bad_request(std::string m) { return Error(400, std::move(m)); }
inline Error unauthorized(std::string m) { return Error(401, std::move(m)); }
inline Error forbidden(std::string m) { return Error(403, std::move(m)); }
inline Error not_found(std::string m) { return Error(404, std::move(m)); }
inline Error conflict(std::string m) { return Error(409, std::move(m)); }
inline Error unavailable(std::string m) { return Error(503, std::move(m)); }

}  // namespace ticketly
