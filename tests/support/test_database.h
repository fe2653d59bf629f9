#pragma once
// A throw-away PostgreSQL database for one test (or one suite): created on the cluster
// named by TICKETLY_TEST_PG_URL (a URL without a database, e.g.
// postgresql://ticketly:PW@127.0.0.1:55432), dropped WITH (FORCE) on destruction.
// `make test` (scripts/test.sh) starts the project's cluster and sets the variable.
#include <string>
#include <string_view>

namespace ticketly::testing {

class TestDatabase {
 public:
  // Creates "<prefix>_<16 random hex digits>"; the prefix is lowercased and anything
  // outside [a-z0-9_] becomes '_'. Throws std::runtime_error when the variable is unset.
  explicit TestDatabase(std::string_view prefix = "test");
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Connection string of the new database.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // TICKETLY_TEST_PG_URL, or std::runtime_error explaining how to run the tests.
  static std::string cluster_url();
  // Connection string of the cluster's maintenance database ("postgres").
  static std::string admin_url();

 private:
  std::string name_;
  std::string url_;
};

}  // namespace ticketly::testing
