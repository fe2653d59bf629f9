#pragma once
// Server: the HTTP/1.1 listener. One acceptor per worker on the same port
// (SO_REUSEPORT), so the kernel spreads connections over the cores and each
// connection lives on one thread from accept to close.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/http/client_address.h"
#include "platform/http/cors.h"
#include "platform/http/router.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::metrics {
class Registry;
}
namespace ticketly::log {
class AccessLogSink;
}

namespace ticketly::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8088;  // 0 = an ephemeral port (tests)
  std::size_t header_limit = 16 * 1024;      // → 431
  std::size_t body_limit = 1024 * 1024;      // → 413; routes may raise it
  std::chrono::milliseconds header_timeout{10000};  // first request line + headers
  std::chrono::milliseconds idle_timeout{60000};    // between keep-alive requests
  std::chrono::milliseconds body_timeout{120000};   // request body (uploads)
  std::chrono::milliseconds write_timeout{30000};
  // Open connections per server, event streams included; beyond it a new connection is
  // closed at once. (Each costs memory and a descriptor; SSE needs 10,000+ per process.)
  std::size_t max_connections = 20000;
  // Bodies over `large_body_bytes` (uploads) read at the same time per server; one more is
  // refused with 503 and Retry-After before it is read. With the largest route limit (50
  // MiB) this bounds what authenticated uploads can make the server hold at once.
  std::size_t max_large_bodies = 16;
  // Of those, per client address: one more from that client is refused with 429. So a
  // single client with slow uploads cannot hold every slot until the body timeout.
  std::size_t max_large_bodies_per_client = 4;
  std::size_t large_body_bytes = 1024 * 1024;
  // Proxies whose X-Forwarded-For names the client (Request::remote, per-client limits);
  // empty: the client is the connection's peer.
  TrustedProxies trusted_proxies;
  CorsPolicy cors;
  std::string server_name = "ticketly";
  log::AccessLogSink* access_log = nullptr;  // null: no access log
  std::chrono::milliseconds access_log_flush{200};
};

class Server {
 public:
  Server(runtime::IoPool& io, const Router& router, metrics::Registry& metrics, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting on every worker. Throws on bind failure.
  void start();
  std::uint16_t port() const;

  // Graceful shutdown; call from a non-worker thread. Stops accepting, closes idle
  // keep-alive connections and event streams, lets in-flight requests finish (their
  // responses carry `Connection: close`), and after `grace` closes whatever is left.
  // Returns true when everything finished within the grace period.
  bool shutdown(std::chrono::milliseconds grace);

  std::size_t active_connections() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketly::http
