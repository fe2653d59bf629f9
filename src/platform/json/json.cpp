#include "platform/json/json.h"

#include <algorithm>

#include "platform/errors.h"

namespace ticketly::json {
namespace {

// A cheap bracket count before parsing, so a hostile "[[[[…" body is refused
// before nlohmann's recursive parser and destructor walk it. Brackets inside strings are
// text, not nesting: counting them refused a description with many '[' (tests/fuzz/json_body).
bool too_deep(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

bool has_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

// A string or key holding U+0000, at any depth (bounded by the depth check).
bool contains_nul(const Json& value) {
  if (value.is_string()) return has_nul(value.get_ref<const std::string&>());
  if (value.is_array()) return std::any_of(value.begin(), value.end(), contains_nul);
  if (!value.is_object()) return false;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (has_nul(it.key()) || contains_nul(it.value())) return true;
  }
  return false;
}

}  // namespace

Json parse_body(std::string_view body, int max_depth) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw bad_request("Request body is required");
  }
  if (too_deep(body, max_depth)) throw bad_request("Malformed JSON request body: nested too deeply");
  Json value;
  try {
    value = Json::parse(body);
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based position of the error; the library's text repeats internals.
    throw bad_request("Malformed JSON request body at byte " + std::to_string(e.byte));
  } catch (const Json::out_of_range&) {
    // A number beyond a double's range (1e400) is well-formed JSON that the parser cannot
    // hold; found by tests/fuzz/json_body (it was a 500).
    throw bad_request("Malformed JSON request body: a number is out of range");
  }
  // PostgreSQL refuses NUL in text and \u0000 in jsonb (a 500 later), and nothing a client
  // sends needs it. A raw NUL byte is already malformed JSON; only the escape can carry
  // one, so bodies without "\u0000" skip the walk.
  if (body.find("\\u0000") != std::string_view::npos && contains_nul(value)) {
    throw bad_request("Malformed JSON request body: strings must not contain the NUL character (\\u0000)");
  }
  return value;
}

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string error_envelope(int status, std::string_view message, std::string_view path, Timestamp now) {
  Json body = {{"status", status},
               {"error", reason_phrase(status)},
               {"message", message},
               {"path", path},
               {"timestamp", format_iso8601(now, true)}};
  return dump(body);
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

}  // namespace ticketly::json
