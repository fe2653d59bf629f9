#include "platform/db/connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ticketly::db {

namespace {

using boost::system::error_code;
using Descriptor = asio::posix::stream_descriptor;

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Notices (e.g. "there is no transaction in progress") would go to stderr by default.
// `broken` is the connection's flag: an error that reaches an idle connection comes here
// as a notice, and a FATAL one is the server's goodbye (pg_terminate_backend, shutdown),
// sent just before it closes the socket. Marking the connection broken at once keeps the
// pool from handing it out in the instant before the close arrives.
void log_notice(void* broken, const char* message) {
  std::string m = trimmed(message);
  if (m.starts_with("FATAL") || m.starts_with("PANIC")) {
    *static_cast<bool*>(broken) = true;
    spdlog::debug("postgres: {}", m);
  } else if (m.starts_with("WARNING")) {
    spdlog::warn("postgres: {}", m);
  } else {
    spdlog::debug("postgres: {}", m);
  }
}

// Waits until the descriptor is readable or writable, whichever comes first: PQflush
// asks for both, because the server may refuse our input until we read its output.
// Asio has no single operation for that, so two waits race and the handler runs once
// both have finished (the loser is cancelled), which keeps every handler's state alive.
struct WaitEitherInitiation {
  template <class Handler>
  void operator()(Handler&& handler, Descriptor* socket) const {
    struct State {
      std::decay_t<Handler> handler;
      Descriptor* socket;
      int pending = 2;
      bool fired = false;
      error_code ec;
    };
    auto state = std::make_shared<State>(State{std::forward<Handler>(handler), socket});
    auto done = [state](error_code ec) {
      if (!state->fired) {
        state->fired = true;
        state->ec = ec;
        error_code ignored;
        state->socket->cancel(ignored);
      }
      if (--state->pending == 0) std::move(state->handler)(state->ec);
    };
    socket->async_wait(Descriptor::wait_read, done);
    socket->async_wait(Descriptor::wait_write, done);
  }
};

template <class Token>
auto async_wait_either(Descriptor& socket, Token&& token) {
  return asio::async_initiate<Token, void(error_code)>(WaitEitherInitiation{}, token, &socket);
}

// Keyword/value arrays for PQconnectStartParams: the caller's connection string,
// expanded, plus the session settings every connection of ours relies on.
struct ConnectParams {
  std::vector<std::string> keys, values;
  std::vector<const char*> key_ptrs, value_ptrs;

  explicit ConnectParams(const ConnectOptions& o) {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(o.conninfo.c_str(), &err);
    if (!parsed) {
      std::string message = err ? trimmed(err) : "out of memory";
      PQfreemem(err);
      throw DbError("invalid database connection string: " + message, std::string(sqlstate::kConnectionFailure));
    }
    std::string options;
    for (auto* opt = parsed; opt->keyword; ++opt) {
      if (!opt->val) continue;
      if (std::string_view(opt->keyword) == "options") {
        options = opt->val;
        continue;
      }
      keys.emplace_back(opt->keyword);
      values.emplace_back(opt->val);
    }
    PQconninfoFree(parsed);
    // Custom plans, made for each execution of a prepared statement with its parameters
    // and the table's current size. A generic plan cached while a table was small (a
    // fresh database, the first minute of a sale) scanned it whole, sometimes
    // quadratically, until an ANALYZE replanned it (docs/ARCHITECTURE.md, "Plans that
    // stay keyed"). Our statements are short, so planning each is cheap; the hot PL/pgSQL
    // functions keep their session plans (their own SET plan_cache_mode = auto).
    // First, so that the caller's options may say otherwise.
    options = "-c plan_cache_mode=force_custom_plan " + options;
    // Appended last so they win over the same settings in the caller's options: timestamps
    // are parsed assuming UTC and ISO output.
    options += " -c TimeZone=UTC -c DateStyle=ISO,YMD";
    if (o.statement_timeout.count() > 0) {
      options += " -c statement_timeout=" + std::to_string(o.statement_timeout.count());
    }
    add("options", options);
    add("client_encoding", "UTF8");
    add("fallback_application_name", "ticketly");
    if (o.dead_peer_timeout.count() > 0) {
      // Idle for half the time, then three probes a sixth apart: gone after about the whole.
      const long long seconds = std::max<long long>(1, o.dead_peer_timeout.count() / 1000);
      add_unless_set("keepalives", "1");
      add_unless_set("keepalives_idle", std::to_string(std::max<long long>(1, seconds / 2)));
      add_unless_set("keepalives_interval", std::to_string(std::max<long long>(1, seconds / 6)));
      add_unless_set("keepalives_count", "3");
      add_unless_set("tcp_user_timeout", std::to_string(o.dead_peer_timeout.count()));
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      key_ptrs.push_back(keys[i].c_str());
      value_ptrs.push_back(values[i].c_str());
    }
    key_ptrs.push_back(nullptr);
    value_ptrs.push_back(nullptr);
  }

  void add(std::string key, std::string value) {
    keys.push_back(std::move(key));
    values.push_back(std::move(value));
  }
  void add_unless_set(std::string key, std::string value) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) add(std::move(key), std::move(value));
  }
};

// Cancels the connection's socket waits once `timeout` passes, unless disarmed first.
// The flag lives in shared state because the timer handler may run after the coroutine
// that armed it has moved on.
class ConnectDeadline {
 public:
  template <class OnExpiry>
  ConnectDeadline(const asio::any_io_executor& ex, std::chrono::milliseconds timeout, OnExpiry on_expiry)
      : timer_(ex, timeout), state_(std::make_shared<State>()) {
    timer_.async_wait([state = state_, on_expiry](error_code ec) {
      if (ec || state->disarmed) return;
      state->expired = true;
      on_expiry();
    });
  }
  ~ConnectDeadline() {
    state_->disarmed = true;
    timer_.cancel();
  }
  bool expired() const { return state_->expired; }

 private:
  struct State {
    bool disarmed = false;
    bool expired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// Whether `stmt` must be prepared on a connection that has prepared `prepared` (name ->
// SQL); one name for two SQL texts is a programming error.
bool must_prepare(const std::unordered_map<std::string, std::string>& prepared, const Statement& stmt) {
  auto it = prepared.find(std::string(stmt.name));
  if (it == prepared.end()) return true;
  if (it->second != stmt.sql) {
    throw std::logic_error("statement name \"" + std::string(stmt.name) + "\" is used for two different SQL texts");
  }
  return false;
}

// libpq's view of encoded parameters; the strings stay owned by `params`.
std::vector<const char*> pointers_to(const std::vector<Encoded>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

Connection::Connection(asio::any_io_executor executor, pg_conn* conn) : executor_(std::move(executor)), conn_(conn) {}

Connection::~Connection() {
  // libpq owns the socket: the descriptor must let go of it before PQfinish closes it.
  if (socket_) {
    error_code ignored;
    socket_->cancel(ignored);
    socket_->release();
  }
  PQfinish(conn_);
}

asio::awaitable<std::unique_ptr<Connection>> Connection::connect(asio::any_io_executor executor,
                                                                  ConnectOptions options) {
  ConnectParams params(options);
  PGconn* raw = PQconnectStartParams(params.key_ptrs.data(), params.value_ptrs.data(), /*expand_dbname=*/0);
  if (!raw) throw DbError("cannot allocate a database connection", std::string(sqlstate::kConnectionFailure));
  std::unique_ptr<Connection> conn(new Connection(executor, raw));
  auto fail = [&](std::string_view why) -> std::unique_ptr<Connection> {
    throw DbError("cannot connect to the database: " + std::string(why),
                  std::string(sqlstate::kConnectionFailure));
  };
  if (PQstatus(raw) == CONNECTION_BAD) co_return fail(trimmed(PQerrorMessage(raw)));

  Connection* c = conn.get();
  ConnectDeadline deadline(executor, options.connect_timeout, [c] { c->cancel_waits(); });
  // Per libpq's documentation, the first step behaves as if PQconnectPoll asked to write.
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) co_return fail(trimmed(PQerrorMessage(raw)));
    // libpq may close a socket and open another (several hosts, SSL fallback), and the
    // new one can even reuse the old number: rebind on every step.
    if (c->socket_) {
      c->socket_->release();
      c->socket_.reset();
    }
    c->bind_socket();
    co_await c->wait(status == PGRES_POLLING_READING ? Wait::read : Wait::write);
    if (deadline.expired()) {
      co_return fail("timed out after " + std::to_string(options.connect_timeout.count()) + " ms");
    }
    status = PQconnectPoll(raw);
  }
  if (PQsetnonblocking(raw, 1) != 0) co_return fail(trimmed(PQerrorMessage(raw)));
  PQsetNoticeProcessor(raw, &log_notice, &c->broken_);  // c outlives raw (PQfinish in ~Connection)
  if (c->socket_) {
    c->socket_->release();
    c->socket_.reset();
  }
  c->bind_socket();
  co_return conn;
}

void Connection::bind_socket() {
  const int fd = PQsocket(conn_);
  if (fd < 0) fail_connection("no socket");
  if (socket_ && fd == socket_fd_) return;
  if (socket_) socket_->release();
  socket_.emplace(executor_, fd);
  socket_fd_ = fd;
}

void Connection::cancel_waits() {
  if (socket_) {
    error_code ignored;
    socket_->cancel(ignored);
  }
}

asio::awaitable<void> Connection::wait(Wait what) {
  // Asio's epoll reactor is edge-triggered: readiness that arrived while nobody was
  // waiting (libpq does not always read the socket dry) would not wake a new wait.
  // A zero-timeout poll() first catches it, and never blocks.
  pollfd p{};
  p.fd = socket_fd_;
  p.events = what == Wait::read ? POLLIN : what == Wait::write ? POLLOUT : (POLLIN | POLLOUT);
  if (::poll(&p, 1, 0) > 0) co_return;

  error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  switch (what) {
    case Wait::read:
      co_await socket_->async_wait(Descriptor::wait_read, token);
      break;
    case Wait::write:
      co_await socket_->async_wait(Descriptor::wait_write, token);
      break;
    case Wait::read_or_write:
      co_await async_wait_either(*socket_, token);
      break;
  }
  // operation_aborted: a deadline cancelled us, the caller checks it. Other errors:
  // libpq's next call on the socket reports what is wrong.
}

void Connection::begin_command() {
  if (broken()) {
    throw DbError("database connection is broken", std::string(sqlstate::kConnectionFailure));
  }
  if (busy_) throw std::logic_error("database connection is already running a command");
  busy_ = true;
}

asio::awaitable<void> Connection::flush() {
  for (;;) {
    const int r = PQflush(conn_);
    if (r == 0) co_return;
    if (r < 0) fail_connection("sending");
    co_await wait(Wait::read_or_write);
    if (!PQconsumeInput(conn_)) fail_connection("sending");
  }
}

asio::awaitable<Result> Connection::finish_command() {
  ++round_trips_;
  co_await flush();
  Result last;
  auto keep = [&](int, Result&& r) { last = std::move(r); };
  auto error = co_await read_results(false, keep);
  busy_ = false;
  if (!after_commit_.empty()) settle_after_commit(error ? nullptr : &last);
  if (error) throw *error;
  co_return last;
}

asio::awaitable<std::optional<DbError>> Connection::read_results(bool pipelined,
                                                                 const std::function<void(int, Result&&)>& keep) {
  std::optional<DbError> error;
  for (int at = 0;;) {
    while (PQisBusy(conn_)) {
      co_await wait(Wait::read);
      if (!PQconsumeInput(conn_)) fail_connection("reading", error ? error->what() : std::string());
    }
    PGresult* raw = PQgetResult(conn_);
    if (!raw) {
      if (!pipelined) break;
      ++at;  // the end of one pipelined command's results
      continue;
    }
    Result r(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_PIPELINE_SYNC:
        co_return error;
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        if (!error) keep(at, std::move(r));
        break;
      case PGRES_PIPELINE_ABORTED:  // skipped: an earlier command of the pipeline failed
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        // COPY needs a different protocol dance; the connection cannot go on.
        broken_ = true;
        throw std::logic_error("COPY is not supported by ticketly::db::Connection");
      default:
        if (!error) error.emplace(error_from(raw));
        break;
    }
  }
  co_return error;
}

void Connection::after_commit(std::function<void()> fn) {
  if (!fn) return;
  if (!in_transaction()) {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("after-commit hook failed: {}", e.what());
    }
    return;
  }
  after_commit_.push_back(std::move(fn));
}

void Connection::settle_after_commit(const Result* last) {
  if (transaction_status() != TxStatus::idle) {
    if (broken_) after_commit_.clear();
    return;  // still inside the transaction
  }
  // The transaction is over. "COMMIT" is the tag of a successful COMMIT/END; a COMMIT of
  // a failed transaction reports "ROLLBACK".
  auto hooks = std::move(after_commit_);
  after_commit_.clear();
  if (!last || last->command_status() != "COMMIT") return;
  for (auto& fn : hooks) {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("after-commit hook failed: {}", e.what());
    }
  }
}

std::string Connection::database_identity() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* name = PQdb(conn_);
  return std::string(host ? host : "") + ":" + (port ? port : "") + "/" + (name ? name : "");
}

void Connection::begin_with_next(std::string begin_sql) {
  if (begin_sql.empty()) throw std::invalid_argument("begin_with_next: empty statement");
  if (in_transaction()) throw std::logic_error("begin_with_next: the connection is already in a transaction");
  pending_begin_ = std::move(begin_sql);
}

void Connection::commit_with_next() {
  if (!in_transaction()) throw std::logic_error("commit_with_next: no transaction is open");
  commit_next_ = true;
}

asio::awaitable<Result> Connection::run_pipelined(const Statement* stmt, bool prepare, const std::string& sql,
                                                  const std::vector<const char*>& values) {
  const std::string name = stmt ? std::string(stmt->name) : std::string();
  begin_command();
  const std::string begin = std::exchange(pending_begin_, {});
  const bool commit = std::exchange(commit_next_, false);
  if (!PQenterPipelineMode(conn_)) fail_connection("entering pipeline mode");
  // The commands in the order sent; their results come back in that order, each ended by
  // a null result, and the sync's result after them all.
  const int n_values = static_cast<int>(values.size());
  int sent = 0, prepare_at = -1;
  if (!begin.empty()) {
    if (!PQsendQueryParams(conn_, begin.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)) fail_connection("sending");
    ++sent;
  }
  if (prepare) {
    const std::string text(stmt->sql);
    if (!PQsendPrepare(conn_, name.c_str(), text.c_str(), 0, nullptr)) fail_connection("sending");
    prepare_at = sent++;
  }
  const bool sent_main = stmt ? PQsendQueryPrepared(conn_, name.c_str(), n_values, values.data(), nullptr, nullptr, 0)
                              : PQsendQueryParams(conn_, sql.c_str(), n_values, nullptr, values.data(), nullptr,
                                                  nullptr, 0);
  if (!sent_main) fail_connection("sending");
  const int main_at = sent++;
  const int commit_at = commit ? sent++ : -1;
  if (commit && !PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0)) {
    fail_connection("sending");
  }
  if (!PQpipelineSync(conn_)) fail_connection("sending");
  ++round_trips_;
  co_await flush();

  Result main_result, commit_result;
  auto keep = [&](int at, Result&& r) {
    if (at == prepare_at) prepared_.emplace(name, std::string(stmt->sql));
    if (at == main_at) main_result = std::move(r);
    if (at == commit_at) commit_result = std::move(r);
  };
  auto error = co_await read_results(true, keep);
  if (!PQexitPipelineMode(conn_)) fail_connection("leaving pipeline mode");
  busy_ = false;
  // The server forgot a statement we prepared (DISCARD ALL): prepare it on its next use.
  if (error && stmt && error->sqlstate() == sqlstate::kInvalidStatementName) prepared_.erase(name);
  if (!after_commit_.empty()) settle_after_commit(error ? nullptr : commit ? &commit_result : &main_result);
  if (error) throw *error;
  co_return main_result;
}

asio::awaitable<Result> Connection::query_encoded(std::string sql, std::vector<Encoded> params) {
  const auto values = pointers_to(params);
  if (deferred()) co_return co_await run_pipelined(nullptr, false, sql, values);
  begin_command();
  if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                         nullptr, 0)) {
    fail_connection("sending");
  }
  co_return co_await finish_command();
}

asio::awaitable<Result> Connection::simple_query(std::string sql) {
  // The simple protocol has no pipeline mode: what is deferred takes round trips of its own.
  const bool commit = std::exchange(commit_next_, false);
  if (!pending_begin_.empty()) {
    std::string begin = std::exchange(pending_begin_, {});
    co_await query_encoded(std::move(begin), {});
  }
  begin_command();
  if (!PQsendQuery(conn_, sql.c_str())) fail_connection("sending");
  Result result = co_await finish_command();
  if (commit) co_await query_encoded("COMMIT", {});
  co_return result;
}

asio::awaitable<Result> Connection::execute_encoded(Statement stmt, std::vector<Encoded> params) {
  std::string name(stmt.name);
  const auto values = pointers_to(params);
  // A statement new to this connection is prepared in the same round trip as its first run.
  const bool prepare = must_prepare(prepared_, stmt);
  if (deferred() || prepare) co_return co_await run_pipelined(&stmt, prepare, std::string(), values);
  begin_command();
  if (!PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0)) {
    fail_connection("sending");
  }
  std::exception_ptr failure;
  try {
    co_return co_await finish_command();
  } catch (const DbError& e) {
    if (e.sqlstate() != sqlstate::kInvalidStatementName) throw;
    failure = std::current_exception();
  }
  // The server forgot the statement (DISCARD ALL, DEALLOCATE): prepare it again. Inside a
  // transaction the error has already aborted it, so only outside one is a retry safe.
  prepared_.erase(name);
  if (transaction_status() != TxStatus::idle) std::rethrow_exception(failure);
  co_return co_await run_pipelined(&stmt, true, std::string(), values);
}

void Connection::drain_notifications(std::vector<Notification>& out) {
  if (!PQconsumeInput(conn_)) fail_connection("reading notifications");
  while (PGnotify* n = PQnotifies(conn_)) {
    out.push_back(Notification{n->relname ? n->relname : "", n->extra ? n->extra : "", n->be_pid});
    PQfreemem(n);
  }
}

std::vector<Notification> Connection::take_notifications() {
  std::vector<Notification> out;
  // While a command runs its coroutine owns the socket: reading here could swallow the
  // readiness it waits for. Notifications that came with its results are still queued.
  if (busy_) {
    while (PGnotify* n = PQnotifies(conn_)) {
      out.push_back(Notification{n->relname ? n->relname : "", n->extra ? n->extra : "", n->be_pid});
      PQfreemem(n);
    }
    return out;
  }
  if (broken()) throw DbError("database connection is broken", std::string(sqlstate::kConnectionFailure));
  drain_notifications(out);
  return out;
}

asio::awaitable<std::vector<Notification>> Connection::wait_for_notifications(std::chrono::milliseconds timeout) {
  begin_command();
  struct Done {
    Connection* c;
    ~Done() { c->busy_ = false; }
  } done{this};
  std::vector<Notification> out;
  drain_notifications(out);
  if (out.empty() && timeout.count() > 0) {
    {
      ConnectDeadline deadline(executor_, timeout, [this] { cancel_waits(); });
      co_await wait(Wait::read);
    }
    drain_notifications(out);
  }
  co_return out;
}

bool Connection::broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

// A deferred BEGIN or COMMIT left behind (a transaction abandoned half-way) would slip into
// the next user's first statement.
bool Connection::reusable() const {
  return !broken() && !busy_ && !deferred() && transaction_status() == TxStatus::idle;
}

TxStatus Connection::transaction_status() const {
  switch (PQtransactionStatus(conn_)) {
    case PQTRANS_IDLE:
      return TxStatus::idle;
    case PQTRANS_ACTIVE:
      return TxStatus::active;
    case PQTRANS_INTRANS:
      return TxStatus::in_transaction;
    case PQTRANS_INERROR:
      return TxStatus::in_error;
    default:
      return TxStatus::unknown;
  }
}

int Connection::backend_pid() const { return PQbackendPID(conn_); }

bool Connection::check_alive() {
  if (broken() || busy_) return false;
  // An idle connection has nothing to read unless the server is saying goodbye (or sent
  // a notification). libpq notices the end of the stream only on a read that returns
  // nothing, which is the read after the one that fetched the server's last words.
  for (int round = 0; round < 4 && !broken(); ++round) {
    pollfd p{};
    p.fd = socket_fd_;
    p.events = POLLIN;
    if (::poll(&p, 1, 0) <= 0) break;
    if (!PQconsumeInput(conn_)) broken_ = true;
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);  // parses, so a FATAL notice marks it broken
  }
  return !broken();
}

void Connection::fail_connection(std::string_view context, const std::string& earlier_error) {
  broken_ = true;
  busy_ = false;
  after_commit_.clear();  // whether the COMMIT happened is unknown: never claim it did
  std::string message = "database connection lost while " + std::string(context) + ": " + trimmed(PQerrorMessage(conn_));
  if (!earlier_error.empty()) message += " (after: " + earlier_error + ")";
  throw DbError(std::move(message), std::string(sqlstate::kConnectionFailure));
}

DbError Connection::error_from(const pg_result* r) const {
  auto field = [r](int code) -> std::string {
    const char* v = PQresultErrorField(r, code);
    return v ? v : "";
  };
  std::string state = field(PG_DIAG_SQLSTATE);
  std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = trimmed(PQresultErrorMessage(r));
  if (state.empty() && PQstatus(conn_) != CONNECTION_OK) state = sqlstate::kConnectionFailure;
  return DbError(std::move(message), std::move(state), field(PG_DIAG_CONSTRAINT_NAME), field(PG_DIAG_MESSAGE_DETAIL));
}

}  // namespace ticketly::db
