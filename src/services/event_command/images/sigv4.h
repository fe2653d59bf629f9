#pragma once
// AWS Signature Version 4 (header form), enough for S3 object requests. Written here
// because the platform's HTTP client is asynchronous and libcurl's built-in SigV4 would
// block an I/O thread; tested against AWS's published vectors (get-vanilla from the
// SigV4 test suite, and the S3 "GET object" example).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/types/time.h"

namespace ticketly::event_command::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

struct Scope {
  std::string region;   // us-east-1
  std::string service;  // s3
};

struct CanonicalInput {
  std::string method;              // GET
  std::string path;                // "/bucket/key" as sent, already URI-encoded
  std::string query;               // canonical query string ("" when none): canonical_query()
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign, host included
  std::string payload_sha256_hex;  // hex SHA-256 of the body (of "" for none)
};

// "20150830T123600Z"
std::string amz_date(Timestamp t);
// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// RFC 3986 encoding of one path, keeping '/' (S3 keys are not encoded twice).
std::string encode_path(std::string_view path);
// Sorted by name then value, each side encoded.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

std::string canonical_request(const CanonicalInput& in);
// "host;x-amz-date": the lower-cased, sorted header names.
std::string signed_headers(const CanonicalInput& in);
// The value of the Authorization header. `date` is the request's x-amz-date.
std::string authorization(const CanonicalInput& in, const Credentials& credentials, const Scope& scope,
                          std::string_view date);

}  // namespace ticketly::event_command::sigv4
