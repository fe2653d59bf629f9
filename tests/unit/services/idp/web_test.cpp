#include "services/idp/web.h"

#include <gtest/gtest.h>

#include "platform/crypto/crypto.h"

namespace ticketly::idp {
namespace {

http::Request request_with(std::initializer_list<std::pair<http::Field, std::string>> headers, std::string body = "") {
  http::Request req;
  for (const auto& [f, v] : headers) req.message.insert(f, v);
  req.message.body() = std::move(body);
  return req;
}

TEST(Web, ReadsCookiesFromEveryCookieHeader) {
  auto req = request_with(
      {{http::Field::cookie, "a=1; KEYCLOAK_IDENTITY=s.id; b=\"q\""}, {http::Field::cookie, "AUTH_SESSION_ID=xyz"}});
  EXPECT_EQ(cookie(req, "KEYCLOAK_IDENTITY"), "s.id");
  EXPECT_EQ(cookie(req, "b"), "q");
  EXPECT_EQ(cookie(req, "AUTH_SESSION_ID"), "xyz");
  EXPECT_FALSE(cookie(req, "KEYCLOAK"));
}

TEST(Web, SetsLaxCookiesAndExpiresThem) {
  CookieOptions o{"/realms/event-ticketing/", true, false, false};
  EXPECT_EQ(set_cookie("K", "v", o), "K=v; Path=/realms/event-ticketing/; HttpOnly; SameSite=Lax");
  o.http_only = false;
  o.secure = true;
  o.expire = true;
  EXPECT_EQ(
      set_cookie("K", "v", o),
      "K=; Path=/realms/event-ticketing/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax");
}

TEST(Web, DecodesBasicClientCredentialsPerRfc6749) {
  auto req = request_with({{http::Field::authorization, "Basic " + crypto::base64_encode("my%20client:p%3Ass")}});
  auto c = basic_credentials(req);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, "my client");
  EXPECT_EQ(c->secret, "p:ss");
  EXPECT_FALSE(basic_credentials(request_with({})));
  EXPECT_THROW(basic_credentials(request_with({{http::Field::authorization, "Basic !!!"}})), OAuthError);
  EXPECT_THROW(
      basic_credentials(request_with({{http::Field::authorization, "Basic " + crypto::base64_encode("nocolon")}})),
      OAuthError);
}

TEST(Web, ReadsBearerTokens) {
  EXPECT_EQ(bearer_token(request_with({{http::Field::authorization, "Bearer abc.def"}})), "abc.def");
  EXPECT_EQ(bearer_token(request_with({{http::Field::authorization, "bearer abc"}})), "abc");
  EXPECT_FALSE(bearer_token(request_with({{http::Field::authorization, "Basic abc"}})));
  EXPECT_FALSE(bearer_token(request_with({{http::Field::authorization, "Bearer "}})));
}

TEST(Web, ParsesFormsRejectingRepeatsAndBadEscapes) {
  auto req = request_with({{http::Field::content_type, "application/x-www-form-urlencoded; charset=UTF-8"}},
                          "grant_type=password&username=a%40b.c&scope=openid+email");
  EXPECT_TRUE(is_form(req));
  auto form = parse_form(req, {"grant_type"});
  EXPECT_EQ(form.get("username"), "a@b.c");
  EXPECT_EQ(form.get("scope"), "openid email");
  EXPECT_THROW(parse_form(request_with({}, "a=1&a=2"), {"a"}), OAuthError);
  EXPECT_THROW(parse_form(request_with({}, "a=%zz"), {}), OAuthError);
  EXPECT_FALSE(is_form(request_with({{http::Field::content_type, "application/json"}})));
}

TEST(Web, EncodesForUrlsAndHtml) {
  EXPECT_EQ(url_encode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(Web, OAuthErrorsAreUncachedJson) {
  OAuthError e{401, "invalid_client", "nope", "Basic realm=\"x\""};
  auto res = oauth_error_response(e);
  EXPECT_EQ(res.status(), 401);
  EXPECT_EQ(res.message[http::Field::content_type], "application/json");
  EXPECT_EQ(res.message[http::Field::cache_control], "no-store");
  EXPECT_EQ(res.message[http::Field::www_authenticate], "Basic realm=\"x\"");
  EXPECT_EQ(nlohmann::json::parse(res.message.body()),
            nlohmann::json({{"error", "invalid_client"}, {"error_description", "nope"}}));
}

}  // namespace
}  // namespace ticketly::idp
