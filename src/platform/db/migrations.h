#pragma once
// Versioned SQL migrations, embedded at build time from migrations/<database>/.
// Apply them with ticketly::db::migrate (platform/db/migrator.h).
#include <span>
#include <string_view>

namespace ticketly::db {

struct MigrationFile {
  int version;            // NNNN from the file name
  std::string_view name;  // the rest of the file name, without .sql
  std::string_view sql;
};

}  // namespace ticketly::db

// Each service declares its own `std::span<const db::MigrationFile> ticketly::migrations::<id>()`,
// generated into that service's library by cmake/EmbedMigrations.cmake; the platform
// knows no service by name.
