#include "support/fake_stripe.h"

#include "platform/http/request.h"
#include "platform/http/response.h"
#include "platform/json/json.h"

namespace ticketly::testing {

FakeStripe::FakeStripe()
    : server_([this](http::Router& r) {
        r.post("/v1/payment_intents", [this](http::Request& req) { return answer(req, "pi_" + next_id(), false); });
        r.post("/v1/refunds", [this](http::Request& req) { return answer(req, "re_" + next_id(), true); });
        r.get("/v1/refunds/{id}", [this](http::Request& req) { return answer(req, req.params.get("id"), true); });
        r.get("/v1/refunds", [this](http::Request& req) { return list_refunds(req); });
      }) {}

std::string FakeStripe::next_id() { return std::to_string(++ids_); }

std::vector<FakeStripe::Call> FakeStripe::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

void FakeStripe::set_refuse_code(std::string code) {
  std::lock_guard lock(mu_);
  refuse_code_ = std::move(code);
}

void FakeStripe::set_refund_status(std::string status) {
  std::lock_guard lock(mu_);
  refund_status_ = std::move(status);
}

std::string FakeStripe::record(http::Request& req) {
  std::lock_guard lock(mu_);
  calls_.push_back(Call{std::string(req.path), req.body(), std::string(req.header("Authorization")),
                        std::string(req.header("Idempotency-Key"))});
  return refund_status_;
}

boost::asio::awaitable<http::Response> FakeStripe::list_refunds(http::Request& req) {
  const std::string status = record(req);
  const std::string intent(req.query.get("payment_intent").value_or(std::string_view()));
  json::Json refund = {{"id", "re_of_" + intent}, {"payment_intent", intent}, {"status", status}};
  co_return http::Response::json(200, {{"object", "list"}, {"data", json::Json::array({refund})}});
}

boost::asio::awaitable<http::Response> FakeStripe::answer(http::Request& req, std::string id, bool refund) {
  const std::string refund_status = record(req);
  std::string code, status = refund ? refund_status : "succeeded";
  {
    std::lock_guard lock(mu_);
    code = refuse_code_;
  }
  if (refuse && req.method() == http::Verb::post) {
    co_return http::Response::json(
        402, {{"error", {{"type", "card_error"}, {"code", code}, {"message", "Your card was declined."}}}});
  }
  json::Json body = {{"id", id}, {"client_secret", id + "_secret_x"}, {"status", status}};
  if (status == "failed") body["failure_reason"] = "expired_or_canceled_card";
  co_return http::Response::json(200, body);
}

}  // namespace ticketly::testing
