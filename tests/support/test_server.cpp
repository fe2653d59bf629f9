#include "support/test_server.h"

namespace ticketly::testing {

TestServer::TestServer(const std::function<void(http::Router&)>& routes, http::ServerOptions options,
                       std::size_t workers)
    : io_(workers) {
  routes(router_);
  options.address = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<http::Server>(io_, router_, metrics_, options);
  server_->start();
  io_.start();
}

bool TestServer::shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return true;
  stopped_ = true;
  bool clean = server_->shutdown(grace);
  io_.stop();
  io_.join();
  return clean;
}

TestServer::~TestServer() { shutdown(std::chrono::seconds(2)); }

}  // namespace ticketly::testing
