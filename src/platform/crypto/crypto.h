#pragma once
// Small, audited-by-OpenSSL building blocks: encodings, digests, MACs, password
// hashing, random bytes, and JWS signatures. Everything here is a thin wrapper
// over OpenSSL 3's EVP API; nothing is hand-rolled cryptography.
#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ticketly::crypto {

// --- encodings ---
std::string base64url_encode(std::string_view bytes);  // no padding
std::optional<std::string> base64url_decode(std::string_view text);  // padding optional; nullopt if malformed
std::string base64_encode(std::string_view bytes);  // standard alphabet, padded
std::string hex_encode(std::string_view bytes);

// --- digests and MACs ---
std::string sha256(std::string_view data);  // 32 raw bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Constant-time comparison of two byte strings (length is not secret).
bool equal_constant_time(std::string_view a, std::string_view b);

// --- randomness (OpenSSL CSPRNG) ---
std::string random_bytes(std::size_t n);
std::string random_token(std::size_t bytes = 32);  // base64url of n random bytes

// --- passwords: PBKDF2-HMAC-SHA256, self-describing "pbkdf2-sha256$<iter>$<salt b64url>$<hash b64url>" ---
std::string hash_password(std::string_view password, int iterations = 210000);
bool verify_password(std::string_view password, std::string_view encoded);

// --- keys ---
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey generate_rsa_key(int bits = 2048);
Pkey generate_ec_p256_key();
std::string private_key_to_pem(EVP_PKEY* key);
Pkey private_key_from_pem(std::string_view pem);  // throws std::runtime_error

// JSON Web Key (public part) of an RSA or EC P-256 key, as a JSON object string
// {"kty","kid","use":"sig","alg",...}.
std::string public_jwk_json(EVP_PKEY* key, std::string_view kid, std::string_view alg);

// Builds a public key from JWK members (kty RSA: n, e; kty EC: crv P-256, x, y);
// nullptr when the members are missing or malformed.
Pkey public_key_from_jwk(std::string_view kty, std::string_view n_or_crv, std::string_view e_or_x,
                         std::string_view y = {});

// --- JWS signatures (RFC 7518) over `signing_input` ("header.payload") ---
// RS256: RSASSA-PKCS1-v1_5 with SHA-256. ES256: ECDSA P-256 with SHA-256 in the
// 64-byte R||S form JWS uses (not DER).
std::string sign_rs256(EVP_PKEY* key, std::string_view signing_input);
std::string sign_es256(EVP_PKEY* key, std::string_view signing_input);
bool verify_rs256(EVP_PKEY* key, std::string_view signing_input, std::string_view signature);
bool verify_es256(EVP_PKEY* key, std::string_view signing_input, std::string_view signature);
bool is_rsa(EVP_PKEY* key);
bool is_ec_p256(EVP_PKEY* key);

}  // namespace ticketly::crypto
