#pragma once
// Internals shared by server.cpp (listening, shutdown) and connection.cpp
// (one client connection). Not part of the platform's public surface.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "platform/http/pipeline.h"
#include "platform/log/access_log.h"
#include "platform/metrics/registry.h"
#include "platform/http/server.h"

namespace ticketly::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Connection;

// Everything a worker thread owns: its acceptor and its live connections.
struct Worker {
  Worker(asio::io_context& c, const Pipeline& p) : ctx(c), acceptor(c), metrics(p), flush_timer(c) {}
  asio::io_context& ctx;
  tcp::acceptor acceptor;
  std::unordered_set<Connection*> connections;
  bool draining = false;
  bool warned_full = false;  // the connection limit was logged and is still reached
  WorkerMetrics metrics;
  std::unique_ptr<log::AccessLogBuffer> access_log;  // null when access logging is off
  asio::steady_timer flush_timer;
};

class Server::Impl {
 public:
  Impl(runtime::IoPool& io, const Router& router, metrics::Registry& registry, ServerOptions opts)
      : io(io),
        options(std::move(opts)),
        pipeline(router, registry, options),
        refused(&registry.counter("http_connections_refused_total",
                                  "Connections closed at once because the server had max_connections open")
                     .with({})),
        uploads_refused(&registry.counter("http_large_bodies_refused_total",
                                          "Large request bodies refused (503, 429) because max_large_bodies (per client: "
                                          "max_large_bodies_per_client) were being read")
                             .with({})) {}

  void start();
  bool shutdown(std::chrono::milliseconds grace);
  asio::awaitable<void> accept_loop(Worker& w);
  void admit(Worker& w, tcp::socket socket);  // serves an accepted connection (unless draining)
  static constexpr int kAcceptBurst = 64;      // connections taken at once by accept_loop
  asio::awaitable<void> flush_loop(Worker& w);

  runtime::IoPool& io;
  ServerOptions options;  // before `pipeline`, which keeps a reference
  Pipeline pipeline;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> active{0};
  metrics::Counter* refused;  // connections turned away at max_connections
  metrics::Counter* uploads_refused;  // large bodies turned away at max_large_bodies (per client or in all)
  std::atomic<std::size_t> large_bodies{0};  // large bodies being read now, all workers
  // The same per client address (only addresses with one in progress). Taken once per
  // large body, never per request, so one mutex for all workers costs nothing measurable.
  std::mutex large_bodies_mutex;
  std::map<asio::ip::address, std::size_t> large_bodies_by_client;
  std::uint16_t port = 0;
};

// Starts serving an accepted socket on the worker's thread.
void serve_connection(Server::Impl& server, Worker& worker, tcp::socket socket);
// Graceful shutdown hooks, called on the connection's worker thread.
void drain_connection(Connection& c);
void force_close_connection(Connection& c);

}  // namespace ticketly::http
