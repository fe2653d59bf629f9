#include "platform/crypto/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "platform/types/hex.h"

namespace ticketly::crypto {
namespace {

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode64(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    std::uint32_t v = byte(i) << 16;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    if (pad) out += "==";
  } else if (i + 2 == in.size()) {
    std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    if (pad) out += '=';
  }
  return out;
}

int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

struct MdCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
};
struct Bn {
  BIGNUM* bn = nullptr;
  ~Bn() { BN_free(bn); }
};

std::string bn_bytes(const BIGNUM* bn, int width = 0) {
  int n = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(n), '\0');
  if (width > 0) BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), width);
  else BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string digest_sign(EVP_PKEY* key, std::string_view input) {
  MdCtx md;
  std::size_t len = 0;
  if (!md.ctx || EVP_DigestSignInit(md.ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(md.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  sig.resize(len);
  return sig;
}

bool digest_verify(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  MdCtx md;
  if (!md.ctx || EVP_DigestVerifyInit(md.ctx, nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  return EVP_DigestVerify(md.ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return Pkey(key);
}

}  // namespace

std::string base64url_encode(std::string_view bytes) { return encode64(bytes, kB64Url, false); }
std::string base64_encode(std::string_view bytes) { return encode64(bytes, kB64, true); }

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = b64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // Leftover bits must be zero, so every text has exactly one decoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string hex_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 0xF]);
  }
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(), nullptr);
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), reinterpret_cast<unsigned char*>(out.data()), &len);
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("the system random number generator failed");
  }
  return out;
}

std::string random_token(std::size_t bytes) { return base64url_encode(random_bytes(bytes)); }

std::string hash_password(std::string_view password, int iterations) {
  std::string salt = random_bytes(16);
  std::string hash(32, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), 32, reinterpret_cast<unsigned char*>(hash.data()));
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + base64url_encode(salt) + "$" + base64url_encode(hash);
}

bool verify_password(std::string_view password, std::string_view encoded) {
  auto next = [&](std::string_view& s) {
    auto d = s.find('$');
    auto part = s.substr(0, d);
    s = d == std::string_view::npos ? std::string_view{} : s.substr(d + 1);
    return part;
  };
  std::string_view rest = encoded;
  if (next(rest) != "pbkdf2-sha256") return false;
  auto iter_text = next(rest);
  auto salt = base64url_decode(next(rest));
  auto expected = base64url_decode(next(rest));
  int iterations = 0;
  for (char c : iter_text) {
    if (c < '0' || c > '9' || iterations > 10'000'000) return false;
    iterations = iterations * 10 + (c - '0');
  }
  if (iterations < 1000 || !salt || !expected || expected->size() != 32) return false;
  std::string hash(32, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt->data()), static_cast<int>(salt->size()), iterations,
                    EVP_sha256(), 32, reinterpret_cast<unsigned char*>(hash.data()));
  return equal_constant_time(hash, *expected);
}

Pkey generate_rsa_key(int bits) {
  Pkey key(EVP_RSA_gen(static_cast<unsigned>(bits)));
  if (!key) throw std::runtime_error("RSA key generation failed");
  return key;
}

Pkey generate_ec_p256_key() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EC key generation failed");
  return key;
}

std::string private_key_to_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

Pkey private_key_from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) throw std::runtime_error("not a PEM private key");
  return Pkey(key);
}

bool is_rsa(EVP_PKEY* key) { return key && EVP_PKEY_is_a(key, "RSA"); }

bool is_ec_p256(EVP_PKEY* key) {
  if (!key || !EVP_PKEY_is_a(key, "EC")) return false;
  char group[64] = {0};
  std::size_t len = 0;
  EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
  return std::string_view(group) == "prime256v1" || std::string_view(group) == "P-256";
}

std::string public_jwk_json(EVP_PKEY* key, std::string_view kid, std::string_view alg) {
  nlohmann::json jwk = {{"kid", kid}, {"use", "sig"}, {"alg", alg}};
  if (is_rsa(key)) {
    Bn n, e;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n.bn);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e.bn);
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bn_bytes(n.bn));
    jwk["e"] = base64url_encode(bn_bytes(e.bn));
  } else if (is_ec_p256(key)) {
    Bn x, y;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x.bn);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y.bn);
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = base64url_encode(bn_bytes(x.bn, 32));
    jwk["y"] = base64url_encode(bn_bytes(y.bn, 32));
  } else {
    throw std::invalid_argument("only RSA and EC P-256 keys have a JWK form here");
  }
  return jwk.dump();
}

Pkey public_key_from_jwk(std::string_view kty, std::string_view a, std::string_view b, std::string_view c) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (kty == "RSA") {
    auto n = base64url_decode(a), e = base64url_decode(b);
    if (n && e && !n->empty() && !e->empty() && n->size() <= 1024) {
      Bn bn_n, bn_e;
      bn_n.bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr);
      bn_e.bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr);
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.bn);
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.bn);
      key = from_params("RSA", bld);
    }
  } else if (kty == "EC" && a == "P-256") {
    auto x = base64url_decode(b), y = base64url_decode(c);
    if (x && y && x->size() == 32 && y->size() == 32) {
      std::string point = "\x04" + *x + *y;  // uncompressed point
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
      key = from_params("EC", bld);
    }
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

std::string sign_rs256(EVP_PKEY* key, std::string_view input) {
  if (!is_rsa(key)) throw std::invalid_argument("RS256 needs an RSA key");
  return digest_sign(key, input);
}

bool verify_rs256(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  return is_rsa(key) && digest_verify(key, input, sig);
}

std::string sign_es256(EVP_PKEY* key, std::string_view input) {
  if (!is_ec_p256(key)) throw std::invalid_argument("ES256 needs an EC P-256 key");
  std::string der = digest_sign(key, input);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) throw std::runtime_error("signing failed");
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string out = bn_bytes(r, 32) + bn_bytes(s, 32);
  ECDSA_SIG_free(sig);
  return out;
}

bool verify_es256(EVP_PKEY* key, std::string_view input, std::string_view sig) {
  if (!is_ec_p256(key) || sig.size() != 64) return false;
  ECDSA_SIG* ecdsa = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(ecdsa, r, s);  // takes ownership of r and s
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(ecdsa, &der);
  bool ok = len > 0 && digest_verify(key, input, std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  ECDSA_SIG_free(ecdsa);
  return ok;
}

}  // namespace ticketly::crypto
