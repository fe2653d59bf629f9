// The migrator against a real server (TICKETLY_TEST_PG_URL): order, idempotence, edited
// files, failures, concurrent migrators, database creation.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "platform/db/error.h"
#include "platform/db/migrator.h"
#include "support/test_database.h"

namespace ticketly::db {
namespace {

using testing::TestDatabase;

const MigrationFile kMigrations[] = {
    {1, "init", "CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL);"},
    {2, "more", "ALTER TABLE widgets ADD COLUMN size int; CREATE INDEX widgets_size ON widgets (size);"},
    {3, "seed", "SELECT pg_sleep(0.2); INSERT INTO widgets VALUES (1, 'first', 1);"},
};

std::int64_t count_rows(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::int64_t n = PQresultStatus(r) == PGRES_TUPLES_OK ? std::stoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  PQfinish(c);
  return n;
}

TEST(DbMigrator, AppliesInOrderThenIsIdempotent) {
  TestDatabase database("db_migrate");
  auto first = migrate(database.url(), std::span(kMigrations).first(2), "order");
  EXPECT_EQ(first.database, "order");
  EXPECT_EQ(first.applied, (std::vector<std::string>{"0001_init", "0002_more"}));
  EXPECT_EQ(first.already_applied, 0u);

  auto again = migrate(database.url(), kMigrations, "order");
  EXPECT_EQ(again.applied, (std::vector<std::string>{"0003_seed"}));
  EXPECT_EQ(again.already_applied, 2u);

  auto idle = migrate(database.url(), kMigrations, "order");
  EXPECT_TRUE(idle.applied.empty());
  EXPECT_EQ(idle.already_applied, 3u);
  EXPECT_EQ(count_rows(database.url(), "SELECT count(*) FROM widgets"), 1);
  EXPECT_EQ(count_rows(database.url(), "SELECT count(*) FROM schema_migrations WHERE checksum ~ '^[0-9a-f]{64}$'"),
            3);
}

TEST(DbMigrator, RefusesAFileEditedAfterItWasApplied) {
  TestDatabase database("db_migrate");
  migrate(database.url(), kMigrations, "order");
  MigrationFile edited[] = {kMigrations[0], kMigrations[1], kMigrations[2]};
  edited[1].sql = "ALTER TABLE widgets ADD COLUMN size bigint;";
  try {
    migrate(database.url(), edited, "order");
    FAIL() << "an edited migration was accepted";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("migration 0002_more of order was edited after it was applied"),
              std::string::npos)
        << e.what();
  }
}

TEST(DbMigrator, AFailingFileLeavesNoTrace) {
  TestDatabase database("db_migrate");
  const MigrationFile files[] = {kMigrations[0], {2, "broken", "CREATE TABLE half (x int); SELECT no_such_fn();"}};
  EXPECT_THROW(migrate(database.url(), files, "order"), DbError);
  EXPECT_EQ(count_rows(database.url(), "SELECT count(*) FROM schema_migrations"), 1);
  EXPECT_EQ(count_rows(database.url(), "SELECT count(*) FROM pg_tables WHERE tablename = 'half'"), 0);
}

TEST(DbMigrator, ConcurrentMigratorsApplyEachFileOnce) {
  TestDatabase database("db_migrate");
  std::vector<MigrationReport> reports(3);
  std::vector<std::exception_ptr> errors(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      try {
        reports[i] = migrate(database.url(), kMigrations, "order");
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::size_t applied = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(errors[i]);
    applied += reports[i].applied.size();
    EXPECT_EQ(reports[i].applied.size() + reports[i].already_applied, 3u);
  }
  EXPECT_EQ(applied, 3u);
  EXPECT_EQ(count_rows(database.url(), "SELECT count(*) FROM schema_migrations"), 3);
  EXPECT_EQ(count_rows(database.url(), "SELECT count(*) FROM widgets"), 1);
}

TEST(DbMigrator, CreatesADatabaseOnlyOnce) {
  TestDatabase database("db_create");
  const std::string name = database.name() + "_x";
  create_database_if_missing(TestDatabase::admin_url(), name);
  create_database_if_missing(TestDatabase::admin_url(), name);
  EXPECT_EQ(count_rows(TestDatabase::admin_url(), "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"),
            1);
  drop_database_if_exists(TestDatabase::admin_url(), name);
  EXPECT_EQ(count_rows(TestDatabase::admin_url(), "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"),
            0);
}

}  // namespace
}  // namespace ticketly::db
