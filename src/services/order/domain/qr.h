#pragma once
// The signed payload inside a ticket's QR code. Compact, so the code stays small and
// scans easily:
//
//   T1.<kid>.<base64url(ticket id 16 bytes | session id 16 bytes | issued-at 8 bytes BE)>.<base64url(mac)>
//
// mac = the first 16 bytes of HMAC-SHA256(key[kid], everything before the last dot):
// 128 bits, far beyond guessing, half the characters of the full MAC. Keys rotate by id:
// the first key of TICKETLY_QR_KEYS signs, every listed key verifies. The payload is
// signed, not encrypted: it names a ticket, which is worthless without the signature and
// the check-in rules (the reference encrypted without a MAC, so tickets could be forged).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::order {

struct QrPayload {
  Uuid ticket_id;
  Uuid session_id;
  Timestamp issued_at;  // whole seconds
  std::string kid;
};

class QrKeyRing {
 public:
  // "kid:base64secret,kid2:base64secret2" (standard or URL-safe base64, >= 16 bytes each,
  // kid of [A-Za-z0-9_-]{1,16}). Throws std::invalid_argument naming the problem.
  static QrKeyRing parse(std::string_view spec);
  QrKeyRing(std::string kid, std::string secret);  // one key

  const std::string& signing_kid() const { return signing_kid_; }
  std::string sign(const Uuid& ticket, const Uuid& session, Timestamp issued_at) const;
  // The payload when the text is well formed and its MAC verifies under a known key.
  std::optional<QrPayload> verify(std::string_view text) const;

 private:
  QrKeyRing() = default;
  std::string mac(const std::string& key, std::string_view data) const;
  std::string signing_kid_;
  std::map<std::string, std::string, std::less<>> keys_;
};

}  // namespace ticketly::order
