// The HTTP client's pure helpers: URL and form encoding, URL parsing, header lookup.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "platform/http/client.h"

namespace ticketly::http {
namespace {

TEST(UrlEncode, KeepsUnreservedAndPercentEncodesEverythingElse) {
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode("a b&c=d/e?f#g+h%i"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25i");
  EXPECT_EQ(url_encode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(url_encode(std::string_view("\0\n", 2)), "%00%0A");
  EXPECT_EQ(url_encode(""), "");
}

TEST(FormEncode, EncodesReservedCharactersAndSpacesAsPlus) {
  EXPECT_EQ(form_encode({{"amount", "1000"},
                         {"description", "Tickets & fees = 100% off"},
                         {"metadata[order_id]", "o/1+2"},
                         {"empty", ""}}),
            "amount=1000&description=Tickets+%26+fees+%3D+100%25+off&metadata%5Border_id%5D=o%2F1%2B2&empty=");
  EXPECT_EQ(form_encode({}), "");
}

TEST(ParseUrl, SplitsSchemeHostPortAndTarget) {
  const Url a = parse_url("https://API.Stripe.com/v1/charges?limit=3#frag");
  EXPECT_EQ(a.scheme, "https");
  EXPECT_EQ(a.host, "api.stripe.com");
  EXPECT_EQ(a.port, 443);
  EXPECT_EQ(a.target, "/v1/charges?limit=3");
  EXPECT_TRUE(a.tls());

  const Url b = parse_url("http://127.0.0.1:8080");
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 8080);
  EXPECT_EQ(b.target, "/");
  EXPECT_FALSE(b.tls());

  const Url c = parse_url("http://[::1]:9000?x=1");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.target, "/?x=1");

  EXPECT_EQ(parse_url("HTTP://example.com").port, 80);
}

TEST(ParseUrl, RejectsWhatIsNotAnAbsoluteHttpUrl) {
  for (const char* bad : {"example.com/x", "ftp://example.com/", "http://", "http://:80/", "http://host:0/",
                          "http://host:65536/", "http://host:12a/", "http://user:pw@host/", "http://[::1/",
                          "http://[nothex]/", "http://host/a b", "http://ho st/"}) {
    EXPECT_THROW(parse_url(bad), std::invalid_argument) << bad;
  }
}

TEST(ClientResponse, LooksUpHeadersCaseInsensitively) {
  ClientResponse res;
  res.headers = {{"Content-Type", "application/json"}, {"X-Multi", "1"}, {"x-multi", "2"}};
  EXPECT_EQ(res.header("content-type"), "application/json");
  EXPECT_EQ(res.header("X-MULTI"), "1");
  EXPECT_EQ(res.header("missing"), "");
}

}  // namespace
}  // namespace ticketly::http
