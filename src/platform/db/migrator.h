#pragma once
// Schema migrations and database bootstrap. These run at start-up (or from
// `ticketly migrate`) before anything is served, so they use plain blocking libpq.
//
// migrate() applies embedded MigrationFiles in version order, each in its own
// transaction together with its row in schema_migrations(set_name, version, name,
// checksum, applied_at). A database can hold several independent sets, each with its own
// version sequence: a service's own schema ("main") and, say, the platform's transactional
// outbox ("outbox"). It holds a session advisory lock meanwhile, so replicas starting at the
// same time take turns: the second one waits, then finds everything applied. A file
// whose text changed after it was applied stops start-up: migrations are append-only.
// A file must not contain its own BEGIN/COMMIT, nor statements that cannot run inside a
// transaction block (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE before PG 12).
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "platform/db/migrations.h"

namespace ticketly::db {

struct MigrationReport {
  std::string database;              // the label passed to migrate()
  std::string set = "main";          // the migration set
  std::vector<std::string> applied;  // "0002_add_holds", in the order applied
  std::size_t already_applied = 0;   // files found applied with a matching checksum
};

// A problem with the migration files themselves (order, edits); SQL errors are DbError.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The set every service's own migrations belong to.
inline constexpr std::string_view kMainMigrationSet = "main";

// `set` names the migration set of `files` (a plain identifier, e.g. "outbox"); versions
// are unique within a set. Messages name a set other than "main" as "<label>/<set>".
MigrationReport migrate(const std::string& conninfo, std::span<const MigrationFile> files,
                        std::string_view database_label, std::string_view set = kMainMigrationSet);

// Checks versions are positive, unique and strictly increasing; throws MigrationError.
void validate_migrations(std::span<const MigrationFile> files, std::string_view database_label);

// "0002_add_holds": how a file is named in reports and messages.
std::string migration_id(const MigrationFile& file);

// Lowercase hex SHA-256 (OpenSSL EVP), the checksum stored in schema_migrations.
std::string sha256_hex(std::string_view data);

// The advisory-lock key migrate() holds: FNV-1a 64 of "ticketly.migrate". Advisory locks
// are scoped to one database, so different services' databases do not wait on each other.
constexpr std::int64_t migration_lock_key() {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : std::string_view("ticketly.migrate")) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h);
}

// [a-z_][a-z0-9_]* and at most 63 bytes: safe to splice into SQL unquoted.
bool is_valid_database_name(std::string_view name);

// Creates `dbname` unless it exists (races with another creator are fine). Throws
// std::invalid_argument for a name that is not a plain lowercase identifier.
void create_database_if_missing(const std::string& admin_conninfo, const std::string& dbname);
// DROP DATABASE IF EXISTS ... WITH (FORCE): disconnects remaining sessions first.
void drop_database_if_exists(const std::string& admin_conninfo, const std::string& dbname);

// The connection string for database `dbname` on the cluster of `base`:
//   postgresql://u:pw@127.0.0.1:55432          -> postgresql://u:pw@127.0.0.1:55432/dbname
//   postgresql://u:pw@host/old?sslmode=require  -> postgresql://u:pw@host/dbname?sslmode=require
//   host=db user=u                              -> host=db user=u dbname='dbname'
std::string conninfo_for_database(std::string_view base, std::string_view dbname);

}  // namespace ticketly::db
