#include "platform/crypto/crypto.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ticketly::crypto {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64url_decode(base64url_encode(data)), data);
    data.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64Url, RejectsMalformedText) {
  EXPECT_FALSE(base64url_decode("a"));       // impossible length
  EXPECT_FALSE(base64url_decode("ab+c"));    // standard alphabet
  EXPECT_FALSE(base64url_decode("ab c"));
  EXPECT_FALSE(base64url_decode("-_9"));     // non-zero leftover bits: not canonical
  EXPECT_EQ(base64url_decode("-_8="), "\xfb\xff");
}

TEST(Digests, MatchKnownVectors) {
  EXPECT_EQ(hex_encode(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(hmac_sha256("key", "The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(Passwords, VerifyOnlyTheRightPassword) {
  auto h = hash_password("user123", 1000);
  EXPECT_TRUE(verify_password("user123", h));
  EXPECT_FALSE(verify_password("user124", h));
  EXPECT_FALSE(verify_password("user123", "plain"));
  EXPECT_NE(hash_password("user123", 1000), h);  // salted
}

TEST(Signatures, Rs256SignsAndVerifiesAndRejectsTampering) {
  auto key = generate_rsa_key(2048);
  auto sig = sign_rs256(key.get(), "header.payload");
  EXPECT_TRUE(verify_rs256(key.get(), "header.payload", sig));
  EXPECT_FALSE(verify_rs256(key.get(), "header.payloaD", sig));
  sig[5] ^= 1;
  EXPECT_FALSE(verify_rs256(key.get(), "header.payload", sig));
}

TEST(Signatures, Es256UsesRawRAndS) {
  auto key = generate_ec_p256_key();
  auto sig = sign_es256(key.get(), "a.b");
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(verify_es256(key.get(), "a.b", sig));
  EXPECT_FALSE(verify_es256(key.get(), "a.c", sig));
  EXPECT_FALSE(verify_rs256(key.get(), "a.b", sig));  // key type mismatch never verifies
}

TEST(Jwk, PublicKeysRoundTripThroughJwk) {
  auto rsa = generate_rsa_key(2048);
  auto jwk = nlohmann::json::parse(public_jwk_json(rsa.get(), "k1", "RS256"));
  EXPECT_EQ(jwk["kty"], "RSA");
  auto pub = public_key_from_jwk("RSA", jwk["n"].get<std::string>(), jwk["e"].get<std::string>());
  ASSERT_TRUE(pub);
  EXPECT_TRUE(verify_rs256(pub.get(), "x.y", sign_rs256(rsa.get(), "x.y")));

  auto ec = generate_ec_p256_key();
  auto ejwk = nlohmann::json::parse(public_jwk_json(ec.get(), "k2", "ES256"));
  auto epub = public_key_from_jwk("EC", "P-256", ejwk["x"].get<std::string>(), ejwk["y"].get<std::string>());
  ASSERT_TRUE(epub);
  EXPECT_TRUE(verify_es256(epub.get(), "x.y", sign_es256(ec.get(), "x.y")));
  EXPECT_FALSE(public_key_from_jwk("EC", "P-256", "AAAA", "AAAA"));  // not a point
  EXPECT_FALSE(public_key_from_jwk("oct", "k", "", ""));
}

TEST(Keys, PemRoundTrip) {
  auto key = generate_rsa_key(2048);
  auto again = private_key_from_pem(private_key_to_pem(key.get()));
  EXPECT_TRUE(verify_rs256(key.get(), "m", sign_rs256(again.get(), "m")));
  EXPECT_THROW(private_key_from_pem("nope"), std::runtime_error);
}

}  // namespace
}  // namespace ticketly::crypto
