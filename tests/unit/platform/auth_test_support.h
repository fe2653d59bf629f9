#pragma once
// Shared by the auth_*_test.cpp files: keys made at test time, Keycloak-shaped claims,
// a controllable clock, a key source that counts its fetches, and a way to run a
// coroutine on a real IoPool worker and wait for it.
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "platform/auth/jwt.h"
#include "platform/auth/key_source.h"
#include "platform/auth/principal.h"
#include "platform/auth/verifier.h"
#include "platform/crypto/crypto.h"
#include "platform/errors.h"
#include "platform/runtime/io_pool.h"
#include "platform/types/time.h"

namespace ticketly::auth::testing {

using nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kIssuer = "http://localhost:8088/realms/event-ticketing";
inline constexpr const char* kUserId = "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

// Key generation is slow (RSA especially): one of each per test binary.
inline EVP_PKEY* rsa_key() {
  static const crypto::Pkey key = crypto::generate_rsa_key(2048);
  return key.get();
}
inline EVP_PKEY* rsa_key2() {
  static const crypto::Pkey key = crypto::generate_rsa_key(2048);
  return key.get();
}
inline EVP_PKEY* ec_key() {
  static const crypto::Pkey key = crypto::generate_ec_p256_key();
  return key.get();
}

// {"keys":[…]} from JWK object texts.
inline std::string jwks(std::initializer_list<std::string> keys) {
  json doc = {{"keys", json::array()}};
  for (const auto& k : keys) doc["keys"].push_back(json::parse(k));
  return doc.dump();
}
inline std::string rsa_jwk(const char* kid = "rsa1") { return crypto::public_jwk_json(rsa_key(), kid, "RS256"); }
inline std::string rsa2_jwk(const char* kid = "rsa2") { return crypto::public_jwk_json(rsa_key2(), kid, "RS256"); }
inline std::string ec_jwk(const char* kid = "ec1") { return crypto::public_jwk_json(ec_key(), kid, "ES256"); }

// A fixed, settable "now" for the verifier (2026-03-01T12:00:00Z to start with).
class TestClock {
 public:
  TestClock() : seconds_(std::make_shared<std::atomic<long long>>(1772366400)) {}
  Timestamp now() const { return Timestamp(std::chrono::seconds(seconds_->load())); }
  long long seconds() const { return seconds_->load(); }
  void advance(std::chrono::seconds d) { seconds_->fetch_add(d.count()); }
  std::function<Timestamp()> fn() const {
    auto s = seconds_;
    return [s] { return Timestamp(std::chrono::seconds(s->load())); };
  }

 private:
  std::shared_ptr<std::atomic<long long>> seconds_;
};

// The claims of a Keycloak access token for a regular user, issued at `now`, valid 5 min.
inline json user_claims(long long now) {
  return {{"exp", now + 300},
          {"iat", now},
          {"jti", "c0ffee00-0000-4000-8000-000000000001"},
          {"iss", kIssuer},
          {"sub", kUserId},
          {"typ", "Bearer"},
          {"azp", "web-frontend"},
          {"sid", "session-1"},
          {"scope", "openid profile email"},
          {"realm_access", {{"roles", {"default-roles-event-ticketing", "offline_access"}}}},
          {"user_groups", {"/Tiers/PRO"}},
          {"email", "user1@example.com"},
          {"name", "User One"},
          {"preferred_username", "user1"}};
}

// A client-credentials token of the service client `client` with scope internal-api.
inline json service_claims(long long now, const std::string& client = "order-service") {
  return {{"exp", now + 300},
          {"iat", now},
          {"iss", kIssuer},
          {"sub", "0b7e5a1c-2d3e-4f50-9a8b-7c6d5e4f3a2b"},
          {"typ", "Bearer"},
          {"azp", client},
          {"client_id", client},
          {"scope", "internal-api profile email"},
          {"realm_access", {{"roles", {"default-roles-event-ticketing"}}}},
          {"preferred_username", "service-account-" + client}};
}

// A token assembled by hand: header and claims as given, signature bytes as given.
inline std::string raw_token(const json& header, const json& claims, std::string_view signature) {
  return crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims.dump()) + "." +
         crypto::base64url_encode(signature);
}

// Serves whatever JWKS it is told to, counting fetches; can be told to fail.
class CountingKeySource final : public KeySource {
 public:
  explicit CountingKeySource(std::string jwks) : jwks_(std::move(jwks)) {}
  boost::asio::awaitable<std::string> fetch_jwks() override {
    ++fetches_;
    std::string text;
    {
      std::lock_guard lock(mu_);
      if (failing_) throw std::runtime_error("identity provider unavailable");
      text = jwks_;
    }
    co_return text;
  }
  void set(std::string jwks) {
    std::lock_guard lock(mu_);
    jwks_ = std::move(jwks);
  }
  void fail(bool failing) {
    std::lock_guard lock(mu_);
    failing_ = failing;
  }
  int fetches() const { return fetches_.load(); }

 private:
  std::mutex mu_;
  std::string jwks_;
  bool failing_ = false;
  std::atomic<int> fetches_{0};
};

// A real two-worker IoPool per test: coroutines run where they would in the server.
class PoolFixture : public ::testing::Test {
 protected:
  PoolFixture() : pool_(2) { pool_.start(); }
  ~PoolFixture() override {
    pool_.stop();
    pool_.join();
  }

 public:
  // Runs `task` on worker `worker` and waits (at most 20 s) for its result or exception.
  template <class T>
  T run(boost::asio::awaitable<T> task, std::size_t worker = 0) {
    auto future = boost::asio::co_spawn(pool_.context(worker), std::move(task), boost::asio::use_future);
    if (future.wait_for(20s) != std::future_status::ready) throw std::runtime_error("task did not finish");
    return future.get();
  }

 protected:
  runtime::IoPool pool_;
};

// The ticketly::Error a task ends with; fails the test when it succeeds or throws another type.
template <class Fixture, class T>
Error error_of(Fixture& f, boost::asio::awaitable<T> task) {
  try {
    f.run(std::move(task));
    ADD_FAILURE() << "expected a ticketly::Error";
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected a ticketly::Error, got: " << e.what();
  }
  return Error(0, "none");
}

inline std::string header_value(const Error& e, std::string_view name) {
  for (const auto& [k, v] : e.headers()) {
    if (k == name) return v;
  }
  return {};
}

// A verifier over a CountingKeySource (keys rsa1 and ec1) and a TestClock.
class VerifierTest : public PoolFixture {
 protected:
  VerifierOptions options() const {
    VerifierOptions o;
    o.issuer = kIssuer;
    o.service_clients = {"order-service"};
    return o;
  }

  // A verifier with its keys loaded, as after start-up.
  std::unique_ptr<Verifier> make(VerifierOptions o) {
    auto v = std::make_unique<Verifier>(std::move(o), source, clock.fn());
    run(v->refresh_keys());
    return v;
  }
  std::unique_ptr<Verifier> make() { return make(options()); }

  std::shared_ptr<const Principal> verify(Verifier& v, const std::string& token) { return run(v.verify(token)); }

  // The error for a refused token; checks the 401 and its WWW-Authenticate challenge.
  Error refused(Verifier& v, const std::string& token) {
    Error e = error_of(*this, v.verify(token));
    EXPECT_EQ(e.status(), 401) << e.what();
    const std::string challenge = header_value(e, "WWW-Authenticate");
    EXPECT_TRUE(challenge.starts_with("Bearer realm=\"ticketly\", error=\"invalid_token\", error_description=\""))
        << challenge;
    // Never echo the token, or any recognisable part of it.
    if (token.size() > 20) {
      EXPECT_EQ(std::string(e.what()).find(token.substr(0, 20)), std::string::npos);
      EXPECT_EQ(challenge.find(token.substr(0, 20)), std::string::npos);
    }
    return e;
  }

  std::string rs256(const json& claims, const char* kid = "rsa1", EVP_PKEY* key = rsa_key()) {
    return sign_jwt(key, "RS256", kid, claims);
  }
  json claims() const { return user_claims(clock.seconds()); }

  TestClock clock;
  std::shared_ptr<CountingKeySource> source = std::make_shared<CountingKeySource>(jwks({rsa_jwk(), ec_jwk()}));
};

}  // namespace ticketly::auth::testing
