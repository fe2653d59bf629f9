#pragma once
// Errors of the database layer.
//
// DbError carries PostgreSQL's SQLSTATE so callers can react to the few states that
// mean something to the domain (a unique violation is a 409, a serialization failure is
// retried) without parsing messages. Anything the pool cannot provide in time is a
// ticketly::Error with status 503, so the HTTP edge answers "try again later".
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "platform/errors.h"

namespace ticketly::db {

// SQLSTATEs the code base reacts to (PostgreSQL manual, appendix A).
namespace sqlstate {
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kCheckViolation = "23514";
inline constexpr std::string_view kNotNullViolation = "23502";
inline constexpr std::string_view kExclusionViolation = "23P01";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kConnectionFailure = "08006";
inline constexpr std::string_view kInvalidStatementName = "26000";
// Client-side decoding problems reuse the server's codes for the same situations.
inline constexpr std::string_view kNullValueNotAllowed = "22004";
inline constexpr std::string_view kInvalidTextRepresentation = "22P02";
}  // namespace sqlstate

class DbError : public std::runtime_error {
 public:
  DbError(std::string message, std::string sqlstate, std::string constraint = {}, std::string detail = {})
      : std::runtime_error(std::move(message)),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)),
        detail_(std::move(detail)) {}

  // Five-character SQLSTATE; empty when unknown.
  const std::string& sqlstate() const { return sqlstate_; }
  // Name of the violated constraint (PG_DIAG_CONSTRAINT_NAME), if the server named one.
  const std::string& constraint() const { return constraint_; }
  // The server's DETAIL line, if any (e.g. "Key (email)=(a@b.c) already exists.").
  const std::string& detail() const { return detail_; }

  bool is_unique_violation() const { return sqlstate_ == sqlstate::kUniqueViolation; }
  bool is_foreign_key_violation() const { return sqlstate_ == sqlstate::kForeignKeyViolation; }
  bool is_check_violation() const { return sqlstate_ == sqlstate::kCheckViolation; }
  bool is_exclusion_violation() const { return sqlstate_ == sqlstate::kExclusionViolation; }
  bool is_serialization_failure() const { return sqlstate_ == sqlstate::kSerializationFailure; }
  bool is_deadlock() const { return sqlstate_ == sqlstate::kDeadlockDetected; }
  // Class 08: the connection is gone; whether the statement ran is unknown.
  bool is_connection_failure() const { return sqlstate_.starts_with("08"); }
  // The whole transaction may be run again and will likely succeed. A connection
  // failure is deliberately not retryable: a COMMIT may have reached the server.
  bool is_retryable() const { return is_serialization_failure() || is_deadlock(); }

 private:
  std::string sqlstate_;
  std::string constraint_;
  std::string detail_;
};

// The pool could not provide a connection (acquire timeout, database unreachable).
class Unavailable : public ticketly::Error {
 public:
  explicit Unavailable(const std::string& reason) : ticketly::Error(503, "database unavailable: " + reason) {
    with_header("Retry-After", "1");
  }
};

}  // namespace ticketly::db
