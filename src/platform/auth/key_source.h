#pragma once
// KeySource: where the verifier gets the identity provider's JWKS document.
//
// The seam between token verification and the network: production discovers the
// JWKS over HTTPS (HttpKeySource); the in-process development identity provider and
// the tests hand it over directly (StaticKeySource).
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/http/client.h"

namespace ticketly::runtime {
class IoPool;
}

namespace ticketly::auth {

class KeySource {
 public:
  virtual ~KeySource() = default;
  // The JWKS text. Throws on any failure (the verifier keeps its current keys).
  // May be called from any worker, concurrently.
  virtual boost::asio::awaitable<std::string> fetch_jwks() = 0;
};

// Calls `jwks` (synchronously, on the caller's thread) for every fetch. The callback
// must be thread-safe; it may throw to simulate an unavailable provider.
class StaticKeySource final : public KeySource {
 public:
  explicit StaticKeySource(std::function<std::string()> jwks) : jwks_(std::move(jwks)) {}
  boost::asio::awaitable<std::string> fetch_jwks() override;

 private:
  std::function<std::string()> jwks_;
};

// Fetches the JWKS over HTTP(S): from `jwks_url` when configured, otherwise from the
// `jwks_uri` of `<issuer>/.well-known/openid-configuration` (discovered once, and again
// after a JWKS fetch fails). Uses one HttpClient per worker of `io`; fetch_jwks() must
// run on one of those workers. A non-200 answer or a body that is not the expected
// JSON throws std::runtime_error; transport failures throw http::ClientError.
class HttpKeySource final : public KeySource {
 public:
  HttpKeySource(runtime::IoPool& io, std::string issuer, std::optional<std::string> jwks_url,
                http::ClientOptions options = {});
  ~HttpKeySource() override;

  boost::asio::awaitable<std::string> fetch_jwks() override;

 private:
  boost::asio::awaitable<std::string> jwks_url(http::HttpClient& client);

  runtime::IoPool& io_;
  std::string issuer_;
  std::optional<std::string> configured_url_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;  // one per worker
  std::mutex mu_;                                           // guards discovered_url_ (copies only)
  std::optional<std::string> discovered_url_;
};

}  // namespace ticketly::auth
