// Compact JWS parsing and signing (jwt.h) and JWKS parsing (key_set.h).
#include "platform/auth/jwt.h"

#include <gtest/gtest.h>

#include "platform/auth/key_set.h"
#include "unit/platform/auth_test_support.h"

namespace ticketly::auth {
namespace {

using namespace testing;

const std::vector<std::string> kBoth = {"RS256", "ES256"};

TEST(SignJwt, ProducesATokenThatParsesAndVerifies) {
  const KeySet keys = KeySet::parse(jwks({rsa_jwk(), ec_jwk()}));
  const json claims = user_claims(1772366400);
  for (auto [alg, kid, key] : {std::tuple{"RS256", "rsa1", rsa_key()}, std::tuple{"ES256", "ec1", ec_key()}}) {
    const std::string token = sign_jwt(key, alg, kid, claims);
    const Jwt jwt = parse_jwt(token, kBoth);
    EXPECT_EQ(jwt.alg, alg);
    EXPECT_EQ(jwt.kid, kid);
    EXPECT_EQ(jwt.header["typ"], "JWT");
    EXPECT_EQ(jwt.claims, claims);
    EXPECT_EQ(jwt.signing_input, token.substr(0, token.rfind('.')));
    ASSERT_TRUE(keys.find(kid));
    EXPECT_TRUE(verify_signature(jwt, *keys.find(kid)));
  }
}

TEST(SignJwt, LeavesKidOutWhenEmptyAndRefusesMismatchedKeys) {
  const Jwt jwt = parse_jwt(sign_jwt(rsa_key(), "RS256", "", json::object()), kBoth);
  EXPECT_FALSE(jwt.kid);
  EXPECT_FALSE(jwt.header.contains("kid"));
  EXPECT_THROW(sign_jwt(ec_key(), "RS256", "k", json::object()), std::invalid_argument);
  EXPECT_THROW(sign_jwt(rsa_key(), "ES256", "k", json::object()), std::invalid_argument);
  EXPECT_THROW(sign_jwt(rsa_key(), "HS256", "k", json::object()), std::invalid_argument);
}

TEST(ParseJwt, KeysOnlyVerifyTheirOwnAlgorithm) {
  const KeySet keys = KeySet::parse(jwks({rsa_jwk(), ec_jwk()}));
  const SigningKey& rsa = *keys.find("rsa1");
  const SigningKey& ec = *keys.find("ec1");
  EXPECT_TRUE(key_accepts(rsa, "RS256"));
  EXPECT_FALSE(key_accepts(rsa, "ES256"));
  EXPECT_FALSE(key_accepts(rsa, "HS256"));
  EXPECT_TRUE(key_accepts(ec, "ES256"));
  EXPECT_FALSE(key_accepts(ec, "RS256"));

  Jwt es = parse_jwt(sign_jwt(ec_key(), "ES256", "ec1", json::object()), kBoth);
  EXPECT_FALSE(verify_signature(es, rsa));
}

TEST(ParseJwt, RefusesAlgorithmsOutsideTheAllowlist) {
  const std::string es = sign_jwt(ec_key(), "ES256", "ec1", json::object());
  EXPECT_NO_THROW(parse_jwt(es, kBoth));
  EXPECT_THROW(parse_jwt(es, {"RS256"}), InvalidToken);
  // Even a misconfigured allowlist cannot let an unsupported algorithm through.
  EXPECT_THROW(parse_jwt(raw_token({{"alg", "HS256"}}, json::object(), "x"), {"HS256"}), InvalidToken);
  EXPECT_THROW(parse_jwt(raw_token({{"alg", "none"}}, json::object(), "x"), {"none"}), InvalidToken);
}

TEST(ParseJwt, EnforcesSizeLimits) {
  json claims = json::object();
  claims["p"] = std::string(kMaxTokenSize, 'x');
  EXPECT_THROW(parse_jwt(sign_jwt(rsa_key(), "RS256", "k", claims), kBoth), InvalidToken);
  // A header segment of exactly 4 KiB is fine, one byte more is not.
  int accepted = 0, refused = 0;
  for (std::size_t pad = 3030; pad < 3070; ++pad) {
    const json header = {{"alg", "RS256"}, {"x", std::string(pad, 'h')}};
    const std::string token = raw_token(header, json::object(), "s");
    const std::size_t header_len = token.find('.');
    if (header_len <= kMaxHeaderSegment) {
      EXPECT_NO_THROW(parse_jwt(token, kBoth)) << header_len;
      ++accepted;
    } else {
      EXPECT_THROW(parse_jwt(token, kBoth), InvalidToken) << header_len;
      ++refused;
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

TEST(NumericDate, AcceptsIntegersAndFractionsOnly) {
  EXPECT_EQ(numeric_date(json(1772366400)), Timestamp(std::chrono::seconds(1772366400)));
  EXPECT_EQ(numeric_date(json(1772366400.9)), Timestamp(std::chrono::seconds(1772366400)));
  EXPECT_FALSE(numeric_date(json("1772366400")));
  EXPECT_FALSE(numeric_date(json(nullptr)));
  EXPECT_FALSE(numeric_date(json(1e300)));
  EXPECT_FALSE(numeric_date(json(true)));
}

// ---- KeySet -----------------------------------------------------------------------------

TEST(KeySet, KeepsUsableKeysAndSkipsTheRestWithReasons) {
  json enc = json::parse(rsa2_jwk("enc1"));
  enc["use"] = "enc";
  json oct = {{"kty", "oct"}, {"kid", "hs"}, {"k", "c2VjcmV0"}};
  json p384 = json::parse(ec_jwk("p384"));
  p384["crv"] = "P-384";
  json broken = json::parse(rsa2_jwk("broken"));
  broken["n"] = "!!!";
  json mislabelled = json::parse(rsa2_jwk("mislabelled"));
  mislabelled["alg"] = "ES256";
  json rs512 = json::parse(rsa2_jwk("rs512"));
  rs512["alg"] = "RS512";
  const crypto::Pkey weak = crypto::generate_rsa_key(1024);
  const std::string weak_jwk = crypto::public_jwk_json(weak.get(), "weak", "RS256");
  json no_use = json::parse(rsa2_jwk("no-use"));
  no_use.erase("use");
  no_use.erase("alg");

  const KeySet set = KeySet::parse(
      jwks({rsa_jwk(), enc.dump(), oct.dump(), p384.dump(), broken.dump(), mislabelled.dump(), rs512.dump(), weak_jwk,
            rsa_jwk() /* duplicate */, "\"just a string\"", ec_jwk(), no_use.dump()}));
  ASSERT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.find("rsa1"));
  EXPECT_EQ(set.find("rsa1")->type, KeyType::Rsa);
  EXPECT_EQ(set.find("ec1")->type, KeyType::EcP256);
  EXPECT_TRUE(set.find("no-use"));
  EXPECT_FALSE(set.find("enc1"));
  EXPECT_FALSE(set.find("hs"));
  EXPECT_EQ(set.skipped().size(), 9u);
  std::string all;
  for (const auto& s : set.skipped()) all += s + "\n";
  for (const char* expected : {"use is not", "kty \"oct\"", "P-256", "malformed RSA", "alg \"ES256\"", "alg \"RS512\"",
                               "2048 bits", "duplicate kid", "not a JSON object"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\n" << all;
  }
}

TEST(KeySet, FailsOnlyWhenTheDocumentItselfIsWrong) {
  EXPECT_THROW(KeySet::parse("not json"), std::runtime_error);
  EXPECT_THROW(KeySet::parse("[]"), std::runtime_error);
  EXPECT_THROW(KeySet::parse("{\"keys\":{}}"), std::runtime_error);
  EXPECT_THROW(KeySet::parse("{}"), std::runtime_error);
  EXPECT_TRUE(KeySet::parse("{\"keys\":[]}").empty());
}

}  // namespace
}  // namespace ticketly::auth
