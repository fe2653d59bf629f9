#pragma once
// The provider's RS256 signing key: generated on first start into
// <data_dir>/idp/signing-key.pem (0600) and reused afterwards, so tokens survive a
// restart and every process on the machine publishes the same JWKS.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "platform/crypto/crypto.h"

namespace ticketly::idp {

class SigningKey {
 public:
  // Loads <data_dir>/idp/signing-key.pem, creating the key (and directories) when missing.
  static SigningKey load_or_create(const std::filesystem::path& data_dir);
  static SigningKey from_pem(std::string_view pem);  // throws std::runtime_error

  // First 16 characters of base64url(SHA-256(the JWK's "n" member)).
  const std::string& kid() const { return kid_; }
  const nlohmann::json& public_jwk() const { return jwk_; }
  std::string jwks_json() const;  // {"keys":[<public JWK>]}
  // The public key as base64 DER (SubjectPublicKeyInfo), as Keycloak's realm endpoint shows it.
  std::string public_key_base64() const;

  // A compact JWS (header {"alg":"RS256","typ":"JWT","kid":…}) over `claims`.
  std::string sign(const nlohmann::json& claims) const;
  // The payload of a compact JWS signed by this key (alg RS256, our kid if one is named),
  // when it is a JSON object; nullopt otherwise. Claims (exp, iss, typ) are the caller's.
  std::optional<nlohmann::json> verify(std::string_view token) const;

  EVP_PKEY* key() const { return key_.get(); }

 private:
  explicit SigningKey(crypto::Pkey key);
  crypto::Pkey key_;
  std::string kid_;
  nlohmann::json jwk_;
};

std::filesystem::path signing_key_path(const std::filesystem::path& data_dir);

}  // namespace ticketly::idp
