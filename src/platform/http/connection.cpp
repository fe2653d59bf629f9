// One client connection: reads requests, runs them through the pipeline, writes
// responses, and serves event streams. Lives on one worker thread only.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <spdlog/spdlog.h>

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>

#include "platform/errors.h"
#include "platform/http/server_impl.h"
#include "platform/http/wire.h"

namespace ticketly::http {

using SteadyClock = std::chrono::steady_clock;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, Worker& worker, tcp::socket socket)
      : server_(server), worker_(worker), socket_(std::move(socket)), watchdog_(worker.ctx) {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ = ep.address();
    socket_.set_option(tcp::no_delay(true), ec);
  }

  // Coroutine parameters live in the frame, so `self` keeps the connection alive
  // for as long as the coroutine runs.
  static asio::awaitable<void> run(std::shared_ptr<Connection> self) { return self->serve(self); }
  static asio::awaitable<void> watch(std::shared_ptr<Connection> self) { return self->watchdog(self); }

  // Graceful shutdown: an idle connection closes now; a busy one after its
  // response; an event stream ends cleanly.
  void drain() {
    if (state_ == State::Idle) {
      boost::system::error_code ec;
      socket_.cancel(ec);
    } else if (state_ == State::Streaming && sse_) {
      sse_->close();
    }
  }
  void close() {
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    watchdog_.cancel();
  }

 private:
  enum class State { Idle, Busy, Streaming };

  asio::awaitable<void> serve(std::shared_ptr<Connection> self);
  asio::awaitable<void> watchdog(std::shared_ptr<Connection> self);
  asio::awaitable<bool> serve_one(bool first);
  // Writes `out_`, then `tail` (a shared body, sent from its own buffer), and clears `out_`.
  asio::awaitable<bool> write_out(std::string_view tail = {});
  // Writes `out_` (the head), then the file's bytes with sendfile() (body_file.h).
  asio::awaitable<bool> write_out(const BodyFile& file);
  // An answer sent before the request is routed or its body read; the connection closes
  // after it. `origin` is the request's Origin header, when its header was read.
  asio::awaitable<void> write_early_error(Response res, std::string_view origin = {});
  asio::awaitable<void> write_early_error(int status, std::string_view message, std::string_view path,
                                          std::string_view origin = {});
  // After an early error: ends the sending side and drops what the client still sends.
  asio::awaitable<void> linger();
  static constexpr std::chrono::milliseconds kLingerTime{2000};
  static constexpr std::size_t kLingerBytes = 8u << 20;
  // Runs the route's guard on the request's header alone, before a large body is read.
  asio::awaitable<std::optional<Response>> guard_before_body(const Message& head, std::string_view path,
                                                             const RouteMatch& match, const asio::ip::address& client);
  asio::awaitable<void> serve_stream(Request& req, Response& res);
  // Writes one event as a chunk without blocking, while serve_stream waits idle.
  SseStream::DirectWrite write_event_now(std::string_view event, asio::steady_timer& wake);
  static asio::awaitable<void> watch_peer(std::shared_ptr<Connection> self, std::shared_ptr<bool> gone,
                                          std::shared_ptr<asio::steady_timer> wake);

  // Setting a deadline is a field write; one timer per connection enforces it
  // (re-armed only when it fires), instead of a timer operation per read and write.
  void deadline_after(std::chrono::milliseconds d) {
    deadline_ = SteadyClock::now() + d;
    if (deadline_ < armed_) watchdog_.cancel();  // rare: the timer would wake too late
  }
  void no_deadline() { deadline_ = SteadyClock::time_point::max(); }

  const ServerOptions& options() const { return server_.options; }

  Server::Impl& server_;
  Worker& worker_;
  tcp::socket socket_;
  asio::steady_timer watchdog_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  SteadyClock::time_point armed_ = SteadyClock::time_point::max();  // when the watchdog wakes next
  beast::flat_buffer buffer_;
  std::string out_;  // response bytes, reused across requests
  asio::ip::address remote_;
  State state_ = State::Idle;
  bool closed_ = false;
  std::shared_ptr<SseStream> sse_;
};

void serve_connection(Server::Impl& server, Worker& worker, tcp::socket socket) {
  auto conn = std::make_shared<Connection>(server, worker, std::move(socket));
  asio::co_spawn(worker.ctx, Connection::watch(conn), asio::detached);
  asio::co_spawn(worker.ctx, Connection::run(std::move(conn)), asio::detached);
}

void drain_connection(Connection& c) { c.drain(); }
void force_close_connection(Connection& c) { c.close(); }

asio::awaitable<void> Connection::watchdog(std::shared_ptr<Connection>) {
  boost::system::error_code ec;
  while (!closed_) {
    auto deadline = deadline_;
    if (deadline <= SteadyClock::now()) {
      close();  // the pending read or write fails and the connection ends
      break;
    }
    // A deadline that moves later only costs a wake-up at the old time.
    armed_ = deadline == SteadyClock::time_point::max() ? SteadyClock::now() + std::chrono::hours(1) : deadline;
    watchdog_.expires_at(armed_);
    co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> Connection::serve(std::shared_ptr<Connection>) {
  worker_.connections.insert(this);
  try {
    bool first = true;
    while (!worker_.draining && !closed_ && co_await serve_one(first)) first = false;
  } catch (const std::exception& e) {
    spdlog::warn("connection from {} ended by an error: {}", remote_.to_string(), e.what());
  }
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  close();
  worker_.connections.erase(this);
  server_.active.fetch_sub(1);
}

asio::awaitable<bool> Connection::write_out(std::string_view tail) {
  // Most answers fit the socket's buffer: one non-blocking sendmsg() writes them here and
  // now. An asynchronous write that completes at once still posts its completion behind
  // every handler already queued on this worker (about a thousand during a flash sale), so
  // each answer would wait a whole turn of the queue after it was written.
  std::array<iovec, 2> parts{{{out_.data(), out_.size()}, {const_cast<char*>(tail.data()), tail.size()}}};
  msghdr message{};
  message.msg_iov = parts.data();
  message.msg_iovlen = tail.empty() ? 1 : 2;
  const auto total = out_.size() + tail.size();
  const ssize_t n = ::sendmsg(socket_.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    out_.clear();
    co_return false;  // the client is gone
  }
  const auto sent = static_cast<std::size_t>(std::max<ssize_t>(n, 0));
  if (sent == total) {
    out_.clear();
    co_return true;
  }
  // The socket is full: the rest goes out asynchronously.
  boost::system::error_code ec;
  deadline_after(options().write_timeout);
  const std::string_view head = sent < out_.size() ? std::string_view(out_).substr(sent) : std::string_view();
  const std::string_view body = tail.substr(sent < out_.size() ? 0 : sent - out_.size());
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head.data(), head.size()),
                                                  asio::buffer(body.data(), body.size())};
  co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
  no_deadline();
  out_.clear();
  co_return !ec;
}

asio::awaitable<bool> Connection::write_out(const BodyFile& file) {
  boost::system::error_code ec;
  deadline_after(options().write_timeout);
  // MSG_MORE: the head waits for the body's first segment instead of leaving alone.
  for (std::size_t sent = 0; sent < out_.size() && !ec;) {
    sent += co_await socket_.async_send(asio::buffer(out_.data() + sent, out_.size() - sent), MSG_MORE,
                                        asio::redirect_error(asio::use_awaitable, ec));
  }
  off_t offset = 0;
  const auto size = static_cast<off_t>(file.size());
  if (!ec) socket_.native_non_blocking(true, ec);
  while (!ec && offset < size) {
    const auto n = ::sendfile(socket_.native_handle(), file.fd(), &offset, static_cast<std::size_t>(size - offset));
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    if (n < 0 && errno == EAGAIN) {
      co_await socket_.async_wait(tcp::socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      ec = boost::system::error_code(n < 0 ? errno : EPIPE, boost::system::system_category());
    }
  }
  no_deadline();
  out_.clear();
  co_return !ec;
}

asio::awaitable<void> Connection::write_early_error(Response res, std::string_view origin) {
  Request req;
  req.request_id = Pipeline::request_id_for({});
  if (!origin.empty()) req.message.set(Field::origin, origin);
  server_.pipeline.decorate(req, res);
  serialize_response(res, {.keep_alive = false, .request_id = req.request_id, .server = options().server_name}, out_);
  if (co_await write_out()) co_await linger();
}

asio::awaitable<void> Connection::linger() {
  // The client may still be sending the body this answer refused. Closing with unread
  // bytes makes the kernel send a reset, and a client that gets one may discard the answer
  // before reading it (a browser then shows a network error instead of the 401 or 413).
  // So: end our side, and read and drop what still comes for a short while, as nginx's
  // lingering_close does. Bounded in time and bytes; serve() closes the socket after.
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  deadline_after(kLingerTime);
  std::array<char, 16 * 1024> scratch;
  std::size_t dropped = 0;
  while (dropped < kLingerBytes) {
    dropped += co_await socket_.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // the client's end (EOF), its reset, or the deadline
  }
  no_deadline();
}

asio::awaitable<void> Connection::write_early_error(int status, std::string_view message, std::string_view path,
                                                    std::string_view origin) {
  co_await write_early_error(server_.pipeline.error_response(status, message, path), origin);
}

asio::awaitable<std::optional<Response>> Connection::guard_before_body(const Message& head, std::string_view path,
                                                                       const RouteMatch& match,
                                                                       const asio::ip::address& client) {
  Request req;
  req.message.base() = head.base();
  req.path = path;
  req.request_id = Pipeline::request_id_for(req.header("X-Request-Id"));
  req.remote = client;
  try {
    co_await match.route->options.guard(req);
    co_return std::nullopt;
  } catch (const ticketly::Error& e) {
    co_return server_.pipeline.error_response(e, path);
  }
}

namespace {

// A body larger than this, or of unknown length, is read only once the route's guard has
// accepted the request's credentials: an anonymous client must not make the server
// receive and hold megabytes (event-command's uploads allow up to 50 MiB). Smaller
// bodies arrive with their header and are checked by the pipeline as usual.
constexpr std::uint64_t kGuardBeforeBodyBytes = 64 * 1024;

// Feeds the parser the body bytes already buffered. A request's body usually arrives in
// the segments of its header; parsing it here spares an asynchronous read whose completion
// would wait a whole turn of the worker's queue (Connection::write_out says why that counts).
void parse_buffered(bhttp::request_parser<bhttp::string_body>& parser, beast::flat_buffer& buffer,
                    boost::system::error_code& ec) {
  while (!parser.is_done() && buffer.size() > 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) return;
  }
}

// The header limit was reached inside the request line itself: the target is too long.
bool request_line_unfinished(const beast::flat_buffer& buffer) {
  const auto data = buffer.data();
  const std::string_view read(static_cast<const char*>(data.data()), data.size());
  return read.find("\r\n") == std::string_view::npos;
}

bool guard_before_body_wanted(const bhttp::request_parser<bhttp::string_body>& parser, const RouteMatch& match,
                              bool expects_continue) {
  if (match.kind != RouteMatch::Kind::Found || !match.route->options.guard) return false;
  const auto length = parser.content_length();
  return expects_continue || !length || *length > kGuardBeforeBodyBytes;
}

// A body the server may have to hold megabytes of: over the large-body size, or of unknown
// length on a route that allows more than that.
bool is_large_body(const bhttp::request_parser<bhttp::string_body>& parser, std::size_t limit,
                   const ServerOptions& options) {
  const auto length = parser.content_length();
  return length ? *length > options.large_body_bytes : limit > options.large_body_bytes;
}

// One of the server's max_large_bodies reads and one of its client's
// max_large_bodies_per_client, held while the body is read.
class LargeBodySlot {
 public:
  enum class Outcome { Granted, ServerFull, ClientFull };

  LargeBodySlot(Server::Impl& server, bool large, const asio::ip::address& client) : server_(server), client_(client) {
    if (!large) return;
    if (server_.large_bodies.fetch_add(1) >= server_.options.max_large_bodies) {
      server_.large_bodies.fetch_sub(1);
      outcome_ = Outcome::ServerFull;
      return;
    }
    std::lock_guard lock(server_.large_bodies_mutex);
    auto& mine = server_.large_bodies_by_client[client_];
    if (mine >= server_.options.max_large_bodies_per_client) {
      server_.large_bodies.fetch_sub(1);
      outcome_ = Outcome::ClientFull;
      return;
    }
    ++mine;
    held_ = true;
  }
  ~LargeBodySlot() {
    if (!held_) return;
    server_.large_bodies.fetch_sub(1);
    std::lock_guard lock(server_.large_bodies_mutex);
    auto it = server_.large_bodies_by_client.find(client_);
    if (--it->second == 0) server_.large_bodies_by_client.erase(it);
  }
  LargeBodySlot(const LargeBodySlot&) = delete;
  LargeBodySlot& operator=(const LargeBodySlot&) = delete;
  Outcome outcome() const { return outcome_; }

 private:
  Server::Impl& server_;
  asio::ip::address client_;
  bool held_ = false;
  Outcome outcome_ = Outcome::Granted;
};

}  // namespace

// Serves one request; false when the connection should close.
asio::awaitable<bool> Connection::serve_one(bool first) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options().header_limit));
  // The route's limit is applied once the route is known. (Not boost::none:
  // Beast 1.74 compares `length > optional` and so rejects every body with it.)
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  state_ = State::Idle;
  deadline_after(first ? options().header_timeout : options().idle_timeout);
  co_await bhttp::async_read_header(socket_, buffer_, parser, token);
  if (ec) {
    no_deadline();
    if (ec == bhttp::error::header_limit && request_line_unfinished(buffer_)) {
      co_await write_early_error(414, "Request target too long", "");
    } else if (ec == bhttp::error::header_limit) {
      co_await write_early_error(431, "Request header fields too large", "");
    } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof && ec != asio::error::operation_aborted &&
               ec != asio::error::bad_descriptor && ec != asio::error::connection_reset) {
      co_await write_early_error(400, "Malformed HTTP request", "");
    }
    co_return false;
  }
  state_ = State::Busy;
  auto started = SteadyClock::now();

  auto& head = parser.get();
  auto target = head.target();
  auto qpos = target.find('?');
  std::string_view raw_path(target.data(), qpos == std::string_view::npos ? target.size() : qpos);
  RouteMatch match = server_.pipeline.router().match(head.method(), raw_path);
  std::size_t limit = options().body_limit;
  if (match.route && match.route->options.body_limit) limit = *match.route->options.body_limit;

  const auto origin = head[Field::origin];
  // Behind a trusted proxy the client is named in X-Forwarded-For (client_address.h).
  const asio::ip::address client = options().trusted_proxies.empty()
                                       ? remote_
                                       : options().trusted_proxies.client_of(remote_, head["X-Forwarded-For"]);
  if (parser.content_length() && *parser.content_length() > limit) {
    co_await write_early_error(413, "Request body exceeds the limit of " + std::to_string(limit) + " bytes", raw_path,
                               origin);
    co_return false;
  }
  if (!parser.is_done()) {
    auto expect = head[bhttp::field::expect];
    const bool expects_continue = !expect.empty() && beast::iequals(expect, "100-continue");
    if (guard_before_body_wanted(parser, match, expects_continue)) {
      auto refused = co_await guard_before_body(head, raw_path, match, client);
      if (refused) {
        co_await write_early_error(std::move(*refused), origin);
        co_return false;  // the body was never read: the connection cannot be reused
      }
    }
    LargeBodySlot slot(server_, is_large_body(parser, limit, options()), client);
    if (slot.outcome() != LargeBodySlot::Outcome::Granted) {
      server_.uploads_refused->inc();
      const bool mine = slot.outcome() == LargeBodySlot::Outcome::ClientFull;
      const Error busy = Error(mine ? 429 : 503, mine ? "Too many uploads in progress from this client; finish one first"
                                                      : "Too many uploads in progress; try again shortly")
                             .with_header("Retry-After", "5");
      Response refusal = server_.pipeline.error_response(busy, raw_path);
      co_await write_early_error(std::move(refusal), origin);
      co_return false;
    }
    if (expects_continue) {
      out_.append(head.version() == 10 ? "HTTP/1.0 100 Continue\r\n\r\n" : "HTTP/1.1 100 Continue\r\n\r\n");
      if (!co_await write_out()) co_return false;
    }
    parser.body_limit(limit);
    deadline_after(options().body_timeout);
    parse_buffered(parser, buffer_, ec);
    if (!ec && !parser.is_done()) co_await bhttp::async_read(socket_, buffer_, parser, token);
    if (ec) {
      no_deadline();
      if (ec == bhttp::error::body_limit) {
        co_await write_early_error(413, "Request body exceeds the limit of " + std::to_string(limit) + " bytes",
                                   raw_path, origin);
      } else if (ec != asio::error::eof && ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
                 ec != asio::error::bad_descriptor && ec != asio::error::connection_reset) {
        co_await write_early_error(400, "Malformed HTTP request body", raw_path, origin);
      }
      co_return false;
    }
  }
  no_deadline();

  Request req;
  req.message = parser.release();
  target = req.message.target();
  qpos = target.find('?');
  req.path = std::string_view(target.data(), qpos == std::string_view::npos ? target.size() : qpos);
  req.request_id = Pipeline::request_id_for(req.header("X-Request-Id"));
  req.remote = client;
  req.route = match.route ? std::string_view(match.route->pattern) : std::string_view("unmatched");
  req.params = std::move(match.params);

  Response res;
  try {
    if (qpos != std::string_view::npos) req.query = QueryParams::parse(target.substr(qpos + 1));
    res = co_await server_.pipeline.handle(req, match);
  } catch (const ticketly::Error& e) {  // only QueryParams::parse throws here
    res = server_.pipeline.error_response(e, req.path);
  }
  server_.pipeline.decorate(req, res);
  int status = res.status();
  if (res.stream) {
    worker_.metrics.record(req.route, req.method(), status, SteadyClock::now() - started);
    if (worker_.access_log) write_access_log(*worker_.access_log, req, status, 0, SteadyClock::now() - started);
    co_await serve_stream(req, res);
    co_return false;
  }
  bool keep_alive = req.message.keep_alive() && !worker_.draining;
  const WireOptions wire{.version = req.message.version(), .keep_alive = keep_alive, .head = req.method() == Verb::head,
                         .request_id = req.request_id, .server = options().server_name};
  // A shared body (a cached response) goes out from its own buffer, after the head.
  std::string_view tail;
  if (res.shared_body && sends_body(res, wire)) {
    serialize_head(res, wire, out_);
    tail = *res.shared_body;
  } else {
    serialize_response(res, wire, out_);
  }
  std::size_t bytes = res.body().size();
  bool written = false;
  if (res.body_file && !tail.empty()) {
    written = co_await write_out(*res.body_file);
  } else {
    written = co_await write_out(tail);
  }
  worker_.metrics.record(req.route, req.method(), status, SteadyClock::now() - started);
  if (worker_.access_log) write_access_log(*worker_.access_log, req, status, bytes, SteadyClock::now() - started);
  co_return written && keep_alive;
}

// Reads from the client during an event stream only to notice that it left.
asio::awaitable<void> Connection::watch_peer(std::shared_ptr<Connection> self, std::shared_ptr<bool> gone,
                                             std::shared_ptr<asio::steady_timer> wake) {
  char scratch[512];
  boost::system::error_code ec;
  while (!*gone) {
    co_await self->socket_.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  *gone = true;
  wake->cancel();
}

asio::awaitable<void> Connection::serve_stream(Request& req, Response& res) {
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

  serialize_response(res,
                     {.version = req.message.version(), .keep_alive = false, .chunked = true,
                      .request_id = req.request_id, .server = options().server_name},
                     out_);
  if (const auto sndbuf = sse_->options().socket_send_buffer) {
    boost::system::error_code option_ec;  // a refused size leaves the kernel's: the queue still bounds memory
    socket_.set_option(asio::socket_base::send_buffer_size(static_cast<int>(sndbuf)), option_ec);
  }
  bool ok = co_await write_out();
  if (ok) asio::co_spawn(worker_.ctx, watch_peer(shared_from_this(), gone, wake), asio::detached);
  // Fan-out writes to this socket itself while the loop below waits (SseStream::deliver_here).
  std::weak_ptr<Connection> weak_self = weak_from_this();
  sse_->attach(executor, [weak_self, weak_wake](std::string_view event) {
    auto self = weak_self.lock();
    auto timer = weak_wake.lock();
    if (!self || !timer) return SseStream::DirectWrite::NotSent;
    return self->write_event_now(event, *timer);
  });

  const auto heartbeat = sse_->options().heartbeat;
  while (ok && !*gone) {
    auto batch = sse_->take();
    if (!batch.bytes.empty()) append_chunk(batch.bytes, out_);
    if (!out_.empty()) {  // also the rest of a partial direct write, which goes first
      ok = co_await write_out();
      continue;
    }
    if (batch.closed) {
      out_.append(kLastChunk);
      co_await write_out();
      break;
    }
    if (!sse_->enter_idle()) continue;  // queued since take(): no waiting
    boost::system::error_code wait_ec;
    wake->expires_after(heartbeat);
    co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
    sse_->leave_idle();
    if (!wait_ec && !*gone) {
      append_chunk(": ping\n\n", out_);
      ok = co_await write_out();
    }
  }
  *gone = true;
  sse_->finish();
  close();  // also ends watch_peer
}

SseStream::DirectWrite Connection::write_event_now(std::string_view event, asio::steady_timer& wake) {
  // Runs on this worker's thread while serve_stream waits, so nothing else writes to the
  // socket; closed_ is checked because a closed socket's descriptor may already be reused.
  if (closed_ || !socket_.is_open() || !out_.empty() || event.empty()) return SseStream::DirectWrite::NotSent;
  char head[20];
  const auto head_size = chunk_header(event.size(), head);
  static constexpr char kCrlf[] = "\r\n";
  std::array<iovec, 3> parts{{{head, head_size},
                              {const_cast<char*>(event.data()), event.size()},
                              {const_cast<char*>(kCrlf), 2}}};
  msghdr message{};
  message.msg_iov = parts.data();
  message.msg_iovlen = parts.size();
  const ssize_t sent = ::sendmsg(socket_.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  const auto total = head_size + event.size() + 2;
  if (sent == static_cast<ssize_t>(total)) return SseStream::DirectWrite::Sent;
  if (sent <= 0) return SseStream::DirectWrite::NotSent;  // full buffer or a dead peer: the loop finds out
  // Part of the chunk went out: the rest must follow before anything else.
  std::string framed(head, head_size);
  framed.append(event).append("\r\n", 2);
  out_.assign(framed, static_cast<std::size_t>(sent));
  wake.cancel();
  return SseStream::DirectWrite::Partial;
}

}  // namespace ticketly::http
