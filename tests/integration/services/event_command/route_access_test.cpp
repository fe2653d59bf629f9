// Every route of the event-command table, against the running service: no token → 401
// with a Bearer challenge; an ordinary user on an admin route → 403; a user token on an
// internal route → 403 even though `login-testing` puts `internal-api` in its scope
// (API.md §1). The table is the service's own, so a new route is covered by being added.
#include <regex>

#include "ec_fixture.h"
#include "platform/types/uuid.h"
#include "services/event_command/routes.h"

namespace ticketly::testing::ec {
namespace {

using event_command::Access;
using event_command::RouteSpec;

// Path parameters become fresh UUIDs: guards run before any lookup, so what they name
// does not matter.
std::string concrete(std::string_view pattern) {
  static const std::regex param(R"(\{[A-Za-z]+(:uuid)?\})");
  return "/api/event-seating" + std::regex_replace(std::string(pattern), param, Uuid::random().str());
}

class EventCommandRouteAccess : public EcSuite {
 protected:
  static HttpResult call(const RouteSpec& r, const std::string& token) {
    Headers headers = token.empty() ? Headers{} : bearer(token);
    headers.emplace_back("Content-Type", "application/json");
    const std::string method(boost::beast::http::to_string(r.method));
    const bool has_body = r.method != http::Verb::get && r.method != http::Verb::delete_;
    return http_request(app_->port(), method, concrete(r.path), has_body ? "{}" : "", headers);
  }
};

bool admin_only(Access a) {
  return a == Access::EventAdmin || a == Access::CategoryAdmin || a == Access::OrganizationAdmin;
}

TEST_F(EventCommandRouteAccess, EveryProtectedRouteWantsAToken) {
  std::size_t checked = 0;
  for (const RouteSpec& r : event_command::route_table()) {
    if (r.access == Access::Public || r.access == Access::OptionalUser) continue;
    const auto res = call(r, "");
    EXPECT_EQ(res.status, 401) << boost::beast::http::to_string(r.method) << " " << r.path << ": " << res.body;
    EXPECT_NE(res.header("www-authenticate").find("Bearer"), std::string::npos) << r.path;
    ++checked;
  }
  EXPECT_GT(checked, 60u);
  // A token that is not one is no better than none.
  const auto forged = http_request(app_->port(), "GET", "/api/event-seating/v1/organizations/my", "",
                                   bearer(owner_.substr(0, owner_.size() - 4) + "AAAA"));
  EXPECT_EQ(forged.status, 401);
}

TEST_F(EventCommandRouteAccess, AdminAndInternalRoutesRefuseAnOrdinaryUser) {
  const auto user = create_user(*app_, "plain");
  std::size_t checked = 0;
  for (const RouteSpec& r : event_command::route_table()) {
    if (!admin_only(r.access) && r.access != Access::Internal) continue;
    const auto res = call(r, user.token);
    EXPECT_EQ(res.status, 403) << boost::beast::http::to_string(r.method) << " " << r.path << ": " << res.body;
    ++checked;
  }
  EXPECT_GT(checked, 10u);
  // The system administrator passes the admin guards (what follows is the handler's
  // answer), but no user token passes an internal route, an administrator's neither.
  for (const RouteSpec& r : event_command::route_table()) {
    if (admin_only(r.access) && r.method == http::Verb::get) {
      EXPECT_NE(call(r, admin_).status, 403) << r.path;
    }
    if (r.access == Access::Internal) {
      EXPECT_EQ(call(r, admin_).status, 403) << r.path;
    }
  }
}

}  // namespace
}  // namespace ticketly::testing::ec
