#include "services/order/domain/qr.h"

#include <stdexcept>

#include "platform/crypto/crypto.h"

namespace ticketly::order {
namespace {

constexpr std::string_view kPrefix = "T1";
constexpr std::size_t kMacBytes = 16;

bool valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > 16) return false;
  for (char c : kid) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Standard or URL-safe base64, padded or not.
std::optional<std::string> decode_any_base64(std::string_view text) {
  std::string s(text);
  for (auto& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return crypto::base64url_decode(s);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

}  // namespace

QrKeyRing::QrKeyRing(std::string kid, std::string secret) {
  if (!valid_kid(kid)) throw std::invalid_argument("QR key id '" + kid + "' must be 1-16 of [A-Za-z0-9_-]");
  if (secret.size() < 16) throw std::invalid_argument("QR key '" + kid + "' must have at least 16 bytes");
  signing_kid_ = kid;
  keys_.emplace(std::move(kid), std::move(secret));
}

QrKeyRing QrKeyRing::parse(std::string_view spec) {
  QrKeyRing ring;
  for (auto entry : split(spec, ',')) {
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) continue;
    auto colon = entry.find(':');
    if (colon == std::string_view::npos) throw std::invalid_argument("QR key entry must be kid:base64secret");
    std::string kid(entry.substr(0, colon));
    if (!valid_kid(kid)) throw std::invalid_argument("QR key id '" + kid + "' must be 1-16 of [A-Za-z0-9_-]");
    auto secret = decode_any_base64(entry.substr(colon + 1));
    if (!secret) throw std::invalid_argument("QR key '" + kid + "' is not valid base64");
    if (secret->size() < 16) throw std::invalid_argument("QR key '" + kid + "' must have at least 16 bytes");
    if (ring.keys_.contains(kid)) throw std::invalid_argument("QR key id '" + kid + "' appears twice");
    if (ring.signing_kid_.empty()) ring.signing_kid_ = kid;
    ring.keys_.emplace(std::move(kid), std::move(*secret));
  }
  if (ring.keys_.empty()) throw std::invalid_argument("no QR key given");
  return ring;
}

std::string QrKeyRing::mac(const std::string& key, std::string_view data) const {
  return crypto::hmac_sha256(key, data).substr(0, kMacBytes);
}

std::string QrKeyRing::sign(const Uuid& ticket, const Uuid& session, Timestamp issued_at) const {
  std::string body;
  body.reserve(40);
  body.append(reinterpret_cast<const char*>(ticket.bytes().data()), 16);
  body.append(reinterpret_cast<const char*>(session.bytes().data()), 16);
  const auto secs = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(issued_at.time_since_epoch()).count());
  for (int i = 7; i >= 0; --i) body.push_back(static_cast<char>((secs >> (8 * i)) & 0xFF));
  std::string text = std::string(kPrefix) + "." + signing_kid_ + "." + crypto::base64url_encode(body);
  const std::string tag = mac(keys_.at(signing_kid_), text);
  return text + "." + crypto::base64url_encode(tag);
}

std::optional<QrPayload> QrKeyRing::verify(std::string_view text) const {
  if (text.size() > 256) return std::nullopt;
  auto parts = split(text, '.');
  if (parts.size() != 4 || parts[0] != kPrefix) return std::nullopt;
  auto key = keys_.find(parts[1]);
  if (key == keys_.end()) return std::nullopt;
  auto tag = crypto::base64url_decode(parts[3]);
  if (!tag || tag->size() != kMacBytes) return std::nullopt;
  const auto signed_part = text.substr(0, text.size() - parts[3].size() - 1);
  if (!crypto::equal_constant_time(mac(key->second, signed_part), *tag)) return std::nullopt;
  auto body = crypto::base64url_decode(parts[2]);
  if (!body || body->size() != 40) return std::nullopt;
  auto uuid_at = [&](std::size_t offset) {
    const std::string hex = crypto::hex_encode(body->substr(offset, 16));
    std::string canonical;
    canonical.reserve(36);
    for (std::size_t i = 0; i < hex.size(); ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) canonical.push_back('-');
      canonical.push_back(hex[i]);
    }
    return Uuid::parse(canonical);
  };
  auto ticket = uuid_at(0);
  auto session = uuid_at(16);
  if (!ticket || !session) return std::nullopt;
  std::uint64_t secs = 0;
  for (int i = 0; i < 8; ++i) secs = (secs << 8) | static_cast<unsigned char>((*body)[32 + i]);
  QrPayload p;
  p.ticket_id = *ticket;
  p.session_id = *session;
  p.issued_at = Timestamp(std::chrono::seconds(static_cast<std::int64_t>(secs)));
  p.kid = std::string(parts[1]);
  return p;
}

}  // namespace ticketly::order
