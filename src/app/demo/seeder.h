#pragma once
// `ticketly seed`: puts the demo catalogue into a running server through its public API
// — the same path a web-client user takes, so every service (and the bus between them)
// sees it. Logs in with the development identity provider's seed users: the organizer
// is user@yopmail.com, the approving admin admin@yopmail.com.
//
// Idempotent: when the organizer already owns the demo organization it changes nothing.
#include <iosfwd>
#include <string>

namespace ticketly::app::demo {

struct SeedOptions {
  std::string base_url = "http://localhost:8088";  // the all-in-one server
  std::string organizer = "user@yopmail.com";
  std::string organizer_password = "user123";
  std::string admin = "admin@yopmail.com";
  std::string admin_password = "admin123";
};

struct SeedResult {
  bool created = false;  // false: the demo data was already there
  std::string organization_id;
  std::string event_id;
  int sessions = 0;
  int sellable_seats = 0;
};

// Throws std::runtime_error with the failing call and the server's message.
SeedResult seed(const SeedOptions& options);

void print_summary(std::ostream& out, const SeedOptions& options, const SeedResult& result);

}  // namespace ticketly::app::demo
