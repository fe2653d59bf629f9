// The development identity provider's route table: Keycloak's paths, so keycloak-js and
// Keycloak admin clients work unchanged. Handlers are in oidc_endpoints.cpp,
// token_endpoint.cpp, browser_flow.cpp and admin_api.cpp.
#include "services/idp/provider.h"

namespace ticketly::idp {

void register_routes(Provider& p, http::Router& router) {
  // Each route calls a plain coroutine function; the stored lambda itself is no coroutine.
  auto h = [&p](Handler fn) { return [&p, fn](http::Request& req) { return fn(p, req); }; };
  const http::RouteOptions small{.body_limit = 64 * 1024};
  const std::string base(kBasePath);
  const std::string oidc = base + "/protocol/openid-connect";
  const std::string admin(kAdminBasePath);

  router.get(base, h(realm_info));
  router.get(base + "/.well-known/openid-configuration", h(discovery));
  router.get(base + "/account", h(account));
  router.get(oidc + "/certs", h(certs));
  router.post(oidc + "/token", h(token), small);
  router.get(oidc + "/auth", h(authorize));
  router.post(oidc + "/auth", h(authorize), small);
  router.post(base + "/login-actions/authenticate", h(authenticate), small);
  router.get(oidc + "/userinfo", h(userinfo));
  router.post(oidc + "/userinfo", h(userinfo), small);
  router.get(oidc + "/logout", h(logout));
  router.post(oidc + "/logout", h(logout), small);
  router.get(oidc + "/3p-cookies/step1.html", h(third_party_cookies_step1));
  router.get(oidc + "/3p-cookies/step2.html", h(third_party_cookies_step2));
  router.get(oidc + "/login-status-iframe.html", h(login_status_iframe));
  router.get(oidc + "/login-status-iframe.html/init", h(login_status_iframe_init));

  // A subset of Keycloak's admin REST API (service accounts only), outside the base path.
  router.post(admin + "/users", h(admin_create_user), small);
  router.get(admin + "/users", h(admin_find_users));
  router.get(admin + "/users/{id}", h(admin_get_user));
}

}  // namespace ticketly::idp
