#pragma once
// A blocking libpq session for tests that must hold a transaction open while the server
// works (a lock held, a row not yet committed). Any failed statement throws, with the
// server's message.
#include <libpq-fe.h>

#include <string>
#include <vector>

namespace ticketly::testing {

class SqlSession {
 public:
  explicit SqlSession(const std::string& url);
  ~SqlSession();
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  // Every row of the result, each value as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  // The first column of the first row ("" when none).
  std::string one(const std::string& sql);
  void run(const std::string& sql) { rows(sql); }

 private:
  PGconn* conn_;
};

}  // namespace ticketly::testing
