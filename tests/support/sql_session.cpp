#include "support/sql_session.h"

#include <memory>
#include <stdexcept>

namespace ticketly::testing {

SqlSession::SqlSession(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw std::runtime_error("SqlSession: " + error);
  }
}

SqlSession::~SqlSession() { PQfinish(conn_); }

std::vector<std::vector<std::string>> SqlSession::rows(const std::string& sql) {
  const std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_, sql.c_str()), &PQclear);
  const auto status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(std::string("SqlSession: ") + PQresultErrorMessage(r.get()) + " (" + sql + ")");
  }
  std::vector<std::vector<std::string>> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r.get()); ++j) row.emplace_back(PQgetvalue(r.get(), i, j));
    out.push_back(std::move(row));
  }
  return out;
}

std::string SqlSession::one(const std::string& sql) {
  auto r = rows(sql);
  return r.empty() || r[0].empty() ? std::string() : r[0][0];
}

}  // namespace ticketly::testing
