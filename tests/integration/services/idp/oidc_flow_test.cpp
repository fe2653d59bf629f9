// The development identity provider over HTTP, as keycloak-js, the test suites and the
// services use it.
#include <gtest/gtest.h>

#include <memory>

#include "app/catalogue.h"
#include "idp_test_support.h"
#include "platform/db/database.h"
#include "platform/metrics/registry.h"
#include "services/idp/idp_service.h"
#include "support/test_app.h"

namespace ticketly::idp::testing {
namespace {

using ticketly::testing::TestApp;

class Idp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { app_ = TestApp::start({"idp"}); }
  static void TearDownTestSuite() { app_.reset(); }
  std::uint16_t port() const { return app_->port(); }
  Json jwks() const { return http_request(port(), "GET", kOidc + "/certs").json(); }

  static std::unique_ptr<TestApp> app_;
};
std::unique_ptr<TestApp> Idp::app_;

bool contains(const Json& array, std::string_view v) { return std::find(array.begin(), array.end(), v) != array.end(); }

TEST_F(Idp, DiscoveryDocumentNamesEveryEndpointUnderTheIssuer) {
  auto r = http_request(port(), "GET", kBase + "/.well-known/openid-configuration");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto d = r.json();
  EXPECT_EQ(d["issuer"], kIssuer);
  EXPECT_EQ(d["authorization_endpoint"], kIssuer + "/protocol/openid-connect/auth");
  EXPECT_EQ(d["token_endpoint"], kIssuer + "/protocol/openid-connect/token");
  EXPECT_EQ(d["jwks_uri"], kIssuer + "/protocol/openid-connect/certs");
  EXPECT_EQ(d["userinfo_endpoint"], kIssuer + "/protocol/openid-connect/userinfo");
  EXPECT_EQ(d["end_session_endpoint"], kIssuer + "/protocol/openid-connect/logout");
  EXPECT_EQ(d["check_session_iframe"], kIssuer + "/protocol/openid-connect/login-status-iframe.html");
  EXPECT_EQ(d["code_challenge_methods_supported"], Json({"S256"}));
  EXPECT_EQ(d["id_token_signing_alg_values_supported"], Json({"RS256"}));
  for (const char* g : {"authorization_code", "refresh_token", "password", "client_credentials"}) {
    EXPECT_TRUE(contains(d["grant_types_supported"], g)) << g;
  }
  EXPECT_TRUE(contains(d["response_modes_supported"], "fragment"));
  EXPECT_TRUE(contains(d["scopes_supported"], "internal-api"));
  EXPECT_EQ(http_request(port(), "GET", kBase).json()["realm"], "event-ticketing");
}

TEST_F(Idp, CertsPublishTheKeyTheProcessVerifiesWith) {
  auto keys = jwks();
  ASSERT_EQ(keys["keys"].size(), 1u);
  EXPECT_EQ(keys["keys"][0]["kty"], "RSA");
  EXPECT_EQ(keys["keys"][0]["alg"], "RS256");
  EXPECT_EQ(keys, Json::parse(idp::jwks_json(app_->settings().data_dir)));  // what the process verifies with
}

TEST_F(Idp, PasswordGrantIssuesVerifiableKeycloakShapedTokens) {
  auto r = password_grant(port(), "user@yopmail.com", "user123");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  auto t = r.json();
  EXPECT_EQ(t["token_type"], "Bearer");
  EXPECT_EQ(t["expires_in"], 900);
  EXPECT_EQ(t["refresh_expires_in"], 8 * 3600);
  EXPECT_EQ(t["not-before-policy"], 0);
  EXPECT_EQ(t["scope"], "openid profile email internal-api");
  ASSERT_TRUE(t["id_token"].is_string());
  auto keys = jwks();
  for (const char* k : {"access_token", "refresh_token", "id_token"}) {
    EXPECT_TRUE(verifies_with(keys, t[k].get<std::string>())) << k;
  }
  auto c = claims_of(t["access_token"]);
  EXPECT_EQ(c["iss"], kIssuer);
  EXPECT_EQ(c["typ"], "Bearer");
  EXPECT_EQ(c["azp"], "login-testing");
  EXPECT_TRUE(Uuid::parse(c["sub"].get<std::string>()));
  EXPECT_EQ(c["sid"], t["session_state"]);
  EXPECT_EQ(c["preferred_username"], "user@yopmail.com");
  EXPECT_EQ(c["email"], "user@yopmail.com");
  EXPECT_EQ(c["name"], "Test User");
  EXPECT_EQ(c["user_groups"], Json({"/Tiers/PRO"}));
  EXPECT_TRUE(contains(c["realm_access"]["roles"], "default-roles-event-ticketing"));
  EXPECT_FALSE(contains(c["realm_access"]["roles"], "event_admin"));
  EXPECT_EQ(claims_of(t["refresh_token"])["typ"], "Refresh");
  EXPECT_EQ(claims_of(t["id_token"])["aud"], "login-testing");
  // The same user, the same subject, every time.
  auto again = claims_of(password_grant(port(), "USER@yopmail.com", "user123").json()["access_token"]);
  EXPECT_EQ(again["sub"], c["sub"]);
}

TEST_F(Idp, SystemAdminsAndEnterpriseUsersGetTheirRolesAndTiers) {
  auto admin = claims_of(password_grant(port(), "admin@yopmail.com", "admin123").json()["access_token"]);
  for (const char* role : {"event_admin", "category_admin", "organization_admin"}) {
    EXPECT_TRUE(contains(admin["realm_access"]["roles"], role)) << role;
  }
  EXPECT_EQ(admin["user_groups"], Json({"/Permissions/Users/System Admins", "/Tiers/PRO"}));
  auto enterprise = claims_of(password_grant(port(), "test_user@yopmail.com", "test123").json()["access_token"]);
  EXPECT_EQ(enterprise["user_groups"], Json({"/Tiers/ENTERPRISE"}));
}

TEST_F(Idp, WrongCredentialsAreInvalidGrantLikeKeycloak) {
  for (auto [user, pw] : {std::pair{"user@yopmail.com", "wrong"}, std::pair{"nobody@yopmail.com", "user123"}}) {
    auto r = password_grant(port(), user, pw);
    EXPECT_EQ(r.status, 401) << user;
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.json(), Json({{"error", "invalid_grant"}, {"error_description", "Invalid user credentials"}}));
  }
  auto r = password_grant(port(), "user@yopmail.com", "user123", "web-frontend");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "unauthorized_client");
}

TEST_F(Idp, ClientCredentialsIssueServiceAccountTokens) {
  auto r = service_token(port(), app_->source(), "order-service");
  ASSERT_EQ(r.status, 200) << r.body;
  auto t = r.json();
  EXPECT_FALSE(t.contains("refresh_token"));
  auto c = claims_of(t["access_token"]);
  EXPECT_TRUE(verifies_with(jwks(), t["access_token"]));
  EXPECT_EQ(c["preferred_username"], "service-account-order-service");
  EXPECT_EQ(c["azp"], "order-service");
  EXPECT_EQ(c["client_id"], "order-service");
  EXPECT_NE(c["scope"].get<std::string>().find("internal-api"), std::string::npos);

  // HTTP Basic works too (RFC 6749 §2.3.1).
  std::string basic = crypto::base64_encode("scheduler-service:" + secret_of(app_->source(), "scheduler-service"));
  auto b = post_form(port(), kOidc + "/token", {{"grant_type", "client_credentials"}},
                     {{"Authorization", "Basic " + basic}});
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(claims_of(b.json()["access_token"])["azp"], "scheduler-service");

  auto wrong =
      post_form(port(), kOidc + "/token",
                {{"grant_type", "client_credentials"}, {"client_id", "order-service"}, {"client_secret", "x"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json()["error"], "invalid_client");
  EXPECT_FALSE(wrong.header("www-authenticate").empty());
  auto missing =
      post_form(port(), kOidc + "/token", {{"grant_type", "client_credentials"}, {"client_id", "order-service"}});
  EXPECT_EQ(missing.status, 401);
  auto public_client =
      post_form(port(), kOidc + "/token", {{"grant_type", "client_credentials"}, {"client_id", "login-testing"}});
  EXPECT_EQ(public_client.status, 400);
  EXPECT_EQ(public_client.json()["error"], "unauthorized_client");
}

TEST_F(Idp, TokenEndpointAnswersBadInputWithOAuthErrors) {
  struct Case {
    std::string body;
    Headers headers;
    int status;
    std::string error;
  };
  std::vector<Case> cases = {
      {"client_id=login-testing", kForm, 400, "invalid_request"},
      {"grant_type=implicit&client_id=login-testing", kForm, 400, "unsupported_grant_type"},
      {"grant_type=password&client_id=nope", kForm, 401, "invalid_client"},
      {"grant_type=password", kForm, 401, "invalid_client"},
      {"grant_type=password&client_id=login-testing&client_id=web-frontend", kForm, 400, "invalid_request"},
      {"grant_type=password&client_id=login-testing&username=%zz", kForm, 400, "invalid_request"},
      {R"({"grant_type":"password"})", {{"Content-Type", "application/json"}}, 400, "invalid_request"},
      {"grant_type=authorization_code&client_id=web-frontend", kForm, 400, "invalid_request"},
      {"grant_type=authorization_code&client_id=web-frontend&code=forged", kForm, 400, "invalid_grant"},
      {"grant_type=refresh_token&client_id=web-frontend&refresh_token=a.b.c", kForm, 400, "invalid_grant"},
      {"grant_type=password&client_id=login-testing&password=x", kForm, 400, "invalid_request"},
  };
  for (const auto& c : cases) {
    auto r = http_request(port(), "POST", kOidc + "/token", c.body, c.headers);
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_EQ(r.header("content-type"), "application/json") << c.body;
    EXPECT_EQ(r.json()["error"], c.error) << c.body << " -> " << r.body;
  }
}

TEST_F(Idp, AuthorizationCodeFlowWithPkceAsKeycloakJsRunsIt) {
  auto pkce = make_pkce();
  auto login = browser_login(port(), pkce, "state-1", "nonce-1", "user@yopmail.com", "user123");
  ASSERT_EQ(login.redirect.status, 302);
  auto location = login.redirect.header("location");
  EXPECT_EQ(location.rfind(kWebRedirect + "#", 0), 0u) << location;
  EXPECT_EQ(login.callback["state"], "state-1");
  EXPECT_EQ(login.callback["iss"], kIssuer);
  ASSERT_FALSE(login.callback["code"].empty());
  ASSERT_FALSE(login.callback["session_state"].empty());

  auto identity = login.redirect.set_cookie("KEYCLOAK_IDENTITY");
  EXPECT_NE(identity.find("HttpOnly"), std::string::npos) << identity;
  EXPECT_NE(identity.find("SameSite=Lax"), std::string::npos) << identity;
  EXPECT_NE(identity.find("Path=/realms/event-ticketing/"), std::string::npos) << identity;
  auto session = login.redirect.set_cookie("KEYCLOAK_SESSION");
  EXPECT_EQ(session.find("HttpOnly"), std::string::npos) << session;  // the status iframe reads it
  EXPECT_EQ(login.redirect.cookie_value("KEYCLOAK_SESSION"), login.callback["session_state"]);

  auto r = exchange_code(port(), login.callback["code"], pkce.verifier);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:8090");  // keycloak-js uses XHR
  auto t = r.json();
  EXPECT_EQ(t["session_state"], login.callback["session_state"]);
  auto id = claims_of(t["id_token"]);
  EXPECT_EQ(id["nonce"], "nonce-1");
  EXPECT_EQ(id["aud"], "web-frontend");
  EXPECT_EQ(id["typ"], "ID");
  auto access = claims_of(t["access_token"]);
  EXPECT_EQ(access["sid"], login.callback["session_state"]);
  EXPECT_EQ(access["azp"], "web-frontend");
  EXPECT_EQ(access["nonce"], "nonce-1");
  EXPECT_EQ(access["user_groups"], Json({"/Tiers/PRO"}));
  EXPECT_EQ(claims_of(t["refresh_token"])["nonce"], "nonce-1");  // older keycloak-js checks all three
  EXPECT_TRUE(verifies_with(jwks(), t["access_token"]));

  auto refreshed = refresh(port(), t["refresh_token"]);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  auto t2 = refreshed.json();
  EXPECT_NE(t2["access_token"], t["access_token"]);
  EXPECT_EQ(claims_of(t2["access_token"])["sub"], access["sub"]);
  EXPECT_EQ(t2["session_state"], t["session_state"]);
  EXPECT_TRUE(t2["id_token"].is_string());
  // A refresh token is bound to its client.
  EXPECT_EQ(refresh(port(), t2["refresh_token"], "login-testing").json()["error"], "invalid_grant");

  // A code works once; using it again also revokes what it was exchanged for.
  auto reuse = exchange_code(port(), login.callback["code"], pkce.verifier);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(reuse.json()["error"], "invalid_grant");
  EXPECT_EQ(refresh(port(), t2["refresh_token"]).json()["error"], "invalid_grant");
}

TEST_F(Idp, CodesNeedTheRightVerifierAndRedirectUri) {
  auto pkce = make_pkce();
  auto login = browser_login(port(), pkce, "s", "n", "user@yopmail.com", "user123");
  ASSERT_FALSE(login.callback["code"].empty());
  auto wrong = exchange_code(port(), login.callback["code"], make_pkce().verifier);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["error"], "invalid_grant");
  EXPECT_EQ(exchange_code(port(), login.callback["code"], pkce.verifier).status, 400);  // spent by the failure

  // Bound to the redirect URI of the authorization request.
  auto again = browser_login(port(), pkce, "s", "n", "user@yopmail.com", "user123");
  auto r = post_form(port(), kOidc + "/token",
                     {{"code", again.callback["code"]},
                      {"grant_type", "authorization_code"},
                      {"client_id", "web-frontend"},
                      {"redirect_uri", "http://localhost:8090/other"},
                      {"code_verifier", pkce.verifier}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "invalid_grant");
}

TEST_F(Idp, PromptNoneUsesTheSsoSessionOrSaysLoginRequired) {
  auto pkce = make_pkce();
  auto none = raw_request(port(), "GET", auth_url(pkce, "st", "n", "&prompt=none"));
  EXPECT_EQ(none.status, 302);
  EXPECT_EQ(none.header("location"), kWebRedirect + "#error=login_required&state=st&iss=" + enc(kIssuer));

  auto login = browser_login(port(), pkce, "first", "n", "admin@yopmail.com", "admin123");
  ASSERT_FALSE(login.identity_cookie.empty());
  auto silent = raw_request(port(), "GET", auth_url(pkce, "second", "n2", "&prompt=none"), "",
                            {{"Cookie", login.identity_cookie}});
  ASSERT_EQ(silent.status, 302);
  auto location = silent.header("location");
  auto cb = params_of(location.substr(location.find('#') + 1));
  EXPECT_EQ(cb["state"], "second");
  EXPECT_EQ(cb["session_state"], login.callback["session_state"]);
  auto t = exchange_code(port(), cb["code"], pkce.verifier);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(claims_of(t.json()["id_token"])["nonce"], "n2");
  EXPECT_EQ(claims_of(t.json()["access_token"])["preferred_username"], "admin@yopmail.com");

  // Query response mode, for clients that ask for it.
  auto query = raw_request(
      port(), "GET",
      kOidc + "/auth?client_id=web-frontend&response_type=code&redirect_uri=" + enc("http://localhost:3000/cb?x=1") +
          "&state=q&code_challenge=" + pkce.challenge + "&code_challenge_method=S256&prompt=none");
  EXPECT_EQ(query.header("location").rfind("http://localhost:3000/cb?x=1&error=login_required&state=q", 0), 0u)
      << query.header("location");
}

TEST_F(Idp, TheLoginFormShowsErrorsAndRefusesForgedPosts) {
  auto pkce = make_pkce();
  auto wrong = browser_login(port(), pkce, "s", "n", "user@yopmail.com", "not-the-password");
  EXPECT_EQ(wrong.redirect.status, 200);
  EXPECT_TRUE(wrong.redirect.set_cookie("KEYCLOAK_IDENTITY").empty());

  auto page = http_request(port(), "GET", auth_url(pkce, "s", "n", "&login_hint=%3Cb%3Eme"));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("value=\"&lt;b&gt;me\""), std::string::npos);  // escaped
  EXPECT_EQ(page.body.find("<b>me"), std::string::npos);
  EXPECT_EQ(page.body.find("http://"), std::string::npos);  // no external assets
  std::string browser = page.header("set-cookie").substr(0, page.header("set-cookie").find(';'));
  std::string login_id = match(page.body, "name=\"login_id\" value=\"([^\"]*)\"");
  std::string csrf = match(page.body, "name=\"csrf\" value=\"([^\"]*)\"");
  auto post = [&](const std::string& id, const std::string& token, const std::string& cookie, const std::string& pw) {
    Headers h{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return http_request(port(), "POST", kBase + "/login-actions/authenticate",
                        form({{"login_id", id}, {"csrf", token}, {"username", "user@yopmail.com"}, {"password", pw}}),
                        h);
  };
  EXPECT_EQ(post(login_id, "forged", browser, "user123").status, 400);
  EXPECT_EQ(post(login_id, csrf, "", "user123").status, 400);  // another browser
  EXPECT_EQ(post(login_id, csrf, "AUTH_SESSION_ID=someone-elses-browser-cookie-value-1234", "user123").status, 400);
  EXPECT_EQ(post("unknown", csrf, browser, "user123").status, 400);
  auto bad = post(login_id, csrf, browser, "wrong");
  EXPECT_EQ(bad.status, 200);
  EXPECT_NE(bad.body.find("Invalid username or password."), std::string::npos);
  EXPECT_EQ(post(login_id, csrf, browser, "user123").status, 302);
  EXPECT_EQ(post(login_id, csrf, browser, "user123").status, 400);  // a form signs in once
}

TEST_F(Idp, AuthorizationErrorsBeforeTheRedirectIsTrustedShowAPage) {
  auto pkce = make_pkce();
  auto url = [&](const std::string& client, const std::string& redirect, const std::string& extra = "") {
    return kOidc + "/auth?client_id=" + client + "&redirect_uri=" + enc(redirect) +
           "&response_type=code&state=s&code_challenge=" + pkce.challenge + "&code_challenge_method=S256" + extra;
  };
  for (const auto& target : {url("nope", kWebRedirect), url("web-frontend", "http://localhost:8090.evil.com/"),
                             url("web-frontend", "https://evil.example/"), url("web-frontend", ""),
                             url("web-frontend", kWebRedirect, "&login_hint=user%40yopmail.com&password=user123")}) {
    auto r = http_request(port(), "GET", target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8") << target;
    EXPECT_TRUE(r.header("location").empty()) << target;
  }
  // Once the redirect URI is trusted, errors go back to the client.
  auto no_pkce = raw_request(port(), "GET",
                             kOidc +
                                 "/auth?client_id=web-frontend&response_type=code&response_mode=fragment&state=s"
                                 "&redirect_uri=" +
                                 enc(kWebRedirect));
  EXPECT_EQ(no_pkce.status, 302);
  EXPECT_NE(no_pkce.header("location").find("#error=invalid_request"), std::string::npos);
  auto plain =
      raw_request(port(), "GET",
                  kOidc + "/auth?client_id=web-frontend&response_type=code&state=s&redirect_uri=" + enc(kWebRedirect) +
                      "&code_challenge=" + pkce.challenge + "&code_challenge_method=plain");
  EXPECT_NE(plain.header("location").find("error=invalid_request"), std::string::npos);
}

TEST_F(Idp, LogoutEndsTheSessionAndItsRefreshTokens) {
  auto pkce = make_pkce();
  auto login = browser_login(port(), pkce, "s", "n", "user@yopmail.com", "user123");
  auto t = exchange_code(port(), login.callback["code"], pkce.verifier).json();
  ASSERT_TRUE(t.contains("refresh_token"));

  auto foreign = raw_request(
      port(), "GET", kOidc + "/logout?client_id=web-frontend&post_logout_redirect_uri=" + enc("https://evil.example/"),
      "", {{"Cookie", login.identity_cookie}});
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(refresh(port(), t["refresh_token"]).status, 200);  // a rejected logout ends nothing

  auto out =
      raw_request(port(), "GET",
                  kOidc + "/logout?client_id=web-frontend&post_logout_redirect_uri=" + enc("http://localhost:8090/") +
                      "&id_token_hint=" + t["id_token"].get<std::string>(),
                  "", {{"Cookie", login.identity_cookie}});
  EXPECT_EQ(out.status, 302);
  EXPECT_EQ(out.header("location"), "http://localhost:8090/");
  EXPECT_NE(out.set_cookie("KEYCLOAK_IDENTITY").find("Max-Age=0"), std::string::npos);
  EXPECT_NE(out.set_cookie("KEYCLOAK_SESSION").find("Max-Age=0"), std::string::npos);

  auto r = refresh(port(), t["refresh_token"]);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"], "invalid_grant");
  auto none =
      raw_request(port(), "GET", auth_url(pkce, "s", "n", "&prompt=none"), "", {{"Cookie", login.identity_cookie}});
  EXPECT_NE(none.header("location").find("error=login_required"), std::string::npos);

  // Without a redirect: a small page.
  auto page = http_request(port(), "GET", kOidc + "/logout");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
}

TEST_F(Idp, LogoutWithARefreshTokenEndsThatSession) {
  auto t = password_grant(port(), "test_user@yopmail.com", "test123").json();
  auto r =
      post_form(port(), kOidc + "/logout", {{"client_id", "login-testing"}, {"refresh_token", t["refresh_token"]}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(refresh(port(), t["refresh_token"], "login-testing").json()["error"], "invalid_grant");
  auto userinfo = http_request(port(), "GET", kOidc + "/userinfo", "",
                               {{"Authorization", "Bearer " + t["access_token"].get<std::string>()}});
  EXPECT_EQ(userinfo.status, 401);
}

TEST_F(Idp, UserinfoAnswersForValidAccessTokensOnly) {
  auto t = password_grant(port(), "user@yopmail.com", "user123").json();
  auto r = http_request(port(), "GET", kOidc + "/userinfo", "",
                        {{"Authorization", "Bearer " + t["access_token"].get<std::string>()}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto u = r.json();
  EXPECT_EQ(u["sub"], claims_of(t["access_token"])["sub"]);
  EXPECT_EQ(u["email"], "user@yopmail.com");
  EXPECT_EQ(u["preferred_username"], "user@yopmail.com");
  EXPECT_EQ(u["user_groups"], Json({"/Tiers/PRO"}));
  auto post =
      post_form(port(), kOidc + "/userinfo", {}, {{"Authorization", "Bearer " + t["access_token"].get<std::string>()}});
  EXPECT_EQ(post.status, 200);

  auto profile = http_request(port(), "GET", kBase + "/account", "",
                              {{"Authorization", "Bearer " + t["access_token"].get<std::string>()}});
  ASSERT_EQ(profile.status, 200) << profile.body;  // keycloak-js loadUserProfile()
  EXPECT_EQ(profile.json()["username"], "user@yopmail.com");
  EXPECT_EQ(profile.json()["firstName"], "Test");
  EXPECT_EQ(http_request(port(), "GET", kBase + "/account").status, 401);

  auto none = http_request(port(), "GET", kOidc + "/userinfo");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate").rfind("Bearer", 0), 0u);
  EXPECT_EQ(http_request(port(), "GET", kOidc + "/userinfo", "", {{"Authorization", "Bearer x.y.z"}}).status, 401);
  // A refresh or ID token is not an access token.
  EXPECT_EQ(http_request(port(), "GET", kOidc + "/userinfo", "",
                         {{"Authorization", "Bearer " + t["id_token"].get<std::string>()}})
                .status,
            401);
}

TEST_F(Idp, ServesTheIframesKeycloakJsEmbeds) {
  for (const char* page : {"/3p-cookies/step1.html", "/3p-cookies/step2.html", "/login-status-iframe.html"}) {
    auto r = http_request(port(), "GET", kOidc + page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8") << page;
    EXPECT_TRUE(r.header("x-frame-options").empty()) << page;  // embedded by the web client
  }
  EXPECT_NE(http_request(port(), "GET", kOidc + "/3p-cookies/step2.html").body.find("postMessage("), std::string::npos);
  auto init = [&](const std::string& client, const std::string& origin) {
    return http_request(port(), "GET",
                        kOidc + "/login-status-iframe.html/init?client_id=" + client + "&origin=" + enc(origin))
        .status;
  };
  EXPECT_EQ(init("web-frontend", "http://localhost:8090"), 204);
  EXPECT_EQ(init("web-frontend", "http://evil.example"), 403);
  EXPECT_EQ(init("nope", "http://localhost:8090"), 403);
}

TEST(IdpProduction, RefusesToStart) {
  runtime::IoPool io(1);
  metrics::Registry metrics;
  auto source = config::Source::from_map({{"TICKETLY_ENV", "production"}});
  db::Database database(io, db::PoolOptions{.conninfo = "postgresql://unused@127.0.0.1:1/unused"});
  service::ServiceContext context{io, metrics, source, database, "production"};
  try {
    idp::descriptor().create(context);
    ADD_FAILURE() << "the development identity provider started in production";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("production"), std::string::npos) << e.what();
  }
  // The same through the whole application.
  try {
    TestApp app({"idp"}, [](app::Settings& s) { s.environment = "production"; });
    ADD_FAILURE() << "the application started the development identity provider in production";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("development identity provider"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ticketly::idp::testing
