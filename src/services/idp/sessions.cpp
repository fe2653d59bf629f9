#include "services/idp/sessions.h"

#include <algorithm>
#include <vector>

#include "platform/crypto/crypto.h"

namespace ticketly::idp {
namespace {

// Drops entries, earliest expiry first, until `m` holds at most `keep`.
template <class Map, class Expiry>
void evict_earliest(Map& m, std::size_t keep, Expiry expiry) {
  if (m.size() <= keep) return;
  std::vector<std::pair<Timestamp, std::string>> order;
  order.reserve(m.size());
  for (const auto& [k, v] : m) order.emplace_back(expiry(v), k);
  auto drop = order.size() - keep;
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop - 1), order.end());
  for (std::size_t i = 0; i < drop; ++i) m.erase(order[i].second);
}

template <class Map, class Expired>
void erase_expired(Map& m, Expired expired) {
  for (auto it = m.begin(); it != m.end();) it = expired(it->second) ? m.erase(it) : std::next(it);
}

}  // namespace

SessionStore::SessionStore(SessionLimits limits, Now now) : limits_(limits), now_(std::move(now)) {}

Timestamp SessionStore::expires(const Session& s) const {
  return std::min(s.last_used + limits_.idle, s.started + limits_.max);
}

void SessionStore::sweep(Timestamp now) {
  bool over = sessions_.size() >= limits_.max_sessions || codes_.size() >= limits_.max_codes ||
              logins_.size() >= limits_.max_logins || used_codes_.size() >= limits_.max_codes;
  if (++inserts_since_sweep_ < 256 && !over) return;
  inserts_since_sweep_ = 0;
  erase_expired(sessions_, [&](const Session& s) { return !alive(s, now); });
  erase_expired(codes_, [&](const AuthCode& c) { return c.expires <= now; });
  erase_expired(used_codes_, [&](const auto& u) { return u.second <= now; });
  erase_expired(logins_, [&](const PendingLogin& l) { return l.expires <= now; });
  // Still full of live entries: make room (a tenth, so this does not run on every insert).
  auto room = [](std::size_t cap) { return cap - cap / 10 - 1; };
  if (sessions_.size() >= limits_.max_sessions) {
    evict_earliest(sessions_, room(limits_.max_sessions), [&](const Session& s) { return expires(s); });
  }
  if (codes_.size() >= limits_.max_codes) {
    evict_earliest(codes_, room(limits_.max_codes), [](const AuthCode& c) { return c.expires; });
  }
  if (used_codes_.size() >= limits_.max_codes) {
    evict_earliest(used_codes_, room(limits_.max_codes), [](const auto& u) { return u.second; });
  }
  if (logins_.size() >= limits_.max_logins) {
    evict_earliest(logins_, room(limits_.max_logins), [](const PendingLogin& l) { return l.expires; });
  }
}

Session SessionStore::create(Uuid user_id) {
  auto now = now_();
  Session s{Uuid::random().str(), crypto::random_token(32), user_id, now, now, now};
  std::lock_guard lock(mu_);
  sweep(now);
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionStore::find_by_cookie(std::string_view cookie) const {
  auto dot = cookie.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto s = find(cookie.substr(0, dot));
  if (!s || !crypto::equal_constant_time(s->secret, cookie.substr(dot + 1))) return std::nullopt;
  return s;
}

std::optional<Session> SessionStore::find(std::string_view id) const {
  auto now = now_();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end() || !alive(it->second, now)) return std::nullopt;
  return it->second;
}

bool SessionStore::touch(std::string_view id) {
  auto now = now_();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return false;
  if (!alive(it->second, now)) {
    sessions_.erase(it);
    return false;
  }
  it->second.last_used = now;
  return true;
}

void SessionStore::end(std::string_view id) {
  std::lock_guard lock(mu_);
  sessions_.erase(std::string(id));
}

std::size_t SessionStore::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::string SessionStore::issue_code(AuthRequest request, const Session& session) {
  auto now = now_();
  std::string code = crypto::random_token(32);
  std::lock_guard lock(mu_);
  sweep(now);
  codes_[code] = AuthCode{std::move(request), session.id, session.user_id, now + limits_.code_ttl};
  return code;
}

std::optional<AuthCode> SessionStore::redeem_code(std::string_view code) {
  auto now = now_();
  std::lock_guard lock(mu_);
  std::string key(code);
  if (auto used = used_codes_.find(key); used != used_codes_.end()) {
    sessions_.erase(used->second.first);
    return std::nullopt;
  }
  auto it = codes_.find(key);
  if (it == codes_.end()) return std::nullopt;
  AuthCode c = std::move(it->second);
  codes_.erase(it);
  // Remembered for as long as the code could have been valid, plus a margin.
  used_codes_[key] = {c.session_id, c.expires + limits_.code_ttl};
  if (c.expires <= now) return std::nullopt;
  return c;
}

PendingLogin SessionStore::begin_login(AuthRequest request, std::string browser, std::string login_hint) {
  auto now = now_();
  PendingLogin l{crypto::random_token(24), crypto::random_token(32), std::move(browser),
                 std::move(request),       std::move(login_hint),    now + limits_.login_ttl};
  std::lock_guard lock(mu_);
  sweep(now);
  logins_[l.id] = l;
  return l;
}

std::optional<PendingLogin> SessionStore::find_login(std::string_view id) const {
  auto now = now_();
  std::lock_guard lock(mu_);
  auto it = logins_.find(std::string(id));
  if (it == logins_.end() || it->second.expires <= now) return std::nullopt;
  return it->second;
}

bool SessionStore::finish_login(std::string_view id) {
  std::lock_guard lock(mu_);
  return logins_.erase(std::string(id)) > 0;
}

// ---- rate limiting ----

LoginRateLimiter::LoginRateLimiter(int max_failures, std::chrono::seconds window, std::size_t max_usernames, Now now)
    : max_failures_(max_failures), window_(window), max_usernames_(max_usernames), now_(std::move(now)) {}

void LoginRateLimiter::prune(std::deque<Timestamp>& failures, Timestamp now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

std::optional<std::chrono::seconds> LoginRateLimiter::blocked(std::string_view username) {
  auto now = now_();
  std::lock_guard lock(mu_);
  auto it = failures_.find(username);
  if (it == failures_.end()) return std::nullopt;
  prune(it->second, now);
  if (static_cast<int>(it->second.size()) < max_failures_) return std::nullopt;
  auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.front() + window_ - now);
  return std::max(wait, std::chrono::seconds(1));
}

void LoginRateLimiter::record_failure(std::string_view username) {
  auto now = now_();
  std::lock_guard lock(mu_);
  if (failures_.size() >= max_usernames_ && failures_.find(username) == failures_.end()) {
    erase_expired(failures_, [&](std::deque<Timestamp>& f) {
      prune(f, now);
      return f.empty();
    });
    // Still full: forget the entry whose last failure is oldest.
    if (failures_.size() >= max_usernames_) {
      auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                     [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
      failures_.erase(oldest);
    }
  }
  auto& f = failures_[std::string(username)];
  prune(f, now);
  f.push_back(now);
  while (static_cast<int>(f.size()) > max_failures_) f.pop_front();
}

void LoginRateLimiter::reset(std::string_view username) {
  std::lock_guard lock(mu_);
  if (auto it = failures_.find(username); it != failures_.end()) failures_.erase(it);
}

}  // namespace ticketly::idp
