#include "services/idp/user_store.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "platform/crypto/crypto.h"
#include "platform/db/database.h"
#include "platform/text/ascii.h"

namespace ticketly::idp {
namespace {

#define TICKETLY_IDP_USER_COLUMNS                                                                             \
  "id, username, email, first_name, last_name, password_hash, enabled, email_verified, groups, realm_roles, " \
  "created_at"

constexpr db::Statement kFindByLogin{"idp.user_by_login", "SELECT " TICKETLY_IDP_USER_COLUMNS R"sql(
  FROM users WHERE username = lower($1) OR email = lower($1)
  ORDER BY username = lower($1) DESC LIMIT 1)sql"};

constexpr db::Statement kFindById{"idp.user_by_id", "SELECT " TICKETLY_IDP_USER_COLUMNS " FROM users WHERE id = $1"};

constexpr db::Statement kSearch{"idp.user_search", "SELECT " TICKETLY_IDP_USER_COLUMNS R"sql(
  FROM users
  WHERE ($1::text IS NULL OR CASE WHEN $5::boolean THEN username = lower($1) ELSE strpos(username, lower($1)) > 0 END)
    AND ($2::text IS NULL OR CASE WHEN $5 THEN email = lower($2) ELSE strpos(coalesce(email, ''), lower($2)) > 0 END)
    AND ($3::text IS NULL OR CASE WHEN $5 THEN lower(first_name) = lower($3)
                                  ELSE strpos(lower(first_name), lower($3)) > 0 END)
    AND ($4::text IS NULL OR CASE WHEN $5 THEN lower(last_name) = lower($4)
                                  ELSE strpos(lower(last_name), lower($4)) > 0 END)
    AND ($6::text IS NULL OR strpos(username, lower($6)) > 0 OR strpos(coalesce(email, ''), lower($6)) > 0
         OR strpos(lower(first_name || ' ' || last_name), lower($6)) > 0)
  ORDER BY username
  OFFSET $7 LIMIT $8)sql"};

constexpr db::Statement kExists{"idp.user_exists",
                                "SELECT count(*) FROM users WHERE username = $1 OR ($2 <> '' AND email = $2)"};

constexpr db::Statement kInsert{"idp.user_insert", R"sql(
  INSERT INTO users (id, username, email, first_name, last_name, password_hash, enabled, email_verified,
                     groups, realm_roles)
  VALUES ($1, $2, NULLIF($3, ''), $4, $5, NULLIF($6, ''), $7, $8, $9::text[], $10::text[])
  RETURNING created_at)sql"};
constexpr db::Statement kSeed{"idp.user_seed", R"sql(
  INSERT INTO users (id, username, email, first_name, last_name, password_hash, enabled, email_verified,
                     groups, realm_roles)
  VALUES ($1, $2, NULLIF($3, ''), $4, $5, NULLIF($6, ''), $7, $8, $9::text[], $10::text[])
  ON CONFLICT DO NOTHING RETURNING id)sql"};

User read_user(const db::Row& row) {
  User u;
  u.id = row.get<Uuid>(0);
  u.username = row.get<std::string>(1);
  u.email = row.get<std::optional<std::string>>(2).value_or("");
  u.first_name = row.get<std::string>(3);
  u.last_name = row.get<std::string>(4);
  u.password_hash = row.get<std::optional<std::string>>(5).value_or("");
  u.enabled = row.get<bool>(6);
  u.email_verified = row.get<bool>(7);
  u.groups = row.get<std::vector<std::string>>(8);
  u.realm_roles = row.get<std::vector<std::string>>(9);
  u.created_at = row.get<Timestamp>(10);
  return u;
}

asio::awaitable<std::string> hash_now(std::string password) { co_return crypto::hash_password(password); }

asio::awaitable<bool> verify_now(std::string password, std::string hash) {
  if (hash.empty()) {
    // Same work as a real check, so response times do not tell which usernames exist.
    static const std::string dummy = crypto::hash_password(crypto::random_token(16));
    crypto::verify_password(password, dummy);
    co_return false;
  }
  co_return crypto::verify_password(password, hash);
}

}  // namespace

asio::awaitable<std::string> PasswordHasher::hash(std::string password) {
  co_return co_await asio::co_spawn(pool_, hash_now(std::move(password)), asio::use_awaitable);
}

asio::awaitable<bool> PasswordHasher::verify(std::string password, std::string hash) {
  co_return co_await asio::co_spawn(pool_, verify_now(std::move(password), std::move(hash)), asio::use_awaitable);
}

asio::awaitable<void> UserStore::seed() {
  int added = 0;
  for (const auto& u : realm_.users) {
    auto existing = co_await db_.execute(kExists, u.username, u.email);
    if (existing.scalar<std::int64_t>() > 0) continue;
    // (No co_await inside ?: — g++ 12 destroys its temporaries twice.)
    std::string hash;
    if (u.password) hash = co_await hasher_.hash(*u.password);
    Uuid id = u.id.value_or(Uuid::random());
    // A first request may seed alongside start-up: count only the rows this pass inserted.
    auto inserted = co_await db_.execute(kSeed, id, u.username, u.email, u.first_name, u.last_name, hash, u.enabled,
                                         u.email_verified, u.groups, u.realm_roles);
    added += inserted.empty() ? 0 : 1;
  }
  seeded_ = true;
  if (added > 0) spdlog::info("identity provider: added {} user(s) from the realm file", added);
}

asio::awaitable<void> UserStore::ensure_seeded() {
  if (seeded_.load()) co_return;
  try {
    co_await seed();
  } catch (const std::exception& e) {
    spdlog::warn("identity provider: adding the realm's users failed: {}", e.what());
  }
}

asio::awaitable<std::optional<User>> UserStore::find_by_login(std::string login) {
  co_await ensure_seeded();
  auto r = co_await db_.execute(kFindByLogin, login);
  if (r.empty()) co_return std::nullopt;
  co_return read_user(r[0]);
}

asio::awaitable<std::optional<User>> UserStore::find_by_id(Uuid id) {
  co_await ensure_seeded();
  auto r = co_await db_.execute(kFindById, id);
  if (r.empty()) co_return std::nullopt;
  co_return read_user(r[0]);
}

asio::awaitable<std::vector<User>> UserStore::search(UserQuery q) {
  co_await ensure_seeded();
  auto r =
      co_await db_.execute(kSearch, q.username, q.email, q.first_name, q.last_name, q.exact, q.search, q.first, q.max);
  std::vector<User> out;
  for (auto row : r) out.push_back(read_user(row));
  co_return out;
}

asio::awaitable<UserStore::Created> UserStore::create(NewUser n) {
  co_await ensure_seeded();
  User u;
  u.id = Uuid::random();
  u.username = text::ascii_lower(n.username);
  u.email = text::ascii_lower(n.email);
  u.first_name = n.first_name;
  u.last_name = n.last_name;
  u.enabled = n.enabled;
  u.email_verified = n.email_verified;
  u.groups = n.groups;
  u.realm_roles = n.realm_roles;
  if (n.password) u.password_hash = co_await hasher_.hash(*n.password);
  try {
    auto r = co_await db_.execute(kInsert, u.id, u.username, u.email, u.first_name, u.last_name, u.password_hash,
                                  u.enabled, u.email_verified, u.groups, u.realm_roles);
    u.created_at = r.scalar<Timestamp>();
  } catch (const db::DbError& e) {
    if (!e.is_unique_violation()) throw;
    co_return Created{std::nullopt,
                      e.constraint().find("email") != std::string::npos ? Conflict::Email : Conflict::Username};
  }
  co_return Created{u, Conflict::None};
}

}  // namespace ticketly::idp
