#include "platform/auth/verifier.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "platform/auth/jwt.h"
#include "platform/auth/key_set.h"
#include "platform/auth/token_cache.h"
#include "platform/metrics/registry.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::auth {

namespace asio = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The `result` label of auth_token_verifications_total.
enum class Outcome { valid, malformed, bad_signature, unknown_key, expired, not_yet_valid, bad_claims, unavailable };
constexpr std::array<const char*, 8> kOutcomeNames = {"valid",   "malformed",     "bad_signature", "unknown_key",
                                                      "expired", "not_yet_valid", "bad_claims",    "unavailable"};

// A refusal with its metric label; the message is the client-facing description.
class Rejected : public InvalidToken {
 public:
  Rejected(Outcome outcome, const char* message) : InvalidToken(message), outcome_(outcome) {}
  Outcome outcome() const { return outcome_; }

 private:
  Outcome outcome_;
};

// Longest time a token with an unknown kid waits for a key fetch another request started.
constexpr auto kMaxWaitForFetch = 15s;
constexpr auto kFetchPollInterval = 10ms;
// After a failed periodic refresh, try again sooner than refresh_interval.
constexpr std::chrono::seconds kRetryAfterFailure{30};

std::optional<Timestamp> time_claim(const json& claims, const char* name, Outcome outcome_if_malformed) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  auto t = numeric_date(*it);
  if (!t) throw Rejected(outcome_if_malformed, "token has a malformed time claim");
  return t;
}

bool audience_matches(const json& claims, const std::string& audience) {
  auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return aud->get_ref<const std::string&>() == audience;
  if (aud->is_array()) {
    return std::any_of(aud->begin(), aud->end(),
                       [&](const json& a) { return a.is_string() && a.get_ref<const std::string&>() == audience; });
  }
  return false;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

Error invalid_token_error(std::string_view description) {
  // A quoted-string in a header: no quotes, backslashes or control characters.
  std::string safe(description);
  for (char& c : safe) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return Error(401, std::string(description))
      .with_header("WWW-Authenticate",
                   "Bearer realm=\"ticketly\", error=\"invalid_token\", error_description=\"" + safe + "\"");
}

struct Verifier::Impl {
  Impl(VerifierOptions o, std::shared_ptr<KeySource> s, std::function<Timestamp()> n)
      : options(std::move(o)), source(std::move(s)), now(std::move(n)), cache(options.cache_capacity) {}

  asio::awaitable<std::shared_ptr<const Principal>> verify(std::string_view token);
  asio::awaitable<std::shared_ptr<const Principal>> verify_checked(std::string_view token);
  asio::awaitable<std::shared_ptr<const KeySet>> keys_after_unknown_kid(std::shared_ptr<const KeySet> seen);
  asio::awaitable<void> refresh_keys();
  static asio::awaitable<void> refresh_loop(std::shared_ptr<Impl> self);

  const SigningKey* select_key(const KeySet* keys, const Jwt& jwt) const;
  Timestamp check_claims(const json& claims, Timestamp at) const;  // returns exp + leeway
  void install(std::shared_ptr<const KeySet> set);
  std::shared_ptr<const KeySet> current_keys() const {
    std::lock_guard lock(keys_mu);
    return keys;
  }
  void count(Outcome o) const {
    if (auto* c = by_outcome[static_cast<std::size_t>(o)]) c->inc();
  }

  const VerifierOptions options;
  const std::shared_ptr<KeySource> source;
  const std::function<Timestamp()> now;
  TokenCache cache;

  // Guarded by keys_mu, which is never held across an await.
  mutable std::mutex keys_mu;
  std::shared_ptr<const KeySet> keys;  // null until the first successful fetch
  std::optional<Timestamp> last_unknown_kid_fetch;
  bool unknown_kid_fetch_running = false;

  std::array<metrics::Counter*, kOutcomeNames.size()> by_outcome{};
  metrics::Counter* cache_hits = nullptr;
  metrics::Counter* refreshes_ok = nullptr;
  metrics::Counter* refreshes_failed = nullptr;

  // The refresh loop. loop_timer is only touched on the loop's worker.
  std::atomic<bool> stopping{false};
  std::atomic<bool> loop_running{false};
  std::optional<asio::io_context::executor_type> loop_executor;
  asio::steady_timer* loop_timer = nullptr;
};

asio::awaitable<std::shared_ptr<const Principal>> Verifier::Impl::verify(std::string_view token) {
  try {
    co_return co_await verify_checked(token);
  } catch (const Rejected& r) {
    count(r.outcome());
    spdlog::debug("bearer token refused: {}", r.what());
    throw invalid_token_error(r.what());
  } catch (const InvalidToken& e) {
    count(Outcome::malformed);
    spdlog::debug("bearer token refused: {}", e.what());
    throw invalid_token_error(e.what());
  } catch (const Error&) {
    count(Outcome::unavailable);
    throw;
  }
}

asio::awaitable<std::shared_ptr<const Principal>> Verifier::Impl::verify_checked(std::string_view token) {
  // The size limit comes before hashing, so an absurd header costs nothing.
  if (token.size() > kMaxTokenSize) throw InvalidToken("token is too large");
  const TokenCache::Digest digest = TokenCache::digest(token);
  if (auto hit = cache.find(digest, now())) {
    if (cache_hits) cache_hits->inc();
    count(Outcome::valid);
    co_return hit;
  }

  const Jwt jwt = parse_jwt(token, options.algorithms);
  std::shared_ptr<const KeySet> set = current_keys();
  const SigningKey* key = select_key(set.get(), jwt);
  if (!key) {
    set = co_await keys_after_unknown_kid(std::move(set));
    key = select_key(set.get(), jwt);
    if (!key) {
      if (!set) {
        throw Error(503, "token signing keys are not available; try again shortly").with_header("Retry-After", "5");
      }
      throw Rejected(Outcome::unknown_key, "token signing key is unknown");
    }
  }
  if (!verify_signature(jwt, *key)) throw Rejected(Outcome::bad_signature, "token signature is invalid");

  const Timestamp at = now();
  const Timestamp valid_until = check_claims(jwt.claims, at);
  auto principal = std::make_shared<const Principal>(from_claims(jwt.claims, options));
  {
    std::lock_guard lock(keys_mu);  // see install(): keys replaced meanwhile may withdraw this one
    if (keys == set) cache.insert(digest, principal, valid_until, at);
  }
  count(Outcome::valid);
  co_return principal;
}

const SigningKey* Verifier::Impl::select_key(const KeySet* set, const Jwt& jwt) const {
  if (!set) return nullptr;
  const SigningKey* key = nullptr;
  if (jwt.kid) {
    key = set->find(*jwt.kid);
  } else if (set->size() == 1) {
    key = &set->keys().front();
  } else if (set->size() > 1) {
    throw Rejected(Outcome::unknown_key, "token has no kid but several signing keys are in use");
  }
  if (key && !key_accepts(*key, jwt.alg)) {
    throw Rejected(Outcome::bad_signature, "token algorithm does not match its signing key");
  }
  return key;
}

Timestamp Verifier::Impl::check_claims(const json& claims, Timestamp at) const {
  const auto leeway = options.leeway;
  auto exp = time_claim(claims, "exp", Outcome::bad_claims);
  if (!exp) throw Rejected(Outcome::bad_claims, "token has no expiry (exp)");
  if (at >= *exp + leeway) throw Rejected(Outcome::expired, "token has expired");
  if (auto nbf = time_claim(claims, "nbf", Outcome::bad_claims); nbf && at + leeway < *nbf) {
    throw Rejected(Outcome::not_yet_valid, "token is not valid yet");
  }
  if (auto iat = time_claim(claims, "iat", Outcome::bad_claims); iat && *iat > at + leeway) {
    throw Rejected(Outcome::not_yet_valid, "token was issued in the future");
  }
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get_ref<const std::string&>() != options.issuer) {
    throw Rejected(Outcome::bad_claims, "token issuer is not accepted");
  }
  if (options.audience && !audience_matches(claims, *options.audience)) {
    throw Rejected(Outcome::bad_claims, "token audience is not accepted");
  }
  if (auto typ = claims.find("typ"); typ != claims.end()) {
    // Keycloak access tokens say "Bearer"; ID tokens ("ID") and others are not for us.
    if (!typ->is_string() || (*typ != "Bearer" && *typ != "JWT")) {
      throw Rejected(Outcome::bad_claims, "token is not an access token");
    }
  }
  auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty()) {
    throw Rejected(Outcome::bad_claims, "token has no subject (sub)");
  }
  return *exp + leeway;
}

asio::awaitable<std::shared_ptr<const KeySet>> Verifier::Impl::keys_after_unknown_kid(
    std::shared_ptr<const KeySet> seen) {
  const auto wait_until = std::chrono::steady_clock::now() + kMaxWaitForFetch;
  for (;;) {
    enum class Next { answer, fetch, wait } next = Next::answer;
    std::shared_ptr<const KeySet> latest;
    {
      std::lock_guard lock(keys_mu);
      latest = keys;
      if (keys != seen) {
        next = Next::answer;  // the keys changed since the caller looked
      } else if (unknown_kid_fetch_running) {
        next = Next::wait;  // another request is fetching: its result will do
      } else if (const Timestamp at = now();
                 !last_unknown_kid_fetch || at - *last_unknown_kid_fetch >= options.unknown_kid_min_interval) {
        last_unknown_kid_fetch = at;
        unknown_kid_fetch_running = true;
        next = Next::fetch;
      }  // else rate-limited: answer with the keys we have
    }
    if (next == Next::fetch) break;
    if (next == Next::answer || std::chrono::steady_clock::now() >= wait_until) co_return latest;
    co_await sleep_for(kFetchPollInterval);
  }

  // Clears the flag however the fetch ends, also when the coroutine is destroyed mid-way.
  struct Running {
    Impl& impl;
    ~Running() {
      std::lock_guard lock(impl.keys_mu);
      impl.unknown_kid_fetch_running = false;
    }
  } running{*this};
  try {
    co_await refresh_keys();
  } catch (const std::exception& e) {
    spdlog::warn("fetching signing keys for an unknown kid failed: {}", e.what());
  }
  co_return current_keys();
}

asio::awaitable<void> Verifier::Impl::refresh_keys() {
  std::shared_ptr<const KeySet> set;
  try {
    const std::string text = co_await source->fetch_jwks();
    set = std::make_shared<const KeySet>(KeySet::parse(text));
    if (set->empty()) {
      throw std::runtime_error("JWKS holds no usable signing key" +
                               (set->skipped().empty() ? std::string() : " (" + set->skipped().front() + ")"));
    }
  } catch (const std::exception&) {
    if (refreshes_failed) refreshes_failed->inc();
    throw;
  }
  if (refreshes_ok) refreshes_ok->inc();
  install(std::move(set));
}

void Verifier::Impl::install(std::shared_ptr<const KeySet> set) {
  auto kids_of = [](const KeySet& s) {
    std::vector<std::string> kids;
    for (const auto& k : s.keys()) kids.push_back(k.kid);
    std::sort(kids.begin(), kids.end());
    return kids;
  };
  // A key is withdrawn when its kid is gone or now names other key material.
  auto withdrawn = [&set](const SigningKey& k) {
    const SigningKey* now = set->find(k.kid);
    return !now || EVP_PKEY_eq(now->key.get(), k.key.get()) != 1;
  };
  const std::vector<std::string> now_kids = kids_of(*set);
  bool changed = false;
  {
    // Under keys_mu: a verification that began with the old keys caches its result only
    // while they are still the current ones (verify_checked), so none outlives the clear.
    std::lock_guard lock(keys_mu);
    std::shared_ptr<const KeySet> old = std::exchange(keys, set);
    const bool dropped = old && std::any_of(old->keys().begin(), old->keys().end(), withdrawn);
    changed = !old || dropped || kids_of(*old) != now_kids;
    // A withdrawn key may have been compromised: tokens it signed must stop working now,
    // not when they expire.
    if (dropped) cache.clear();
  }
  if (!changed) return;
  std::string listed;
  for (const auto& kid : now_kids) listed += (listed.empty() ? "" : ", ") + (kid.empty() ? "<no kid>" : kid);
  spdlog::info("token signing keys loaded: {} usable ({})", now_kids.size(), listed);
  for (const auto& why : set->skipped()) spdlog::info("JWKS key skipped: {}", why);
}

asio::awaitable<void> Verifier::Impl::refresh_loop(std::shared_ptr<Impl> self) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  // Runs also when the io_context is destroyed with this coroutine suspended.
  struct Registered {
    Impl& impl;
    ~Registered() {
      impl.loop_timer = nullptr;
      impl.loop_running = false;
    }
  } registered{*self};
  self->loop_timer = &timer;

  while (!self->stopping) {
    bool ok = true;
    try {
      co_await self->refresh_keys();
    } catch (const std::exception& e) {
      ok = false;
      spdlog::warn("refreshing token signing keys failed: {}", e.what());
    }
    if (self->stopping) break;
    timer.expires_after(ok ? self->options.refresh_interval
                           : std::min<std::chrono::seconds>(self->options.refresh_interval, kRetryAfterFailure));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

Verifier::Verifier(VerifierOptions options, std::shared_ptr<KeySource> source, std::function<Timestamp()> now) {
  if (options.issuer.empty()) throw std::invalid_argument("Verifier: an issuer is required");
  if (options.algorithms.empty()) throw std::invalid_argument("Verifier: at least one algorithm is required");
  for (const auto& alg : options.algorithms) {
    if (!is_supported_algorithm(alg)) throw std::invalid_argument("Verifier: unsupported algorithm " + alg);
  }
  if (options.refresh_interval <= std::chrono::seconds::zero()) {
    throw std::invalid_argument("Verifier: refresh_interval must be positive");
  }
  if (!source) throw std::invalid_argument("Verifier: a key source is required");
  if (!now) now = [] { return Clock::now(); };
  impl_ = std::make_shared<Impl>(std::move(options), std::move(source), std::move(now));

  if (metrics::Registry* registry = impl_->options.metrics) {
    auto& verifications =
        registry->counter("auth_token_verifications_total", "Bearer token verifications by result", {"result"});
    for (std::size_t i = 0; i < kOutcomeNames.size(); ++i) {
      impl_->by_outcome[i] = &verifications.with({kOutcomeNames[i]});
    }
    impl_->cache_hits =
        &registry->counter("auth_token_cache_hits_total", "Bearer tokens answered from the verified-token cache")
             .with({});
    auto& refreshes = registry->counter("auth_jwks_refreshes_total", "JWKS fetches by result", {"result"});
    impl_->refreshes_ok = &refreshes.with({"ok"});
    impl_->refreshes_failed = &refreshes.with({"error"});
  }
}

Verifier::~Verifier() { stop(); }

asio::awaitable<void> Verifier::refresh_keys() { return impl_->refresh_keys(); }

asio::awaitable<std::shared_ptr<const Principal>> Verifier::verify(std::string_view token) {
  return impl_->verify(token);
}

void Verifier::start(runtime::IoPool& io) {
  if (impl_->loop_running.load()) return;
  impl_->stopping = false;
  impl_->loop_executor = io.context(0).get_executor();
  impl_->loop_running.store(true);  // after loop_executor: stop() reads it once this is set
  asio::co_spawn(io.context(0), Impl::refresh_loop(impl_), asio::detached);
}

void Verifier::stop() {
  impl_->stopping = true;
  if (!impl_->loop_running.load()) return;
  auto cancel = [self = impl_] {
    if (self->loop_timer) self->loop_timer->cancel();
  };
  asio::post(*impl_->loop_executor, std::move(cancel));
}

const VerifierOptions& Verifier::options() const { return impl_->options; }

std::size_t Verifier::cached_tokens() const { return impl_->cache.size(); }

}  // namespace ticketly::auth
