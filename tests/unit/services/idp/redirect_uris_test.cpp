#include "services/idp/redirect_uris.h"

#include <gtest/gtest.h>

namespace ticketly::idp {
namespace {

const std::vector<std::string> kWeb = {"http://localhost:8090/*", "http://localhost:3000/*"};

TEST(RedirectUris, ExactEntriesMatchOnlyThemselves) {
  std::vector<std::string> exact = {"https://app.example/callback"};
  EXPECT_TRUE(redirect_uri_allowed(exact, "https://app.example/callback"));
  EXPECT_FALSE(redirect_uri_allowed(exact, "https://app.example/callback/"));
  EXPECT_FALSE(redirect_uri_allowed(exact, "https://app.example/callback?x=1"));
  EXPECT_FALSE(redirect_uri_allowed(exact, "https://app.example/other"));
}

TEST(RedirectUris, WildcardMatchesAnyPathOnTheSameOrigin) {
  EXPECT_TRUE(redirect_uri_allowed(kWeb, "http://localhost:8090/"));
  EXPECT_TRUE(redirect_uri_allowed(kWeb, "http://localhost:8090/events/42?tab=seats"));
  EXPECT_TRUE(redirect_uri_allowed(kWeb, "http://localhost:3000/silent-check-sso.html"));
  EXPECT_TRUE(redirect_uri_allowed(kWeb, "http://localhost:8090"));    // Keycloak strips the "/" too
  EXPECT_TRUE(redirect_uri_allowed(kWeb, "http://LOCALHOST:8090/x"));  // hosts are case-insensitive
}

TEST(RedirectUris, RejectsPrefixAndAuthorityTricks) {
  for (const char* bad :
       {"http://localhost:8090.evil.com/", "http://localhost:8090.evil.com", "http://localhost:8090@evil.com/",
        "http://evil.com@localhost:8090/x", "http://localhost:80900/", "https://localhost:8090/",
        "http://localhost:8091/", "http://localhost/", "//localhost:8090/", "localhost:8090/x", "javascript:alert(1)",
        "http://localhost:8090\\@evil.com/", "http://localhost:8090/#frag", "http://localhost:8090/a b",
        "http://localhost:8090/\x01", ""}) {
    EXPECT_FALSE(redirect_uri_allowed(kWeb, bad)) << bad;
  }
}

TEST(RedirectUris, RejectsDotSegmentsThatCouldLeaveAPathPrefix) {
  std::vector<std::string> app = {"https://h.example/app/*"};
  EXPECT_TRUE(redirect_uri_allowed(app, "https://h.example/app/cb"));
  EXPECT_TRUE(redirect_uri_allowed(app, "https://h.example/app"));
  EXPECT_FALSE(redirect_uri_allowed(app, "https://h.example/app/../admin"));
  EXPECT_FALSE(redirect_uri_allowed(app, "https://h.example/app/%2e%2e/admin"));
  EXPECT_FALSE(redirect_uri_allowed(app, "https://h.example/app/..%2Fadmin"));
  EXPECT_FALSE(redirect_uri_allowed(app, "https://h.example/other"));
}

TEST(RedirectUris, OriginsOfRedirectsAndWebOrigins) {
  EXPECT_EQ(origin_of("http://localhost:8090/x?y=1"), "http://localhost:8090");
  EXPECT_FALSE(origin_of("not a url"));
  Client c;
  c.redirect_uris = kWeb;
  c.web_origins = {"http://localhost:8090"};
  EXPECT_TRUE(web_origin_allowed(c, "http://localhost:8090"));
  EXPECT_FALSE(web_origin_allowed(c, "http://localhost:3000"));
  c.web_origins = {"+"};
  EXPECT_TRUE(web_origin_allowed(c, "http://localhost:3000"));
  EXPECT_FALSE(web_origin_allowed(c, "http://evil.example"));
}

}  // namespace
}  // namespace ticketly::idp
