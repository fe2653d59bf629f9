#pragma once
// ServiceTokenClient: this service's own access token, for calling other services'
// internal routes (OAuth 2.0 client credentials, RFC 6749 §4.4).
//
// The token is cached, shared by all workers, until 30 s before its `expires_in`
// (a token that lives 30 s or less, or says nothing about its lifetime, is not cached).
// Requests go out through one HttpClient per worker of the IoPool; token() must run on
// one of those workers. Every failure — transport, a non-200 answer, a malformed body —
// is ticketly::Error(503): the dependency is unavailable, not the caller's fault.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/http/client.h"
#include "platform/types/time.h"

namespace ticketly::runtime {
class IoPool;
}

namespace ticketly::auth {

// How the client proves its identity to the token endpoint.
enum class ClientAuth {
  basic,  // client_secret_basic: Authorization: Basic (the default, RFC 6749 §2.3.1)
  post,   // client_secret_post: client_id and client_secret as form fields
};

class ServiceTokenClient {
 public:
  ServiceTokenClient(runtime::IoPool& io, std::string token_url, std::string client_id, std::string client_secret,
                     http::ClientOptions options = {}, ClientAuth auth = ClientAuth::basic,
                     std::function<Timestamp()> now = {});
  ~ServiceTokenClient();
  ServiceTokenClient(const ServiceTokenClient&) = delete;
  ServiceTokenClient& operator=(const ServiceTokenClient&) = delete;

  // A valid access token: the cached one, or a fresh one from the token endpoint.
  boost::asio::awaitable<std::string> token();
  // Forgets the cached token (e.g. after a callee answered 401 to it).
  void invalidate();

  static constexpr std::chrono::seconds kRefreshMargin{30};

 private:
  boost::asio::awaitable<std::string> fetch(http::HttpClient& client);

  runtime::IoPool& io_;
  std::string token_url_;
  std::string client_id_;
  std::string client_secret_;
  ClientAuth auth_;
  std::function<Timestamp()> now_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;  // one per worker

  std::mutex mu_;  // guards the cache; held for copies only
  std::string cached_;
  Timestamp cached_until_{};
};

}  // namespace ticketly::auth
