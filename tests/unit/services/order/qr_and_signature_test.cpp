#include <gtest/gtest.h>

#include "platform/crypto/crypto.h"
#include "services/order/domain/qr.h"
#include "services/order/payments/webhook_signature.h"
#include "services/order/tickets/qr_png.h"

namespace ticketly::order {
namespace {

using namespace std::chrono_literals;

std::string key(char c) { return crypto::base64_encode(std::string(32, c)); }

TEST(OrderQr, SignedPayloadVerifiesAndCarriesTicketSessionAndIssueTime) {
  auto ring = QrKeyRing::parse("k1:" + key('a'));
  const Uuid ticket = Uuid::random(), session = Uuid::random();
  const Timestamp issued = std::chrono::floor<std::chrono::seconds>(Clock::now());
  const std::string text = ring.sign(ticket, session, issued);
  EXPECT_LT(text.size(), 120u);
  auto p = ring.verify(text);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ticket_id, ticket);
  EXPECT_EQ(p->session_id, session);
  EXPECT_EQ(p->issued_at, issued);
  EXPECT_EQ(p->kid, "k1");
}

TEST(OrderQr, RejectsAlteredOrForeignPayloads) {
  auto ring = QrKeyRing::parse("k1:" + key('a'));
  auto other = QrKeyRing::parse("k1:" + key('b'));
  const std::string text = ring.sign(Uuid::random(), Uuid::random(), Clock::now());
  EXPECT_FALSE(other.verify(text));  // same kid, different secret
  std::string altered = text;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ring.verify(altered));
  EXPECT_FALSE(ring.verify(""));
  EXPECT_FALSE(ring.verify("T1.k1.abc"));
  EXPECT_FALSE(ring.verify(text + "x"));
}

TEST(OrderQr, RotatedKeysStillVerifyOldTickets) {
  auto old_ring = QrKeyRing::parse("k1:" + key('a'));
  auto rotated = QrKeyRing::parse("k2:" + key('c') + ",k1:" + key('a'));
  const std::string old_ticket = old_ring.sign(Uuid::random(), Uuid::random(), Clock::now());
  EXPECT_TRUE(rotated.verify(old_ticket));
  EXPECT_EQ(rotated.signing_kid(), "k2");
  EXPECT_EQ(rotated.verify(rotated.sign(Uuid::random(), Uuid::random(), Clock::now()))->kid, "k2");
}

TEST(OrderQr, KeySpecProblemsAreReported) {
  EXPECT_THROW(QrKeyRing::parse(""), std::invalid_argument);
  EXPECT_THROW(QrKeyRing::parse("k1"), std::invalid_argument);
  EXPECT_THROW(QrKeyRing::parse("k1:" + crypto::base64_encode("short")), std::invalid_argument);
  EXPECT_THROW(QrKeyRing::parse("bad kid:" + key('a')), std::invalid_argument);
}

TEST(OrderQr, PngIsAValidPngImage) {
  const std::string png = tickets::qr_png("T1.k1.payload.mac");
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const std::string b64 = tickets::qr_png_base64("T1.k1.payload.mac");
  EXPECT_EQ(b64.substr(0, 8), "iVBORw0K");
}

TEST(OrderWebhookSignature, ValidSignatureWithinTolerance) {
  const auto now = Clock::now();
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string body = R"({"id":"evt_1"})";
  const auto header = stripe_signature_header("whsec_x", body, t);
  EXPECT_EQ(verify_stripe_signature(header, body, "whsec_x", now), SignatureCheck::Valid);
  // Stripe sends several v1 entries while a secret rotates: any one may match.
  EXPECT_EQ(verify_stripe_signature("t=" + std::to_string(t) + ",v1=00ff," + header.substr(header.find("v1=")), body,
                                    "whsec_x", now),
            SignatureCheck::Valid);
}

TEST(OrderWebhookSignature, RejectsForgedAlteredOldAndMalformed) {
  const auto now = Clock::now();
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string body = R"({"id":"evt_1"})";
  const auto header = stripe_signature_header("whsec_x", body, t);
  EXPECT_EQ(verify_stripe_signature(header, body, "whsec_other", now), SignatureCheck::Mismatch);
  EXPECT_EQ(verify_stripe_signature(header, R"({"id":"evt_2"})", "whsec_x", now), SignatureCheck::Mismatch);
  const auto old = stripe_signature_header("whsec_x", body, t - 600);
  EXPECT_EQ(verify_stripe_signature(old, body, "whsec_x", now), SignatureCheck::OutsideTolerance);
  // A timestamp from the future is as suspect as a stale one (a replay pre-signed ahead).
  const auto future = stripe_signature_header("whsec_x", body, t + 600);
  EXPECT_EQ(verify_stripe_signature(future, body, "whsec_x", now), SignatureCheck::OutsideTolerance);
  // Inside the default 300 s tolerance on either side: a clock skew, accepted.
  EXPECT_EQ(verify_stripe_signature(stripe_signature_header("whsec_x", body, t + 60), body, "whsec_x", now),
            SignatureCheck::Valid);
  EXPECT_EQ(verify_stripe_signature(stripe_signature_header("whsec_x", body, t - 60), body, "whsec_x", now),
            SignatureCheck::Valid);
  EXPECT_EQ(verify_stripe_signature("", body, "whsec_x", now), SignatureCheck::Malformed);
  EXPECT_EQ(verify_stripe_signature("t=abc,v1=00", body, "whsec_x", now), SignatureCheck::Malformed);
  EXPECT_EQ(verify_stripe_signature("v1=00", body, "whsec_x", now), SignatureCheck::Malformed);
}

}  // namespace
}  // namespace ticketly::order
