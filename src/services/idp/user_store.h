#pragma once
// The users of the development identity provider, in its own database (migrations/idp/).
// Realm users are inserted at start when missing; existing rows are never overwritten,
// so changes made through the admin API survive restarts.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/idp/realm.h"
#include "services/idp/user.h"

namespace ticketly::db {
class Database;
}

namespace ticketly::idp {

namespace asio = boost::asio;

// Runs PBKDF2 (about 0.1 s per call) on a small pool so it never blocks an I/O worker.
class PasswordHasher {
 public:
  explicit PasswordHasher(std::size_t threads = 2) : pool_(threads) {}
  ~PasswordHasher() { pool_.join(); }
  asio::awaitable<std::string> hash(std::string password);
  // `hash` empty: compares against a dummy hash, so unknown users cost the same time.
  asio::awaitable<bool> verify(std::string password, std::string hash);

 private:
  asio::thread_pool pool_;
};

struct NewUser {
  std::string username;
  std::string email;
  std::string first_name;
  std::string last_name;
  bool enabled = false;
  bool email_verified = false;
  std::vector<std::string> groups;
  std::vector<std::string> realm_roles;
  std::optional<std::string> password;
};

struct UserQuery {
  std::optional<std::string> username;
  std::optional<std::string> email;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> search;  // any of the four contains it
  bool exact = false;                 // whole-value matches instead of "contains"
  std::int64_t first = 0;
  std::int64_t max = 100;
};

class UserStore {
 public:
  UserStore(db::Database& db, const Realm& realm, PasswordHasher& hasher) : db_(db), realm_(realm), hasher_(hasher) {}

  // Inserts the realm's users that are missing. Called at start; every lookup retries it
  // until it has succeeded once (the database may have been down at start).
  asio::awaitable<void> seed();

  // By username or email, case-insensitively.
  asio::awaitable<std::optional<User>> find_by_login(std::string login);
  asio::awaitable<std::optional<User>> find_by_id(Uuid id);
  asio::awaitable<std::vector<User>> search(UserQuery query);

  enum class Conflict { None, Username, Email };
  struct Created {
    std::optional<User> user;
    Conflict conflict = Conflict::None;
  };
  asio::awaitable<Created> create(NewUser user);

 private:
  asio::awaitable<void> ensure_seeded();

  db::Database& db_;
  const Realm& realm_;
  PasswordHasher& hasher_;
  std::atomic<bool> seeded_{false};
};

}  // namespace ticketly::idp
