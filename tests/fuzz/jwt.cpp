// Bearer tokens (platform/auth/jwt.h). Input: the compact token.
// Properties: parse_jwt refuses only with InvalidToken; what it accepts has an allowed
// algorithm, a non-empty signature and object header and claims; no signature of a key
// this run never signed with verifies.
#include "fuzz_support.h"
#include "platform/auth/jwt.h"
#include "platform/auth/key_set.h"
#include "platform/crypto/crypto.h"

using namespace ticketly;

namespace {

const std::vector<auth::SigningKey>& keys() {
  // Generated once per process: an RSA and an EC key no input can have been signed with.
  static const std::vector<auth::SigningKey> keys = [] {
    std::vector<auth::SigningKey> k(2);
    k[0] = {.kid = "rsa", .type = auth::KeyType::Rsa, .alg = "", .key = std::shared_ptr<EVP_PKEY>(crypto::generate_rsa_key())};
    k[1] = {.kid = "ec", .type = auth::KeyType::EcP256, .alg = "", .key = std::shared_ptr<EVP_PKEY>(crypto::generate_ec_p256_key())};
    return k;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> allowed{"RS256", "ES256"};
  auth::Jwt jwt;
  try {
    jwt = auth::parse_jwt(fuzz::as_text(data, size), allowed);
  } catch (const auth::InvalidToken&) {
    return 0;
  }
  fuzz::check(jwt.alg == "RS256" || jwt.alg == "ES256", "accepted an algorithm outside the allowlist");
  fuzz::check(!jwt.signature.empty(), "accepted an empty signature");
  fuzz::check(jwt.header.is_object() && jwt.claims.is_object(), "accepted a header or claims that are not objects");
  for (const auto& key : keys()) {
    if (auth::key_accepts(key, jwt.alg)) fuzz::check(!auth::verify_signature(jwt, key), "a forged signature verified");
  }
  for (const char* claim : {"exp", "nbf", "iat"}) {
    if (jwt.claims.contains(claim)) auth::numeric_date(jwt.claims[claim]);
  }
  return 0;
}
