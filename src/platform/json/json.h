#pragma once
// JSON at the HTTP edge: strict body parsing and the error envelope of DESIGN §6.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "platform/types/time.h"

namespace ticketly::json {

using Json = nlohmann::json;

// Parses a request body. Malformed JSON, an empty body, nesting deeper than
// `max_depth`, or a string (or key) containing U+0000 is the caller's fault: throws
// ticketly::Error(400) saying what. PostgreSQL cannot store a NUL in text or jsonb.
Json parse_body(std::string_view body, int max_depth = 64);

// Serializes for a response. Invalid UTF-8 in strings is replaced, never thrown on:
// a stored name with a broken byte must not turn a listing into a 500.
std::string dump(const Json& value);

// {"status":409,"error":"Conflict","message":"…","path":"…","timestamp":"…"}
std::string error_envelope(int status, std::string_view message, std::string_view path, Timestamp now);

// The standard reason phrase for an HTTP status ("Not Found"), or "Error".
std::string_view reason_phrase(int status);

}  // namespace ticketly::json
