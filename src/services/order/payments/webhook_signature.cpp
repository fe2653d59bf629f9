#include "services/order/payments/webhook_signature.h"

#include <charconv>
#include <optional>
#include <vector>

#include "platform/crypto/crypto.h"

namespace ticketly::order {
namespace {

std::string hmac_hex(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  std::string signed_payload = std::to_string(timestamp);
  signed_payload += '.';
  signed_payload.append(body);
  return crypto::hex_encode(crypto::hmac_sha256(secret, signed_payload));
}

}  // namespace

std::string stripe_signature_header(std::string_view secret, std::string_view body, std::int64_t timestamp) {
  return "t=" + std::to_string(timestamp) + ",v1=" + hmac_hex(secret, timestamp, body);
}

SignatureCheck verify_stripe_signature(std::string_view header, std::string_view body, std::string_view secret,
                                       Timestamp now, std::chrono::seconds tolerance) {
  if (header.empty() || header.size() > 4096 || secret.empty()) return SignatureCheck::Malformed;
  std::optional<std::int64_t> timestamp;
  std::vector<std::string_view> signatures;
  std::size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    auto item = header.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto eq = item.find('=');
    if (eq != std::string_view::npos) {
      auto key = item.substr(0, eq);
      auto value = item.substr(eq + 1);
      if (key == "t") {
        std::int64_t t = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
        if (ec != std::errc() || p != value.data() + value.size()) return SignatureCheck::Malformed;
        timestamp = t;
      } else if (key == "v1") {
        signatures.push_back(value);
      }
    }
    start = end + 1;
  }
  if (!timestamp || signatures.empty()) return SignatureCheck::Malformed;
  const std::string expected = hmac_hex(secret, *timestamp, body);
  bool match = false;
  for (auto s : signatures) match = crypto::equal_constant_time(expected, s) || match;
  if (!match) return SignatureCheck::Mismatch;
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto age = now_s - *timestamp;
  if (age > tolerance.count() || age < -tolerance.count()) return SignatureCheck::OutsideTolerance;
  return SignatureCheck::Valid;
}

std::string_view describe(SignatureCheck c) {
  switch (c) {
    case SignatureCheck::Valid:
      return "valid";
    case SignatureCheck::Malformed:
      return "malformed Stripe-Signature header";
    case SignatureCheck::Mismatch:
      return "webhook signature does not match";
    case SignatureCheck::OutsideTolerance:
      return "webhook timestamp outside the tolerance";
  }
  return "invalid";
}

}  // namespace ticketly::order
