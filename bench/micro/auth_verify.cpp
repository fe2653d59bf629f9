// Bearer-token verification cost: a full check (signature every time) and a cache hit.
//
//   BM_VerifyCold       RS256, 2048-bit key: parse + RSA signature + claims, cache off
//   BM_VerifyColdES256  the same with ES256 (P-256)
//   BM_VerifyWarm       a token already verified: SHA-256 of the token + one sharded lookup
//   BM_BaselineRs256    the baseline of the same run: one bare OpenSSL RSA-2048 signature
//                       check (crypto::verify_rs256) over the same token's signing input
//
// Each benchmark runs its loop inside one coroutine, as a request handler would
// co_await verify(); "cache off" is VerifierOptions::cache_capacity = 0, so the same
// token is checked in full on every iteration.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "platform/auth/jwt.h"
#include "platform/auth/key_source.h"
#include "platform/auth/verifier.h"
#include "platform/crypto/crypto.h"

namespace {

namespace asio = boost::asio;
using namespace ticketly;

constexpr const char* kIssuer = "http://localhost:8088/realms/event-ticketing";

struct Setup {
  crypto::Pkey key;
  std::string token;
  std::unique_ptr<auth::Verifier> verifier;

  Setup(const char* alg, std::size_t cache_capacity) {
    const bool rsa = std::string_view(alg) == "RS256";
    key = rsa ? crypto::generate_rsa_key(2048) : crypto::generate_ec_p256_key();
    const std::string jwks = "{\"keys\":[" + crypto::public_jwk_json(key.get(), "k1", alg) + "]}";
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const nlohmann::json claims = {
        {"exp", now + 3600},
        {"iat", now},
        {"iss", kIssuer},
        {"sub", "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"},
        {"typ", "Bearer"},
        {"azp", "web-frontend"},
        {"sid", "0d9f1e52-7c1b-4d0e-9a55-2b8f3c4d5e6f"},
        {"scope", "openid profile email"},
        {"realm_access", {{"roles", {"default-roles-event-ticketing", "offline_access", "uma_authorization"}}}},
        {"user_groups", {"/Tiers/PRO"}},
        {"email", "user1@example.com"},
        {"name", "User One"},
        {"preferred_username", "user1"}};
    token = auth::sign_jwt(key.get(), alg, "k1", claims);
    auth::VerifierOptions options;
    options.issuer = kIssuer;
    options.cache_capacity = cache_capacity;
    verifier =
        std::make_unique<auth::Verifier>(options, std::make_shared<auth::StaticKeySource>([jwks] { return jwks; }));
  }
};

// Runs `body` as a coroutine on a fresh io_context until it finishes, rethrowing its error.
template <class Body>
void run(Body& body) {
  asio::io_context io(1);
  std::exception_ptr error;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

void verify_loop(benchmark::State& state, Setup& s) {
  auto body = [&]() -> asio::awaitable<void> {
    co_await s.verifier->refresh_keys();
    for (auto _ : state) {
      auto principal = co_await s.verifier->verify(s.token);
      benchmark::DoNotOptimize(principal);
    }
  };
  run(body);
  state.SetItemsProcessed(state.iterations());
}

void BM_BaselineRs256(benchmark::State& state) {
  Setup s("RS256", 0);
  auto dot = s.token.rfind('.');
  const std::string input = s.token.substr(0, dot);
  const std::string signature = *crypto::base64url_decode(s.token.substr(dot + 1));
  for (auto _ : state) benchmark::DoNotOptimize(crypto::verify_rs256(s.key.get(), input, signature));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineRs256);

void BM_VerifyCold(benchmark::State& state) {
  Setup s("RS256", 0);
  verify_loop(state, s);
}
BENCHMARK(BM_VerifyCold);

void BM_VerifyColdES256(benchmark::State& state) {
  Setup s("ES256", 0);
  verify_loop(state, s);
}
BENCHMARK(BM_VerifyColdES256);

// One verifier shared by every benchmark thread, as the workers of a server share it.
Setup& warm_setup() {
  static Setup s("RS256", 100000);
  return s;
}

void BM_VerifyWarm(benchmark::State& state) {
  Setup& s = warm_setup();
  verify_loop(state, s);
}
BENCHMARK(BM_VerifyWarm)->ThreadRange(1, 4)->UseRealTime();

}  // namespace
