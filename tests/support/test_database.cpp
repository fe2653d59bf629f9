#include "support/test_database.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "platform/db/migrator.h"

namespace ticketly::testing {

std::string TestDatabase::cluster_url() {
  const char* url = std::getenv("TICKETLY_TEST_PG_URL");
  if (!url || !*url) {
    throw std::runtime_error(
        "TICKETLY_TEST_PG_URL is not set: run the tests with `make test`, which starts the project's "
        "PostgreSQL cluster, or export TICKETLY_TEST_PG_URL=$(scripts/pg.sh url)");
  }
  return url;
}

std::string TestDatabase::admin_url() { return db::conninfo_for_database(cluster_url(), "postgres"); }

TestDatabase::TestDatabase(std::string_view prefix) {
  std::string clean;
  for (char c : prefix.substr(0, 40)) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    clean.push_back((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') ? lower : '_');
  }
  if (clean.empty() || (clean[0] >= '0' && clean[0] <= '9')) clean = "t" + clean;
  std::random_device rd;
  std::uint64_t bits = (std::uint64_t{rd()} << 32) ^ rd();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; i < 16; ++i) suffix.push_back(kHex[(bits >> (i * 4)) & 15]);
  name_ = clean + "_" + suffix;

  const std::string admin = admin_url();
  db::create_database_if_missing(admin, name_);
  url_ = db::conninfo_for_database(cluster_url(), name_);
}

TestDatabase::~TestDatabase() {
  try {
    db::drop_database_if_exists(admin_url(), name_);
  } catch (const std::exception& e) {
    spdlog::warn("could not drop test database {}: {}", name_, e.what());
  }
}

}  // namespace ticketly::testing
