#pragma once
// A local stand-in for Stripe's REST API (no network in tests): records every call and
// answers as Stripe does — PaymentIntents (pi_1, pi_2, …), refunds (re_3, …: one count for
// both; POST, GET by id, and the list of an intent's refunds) — or, while `refuse` is set,
// every POST with a card error (`refuse_code` as the error's code). Refunds answer with
// `refund_status`. The settings may be changed while a server uses it.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "support/test_server.h"

namespace ticketly::testing {

class FakeStripe {
 public:
  struct Call {
    std::string path;
    std::string form;
    std::string authorization;
    std::string idempotency_key;
  };

  FakeStripe();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<Call> calls() const;

  std::atomic<bool> refuse{false};
  void set_refuse_code(std::string code);
  void set_refund_status(std::string status);

 private:
  boost::asio::awaitable<http::Response> answer(http::Request& req, std::string id, bool refund);
  boost::asio::awaitable<http::Response> list_refunds(http::Request& req);
  std::string record(http::Request& req);  // returns the refund status to answer with
  std::string next_id();

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::string refuse_code_ = "card_declined";
  std::string refund_status_ = "succeeded";
  std::atomic<int> ids_{0};
  TestServer server_;
};

}  // namespace ticketly::testing
