#pragma once
// In-memory state of the development provider: SSO sessions, authorization codes,
// pending logins (with their anti-forgery token), and failed-login rate limits.
//
// Memory only, by design (a development provider): a restart logs everybody out and
// invalidates refresh tokens. Every structure is thread-safe (handlers of one session
// may run on different workers) and bounded: entries expire, expired ones are swept as
// new ones arrive, and at capacity the ones closest to expiry are dropped.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::idp {

using Now = std::function<Timestamp()>;

// What a client asked for at the authorization endpoint, carried to the code.
struct AuthRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string response_mode;  // "fragment" | "query"
  std::string state;
  std::string nonce;
  std::string scope;
  std::string code_challenge;  // S256; empty when none was sent
};

struct Session {
  std::string id;      // sid and session_state: public
  std::string secret;  // the HttpOnly cookie carries "<id>.<secret>"
  Uuid user_id;
  Timestamp started{};
  Timestamp last_used{};
  Timestamp auth_time{};
};

struct AuthCode {
  AuthRequest request;
  std::string session_id;
  Uuid user_id;
  Timestamp expires{};
};

struct PendingLogin {
  std::string id;       // names the login in the form
  std::string csrf;     // anti-forgery token, also in the form
  std::string browser;  // the browser's AUTH_SESSION_ID cookie when the form was shown
  AuthRequest request;
  std::string login_hint;
  Timestamp expires{};
};

struct SessionLimits {
  std::chrono::seconds idle{std::chrono::hours(8)};  // since the last login or refresh
  std::chrono::seconds max{std::chrono::hours(10)};  // since the login
  std::chrono::seconds code_ttl{60};
  std::chrono::seconds login_ttl{std::chrono::minutes(30)};
  std::size_t max_sessions = 100000;
  std::size_t max_codes = 20000;
  std::size_t max_logins = 20000;
};

class SessionStore {
 public:
  explicit SessionStore(SessionLimits limits = {}, Now now = Clock::now);

  Session create(Uuid user_id);
  // The live session a cookie value names (secret compared in constant time).
  std::optional<Session> find_by_cookie(std::string_view cookie) const;
  std::optional<Session> find(std::string_view id) const;
  // Marks a refresh; false when the session is gone or expired.
  bool touch(std::string_view id);
  void end(std::string_view id);
  Timestamp expires(const Session& s) const;  // min(last use + idle, start + max)
  static std::string cookie_value(const Session& s) { return s.id + "." + s.secret; }

  std::string issue_code(AuthRequest request, const Session& session);
  // Single use. A second redemption of the same code ends its session (RFC 6749 §4.1.2:
  // the tokens issued for a stolen code are revoked).
  std::optional<AuthCode> redeem_code(std::string_view code);

  PendingLogin begin_login(AuthRequest request, std::string browser, std::string login_hint);
  std::optional<PendingLogin> find_login(std::string_view id) const;
  // Removes a pending login; false when it was already gone (finished by another request).
  bool finish_login(std::string_view id);

  std::size_t session_count() const;

 private:
  bool alive(const Session& s, Timestamp now) const { return now < expires(s); }
  void sweep(Timestamp now);  // callers hold mu_

  SessionLimits limits_;
  Now now_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;
  std::unordered_map<std::string, AuthCode> codes_;
  std::unordered_map<std::string, std::pair<std::string, Timestamp>> used_codes_;  // code -> session, until
  std::unordered_map<std::string, PendingLogin> logins_;
  std::size_t inserts_since_sweep_ = 0;
};

// Failed password logins per username: after `max_failures` within `window`, further
// attempts are refused (before the password is checked) until the oldest failure is
// older than the window.
class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(int max_failures = 10, std::chrono::seconds window = std::chrono::seconds(60),
                            std::size_t max_usernames = 10000, Now now = Clock::now);

  // How long to wait when the username is locked out; nullopt when an attempt is allowed.
  std::optional<std::chrono::seconds> blocked(std::string_view username);
  void record_failure(std::string_view username);
  void reset(std::string_view username);

 private:
  void prune(std::deque<Timestamp>& failures, Timestamp now) const;

  int max_failures_;
  std::chrono::seconds window_;
  std::size_t max_usernames_;
  Now now_;
  std::mutex mu_;
  std::map<std::string, std::deque<Timestamp>, std::less<>> failures_;
};

}  // namespace ticketly::idp
