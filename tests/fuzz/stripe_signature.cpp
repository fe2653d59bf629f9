// Stripe-Signature headers of payment webhooks (services/order/payments/webhook_signature.h).
// Input: 8 bytes of a signing time, then "<header>\n<body>".
// Properties: a header signed with the secret is Valid exactly when its time is within
// the tolerance; unknown items and other v1 entries around it change nothing; no header the fuzzer
// writes is Valid (it cannot know the secret); the check never crashes on any time.
#include "fuzz_support.h"
#include "services/order/payments/webhook_signature.h"

using namespace ticketly;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kSecret = "whsec_fuzz_0123456789";
  const Timestamp now{std::chrono::seconds(1'800'000'000)};
  const auto input = fuzz::as_text(data, size);
  if (size < 8) return 0;
  std::int64_t t = 0;
  for (std::size_t i = 0; i < 8; ++i) t = static_cast<std::int64_t>(static_cast<std::uint64_t>(t) << 8 | static_cast<unsigned char>(input[i]));
  const auto lines = fuzz::split_first_line(input.substr(8));
  const std::string_view header = lines.first, body = lines.rest;

  fuzz::check(order::verify_stripe_signature(header, body, kSecret, now) != order::SignatureCheck::Valid,
              "a header written without the secret is valid");

  const std::string signed_header = order::stripe_signature_header(kSecret, body, t);
  const std::int64_t now_s = 1'800'000'000;
  const bool in_tolerance = t >= now_s - 300 && t <= now_s + 300;
  const auto expected = in_tolerance ? order::SignatureCheck::Valid : order::SignatureCheck::OutsideTolerance;
  for (const std::string& h : {signed_header, "v0=x, " + signed_header + ",v1=00"}) {
    fuzz::check(order::verify_stripe_signature(h, body, kSecret, now) == expected, "a signed header is judged wrongly");
  }
  // The fuzzer's items after the signature: anything but a crash (a later t= wins).
  order::verify_stripe_signature(signed_header + "," + std::string(header), body, kSecret, now);
  return 0;
}
