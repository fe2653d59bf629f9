// Verifier: signatures, claims, and the attacks a JWT verifier must refuse. Key rotation
// and the verified-token cache are in auth_verifier_keys_test.cpp.
#include "platform/auth/verifier.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "platform/auth/principal.h"
#include "unit/platform/auth_test_support.h"

namespace ticketly::auth {
namespace {

using namespace testing;

std::string replace_segment(const std::string& token, int index, const std::string& segment) {
  const auto a = token.find('.'), b = token.find('.', a + 1);
  if (index == 0) return segment + token.substr(a);
  if (index == 1) return token.substr(0, a + 1) + segment + token.substr(b);
  return token.substr(0, b + 1) + segment;
}

// ---- valid tokens ----------------------------------------------------------------------

TEST_F(VerifierTest, AcceptsValidRs256TokenAndMapsItsClaims) {
  auto v = make();
  json c = claims();
  c["user_groups"] = {"/Tiers/PRO", "/Tiers/ENTERPRISE"};
  auto p = verify(*v, rs256(c));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->subject, kUserId);
  EXPECT_EQ(p->user_id()->str(), kUserId);
  EXPECT_EQ(p->email, "user1@example.com");
  EXPECT_EQ(p->name, "User One");
  EXPECT_EQ(p->username, "user1");
  EXPECT_EQ(p->issuer, kIssuer);
  EXPECT_EQ(p->authorized_party, "web-frontend");
  EXPECT_EQ(p->session_id, "session-1");
  EXPECT_EQ(p->tier, "ENTERPRISE");
  EXPECT_EQ(p->scopes, (std::vector<std::string>{"openid", "profile", "email"}));
  EXPECT_TRUE(p->has_role("offline_access"));
  EXPECT_FALSE(p->has_role("event_admin"));
  EXPECT_FALSE(p->system_admin);
  EXPECT_FALSE(p->service_account);
  EXPECT_EQ(p->expires_at, clock.now() + 300s);
}

TEST_F(VerifierTest, AcceptsValidEs256Token) {
  auto v = make();
  auto p = verify(*v, sign_jwt(ec_key(), "ES256", "ec1", claims()));
  EXPECT_EQ(p->subject, kUserId);
}

TEST_F(VerifierTest, SystemAdminGetsTheAdminRoles) {
  auto v = make();
  json c = claims();
  c["user_groups"] = {"/Permissions/Users/System Admins", "/Tiers/PRO"};
  auto p = verify(*v, rs256(c));
  EXPECT_TRUE(p->system_admin);
  for (const char* role : {"event_admin", "category_admin", "organization_admin"}) EXPECT_TRUE(p->has_role(role));
  EXPECT_EQ(p->tier, "PRO");
}

TEST_F(VerifierTest, RecognisesServiceAccountOfConfiguredClient) {
  auto v = make();
  auto p = verify(*v, rs256(service_claims(clock.seconds())));
  EXPECT_TRUE(p->service_account);
  EXPECT_TRUE(p->has_scope("internal-api"));
  auto other = verify(*v, rs256(service_claims(clock.seconds(), "unknown-client")));
  EXPECT_FALSE(other->service_account);
}

TEST_F(VerifierTest, AcceptsTokenWithoutKidWhileTheKeySetHasOneKey) {
  source->set(jwks({rsa_jwk()}));
  auto v = make();
  EXPECT_EQ(verify(*v, rs256(claims(), ""))->subject, kUserId);

  source->set(jwks({rsa_jwk(), ec_jwk()}));
  run(v->refresh_keys());
  json c = claims();
  c["jti"] = "another";  // not the cached token
  EXPECT_NE(std::string(refused(*v, rs256(c, "")).what()).find("no kid"), std::string::npos);
}

// ---- tampering and algorithm confusion ---------------------------------------------------

TEST_F(VerifierTest, RejectsTamperedPayload) {
  auto v = make();
  const std::string token = rs256(claims());
  json forged = claims();
  forged["user_groups"] = {"/Permissions/Users/System Admins"};
  Error e = refused(*v, replace_segment(token, 1, crypto::base64url_encode(forged.dump())));
  EXPECT_STREQ(e.what(), "token signature is invalid");
}

TEST_F(VerifierTest, RejectsTamperedSignature) {
  auto v = make();
  std::string token = rs256(claims());
  const auto sig = token.rfind('.') + 1;
  token[sig] = token[sig] == 'A' ? 'B' : 'A';
  EXPECT_STREQ(refused(*v, token).what(), "token signature is invalid");

  std::string es = sign_jwt(ec_key(), "ES256", "ec1", claims());
  const auto es_sig = es.rfind('.') + 1;
  es[es_sig + 3] = es[es_sig + 3] == 'A' ? 'B' : 'A';
  refused(*v, es);
}

TEST_F(VerifierTest, RejectsAlgNoneWithOrWithoutSignatureSegment) {
  auto v = make();
  const std::string header = crypto::base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const std::string payload = crypto::base64url_encode(claims().dump());
  refused(*v, header + "." + payload + ".");
  refused(*v, header + "." + payload);
  refused(*v, header + "." + payload + "." + crypto::base64url_encode("sig"));
  for (const char* alg : {"None", "NONE", "nOnE"}) {
    refused(*v, raw_token({{"alg", alg}}, claims(), "x"));
  }
}

std::string public_key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string public_key_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

TEST_F(VerifierTest, RejectsHs256SignedWithThePublicKeyAsSecret) {
  auto v = make();
  const json jwk = json::parse(rsa_jwk());
  const std::string secrets[] = {public_key_pem(rsa_key()), public_key_der(rsa_key()), rsa_jwk(),
                                 jwks({rsa_jwk(), ec_jwk()}), *crypto::base64url_decode(jwk["n"].get<std::string>())};
  for (const auto& secret : secrets) {
    for (const char* alg : {"HS256", "HS384", "HS512"}) {
      const json header = {{"alg", alg}, {"typ", "JWT"}, {"kid", "rsa1"}};
      const std::string input =
          crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims().dump());
      const std::string token = input + "." + crypto::base64url_encode(crypto::hmac_sha256(secret, input));
      EXPECT_STREQ(refused(*v, token).what(), "token algorithm is not accepted");
    }
  }
}

TEST_F(VerifierTest, NeverUsesAnOctKeyFromTheJwks) {
  const std::string secret = "a shared secret nobody should publish";
  const json oct = {{"kty", "oct"}, {"kid", "hs"}, {"k", crypto::base64url_encode(secret)}, {"alg", "HS256"}};
  source->set(jwks({oct.dump(), rsa_jwk()}));
  auto v = make();
  const json header = {{"alg", "HS256"}, {"kid", "hs"}};
  const std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims().dump());
  refused(*v, input + "." + crypto::base64url_encode(crypto::hmac_sha256(secret, input)));
  // Claiming an asymmetric alg with the oct key's kid gets nowhere either.
  refused(*v, raw_token({{"alg", "RS256"}, {"kid", "hs"}}, claims(), crypto::hmac_sha256(secret, input)));
}

TEST_F(VerifierTest, RejectsRs256HeaderWithAnEcKeysSignature) {
  auto v = make();
  const json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "ec1"}};
  const std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims().dump());
  const std::string token = input + "." + crypto::base64url_encode(crypto::sign_es256(ec_key(), input));
  EXPECT_STREQ(refused(*v, token).what(), "token algorithm does not match its signing key");

  // And the other way round: ES256 naming the RSA key.
  const json es_header = {{"alg", "ES256"}, {"kid", "rsa1"}};
  const std::string es_input =
      crypto::base64url_encode(es_header.dump()) + "." + crypto::base64url_encode(claims().dump());
  refused(*v, es_input + "." + crypto::base64url_encode(crypto::sign_rs256(rsa_key(), es_input)));
}

TEST_F(VerifierTest, RejectsAlgorithmOutsideTheConfiguredAllowlist) {
  VerifierOptions o = options();
  o.algorithms = {"RS256"};
  auto v = make(o);
  refused(*v, sign_jwt(ec_key(), "ES256", "ec1", claims()));
  EXPECT_TRUE(verify(*v, rs256(claims())));
}

TEST_F(VerifierTest, ConstructorRefusesUnsupportedAlgorithms) {
  VerifierOptions o = options();
  o.algorithms = {"RS256", "HS256"};
  EXPECT_THROW(Verifier(o, source), std::invalid_argument);
  o.algorithms = {"none"};
  EXPECT_THROW(Verifier(o, source), std::invalid_argument);
  o.algorithms = {};
  EXPECT_THROW(Verifier(o, source), std::invalid_argument);
  o = options();
  o.issuer.clear();
  EXPECT_THROW(Verifier(o, source), std::invalid_argument);
}

// ---- time, issuer, audience, token type -------------------------------------------------

TEST_F(VerifierTest, RejectsExpiredTokenBeyondLeewayButAcceptsWithin) {
  auto v = make();
  json c = claims();
  c["exp"] = clock.seconds() - 31;
  EXPECT_STREQ(refused(*v, rs256(c)).what(), "token has expired");
  c["exp"] = clock.seconds() - 29;
  EXPECT_TRUE(verify(*v, rs256(c)));
  c.erase("exp");
  refused(*v, rs256(c));
  c["exp"] = "tomorrow";
  refused(*v, rs256(c));
}

TEST_F(VerifierTest, RejectsTokenNotYetValid) {
  auto v = make();
  json c = claims();
  c["nbf"] = clock.seconds() + 31;
  EXPECT_STREQ(refused(*v, rs256(c)).what(), "token is not valid yet");
  c["nbf"] = clock.seconds() + 29;
  EXPECT_TRUE(verify(*v, rs256(c)));
}

TEST_F(VerifierTest, RejectsTokenIssuedInTheFuture) {
  auto v = make();
  json c = claims();
  c["iat"] = clock.seconds() + 60;
  EXPECT_STREQ(refused(*v, rs256(c)).what(), "token was issued in the future");
  c["iat"] = clock.seconds() + 20;  // clock skew within the leeway
  EXPECT_TRUE(verify(*v, rs256(c)));
}

TEST_F(VerifierTest, RejectsWrongIssuer) {
  auto v = make();
  for (const json& iss : {json("http://evil.example/realms/event-ticketing"), json(std::string(kIssuer) + "/"),
                          json(nullptr), json::array({kIssuer})}) {
    json c = claims();
    c["iss"] = iss;
    EXPECT_STREQ(refused(*v, rs256(c)).what(), "token issuer is not accepted");
  }
}

TEST_F(VerifierTest, RejectsIdTokenUsedAsAccessToken) {
  auto v = make();
  json c = claims();
  c["typ"] = "ID";
  c["aud"] = "web-frontend";
  EXPECT_STREQ(refused(*v, rs256(c)).what(), "token is not an access token");
  c["typ"] = "Refresh";
  refused(*v, rs256(c));
  // The JOSE header typ must name a JWT too.
  refused(*v, raw_token({{"alg", "RS256"}, {"kid", "rsa1"}, {"typ", "logout+jwt"}}, claims(), "x"));
}

TEST_F(VerifierTest, ChecksAudienceOnlyWhenConfigured) {
  json c = claims();
  c["aud"] = "account";
  auto plain = make();
  EXPECT_TRUE(verify(*plain, rs256(c)));

  VerifierOptions o = options();
  o.audience = "ticketly-api";
  auto v = make(o);
  EXPECT_STREQ(refused(*v, rs256(c)).what(), "token audience is not accepted");
  c.erase("aud");
  refused(*v, rs256(c));
  c["aud"] = {"account", "ticketly-api"};
  EXPECT_TRUE(verify(*v, rs256(c)));
  c["aud"] = "ticketly-api";
  EXPECT_TRUE(verify(*v, rs256(c)));
}

TEST_F(VerifierTest, RejectsTokenWithoutSubject) {
  auto v = make();
  json c = claims();
  c.erase("sub");
  refused(*v, rs256(c));
}

// ---- malformed input ------------------------------------------------------------------

TEST_F(VerifierTest, RejectsMalformedTokens) {
  auto v = make();
  const std::string good = rs256(claims());
  const auto dot1 = good.find('.'), dot2 = good.rfind('.');
  const std::string header = good.substr(0, dot1), payload = good.substr(dot1 + 1, dot2 - dot1 - 1),
                    signature = good.substr(dot2 + 1);

  json big_header = {{"alg", "RS256"}, {"kid", "rsa1"}, {"x", std::string(4000, 'a')}};
  json big_claims = claims();
  big_claims["padding"] = std::string(16 * 1024, 'p');

  const std::vector<std::string> bad = {
      "",
      "Bearer",
      header + "." + payload,                                      // two segments
      header + "." + payload + "." + signature + "." + signature,  // four segments
      header + ".." + signature,                                   // empty payload
      header + "." + payload + ".",                                // empty signature
      "a$b." + payload + "." + signature,                          // not base64url
      header + "." + payload + "." + signature + "==",             // padding
      header + "." + payload + "." + signature.substr(1),          // wrong length / leftover bits
      crypto::base64url_encode("not json") + "." + payload + "." + signature,
      crypto::base64url_encode("[\"alg\",\"RS256\"]") + "." + payload + "." + signature,
      header + "." + crypto::base64url_encode("{\"sub\":") + "." + signature,
      header + "." + crypto::base64url_encode("42") + "." + signature,
      sign_jwt(rsa_key(), "RS256", std::string(5000, 'k'), claims()),  // header segment > 4 KiB
      raw_token(big_header, claims(), "s"),
      rs256(big_claims),  // token > 16 KiB
      std::string(20000, 'a'),
      raw_token({{"kid", "rsa1"}}, claims(), "s"),               // no alg
      raw_token({{"alg", "RS256"}, {"kid", 7}}, claims(), "s"),  // kid not a string
      raw_token({{"alg", "RS256"}, {"kid", "rsa1"}, {"crit", {"exp"}}}, claims(), "s"),
  };
  for (const auto& token : bad) {
    SCOPED_TRACE(token.substr(0, 80));
    refused(*v, token);
  }
}

}  // namespace
}  // namespace ticketly::auth
