#pragma once
// A real http::Server on 127.0.0.1 with an ephemeral port and a route table
// built by the test: for platform tests that need no database.
#include <functional>
#include <memory>

#include "platform/http/router.h"
#include "platform/http/server.h"
#include "platform/metrics/registry.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::testing {

class TestServer {
 public:
  explicit TestServer(const std::function<void(http::Router&)>& routes, http::ServerOptions options = {},
                      std::size_t workers = 2);
  ~TestServer();

  std::uint16_t port() const { return server_->port(); }
  http::Server& server() { return *server_; }
  metrics::Registry& metrics() { return metrics_; }
  runtime::IoPool& io() { return io_; }
  // Graceful shutdown, as on SIGTERM; the destructor does it when the test did not.
  bool shutdown(std::chrono::milliseconds grace);

 private:
  runtime::IoPool io_;
  metrics::Registry metrics_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

}  // namespace ticketly::testing
