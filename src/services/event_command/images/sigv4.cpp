#include "services/event_command/images/sigv4.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "platform/crypto/crypto.h"
#include "platform/http/client.h"
#include "platform/text/ascii.h"

namespace ticketly::event_command::sigv4 {
namespace {

// Header values are trimmed and inner runs of spaces become one (SigV4 "Trimall").
std::string trim_all(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Canonical headers: name -> values joined by ',' (a repeated header), sorted by name.
std::map<std::string, std::string> canonical_headers(const CanonicalInput& in) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : in.headers) {
    auto& slot = out[text::ascii_lower(name)];
    if (!slot.empty()) slot += ',';
    slot += trim_all(value);
  }
  return out;
}

}  // namespace

std::string amz_date(Timestamp t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto days = std::chrono::floor<std::chrono::days>(secs);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(secs - days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string sha256_hex(std::string_view data) { return crypto::hex_encode(crypto::sha256(data)); }

std::string encode_path(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    out += http::url_encode(segment);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [k, v] : params) {
    k = http::url_encode(k);
    v = http::url_encode(v);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string signed_headers(const CanonicalInput& in) {
  std::string out;
  for (const auto& [name, value] : canonical_headers(in)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string canonical_request(const CanonicalInput& in) {
  std::string out = in.method;
  out.append("\n").append(in.path).append("\n").append(in.query).append("\n");
  for (const auto& [name, value] : canonical_headers(in)) out.append(name).append(":").append(value).append("\n");
  out.append("\n").append(signed_headers(in)).append("\n").append(in.payload_sha256_hex);
  return out;
}

std::string authorization(const CanonicalInput& in, const Credentials& credentials, const Scope& scope,
                          std::string_view date) {
  const std::string day(date.substr(0, 8));
  std::string credential_scope = day;
  credential_scope.append("/").append(scope.region).append("/").append(scope.service).append("/aws4_request");
  std::string to_sign = "AWS4-HMAC-SHA256\n";
  to_sign.append(date).append("\n").append(credential_scope).append("\n").append(sha256_hex(canonical_request(in)));
  std::string secret = "AWS4";
  secret += credentials.secret_access_key;
  std::string key = crypto::hmac_sha256(secret, day);
  key = crypto::hmac_sha256(key, scope.region);
  key = crypto::hmac_sha256(key, scope.service);
  key = crypto::hmac_sha256(key, "aws4_request");
  const std::string signature = crypto::hex_encode(crypto::hmac_sha256(key, to_sign));
  std::string out = "AWS4-HMAC-SHA256 Credential=";
  out.append(credentials.access_key_id).append("/").append(credential_scope);
  out.append(", SignedHeaders=").append(signed_headers(in)).append(", Signature=").append(signature);
  return out;
}

}  // namespace ticketly::event_command::sigv4
