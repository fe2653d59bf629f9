#pragma once
// Verifier: turns a bearer token into a Principal, or refuses it with a 401.
//
// Checks, in order: size and shape (jwt.h), the cache, the signing key, the signature,
// then the claims — `exp` required (with leeway), `nbf` and `iat` when present (iat not
// in the future beyond the leeway), `iss` exactly the configured issuer, `aud` when an
// audience is configured, a `typ` claim when present must be "Bearer" or "JWT" (Keycloak
// ID tokens say "ID" and are no access tokens), and a non-empty `sub`.
//
// Key selection: the token's `kid` names the key. A token without `kid` is accepted only
// while the key set holds exactly one key — with several, guessing would mean trying
// keys until one fits. The key's type must match `alg` (RSA ↔ RS256, EC P-256 ↔ ES256).
//
// Keys rotate without a restart: start() refreshes them every `refresh_interval`, and a
// token with an unknown kid triggers one extra fetch — at most once per
// `unknown_kid_min_interval` for the whole process — after which the key is looked up
// once more. Tokens arriving while that fetch runs wait for it instead of failing.
// If a refresh drops a key, cached tokens are forgotten so tokens it signed stop working.
//
// Thread-safety: verify() may run on every worker at once. The key set is an immutable
// object swapped behind a mutex held only to copy the pointer; the token cache is sharded.
//
// Every refusal is ticketly::Error(401) with `WWW-Authenticate: Bearer realm="ticketly",
// error="invalid_token", error_description="…"`; neither messages nor logs ever contain
// the token. Only when no key set could be loaded at all is it a 503 (the provider is
// down, the token may be fine).
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/auth/key_source.h"
#include "platform/auth/principal.h"
#include "platform/errors.h"
#include "platform/types/time.h"

namespace ticketly::metrics {
class Registry;
}
namespace ticketly::runtime {
class IoPool;
}

namespace ticketly::auth {

struct VerifierOptions {
  std::string issuer;  // exact `iss`, e.g. http://localhost:8088/realms/event-ticketing
  std::vector<std::string> algorithms{"RS256", "ES256"};
  std::chrono::seconds leeway{30};           // clock skew allowed on exp, nbf and iat
  std::optional<std::string> audience;       // required in `aud` when set (Keycloak service tokens carry none)
  std::vector<std::string> service_clients;  // client ids whose service accounts are trusted services
  std::chrono::seconds refresh_interval{600};
  std::chrono::seconds unknown_kid_min_interval{10};
  std::size_t cache_capacity = 100000;  // verified tokens kept; 0 disables the cache
  // Optional: auth_token_verifications_total{result}, auth_token_cache_hits_total,
  // auth_jwks_refreshes_total{result}.
  metrics::Registry* metrics = nullptr;
};

// The 401 every refusal uses; `description` must not contain the token.
Error invalid_token_error(std::string_view description);

class Verifier {
 public:
  // `now` defaults to the system clock. Throws std::invalid_argument for an empty issuer,
  // no algorithms, an algorithm other than RS256/ES256, or a refresh_interval ≤ 0.
  Verifier(VerifierOptions options, std::shared_ptr<KeySource> source, std::function<Timestamp()> now = {});
  ~Verifier();  // stop()s
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Fetches and installs the JWKS now. Throws when the fetch fails or the document holds
  // no usable key; the current keys stay in place then.
  boost::asio::awaitable<void> refresh_keys();

  // The principal of a valid access token; `token` must stay alive until this completes.
  boost::asio::awaitable<std::shared_ptr<const Principal>> verify(std::string_view token);

  // Refreshes the keys at once and then every refresh_interval (after a failure, within
  // 30 s), on worker 0 of `io`. Failures are logged. Call once.
  void start(runtime::IoPool& io);
  // Ends the refresh loop (asynchronously, on worker 0). Idempotent.
  void stop();

  const VerifierOptions& options() const;
  std::size_t cached_tokens() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the refresh loop, which may outlive a stop()
};

}  // namespace ticketly::auth
