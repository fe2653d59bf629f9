#include "platform/db/migrator.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "platform/db/error.h"

namespace ticketly::db {

namespace {

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void log_notice(void*, const char* message) { spdlog::debug("postgres: {}", trimmed(message)); }

// A blocking libpq session: fine here, nothing is served while migrations run.
class BlockingSession {
 public:
  explicit BlockingSession(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string message = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
      PQfinish(conn_);
      throw DbError("cannot connect to the database: " + message, std::string(sqlstate::kConnectionFailure));
    }
    PQsetNoticeProcessor(conn_, &log_notice, nullptr);
  }
  ~BlockingSession() { PQfinish(conn_); }
  BlockingSession(const BlockingSession&) = delete;
  BlockingSession& operator=(const BlockingSession&) = delete;

  // Runs `sql` (several statements allowed when there are no parameters).
  std::unique_ptr<PGresult, decltype(&PQclear)> exec(const std::string& sql,
                                                     const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = params.empty() ? PQexec(conn_, sql.c_str())
                                 : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                                values.data(), nullptr, nullptr, 0);
    std::unique_ptr<PGresult, decltype(&PQclear)> result(r, &PQclear);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      auto field = [r](int code) -> std::string {
        const char* v = r ? PQresultErrorField(r, code) : nullptr;
        return v ? v : "";
      };
      std::string state = field(PG_DIAG_SQLSTATE);
      if (state.empty() && PQstatus(conn_) != CONNECTION_OK) state = sqlstate::kConnectionFailure;
      std::string message = r ? trimmed(PQresultErrorMessage(r)) : trimmed(PQerrorMessage(conn_));
      throw DbError(std::move(message), std::move(state), field(PG_DIAG_CONSTRAINT_NAME),
                    field(PG_DIAG_MESSAGE_DETAIL));
    }
    return result;
  }

  // Best effort, for cleanup paths: never throws.
  void exec_quietly(const char* sql) { PQclear(PQexec(conn_, sql)); }

 private:
  PGconn* conn_;
};

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

bool is_url(std::string_view s) { return s.starts_with("postgresql://") || s.starts_with("postgres://"); }

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string migration_id(const MigrationFile& file) {
  char version[16];
  std::snprintf(version, sizeof version, "%04d", file.version);
  return std::string(version) + "_" + std::string(file.name);
}

void validate_migrations(std::span<const MigrationFile> files, std::string_view database_label) {
  const std::string where = " of " + std::string(database_label);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].version <= 0) {
      throw MigrationError("migration " + migration_id(files[i]) + where + " has a version below 1");
    }
    if (i > 0 && files[i].version == files[i - 1].version) {
      throw MigrationError("migrations " + migration_id(files[i - 1]) + " and " + migration_id(files[i]) + where +
                           " share version " + std::to_string(files[i].version));
    }
    if (i > 0 && files[i].version < files[i - 1].version) {
      throw MigrationError("migration " + migration_id(files[i]) + where + " comes after " +
                           migration_id(files[i - 1]) + ": versions must increase");
    }
  }
}

MigrationReport migrate(const std::string& conninfo, std::span<const MigrationFile> files,
                        std::string_view database_label, std::string_view set) {
  if (!is_valid_database_name(set)) throw MigrationError("invalid migration set name: \"" + std::string(set) + "\"");
  MigrationReport report;
  report.database = std::string(database_label);
  report.set = std::string(set);
  // "order" for the service's own set, "order/outbox" for another set in its database.
  const std::string subject = set == kMainMigrationSet ? report.database : report.database + "/" + report.set;
  validate_migrations(files, subject);
  const std::string where = " of " + subject;

  BlockingSession db(conninfo);
  db.exec("SET client_min_messages = warning");
  db.exec("SELECT pg_advisory_lock($1)", {std::to_string(migration_lock_key())});
  // The lock goes with the session as well; unlocking explicitly just frees it sooner.
  struct Unlock {
    BlockingSession& db;
    ~Unlock() {
      db.exec_quietly(("SELECT pg_advisory_unlock(" + std::to_string(migration_lock_key()) + ")").c_str());
    }
  } unlock{db};

  db.exec(R"sql(
    CREATE TABLE IF NOT EXISTS schema_migrations (
      set_name   text NOT NULL DEFAULT 'main',
      version    integer NOT NULL,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (set_name, version)
    ))sql");
  // A development database migrated before sets existed has schema_migrations(version PK):
  // its rows are the main set's.
  db.exec(R"sql(
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'schema_migrations'
                       AND column_name = 'set_name') THEN
        ALTER TABLE schema_migrations ADD COLUMN set_name text NOT NULL DEFAULT 'main';
        ALTER TABLE schema_migrations DROP CONSTRAINT schema_migrations_pkey;
        ALTER TABLE schema_migrations ADD PRIMARY KEY (set_name, version);
      END IF;
    END $$)sql");

  struct Applied {
    std::string name, checksum;
  };
  std::map<int, Applied> applied;
  {
    auto r = db.exec("SELECT version, name, checksum FROM schema_migrations WHERE set_name = $1 ORDER BY version",
                     {report.set});
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      applied[std::stoi(PQgetvalue(r.get(), i, 0))] = Applied{PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2)};
    }
  }

  for (const auto& file : files) {
    const std::string id = migration_id(file);
    const std::string checksum = sha256_hex(file.sql);
    if (auto it = applied.find(file.version); it != applied.end()) {
      if (it->second.checksum != checksum) {
        throw MigrationError("migration " + id + where +
                             " was edited after it was applied (checksum differs); add a new migration instead");
      }
      ++report.already_applied;
      applied.erase(it);
      continue;
    }
    db.exec("BEGIN");
    try {
      db.exec(std::string(file.sql));
      db.exec("INSERT INTO schema_migrations (set_name, version, name, checksum) VALUES ($1, $2, $3, $4)",
              {report.set, std::to_string(file.version), std::string(file.name), checksum});
      db.exec("COMMIT");
    } catch (const DbError& e) {
      db.exec_quietly("ROLLBACK");
      throw DbError("migration " + id + where + " failed: " + e.what(), e.sqlstate(), e.constraint(), e.detail());
    }
    report.applied.push_back(id);
    spdlog::info("database {}: applied migration {}", subject, id);
  }
  // Rows without a file: this binary is older than the schema (e.g. a rolling deploy).
  for (const auto& [version, row] : applied) {
    spdlog::warn("database {}: migration {} ({}) is applied but unknown to this build", subject, version, row.name);
  }
  return report;
}

bool is_valid_database_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void create_database_if_missing(const std::string& admin_conninfo, const std::string& dbname) {
  if (!is_valid_database_name(dbname)) throw std::invalid_argument("invalid database name: \"" + dbname + "\"");
  BlockingSession db(admin_conninfo);
  auto r = db.exec("SELECT 1 FROM pg_database WHERE datname = $1", {dbname});
  if (PQntuples(r.get()) > 0) return;
  try {
    db.exec("CREATE DATABASE " + dbname);
  } catch (const DbError& e) {
    // Another process created it between our check and our CREATE.
    if (e.sqlstate() != "42P04" && !e.is_unique_violation()) throw;
  }
}

void drop_database_if_exists(const std::string& admin_conninfo, const std::string& dbname) {
  if (!is_valid_database_name(dbname)) throw std::invalid_argument("invalid database name: \"" + dbname + "\"");
  BlockingSession db(admin_conninfo);
  db.exec("DROP DATABASE IF EXISTS " + dbname + " WITH (FORCE)");
}

std::string conninfo_for_database(std::string_view base, std::string_view dbname) {
  if (!is_url(base)) {
    // keyword=value form: a later dbname overrides an earlier one.
    std::string out(base);
    if (!out.empty() && out.back() != ' ') out.push_back(' ');
    return out + "dbname=" + quote_literal(dbname);
  }
  const std::size_t authority = base.find("://") + 3;
  const std::size_t path = base.find_first_of("/?#", authority);
  std::string out(base.substr(0, path));
  out += "/" + percent_encode(dbname);
  if (path != std::string_view::npos) {
    const std::size_t rest = base.find_first_of("?#", path);
    if (rest != std::string_view::npos) out += base.substr(rest);
  }
  return out;
}

}  // namespace ticketly::db
