#pragma once
// Who a staff invitation is for: the identity provider's user with that email, created
// when there is none yet. KeycloakDirectory speaks Keycloak's admin REST API, which the
// development provider implements too, so the same code runs in development and against
// a real Keycloak.
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <mutex>
#include <string>

#include "platform/auth/service_token.h"
#include "platform/service/service.h"
#include "services/event_command/worker_clients.h"

namespace ticketly::event_command {

struct DirectoryUser {
  std::string id;
  std::string email;
  std::string name;  // "First Last", or the user name
  bool created = false;  // invited just now
};

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // The user with this email (lower-cased), created (enabled, without a password) when
  // missing. Throws ticketly::Error(503) when the provider cannot be reached or refuses.
  virtual boost::asio::awaitable<DirectoryUser> find_or_invite(std::string email) = 0;
};

class KeycloakDirectory final : public UserDirectory {
 public:
  KeycloakDirectory(runtime::IoPool& io, service::ServiceIdentity identity);
  boost::asio::awaitable<DirectoryUser> find_or_invite(std::string email) override;

 private:
  boost::asio::awaitable<std::optional<DirectoryUser>> find(const std::string& email);
  boost::asio::awaitable<http::ClientResponse> call(std::string method, std::string url, std::string body);
  auth::ServiceTokenClient& tokens();

  runtime::IoPool& io_;
  service::ServiceIdentity identity_;
  WorkerClients clients_;
  // Built on first use: the realm URL may name this process's own listener, whose port
  // is known only once it listens.
  std::once_flag tokens_once_;
  std::unique_ptr<auth::ServiceTokenClient> tokens_;
};

}  // namespace ticketly::event_command
