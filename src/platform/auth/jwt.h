#pragma once
// Compact JWS (RFC 7515) parsing, signature checking and signing for JWTs.
//
// Only asymmetric algorithms exist here: RS256 and ES256. "none" and every HMAC
// algorithm are refused by name, and a key is only ever used with the algorithm its
// type implies (RSA ↔ RS256, EC P-256 ↔ ES256), so neither "alg: none" nor "HS256
// signed with the public key" can get a token through.
//
// Nothing here looks at claims beyond parsing them; time, issuer and audience are
// checked by the Verifier.
#include <openssl/evp.h>

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "platform/types/time.h"

namespace ticketly::auth {

struct SigningKey;  // key_set.h

// Why a token was refused. The message is safe to show the client: it never contains
// the token or any part of it.
class InvalidToken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxTokenSize = 16 * 1024;     // the whole compact token
inline constexpr std::size_t kMaxHeaderSegment = 4 * 1024;  // its first (base64url) segment

// The algorithms this code can verify; anything else in an allowlist is a configuration error.
bool is_supported_algorithm(std::string_view alg);

struct Jwt {
  nlohmann::json header;  // a JSON object
  nlohmann::json claims;  // a JSON object
  std::string alg;        // from the allowlist
  std::optional<std::string> kid;
  std::string_view signing_input;  // "header.payload": points into the parsed token
  std::string signature;           // decoded bytes, never empty
};

// Splits and decodes a compact JWS: exactly three non-empty base64url segments without
// padding, token ≤ kMaxTokenSize, header segment ≤ kMaxHeaderSegment, header and payload
// JSON objects, `alg` in `allowed_algorithms` (which must only hold supported ones),
// `kid` a string when present, no `crit` (no extension is understood), and a header
// `typ`, when present, that names a JWT. Throws InvalidToken. The result refers to
// `token`, which must outlive it.
Jwt parse_jwt(std::string_view token, const std::vector<std::string>& allowed_algorithms);

// True when `key` may verify `jwt.alg` (key type and the JWK's own `alg`, if any, agree)
// and the signature checks out.
bool key_accepts(const SigningKey& key, std::string_view alg);
bool verify_signature(const Jwt& jwt, const SigningKey& key);

// A JSON NumericDate (seconds since the epoch, integer or fraction) as a Timestamp;
// nullopt for anything that is not a number within ±10^11 seconds.
std::optional<Timestamp> numeric_date(const nlohmann::json& value);

// Signs `claims` as a compact JWS with header {"alg","typ":"JWT","kid"} (kid left out
// when empty). `alg` must be RS256 with an RSA key or ES256 with an EC P-256 key;
// otherwise std::invalid_argument. For the development identity provider and tests.
std::string sign_jwt(EVP_PKEY* key, std::string_view alg, std::string_view kid, const nlohmann::json& claims);

}  // namespace ticketly::auth
