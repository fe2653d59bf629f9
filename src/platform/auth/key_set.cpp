#include "platform/auth/key_set.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "platform/crypto/crypto.h"

namespace ticketly::auth {
namespace {

using nlohmann::json;

constexpr int kMinRsaBits = 2048;

// A string member, or nullptr when it is absent or not a string.
const std::string* string_member(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// Fills `out` from one JWK, or returns why it cannot be used.
std::string read_key(const json& jwk, SigningKey& out) {
  if (!jwk.is_object()) return "not a JSON object";
  if (jwk.contains("kid")) {
    const std::string* kid = string_member(jwk, "kid");
    if (!kid) return "kid is not a string";
    out.kid = *kid;
  }
  if (jwk.contains("use")) {
    const std::string* use = string_member(jwk, "use");
    if (!use || *use != "sig") return "use is not \"sig\"";
  }
  const std::string* kty = string_member(jwk, "kty");
  if (!kty) return "no kty";
  if (jwk.contains("alg")) {
    const std::string* alg = string_member(jwk, "alg");
    if (!alg) return "alg is not a string";
    out.alg = *alg;
  }

  auto member = [&](const char* name) -> std::string_view {
    const std::string* s = string_member(jwk, name);
    return s ? std::string_view(*s) : std::string_view();
  };
  crypto::Pkey pkey;
  if (*kty == "RSA") {
    if (!out.alg.empty() && out.alg != "RS256") return "alg \"" + out.alg + "\" is not supported for RSA keys";
    out.type = KeyType::Rsa;
    pkey = crypto::public_key_from_jwk("RSA", member("n"), member("e"));
    if (!pkey) return "malformed RSA members (n, e)";
    if (EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) return "RSA modulus shorter than 2048 bits";
  } else if (*kty == "EC") {
    if (member("crv") != "P-256") return "curve is not P-256";
    if (!out.alg.empty() && out.alg != "ES256") return "alg \"" + out.alg + "\" is not supported for EC keys";
    out.type = KeyType::EcP256;
    pkey = crypto::public_key_from_jwk("EC", "P-256", member("x"), member("y"));
    if (!pkey) return "malformed EC members (x, y)";
  } else {
    // "oct" above all: a shared secret published in a JWKS must never verify anything.
    return "kty \"" + *kty + "\" is not supported";
  }
  out.key = std::shared_ptr<EVP_PKEY>(pkey.release(), crypto::PkeyDeleter{});
  return {};
}

}  // namespace

KeySet KeySet::parse(std::string_view jwks) {
  json doc = json::parse(jwks, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) throw std::runtime_error("JWKS is not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) throw std::runtime_error("JWKS has no \"keys\" array");

  KeySet set;
  std::size_t index = 0;
  for (const auto& jwk : *keys) {
    SigningKey key;
    std::string problem = read_key(jwk, key);
    if (problem.empty() && set.find(key.kid)) problem = "duplicate kid";
    if (problem.empty()) {
      set.keys_.push_back(std::move(key));
    } else {
      std::string where = "key " + std::to_string(index);
      if (!key.kid.empty()) where += " (kid \"" + key.kid + "\")";
      set.skipped_.push_back(where + ": " + problem);
    }
    ++index;
  }
  return set;
}

const SigningKey* KeySet::find(std::string_view kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

}  // namespace ticketly::auth
