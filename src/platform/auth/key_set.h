#pragma once
// KeySet: the usable signing keys of a JWKS document ({"keys":[…]}), by kid.
//
// Immutable once parsed, so one instance is shared by every worker thread (OpenSSL 3
// allows concurrent verifications with one EVP_PKEY). A key the verifier cannot or must
// not use is skipped with a reason, never failing the whole set: `use` other than "sig",
// kty other than RSA or EC P-256 ("oct" secrets above all), an `alg` this code does not
// verify or that contradicts the key type, malformed members, RSA moduli under 2048
// bits, or a kid seen earlier in the document.
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ticketly::auth {

enum class KeyType { Rsa, EcP256 };

struct SigningKey {
  std::string kid;  // may be empty when the JWK has none
  KeyType type = KeyType::Rsa;
  std::string alg;  // the JWK's `alg` member, empty when absent
  std::shared_ptr<EVP_PKEY> key;
};

class KeySet {
 public:
  KeySet() = default;

  // Throws std::runtime_error when `jwks` is not a JSON object with a "keys" array.
  static KeySet parse(std::string_view jwks);

  // The key with this kid, or nullptr.
  const SigningKey* find(std::string_view kid) const;
  const std::vector<SigningKey>& keys() const { return keys_; }
  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  // One line per skipped key ("key 2 (kid \"enc1\"): use is \"enc\""), for the log.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::vector<SigningKey> keys_;  // a handful at most: a linear find beats a map
  std::vector<std::string> skipped_;
};

}  // namespace ticketly::auth
