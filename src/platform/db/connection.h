#pragma once
// One asynchronous PostgreSQL connection on libpq, driven by the io_context it was
// opened on. No call blocks the thread: libpq runs in non-blocking mode and the
// coroutine suspends on socket readiness (posix::stream_descriptor::async_wait) between
// PQconnectPoll / PQflush / PQconsumeInput steps.
//
// A connection runs one command at a time and belongs to one coroutine at a time (the
// pool's Lease guarantees that). Services normally use Database, not this class.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/db/error.h"
#include "platform/db/params.h"
#include "platform/db/result.h"

struct pg_conn;  // libpq's PGconn

namespace ticketly::db {

namespace asio = boost::asio;

// A statement prepared once per physical connection, the first time it runs there.
// Declare them as constants next to the store method that runs them:
//   constexpr db::Statement kFindOrder{"order.find", R"sql(SELECT ... WHERE id = $1)sql"};
// The strings must outlive the call (string literals do). Names are unique per process.
struct Statement {
  std::string_view name;
  std::string_view sql;
};

struct ConnectOptions {
  // libpq connection string or URI: "postgresql://user:pw@host:port/db?sslmode=disable".
  std::string conninfo;
  std::chrono::milliseconds connect_timeout{5000};
  // Server-side statement_timeout for every statement; 0 keeps the server's default.
  std::chrono::milliseconds statement_timeout{0};
  // Notices a server that vanished without closing the connection (a NAT timeout, a
  // partition) within about this long: TCP keepalives while idle, tcp_user_timeout while
  // writes go unacknowledged. 0 keeps the OS defaults (two hours idle). For connections
  // that only wait, such as a LISTEN loop, where no query would ever fail. The caller's
  // connection string wins where it sets the same parameters.
  std::chrono::milliseconds dead_peer_timeout{0};
};

enum class TxStatus { idle, active, in_transaction, in_error, unknown };

// A NOTIFY received by a connection that LISTENs.
struct Notification {
  std::string channel;
  std::string payload;
  int sender_pid = 0;  // the notifying backend
};

class Connection {
 public:
  // Opens a connection on `executor` (which must be the io_context that will use it).
  // Every session runs with TimeZone=UTC, DateStyle=ISO and client_encoding=UTF8.
  // Throws DbError (08006) on failure or after connect_timeout. libpq resolves a host
  // *name* synchronously when it starts; use an IP address (or hostaddr=) where a slow
  // resolver could stall the worker.
  static asio::awaitable<std::unique_ptr<Connection>> connect(asio::any_io_executor executor, ConnectOptions options);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with $1..$n parameters (extended protocol, so never several statements).
  template <Param... Ps>
  asio::awaitable<Result> query(std::string_view sql, const Ps&... params) {
    return query_encoded(std::string(sql), encode_params(params...));
  }
  // A prepared statement: prepared on first use on this connection, then reused.
  template <Param... Ps>
  asio::awaitable<Result> execute(const Statement& stmt, const Ps&... params) {
    return execute_encoded(stmt, encode_params(params...));
  }
  // Several ;-separated statements without parameters (simple protocol), e.g. DDL in
  // tests. Returns the last statement's result.
  asio::awaitable<Result> simple_query(std::string sql);

  // The non-template forms the templates above forward to (arguments owned by the frame).
  asio::awaitable<Result> query_encoded(std::string sql, std::vector<Encoded> params);
  asio::awaitable<Result> execute_encoded(Statement stmt, std::vector<Encoded> params);

  // The connection is unusable: lost, or a command was abandoned half-way.
  bool broken() const;
  // Fit to be handed to the next user: not broken, no command running, no open transaction,
  // nothing deferred.
  bool reusable() const;
  TxStatus transaction_status() const;
  // Also true while a BEGIN waits to go with the next command (begin_with_next).
  bool in_transaction() const {
    if (!pending_begin_.empty()) return true;
    auto s = transaction_status();
    return s == TxStatus::in_transaction || s == TxStatus::in_error;
  }

  // Pipelining (libpq pipeline mode): what is deferred here goes to the server in the same
  // round trip as the next query()/execute() on this connection. Under load every round
  // trip waits a turn of the worker's event loop behind the requests it serves, so a
  // transaction's latency is mostly its round trips (docs/ARCHITECTURE.md, "Round trips").
  //
  // `begin_sql` (a BEGIN) is sent just before the next command. Database::transaction opens
  // its transactions this way: BEGIN costs no round trip of its own. If the next command
  // fails, the transaction is open and in error, as if BEGIN had been sent alone.
  void begin_with_next(std::string begin_sql);
  // COMMIT is sent right after the next command, so a transaction's last statement takes
  // the COMMIT with it; Database::transaction then finds the transaction ended and sends no
  // COMMIT of its own. If the statement fails, the COMMIT is skipped and the statement's
  // error is thrown; if the COMMIT fails, its error is thrown.
  void commit_with_next();
  // Drops what is deferred and not yet sent (before a rollback).
  void clear_deferred() {
    pending_begin_.clear();
    commit_next_ = false;
  }
  // Forgets a commit_with_next() that no command took up.
  void drop_commit_with_next() { commit_next_ = false; }
  // Commands (or pipelines of them) sent and answered on this connection so far.
  std::uint64_t round_trips() const { return round_trips_; }
  // The server process id (for pg_terminate_backend, pg_stat_activity).
  int backend_pid() const;
  bool is_prepared(std::string_view name) const { return prepared_.contains(std::string(name)); }
  std::size_t prepared_count() const { return prepared_.size(); }

  // LISTEN/NOTIFY. After `LISTEN channel` on this connection, the server sends
  // notifications whenever a transaction that notified commits, also while other commands
  // run; libpq queues them. Use a dedicated connection (not a pooled one): the pool's idle
  // check discards queued notifications, and a LISTEN outlives the lease.
  //
  // What has arrived so far, without waiting.
  std::vector<Notification> take_notifications();
  // Waits up to `timeout` for a notification, or until interrupt_wait(); returns what
  // arrived (possibly nothing: timeouts and interruptions are not errors). Throws DbError
  // 08006 when the connection is lost.
  asio::awaitable<std::vector<Notification>> wait_for_notifications(std::chrono::milliseconds timeout);
  // Ends a pending wait_for_notifications early. Call on the connection's executor.
  void interrupt_wait() { cancel_waits(); }

  // After-commit hooks. `fn` runs once the transaction now open on this connection has
  // committed: right after a COMMIT (or END) reports success, on this connection's thread,
  // before the coroutine that sent the COMMIT resumes. A rollback, a failed COMMIT or a
  // lost connection drops the hooks unrun. Hooks must not throw (what they throw is logged
  // and swallowed) and must not use this connection. Outside a transaction (autocommit)
  // `fn` runs at once: the previous statement has committed. Database::transaction needs
  // nothing more: its COMMIT goes through here. Used by bus::publish to wake this
  // process's outbox relay without a NOTIFY (which serialises commits server-wide).
  void after_commit(std::function<void()> fn);
  std::size_t pending_after_commit() const { return after_commit_.size(); }

  // "host:port/dbname" of the server session, as libpq resolved it: identifies the
  // database for process-local coordination (e.g. which relay serves which outbox).
  std::string database_identity() const;

  // Without blocking, notices a connection the server closed while it sat idle (restart,
  // pg_terminate_backend, idle timeout). Returns false if it is no longer usable.
  bool check_alive();

  pg_conn* native() const { return conn_; }
  const asio::any_io_executor& executor() const { return executor_; }

 private:
  enum class Wait { read, write, read_or_write };

  Connection(asio::any_io_executor executor, pg_conn* conn);

  // Rebinds the descriptor to PQsocket() (libpq may switch sockets while connecting).
  void bind_socket();
  void cancel_waits();
  asio::awaitable<void> wait(Wait what);
  asio::awaitable<void> flush();
  // After a PQsend*: flushes, collects every result, and returns the last one.
  asio::awaitable<Result> finish_command();
  // Reads the results of what was sent, for finish_command (one command) and run_pipelined
  // (several, each ended by a null result, then the sync). Successful results go to
  // keep(index of their command, result); the first error is returned, later ones (and
  // commands a pipeline skipped after it) are dropped. COPY breaks the connection.
  asio::awaitable<std::optional<DbError>> read_results(bool pipelined, const std::function<void(int, Result&&)>& keep);
  // One command with what is deferred around it, in pipeline mode; returns its result.
  // `prepare`: `stmt` is new to this connection and is prepared in the same round trip.
  asio::awaitable<Result> run_pipelined(const Statement* stmt, bool prepare, const std::string& sql,
                                        const std::vector<const char*>& values);
  bool deferred() const { return !pending_begin_.empty() || commit_next_; }
  void begin_command();
  // Marks the connection broken and throws DbError 08006 with libpq's message.
  [[noreturn]] void fail_connection(std::string_view context, const std::string& earlier_error = {});
  DbError error_from(const pg_result* r) const;
  // After a command finished: runs the after-commit hooks if it was a successful COMMIT,
  // drops them if the transaction ended otherwise.
  void settle_after_commit(const Result* last);
  // Reads what the socket holds and moves queued notifications to `out`.
  void drain_notifications(std::vector<Notification>& out);

  asio::any_io_executor executor_;
  pg_conn* conn_;
  std::optional<asio::posix::stream_descriptor> socket_;
  int socket_fd_ = -1;
  bool busy_ = false;    // a command was sent and its results are not all read
  bool broken_ = false;  // lost, or abandoned mid-command
  std::unordered_map<std::string, std::string> prepared_;  // name -> sql
  std::vector<std::function<void()>> after_commit_;
  std::string pending_begin_;  // begin_with_next
  bool commit_next_ = false;   // commit_with_next
  std::uint64_t round_trips_ = 0;
};

}  // namespace ticketly::db
