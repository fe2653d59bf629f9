#include "platform/http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>
#include <unordered_set>

#include "platform/errors.h"
#include "platform/http/pipeline.h"

namespace ticketly::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class Connection;

// Everything a worker thread owns: its acceptor and its live connections.
struct Worker {
  Worker(asio::io_context& c, const Pipeline& p) : ctx(c), acceptor(c), metrics(p) {}
  asio::io_context& ctx;
  tcp::acceptor acceptor;
  std::unordered_set<Connection*> connections;
  bool draining = false;
  WorkerMetrics metrics;
};

class Server::Impl {
 public:
  Impl(runtime::IoPool& io, const Router& router, metrics::Registry& registry, ServerOptions opts)
      : io(io), options(std::move(opts)), pipeline(router, registry, options) {}

  void start();
  bool shutdown(std::chrono::milliseconds grace);
  asio::awaitable<void> accept_loop(Worker& w);

  runtime::IoPool& io;
  ServerOptions options;  // before `pipeline`, which keeps a reference
  Pipeline pipeline;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> active{0};
  std::uint16_t port = 0;
};

namespace {

void set_common_headers(Response& res, const Request& req, const Pipeline& p, bool keep_alive) {
  p.decorate(req, res);
  res.message.version(req.message.version() == 10 ? 10 : 11);
  res.message.keep_alive(keep_alive);
}

}  // namespace

// One client connection: reads requests, runs them through the pipeline, writes
// responses, and serves event streams. Lives on one worker thread only.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, Worker& worker, tcp::socket socket)
      : server_(server), worker_(worker), stream_(std::move(socket)) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  // `self` keeps the connection alive for as long as the coroutine runs: a
  // coroutine's parameters live in its frame, unlike what its body captures later.
  static asio::awaitable<void> run(std::shared_ptr<Connection> self) { return self->serve(self); }

  // Graceful shutdown: an idle connection closes now; a busy one after its
  // response; an event stream ends cleanly.
  void drain() {
    if (state_ == State::Idle) {
      boost::system::error_code ec;
      stream_.socket().cancel(ec);
    } else if (state_ == State::Streaming && sse_) {
      sse_->close();
    }
  }
  void force_close() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  enum class State { Idle, Busy, Streaming };

  asio::awaitable<void> serve(std::shared_ptr<Connection> self);
  asio::awaitable<bool> serve_one(beast::flat_buffer& buffer, bool first);
  asio::awaitable<void> write_early_error(int status, std::string_view message, std::string_view path);
  asio::awaitable<void> serve_stream(Request& req, Response& res);
  static asio::awaitable<void> watch_peer(std::shared_ptr<Connection> self, std::shared_ptr<bool> gone,
                                          std::shared_ptr<asio::steady_timer> wake);

  const ServerOptions& options() const { return server_.options; }

  Server::Impl& server_;
  Worker& worker_;
  beast::tcp_stream stream_;
  asio::ip::address remote_;
  State state_ = State::Idle;
  std::shared_ptr<SseStream> sse_;
};

asio::awaitable<void> Connection::serve(std::shared_ptr<Connection>) {
  worker_.connections.insert(this);
  beast::flat_buffer buffer;
  try {
    bool first = true;
    while (!worker_.draining && co_await serve_one(buffer, first)) first = false;
  } catch (const std::exception& e) {
    spdlog::warn("connection from {} ended by an error: {}", remote_.to_string(), e.what());
  }
  boost::system::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
  worker_.connections.erase(this);
  server_.active.fetch_sub(1);
}

asio::awaitable<void> Connection::write_early_error(int status, std::string_view message, std::string_view path) {
  Request req;
  req.request_id = Pipeline::request_id_for({});
  req.path = path;
  Response res = server_.pipeline.error_response(status, message, path);
  set_common_headers(res, req, server_.pipeline, false);
  res.message.prepare_payload();
  boost::system::error_code ec;
  stream_.expires_after(options().write_timeout);
  co_await bhttp::async_write(stream_, res.message, asio::redirect_error(asio::use_awaitable, ec));
}

// Serves one request; false when the connection should close.
asio::awaitable<bool> Connection::serve_one(beast::flat_buffer& buffer, bool first) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);

  bhttp::request_parser<bhttp::empty_body> head;
  head.header_limit(static_cast<std::uint32_t>(options().header_limit));
  // The route's limit is applied below, once the route is known. (Not boost::none:
  // Beast 1.74 compares `length > optional` and so rejects every body with it.)
  head.body_limit(std::numeric_limits<std::uint64_t>::max());
  state_ = State::Idle;
  stream_.expires_after(first ? options().header_timeout : options().idle_timeout);
  co_await bhttp::async_read_header(stream_, buffer, head, token);
  if (ec) {
    if (ec == bhttp::error::header_limit) {
      co_await write_early_error(431, "Request header fields too large", "");
    } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof && ec != asio::error::operation_aborted &&
               ec != beast::error::timeout && ec != asio::error::connection_reset) {
      co_await write_early_error(400, "Malformed HTTP request", "");
    }
    co_return false;
  }
  state_ = State::Busy;
  auto started = Clock::now();

  auto target = head.get().target();
  auto qpos = target.find('?');
  std::string_view raw_path(target.data(), qpos == std::string_view::npos ? target.size() : qpos);
  RouteMatch match = server_.pipeline.router().match(head.get().method(), raw_path);
  std::size_t limit = options().body_limit;
  if (match.route && match.route->options.body_limit) limit = *match.route->options.body_limit;

  if (head.content_length() && *head.content_length() > limit) {
    co_await write_early_error(413, "Request body exceeds the limit of " + std::to_string(limit) + " bytes",
                               raw_path);
    co_return false;
  }
  auto expect = head.get()[bhttp::field::expect];
  if (!expect.empty() && beast::iequals(expect, "100-continue")) {
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, head.get().version()};
    co_await bhttp::async_write(stream_, cont, token);
    if (ec) co_return false;
  }

  bhttp::request_parser<bhttp::string_body> parser(std::move(head));
  parser.body_limit(limit);
  stream_.expires_after(options().body_timeout);
  co_await bhttp::async_read(stream_, buffer, parser, token);
  if (ec) {
    if (ec == bhttp::error::body_limit) {
      co_await write_early_error(413, "Request body exceeds the limit of " + std::to_string(limit) + " bytes",
                                 raw_path);
    } else if (ec != asio::error::eof && ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
               ec != asio::error::operation_aborted) {
      co_await write_early_error(400, "Malformed HTTP request body", raw_path);
    }
    co_return false;
  }
  stream_.expires_never();

  Request req;
  req.message = parser.release();
  target = req.message.target();
  qpos = target.find('?');
  req.path = std::string_view(target.data(), qpos == std::string_view::npos ? target.size() : qpos);
  req.request_id = Pipeline::request_id_for(req.header("X-Request-Id"));
  req.remote = remote_;
  req.route = match.route ? std::string_view(match.route->pattern) : std::string_view("unmatched");
  req.params = match.params;

  Response res;
  try {
    if (qpos != std::string_view::npos) req.query = QueryParams::parse(target.substr(qpos + 1));
    res = co_await server_.pipeline.handle(req, match);
  } catch (const ticketly::Error& e) {  // only QueryParams::parse throws here
    res = server_.pipeline.error_response(e.status(), e.what(), req.path);
  }

  bool keep_alive = req.message.keep_alive() && !worker_.draining && !res.stream;
  set_common_headers(res, req, server_.pipeline, keep_alive);
  int status = res.status();
  if (res.stream) {
    worker_.metrics.record(req.route, req.method(), status, Clock::now() - started);
    write_access_log(req, status, 0, Clock::now() - started);
    co_await serve_stream(req, res);
    co_return false;
  }
  res.message.prepare_payload();
  std::size_t bytes = res.message.body().size();
  if (req.method() == Verb::head) res.message.body().clear();  // Content-Length stays that of GET
  stream_.expires_after(options().write_timeout);
  if (req.method() == Verb::head) {
    bhttp::response_serializer<bhttp::string_body> sr(res.message);
    sr.split(true);
    co_await bhttp::async_write_header(stream_, sr, token);
  } else {
    co_await bhttp::async_write(stream_, res.message, token);
  }
  stream_.expires_never();
  worker_.metrics.record(req.route, req.method(), status, Clock::now() - started);
  write_access_log(req, status, bytes, Clock::now() - started);
  co_return !ec && keep_alive;
}

// Reads from the client during an event stream only to notice that it left.
asio::awaitable<void> Connection::watch_peer(std::shared_ptr<Connection> self, std::shared_ptr<bool> gone,
                                             std::shared_ptr<asio::steady_timer> wake) {
  char scratch[512];
  boost::system::error_code ec;
  while (!*gone) {
    co_await self->stream_.socket().async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  *gone = true;
  wake->cancel();
}

asio::awaitable<void> Connection::serve_stream(Request& req, Response& res) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  state_ = State::Streaming;
  sse_ = res.stream;
  auto wake = std::make_shared<asio::steady_timer>(worker_.ctx);
  auto gone = std::make_shared<bool>(false);
  // The waker may run on a producer's thread after this connection is gone, so it
  // holds the timer only weakly and touches it on this worker's thread.
  std::weak_ptr<asio::steady_timer> weak_wake = wake;
  auto executor = worker_.ctx.get_executor();
  sse_->set_waker([weak_wake, executor] {
    asio::post(executor, [weak_wake] {
      if (auto t = weak_wake.lock()) t->cancel();
    });
  });

  bhttp::response<bhttp::empty_body> head{res.message.result(), res.message.version()};
  for (const auto& f : res.message) head.set(f.name_string(), f.value());
  head.chunked(true);
  head.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> sr(head);
  stream_.expires_after(options().write_timeout);
  co_await bhttp::async_write_header(stream_, sr, token);
  stream_.expires_never();
  if (!ec) asio::co_spawn(worker_.ctx, watch_peer(shared_from_this(), gone, wake), asio::detached);

  auto write_chunk = [&](const std::string& bytes) -> asio::awaitable<void> {
    stream_.expires_after(options().write_timeout);
    co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(bytes)), token);
    stream_.expires_never();
  };
  const auto heartbeat = sse_->options().heartbeat;
  while (!ec && !*gone) {
    auto batch = sse_->take();
    if (!batch.bytes.empty()) {
      co_await write_chunk(batch.bytes);
      continue;
    }
    if (batch.closed) {
      stream_.expires_after(options().write_timeout);
      co_await asio::async_write(stream_, bhttp::make_chunk_last(), token);
      break;
    }
    boost::system::error_code wait_ec;
    wake->expires_after(heartbeat);
    co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
    if (!wait_ec && !*gone) co_await write_chunk(": ping\n\n");
  }
  *gone = true;
  sse_->finish();
  force_close();  // also ends watch_peer
  (void)req;
}

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
  for (auto& w : workers) asio::co_spawn(w->ctx, accept_loop(*w), asio::detached);
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
    if (w.draining) continue;
    active.fetch_add(1);
    asio::co_spawn(w.ctx, Connection::run(std::make_shared<Connection>(*this, w, std::move(socket))), asio::detached);
  }
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
    for (auto* c : w.connections) c->drain();
  });
  auto deadline = Clock::now() + grace;
  while (active.load() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bool clean = active.load() == 0;
  if (!clean) {
    spdlog::warn("{} connection(s) still open after the grace period; closing them", active.load());
    on_each_worker([](Worker& w) {
      for (auto* c : w.connections) c->force_close();
    });
    auto hard = Clock::now() + std::chrono::seconds(2);
    while (active.load() > 0 && Clock::now() < hard) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return clean;
}

Server::Server(runtime::IoPool& io, const Router& router, metrics::Registry& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, router, metrics, std::move(options))) {}
Server::~Server() = default;
void Server::start() { impl_->start(); }
std::uint16_t Server::port() const { return impl_->port; }
bool Server::shutdown(std::chrono::milliseconds grace) { return impl_->shutdown(grace); }
std::size_t Server::active_connections() const { return impl_->active.load(); }

}  // namespace ticketly::http
