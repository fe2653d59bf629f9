#pragma once
// One outgoing HTTP client per IoPool worker (http::HttpClient must stay on its own
// io_context): S3 and the identity provider's admin API use the calling worker's.
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <vector>

#include "platform/http/client.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::event_command {

class WorkerClients {
 public:
  WorkerClients(runtime::IoPool& io, http::ClientOptions options);
  // The calling coroutine's worker's client; std::logic_error off the pool.
  boost::asio::awaitable<http::HttpClient*> current();

 private:
  runtime::IoPool& io_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;
};

}  // namespace ticketly::event_command
