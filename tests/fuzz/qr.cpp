// Signed QR payloads of tickets (services/order/domain/qr.h), the text a door scanner
// posts to check-in. Input: 40 bytes of fields (ticket id, session id, issue time), then
// edits as (position, byte) pairs applied to the signed text; any input is also verified
// as a text and parsed as a TICKETLY_QR_KEYS value.
// Properties: what is signed verifies to the same fields; an edited text verifies only to
// those same fields (no edit yields another ticket); key specs refuse only with
// std::invalid_argument.
#include <stdexcept>

#include "fuzz_support.h"
#include "platform/crypto/crypto.h"
#include "services/order/domain/qr.h"

using namespace ticketly;

namespace {

const order::QrKeyRing& ring() {
  static const order::QrKeyRing ring =
      order::QrKeyRing::parse("k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3, k1:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4");
  return ring;
}

Uuid uuid_from(std::string_view sixteen_bytes) {
  std::string hex = crypto::hex_encode(sixteen_bytes);
  for (std::size_t at : {20, 16, 12, 8}) hex.insert(at, 1, '-');
  return *Uuid::parse(hex);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = fuzz::as_text(data, size);
  ring().verify(input);
  try {
    order::QrKeyRing::parse(input);
  } catch (const std::invalid_argument&) {
  }
  if (size < 40) return 0;

  const Uuid ticket = uuid_from(input.substr(0, 16));
  const Uuid session = uuid_from(input.substr(16, 16));
  std::int64_t secs = 0;
  for (std::size_t i = 32; i < 40; ++i) secs = (secs << 8) | static_cast<unsigned char>(input[i]);
  secs &= (std::int64_t{1} << 33) - 1;  // up to the year 2242: a Timestamp (ns) holds ±292 years
  const Timestamp issued{std::chrono::seconds(secs)};

  const std::string text = ring().sign(ticket, session, issued);
  auto same_fields = [&](const order::QrPayload& p) {
    return p.ticket_id == ticket && p.session_id == session && p.issued_at == issued && p.kid == "k2";
  };
  auto signed_back = ring().verify(text);
  fuzz::check(signed_back && same_fields(*signed_back), "a signed payload does not verify to its fields");

  std::string edited = text;
  for (std::size_t i = 40; i + 1 < size; i += 2) {
    edited[static_cast<unsigned char>(input[i]) % edited.size()] = input[i + 1];
  }
  if (auto p = ring().verify(edited)) fuzz::check(same_fields(*p), "an edited payload verifies to other fields");
  return 0;
}
