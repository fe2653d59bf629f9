#pragma once
// One running app per test suite (starting one costs databases and migrations); each
// test makes its own event, so tests do not see each other's seats.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "services/order/payments/webhook_signature.h"
#include "support/bus_test_support.h"
#include "support/order_support.h"

namespace ticketly::testing {

template <class Env>
class OrderSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() { app_ = std::make_unique<OrderTestApp>(Env::env()); }
  static void TearDownTestSuite() { app_.reset(); }
  static OrderTestApp& app() { return *app_; }

  // An approved, on-sale event of a new owner, published and applied.
  struct Setup {
    CreatedUser owner;
    TestEvent event;
  };
  static Setup published_event(int seats) {
    Setup s{app().new_user("owner"), {}};
    s.event = TestEvent::make(s.owner.id, seats);
    app().publish_event(s.event);
    return s;
  }
  static std::string seat_state(const TestEvent& e, const std::string& seat) {
    return app().scalar("SELECT state FROM seats WHERE session_id = '" + e.session_id + "' AND seat_id = '" + seat + "'");
  }
  static std::string order_status(const std::string& order_id) {
    return app().scalar("SELECT status FROM orders WHERE id = '" + order_id + "'");
  }
  // Whether a message on `topic` with `key` whose payload contains every fragment reaches
  // the bus (the outbox relay moves it there after commit) within a few seconds.
  static bool published(const std::string& topic, const std::string& key, const std::vector<std::string>& fragments) {
    std::string sql = "SELECT count(*) FROM bus_messages WHERE topic = '" + topic + "' AND key = '" + key + "'";
    // The log stores the payload as jsonb prints it ("a": 1): compare without blanks.
    for (const auto& f : fragments) sql += " AND strpos(replace(payload, ' ', ''), '" + f + "') > 0";
    return wait_until([&] { return app().bus_scalar(sql) != "0"; }, std::chrono::seconds(10));
  }
  // Runs `n` calls of `f(i)` on threads started together; returns their results.
  template <class F>
  static std::vector<HttpResult> concurrently(int n, F f) {
    std::vector<HttpResult> results(n);
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        results[i] = f(i);
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    return results;
  }

 private:
  static inline std::unique_ptr<OrderTestApp> app_;
};

// The QR signing key of the test apps (kid "t1", 32 bytes), so tests can sign payloads
// the way the service does — and forge them with another key.
inline constexpr const char* kQrKeys = "t1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

struct DefaultEnv {
  static std::map<std::string, std::string> env() {
    return {{"STRIPE_WEBHOOK_SECRET", "whsec_test_secret"}, {"TICKETLY_QR_KEYS", kQrKeys}};
  }
};
// Holds that expire within the test.
struct ShortHoldEnv {
  static std::map<std::string, std::string> env() {
    return {{"STRIPE_WEBHOOK_SECRET", "whsec_test_secret"}, {"TICKETLY_HOLD_DURATION", "2s"}};
  }
};

inline constexpr const char* kWebhookSecret = "whsec_test_secret";

inline std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

// A Stripe event about a PaymentIntent of `order_id` (amount in minor units, LKR).
inline std::string stripe_event(const std::string& event_id, const std::string& type, const std::string& intent,
                                const std::string& order_id, std::int64_t amount) {
  json::Json e = {{"id", event_id},
                  {"object", "event"},
                  {"type", type},
                  {"data",
                   {{"object",
                     {{"id", intent},
                      {"object", "payment_intent"},
                      {"amount", amount},
                      {"amount_received", type == "payment_intent.succeeded" ? amount : 0},
                      {"currency", "lkr"},
                      {"metadata", {{"order_id", order_id}}}}}}}};
  return e.dump();
}

// POSTs `body` to the webhook endpoint, signed with `secret` at `at` as Stripe signs.
inline HttpResult deliver_webhook(std::uint16_t port, const std::string& body, const std::string& secret = kWebhookSecret,
                                  std::int64_t at = now_seconds()) {
  return http_request(port, "POST", "/api/order/webhook/stripe", body,
                      {{"Content-Type", "application/json"},
                       {"Stripe-Signature", order::stripe_signature_header(secret, body, at)}});
}

}  // namespace ticketly::testing
