#pragma once
// Stripe's webhook signature scheme (https://stripe.com/docs/webhooks/signatures):
//
//   Stripe-Signature: t=1700000000,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=…]
//
// Verified with a timestamp tolerance (replays of an old, captured delivery fail) and a
// constant-time comparison against every v1 entry (Stripe sends several while a secret
// rotates). Pure: the clock is a parameter. The development provider signs its
// simulated webhooks with the same function, so they travel the same checked path.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/types/time.h"

namespace ticketly::order {

enum class SignatureCheck { Valid, Malformed, Mismatch, OutsideTolerance };

// The header value for `body` signed at `timestamp`.
std::string stripe_signature_header(std::string_view secret, std::string_view body, std::int64_t timestamp);

SignatureCheck verify_stripe_signature(std::string_view header, std::string_view body, std::string_view secret,
                                       Timestamp now, std::chrono::seconds tolerance = std::chrono::minutes(5));

std::string_view describe(SignatureCheck c);

}  // namespace ticketly::order
