#include "services/idp/signing_keys.h"

#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "services/idp/private_files.h"

namespace ticketly::idp {

namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path signing_key_path(const fs::path& data_dir) { return data_dir / "idp" / "signing-key.pem"; }

SigningKey::SigningKey(crypto::Pkey key) : key_(std::move(key)) {
  if (!crypto::is_rsa(key_.get())) throw std::runtime_error("the identity provider's signing key must be RSA");
  Json unnamed = Json::parse(crypto::public_jwk_json(key_.get(), "", "RS256"));
  kid_ = crypto::base64url_encode(crypto::sha256(unnamed.at("n").get<std::string>())).substr(0, 16);
  jwk_ = Json::parse(crypto::public_jwk_json(key_.get(), kid_, "RS256"));
}

SigningKey SigningKey::from_pem(std::string_view pem) { return SigningKey(crypto::private_key_from_pem(pem)); }

SigningKey SigningKey::load_or_create(const fs::path& data_dir) {
  const fs::path path = signing_key_path(data_dir);
  ensure_private_dir(path.parent_path());
  if (auto pem = read_private_file(path)) {
    try {
      return from_pem(*pem);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot use the signing key " + path.string() + ": " + e.what() +
                               " (delete it to generate a new one)");
    }
  }
  auto key = crypto::generate_rsa_key(2048);
  if (create_private_file(path, crypto::private_key_to_pem(key.get()))) {
    spdlog::info("identity provider: generated a new signing key in {}", path.string());
    return SigningKey(std::move(key));
  }
  // Another process created it meanwhile: use theirs, so all publish one key.
  return from_pem(read_private_file(path).value_or(""));
}

std::string SigningKey::jwks_json() const { return Json{{"keys", Json::array({jwk_})}}.dump(); }

std::string SigningKey::public_key_base64() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) throw std::runtime_error("cannot encode the public key");
  std::string out =
      crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return out;
}

std::string SigningKey::sign(const Json& claims) const {
  Json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid_}};
  std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims.dump());
  return input + "." + crypto::base64url_encode(crypto::sign_rs256(key_.get(), input));
}

std::optional<Json> SigningKey::verify(std::string_view token) const {
  if (token.size() > 16 * 1024) return std::nullopt;
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return std::nullopt;
  auto header_text = crypto::base64url_decode(token.substr(0, dot1));
  auto payload_text = crypto::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = crypto::base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) return std::nullopt;
  Json header = Json::parse(*header_text, nullptr, false);
  if (!header.is_object() || header.value("alg", Json()) != "RS256") return std::nullopt;
  if (auto kid = header.find("kid"); kid != header.end() && *kid != kid_) return std::nullopt;
  if (!crypto::verify_rs256(key_.get(), token.substr(0, dot2), *signature)) return std::nullopt;
  Json payload = Json::parse(*payload_text, nullptr, false);
  if (!payload.is_object()) return std::nullopt;
  return payload;
}

}  // namespace ticketly::idp
