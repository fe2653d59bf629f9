// Every authenticated route of the order service (API.md §3) refuses a request without a
// token, or with a forged one, with 401 and a Bearer challenge; the public ones and the
// provider's webhook (signature-checked instead) do not ask for one.
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderRouteAccess = OrderSuite<DefaultEnv>;

struct RouteCase {
  const char* method;
  std::string path;
};

std::vector<RouteCase> authenticated_routes() {
  const std::string id = Uuid::random().str(), other = Uuid::random().str();
  return {
      {"POST", "/api/order"},
      {"POST", "/api/order/ticket/checkin"},
      {"GET", "/api/order/user/" + id},
      {"GET", "/api/order/" + id},
      {"DELETE", "/api/order/" + id},
      {"POST", "/api/order/" + id + "/create-payment-intent"},
      {"POST", "/api/order/" + id + "/dev/payment"},
      {"GET", "/api/order/analytics/events/" + id},
      {"GET", "/api/order/analytics/organizations/" + id},
      {"GET", "/api/order/analytics/events/" + id + "/sessions/" + other},
      {"GET", "/api/order/analytics/events/" + id + "/sessions"},
      {"GET", "/api/order/analytics/events/" + id + "/discounts"},
      {"GET", "/api/order/analytics/events/" + id + "/orders"},
      {"GET", "/api/order/analytics/sessions/" + id + "/tickets"},
      {"GET", "/api/order/sse/checkouts/event/" + id},
      {"GET", "/api/order/sse/checkouts/organization/" + id},
  };
}

TEST_F(OrderRouteAccess, EveryAuthenticatedRouteWantsAValidToken) {
  const auto user = app().new_user("forger");
  const std::string forged = user.token.substr(0, user.token.size() - 4) + "AAAA";
  for (const auto& r : authenticated_routes()) {
    for (const std::string& token : {std::string(), forged}) {
      Headers headers{{"Content-Type", "application/json"}};
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      const bool body = std::string(r.method) == "POST";
      const auto res = http_request(app().port(), r.method, r.path, body ? "{}" : "", headers);
      EXPECT_EQ(res.status, 401) << r.method << " " << r.path << (token.empty() ? "" : " (forged)") << ": " << res.body;
      EXPECT_NE(res.header("www-authenticate").find("Bearer"), std::string::npos) << r.path;
    }
  }
}

TEST_F(OrderRouteAccess, PublicRoutesAndTheWebhookNeedNoToken) {
  EXPECT_EQ(http_request(app().port(), "GET", "/api/order/tickets/count").status, 200);
  // The webhook answers on its signature, not a token: unsigned is a 400, never a 401.
  const auto hook = http_request(app().port(), "POST", "/api/order/webhook/stripe", "{}",
                                 {{"Content-Type", "application/json"}});
  EXPECT_EQ(hook.status, 400) << hook.body;
}

}  // namespace
}  // namespace ticketly::testing
