// Verifier: unknown kids, key rotation without restart, provider outages, the periodic
// refresh, and the verified-token cache.
#include <thread>

#include "platform/auth/verifier.h"
#include "platform/metrics/registry.h"
#include "unit/platform/auth_test_support.h"

namespace ticketly::auth {
namespace {

using namespace testing;

// ---- keys: unknown kids, rotation, outages ------------------------------------------------

TEST_F(VerifierTest, RejectsUnknownKidAfterOneRateLimitedRefetch) {
  auto v = make();
  ASSERT_EQ(source->fetches(), 1);
  EXPECT_STREQ(refused(*v, rs256(claims(), "rsa2", rsa_key2())).what(), "token signing key is unknown");
  EXPECT_EQ(source->fetches(), 2);  // looked once more
  refused(*v, rs256(claims(), "rsa3", rsa_key2()));
  EXPECT_EQ(source->fetches(), 2);  // rate-limited: no fetch per forged kid
  clock.advance(11s);
  refused(*v, rs256(claims(), "rsa4", rsa_key2()));
  EXPECT_EQ(source->fetches(), 3);
}

TEST_F(VerifierTest, PicksUpRotatedKeyWithoutRestart) {
  source->set(jwks({rsa_jwk()}));
  auto v = make();
  EXPECT_TRUE(verify(*v, rs256(claims())));

  source->set(jwks({rsa_jwk(), rsa2_jwk()}));  // the provider rotates
  auto p = verify(*v, rs256(claims(), "rsa2", rsa_key2()));
  EXPECT_EQ(p->subject, kUserId);
  EXPECT_EQ(source->fetches(), 2);  // exactly one refetch

  // Known kids never cause a fetch.
  json c = claims();
  c["jti"] = "fresh";
  EXPECT_TRUE(verify(*v, rs256(c, "rsa2", rsa_key2())));
  EXPECT_TRUE(verify(*v, rs256(c)));
  EXPECT_EQ(source->fetches(), 2);
}

TEST_F(VerifierTest, WithdrawnKeyStopsCachedTokensItSigned) {
  auto v = make();
  const std::string old_token = rs256(claims());
  EXPECT_TRUE(verify(*v, old_token));
  source->set(jwks({rsa2_jwk()}));
  run(v->refresh_keys());
  EXPECT_EQ(v->cached_tokens(), 0u);
  refused(*v, old_token);
  EXPECT_TRUE(verify(*v, rs256(claims(), "rsa2", rsa_key2())));
}

// A kid that comes back naming other key material is a withdrawn key too.
TEST_F(VerifierTest, AKeyReplacedUnderItsKidStopsCachedTokensItSigned) {
  auto v = make();
  const std::string old_token = rs256(claims());  // kid rsa1, first key
  EXPECT_TRUE(verify(*v, old_token));
  source->set(jwks({rsa2_jwk("rsa1"), ec_jwk()}));  // rsa1 is now the second key
  run(v->refresh_keys());
  EXPECT_EQ(v->cached_tokens(), 0u);
  refused(*v, old_token);
  EXPECT_TRUE(verify(*v, rs256(claims(), "rsa1", rsa_key2())));
  // A refresh that changes nothing keeps the cache.
  run(v->refresh_keys());
  EXPECT_EQ(v->cached_tokens(), 1u);
}

TEST_F(VerifierTest, KeepsCurrentKeysWhenARefreshFails) {
  auto v = make();
  source->fail(true);
  EXPECT_THROW(run(v->refresh_keys()), std::runtime_error);
  source->fail(false);
  source->set("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}");  // nothing usable
  EXPECT_THROW(run(v->refresh_keys()), std::runtime_error);
  source->set("<html>");
  EXPECT_THROW(run(v->refresh_keys()), std::runtime_error);
  EXPECT_TRUE(verify(*v, rs256(claims())));
}

TEST_F(VerifierTest, AnswersServiceUnavailableWhenNoKeysCouldEverBeLoaded) {
  source->fail(true);
  auto v = std::make_unique<Verifier>(options(), source, clock.fn());
  Error e = error_of(*this, v->verify(rs256(claims())));
  EXPECT_EQ(e.status(), 503);
  EXPECT_EQ(header_value(e, "Retry-After"), "5");

  source->fail(false);
  clock.advance(11s);  // past the unknown-kid rate limit: the next token loads the keys
  EXPECT_TRUE(verify(*v, rs256(claims())));
}

TEST_F(VerifierTest, PeriodicRefreshRunsOnWorkerZeroAndStops) {
  VerifierOptions o = options();
  o.refresh_interval = 1s;
  auto v = std::make_unique<Verifier>(o, source, clock.fn());
  v->start(pool_);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (source->fetches() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_GE(source->fetches(), 2);
  EXPECT_TRUE(verify(*v, rs256(claims())));
  v->stop();
  std::this_thread::sleep_for(50ms);
  const int after_stop = source->fetches();
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(source->fetches(), after_stop);
}

// ---- the verified-token cache ---------------------------------------------------------------

TEST_F(VerifierTest, SecondVerifyOfSameTokenIsACacheHit) {
  metrics::Registry registry;
  VerifierOptions o = options();
  o.metrics = &registry;
  auto v = make(o);
  const std::string token = rs256(claims());
  auto first = verify(*v, token);
  auto second = verify(*v, token);
  EXPECT_EQ(first.get(), second.get());  // the same Principal object: nothing was re-checked
  const std::string text = registry.render();
  EXPECT_NE(text.find("auth_token_cache_hits_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("auth_token_verifications_total{result=\"valid\"} 2"), std::string::npos) << text;

  // A cache hit does not even parse: swapping the keys under it (same kids) changes nothing.
  source->set(jwks({rsa_jwk(), ec_jwk()}));
  EXPECT_EQ(verify(*v, token).get(), first.get());
}

TEST_F(VerifierTest, CachedTokenIsRejectedOnceExpired) {
  auto v = make();
  const std::string token = rs256(claims());
  EXPECT_TRUE(verify(*v, token));
  clock.advance(300s + 29s);
  EXPECT_TRUE(verify(*v, token));  // within the leeway, as a fresh check would say
  clock.advance(2s);
  EXPECT_STREQ(refused(*v, token).what(), "token has expired");
}

TEST_F(VerifierTest, CacheStaysBounded) {
  VerifierOptions o = options();
  o.cache_capacity = 32;
  auto v = make(o);
  for (int i = 0; i < 200; ++i) {
    json c = claims();
    c["jti"] = i;
    EXPECT_TRUE(verify(*v, rs256(c)));
  }
  EXPECT_LE(v->cached_tokens(), 32u);
  EXPECT_GT(v->cached_tokens(), 0u);
}

TEST_F(VerifierTest, CountsRefusalsByResult) {
  metrics::Registry registry;
  VerifierOptions o = options();
  o.metrics = &registry;
  auto v = make(o);
  json c = claims();
  c["exp"] = clock.seconds() - 100;
  refused(*v, rs256(c));
  refused(*v, "garbage");
  const std::string text = registry.render();
  EXPECT_NE(text.find("auth_token_verifications_total{result=\"expired\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("auth_token_verifications_total{result=\"malformed\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("auth_jwks_refreshes_total{result=\"ok\"} 1"), std::string::npos) << text;
}

TEST_F(VerifierTest, VerifiesConcurrentlyOnAllWorkers) {
  auto v = make();
  std::vector<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    json c = claims();
    c["jti"] = i;
    tokens.push_back(i % 2 ? rs256(c) : sign_jwt(ec_key(), "ES256", "ec1", c));
  }
  auto many = [](Verifier& verifier, const std::vector<std::string>& list) -> boost::asio::awaitable<int> {
    int ok = 0;
    for (int round = 0; round < 10; ++round) {
      for (const auto& t : list) ok += (co_await verifier.verify(t)) ? 1 : 0;
    }
    co_return ok;
  };
  auto f0 = boost::asio::co_spawn(pool_.context(0), many(*v, tokens), boost::asio::use_future);
  auto f1 = boost::asio::co_spawn(pool_.context(1), many(*v, tokens), boost::asio::use_future);
  EXPECT_EQ(f0.get(), 200);
  EXPECT_EQ(f1.get(), 200);
}

}  // namespace
}  // namespace ticketly::auth
