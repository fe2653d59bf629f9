#include "platform/http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "platform/http/server_impl.h"

namespace ticketly::http {

using Clock = std::chrono::steady_clock;

void Server::Impl::start() {
  auto address = asio::ip::make_address(options.address);
  tcp::endpoint endpoint(address, options.port);
  for (std::size_t i = 0; i < io.size(); ++i) {
    workers.push_back(std::make_unique<Worker>(io.context(i), pipeline));
  }
  // One listening socket; every worker accepts on its own duplicate of it, so
  // connections spread over the cores without SO_REUSEPORT's port sharing.
  auto& first = workers.front()->acceptor;
  first.open(endpoint.protocol());
  first.set_option(tcp::acceptor::reuse_address(true));
  first.bind(endpoint);
  first.listen(asio::socket_base::max_listen_connections);
  port = first.local_endpoint().port();
  for (std::size_t i = 1; i < workers.size(); ++i) {
    int fd = ::dup(first.native_handle());
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "dup listening socket");
    workers[i]->acceptor.assign(endpoint.protocol(), fd);
  }
  // Non-blocking: accept_loop takes the connections already waiting without suspending
  // (asio's asynchronous accept works the same on a non-blocking socket).
  for (auto& w : workers) w->acceptor.non_blocking(true);
  for (auto& w : workers) {
    asio::co_spawn(w->ctx, accept_loop(*w), asio::detached);
    if (options.access_log) {
      w->access_log = std::make_unique<log::AccessLogBuffer>(*options.access_log);
      asio::co_spawn(w->ctx, flush_loop(*w), asio::detached);
    }
  }
}

// Hands the worker's access-log lines to the writer at least every flush interval,
// so a quiet server's log is current too.
asio::awaitable<void> Server::Impl::flush_loop(Worker& w) {
  boost::system::error_code ec;
  while (!w.draining) {
    w.flush_timer.expires_after(options.access_log_flush);
    co_await w.flush_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    w.access_log->flush();
  }
}

asio::awaitable<void> Server::Impl::accept_loop(Worker& w) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(w.ctx);
    co_await w.acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !w.acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(w.ctx, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    admit(w, std::move(socket));
    // One asynchronous accept lets in one connection per turn of the event loop, and a
    // turn gets longer with every connection served. When thousands connect at once (a
    // sale opening), the last of them waited seconds for their first answer (bench/order
    // (b): 2,000 connections, wrk's maximum latency 1.8-3 s while the server's own was
    // 100 ms). So take the ones already waiting, up to a bound, before going round again.
    for (int i = 0; i < kAcceptBurst && !w.draining; ++i) {
      tcp::socket more(w.ctx);
      w.acceptor.accept(more, ec);
      if (ec) break;  // would_block: none waiting (other errors: the next async accept reports them)
      admit(w, std::move(more));
    }
  }
}

void Server::Impl::admit(Worker& w, tcp::socket socket) {
  if (w.draining) return;
  if (active.load() >= options.max_connections) {
    refused->inc();  // the socket closes as it goes out of scope: the client sees a reset
    if (!w.warned_full) spdlog::warn("connection limit of {} reached: refusing connections", options.max_connections);
    w.warned_full = true;
    return;
  }
  w.warned_full = false;
  active.fetch_add(1);
  serve_connection(*this, w, std::move(socket));
}

bool Server::Impl::shutdown(std::chrono::milliseconds grace) {
  auto on_each_worker = [this](auto fn) {
    auto done = std::make_shared<std::atomic<std::size_t>>(0);
    for (auto& w : workers) {
      asio::post(w->ctx, [done, fn, wp = w.get()] {
        fn(*wp);
        done->fetch_add(1);
      });
    }
    // The workers run until the pool is stopped, which happens only after this returns;
    // the bound is a guard against a wedged worker, not an expected path.
    auto limit = Clock::now() + std::chrono::seconds(5);
    while (done->load() < workers.size() && Clock::now() < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  on_each_worker([](Worker& w) {
    w.draining = true;
    boost::system::error_code ec;
    w.acceptor.close(ec);
    for (auto* c : w.connections) drain_connection(*c);
  });
  auto deadline = Clock::now() + grace;
  while (active.load() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bool clean = active.load() == 0;
  auto flush_logs = [](Worker& w) {
    w.flush_timer.cancel();
    if (w.access_log) w.access_log->flush();
  };
  if (!clean) {
    spdlog::warn("{} connection(s) still open after the grace period; closing them", active.load());
    on_each_worker([](Worker& w) {
      for (auto* c : w.connections) force_close_connection(*c);
    });
    auto hard = Clock::now() + std::chrono::seconds(2);
    while (active.load() > 0 && Clock::now() < hard) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  on_each_worker(flush_logs);
  return clean;
}

Server::Server(runtime::IoPool& io, const Router& router, metrics::Registry& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, router, metrics, std::move(options))) {}
Server::~Server() = default;
void Server::start() {
  // sendfile() (large shared bodies, connection.cpp) cannot take MSG_NOSIGNAL as send()
  // does: a client gone mid-body must be an EPIPE for its connection, not a signal that
  // ends the process. main() does the same; this keeps every embedding (tests) safe.
  std::signal(SIGPIPE, SIG_IGN);
  impl_->start();
}
std::uint16_t Server::port() const { return impl_->port; }
bool Server::shutdown(std::chrono::milliseconds grace) { return impl_->shutdown(grace); }
std::size_t Server::active_connections() const { return impl_->active.load(); }

}  // namespace ticketly::http
