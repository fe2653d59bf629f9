#include "platform/auth/jwt.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "platform/auth/key_set.h"
#include "platform/crypto/crypto.h"
#include "platform/text/ascii.h"

namespace ticketly::auth {
namespace {

using nlohmann::json;

// Decodes one segment. base64url_decode alone would accept '=' padding, which compact
// JWS forbids; refusing it also gives every token exactly one spelling.
std::optional<std::string> decode_segment(std::string_view segment) {
  if (segment.empty() || segment.find('=') != std::string_view::npos) return std::nullopt;
  return crypto::base64url_decode(segment);
}

json decode_object(std::string_view segment, const char* what) {
  auto bytes = decode_segment(segment);
  if (!bytes) throw InvalidToken(std::string("token ") + what + " is not base64url");
  json value = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) throw InvalidToken(std::string("token ") + what + " is not a JSON object");
  return value;
}

}  // namespace

bool is_supported_algorithm(std::string_view alg) { return alg == "RS256" || alg == "ES256"; }

Jwt parse_jwt(std::string_view token, const std::vector<std::string>& allowed_algorithms) {
  if (token.empty()) throw InvalidToken("token is empty");
  if (token.size() > kMaxTokenSize) throw InvalidToken("token is too large");
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    throw InvalidToken("token is not a compact JWS (three dot-separated parts)");
  }
  const std::string_view header_part = token.substr(0, first);
  const std::string_view payload_part = token.substr(first + 1, second - first - 1);
  const std::string_view signature_part = token.substr(second + 1);
  if (header_part.size() > kMaxHeaderSegment) throw InvalidToken("token header is too large");

  Jwt jwt;
  jwt.header = decode_object(header_part, "header");
  // The algorithm is settled before anything else is decoded: "none" and HMAC tokens
  // stop here, whatever their signature part holds.
  auto alg = jwt.header.find("alg");
  if (alg == jwt.header.end() || !alg->is_string()) throw InvalidToken("token header has no alg");
  jwt.alg = alg->get<std::string>();
  if (!is_supported_algorithm(jwt.alg) ||
      std::find(allowed_algorithms.begin(), allowed_algorithms.end(), jwt.alg) == allowed_algorithms.end()) {
    throw InvalidToken("token algorithm is not accepted");
  }
  if (auto kid = jwt.header.find("kid"); kid != jwt.header.end()) {
    if (!kid->is_string()) throw InvalidToken("token kid is not a string");
    jwt.kid = kid->get<std::string>();
  }
  if (jwt.header.contains("crit")) throw InvalidToken("token has critical header parameters");
  if (auto typ = jwt.header.find("typ"); typ != jwt.header.end()) {
    const bool jwt_type =
        typ->is_string() && (text::iequals_ascii(typ->get_ref<const std::string&>(), "JWT") ||
                             text::iequals_ascii(typ->get_ref<const std::string&>(), "at+jwt") ||
                             text::iequals_ascii(typ->get_ref<const std::string&>(), "application/at+jwt"));
    if (!jwt_type) throw InvalidToken("token header typ is not JWT");
  }

  jwt.claims = decode_object(payload_part, "payload");
  auto signature = decode_segment(signature_part);
  if (!signature) throw InvalidToken("token signature is missing or not base64url");
  jwt.signature = std::move(*signature);
  jwt.signing_input = token.substr(0, second);
  return jwt;
}

bool key_accepts(const SigningKey& key, std::string_view alg) {
  if (!key.alg.empty() && key.alg != alg) return false;
  return (alg == "RS256" && key.type == KeyType::Rsa) || (alg == "ES256" && key.type == KeyType::EcP256);
}

bool verify_signature(const Jwt& jwt, const SigningKey& key) {
  if (!key_accepts(key, jwt.alg) || !key.key) return false;
  // The crypto functions check the EVP key's own type again: a mislabelled key fails.
  if (jwt.alg == "RS256") return crypto::verify_rs256(key.key.get(), jwt.signing_input, jwt.signature);
  if (jwt.alg == "ES256") return crypto::verify_es256(key.key.get(), jwt.signing_input, jwt.signature);
  return false;
}

std::optional<Timestamp> numeric_date(const json& value) {
  constexpr double kLimit = 1e11;  // year ~5138: far beyond any real token, far below overflow
  double seconds = 0;
  if (value.is_number_integer() || value.is_number_unsigned() || value.is_number_float()) {
    seconds = value.get<double>();
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(seconds) || seconds > kLimit || seconds < -kLimit) return std::nullopt;
  return Timestamp(std::chrono::duration_cast<Timestamp::duration>(std::chrono::duration<double>(std::floor(seconds))));
}

std::string sign_jwt(EVP_PKEY* key, std::string_view alg, std::string_view kid, const json& claims) {
  if (!is_supported_algorithm(alg)) throw std::invalid_argument("sign_jwt: unsupported algorithm");
  json header = {{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims.dump());
  // sign_rs256 / sign_es256 throw std::invalid_argument for a key of the wrong type.
  const std::string signature = alg == "RS256" ? crypto::sign_rs256(key, input) : crypto::sign_es256(key, input);
  return input + "." + crypto::base64url_encode(signature);
}

}  // namespace ticketly::auth
