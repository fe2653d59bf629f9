#pragma once
// multipart/form-data (RFC 7578 over RFC 2046) for bodies the server has already
// buffered; the per-route body limit is enforced before this runs. One linear pass over
// the body, whatever it contains.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticketly::http {

struct MultipartPart {
  std::string name;
  // As the client sent it (after unquoting or RFC 5987 decoding): may contain path
  // separators, so handlers must not use it as a path.
  std::optional<std::string> filename;
  std::string content_type;  // the part's Content-Type value, "text/plain" if absent
  std::string data;
};

struct MultipartLimits {
  std::size_t max_parts = 32;
  std::size_t max_part_size = 50u << 20;  // bytes of one part's data
  std::size_t max_header_bytes = 8192;    // bytes of one part's header block
};

// Parses `body` given the request's Content-Type header value. Throws ticketly::Error
// (400) naming the problem on any malformed input or exceeded limit. The preamble and
// the epilogue are ignored; bare LF line endings are accepted as well as CRLF.
std::vector<MultipartPart> parse_multipart(std::string_view content_type, std::string_view body,
                                           const MultipartLimits& limits = {});

// The first part called `name`, or nullptr.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);
// Every part called `name`, in body order (e.g. several files under one field).
std::vector<const MultipartPart*> find_parts(const std::vector<MultipartPart>& parts, std::string_view name);

}  // namespace ticketly::http
