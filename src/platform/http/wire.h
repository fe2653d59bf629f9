#pragma once
// Response bytes on the wire. The server writes each response with one syscall
// from a per-connection buffer instead of Beast's serializer: fewer allocations
// and buffer-sequence walks on the path every request takes.
#include <string>
#include <string_view>

#include "platform/http/response.h"

namespace ticketly::http {

struct WireOptions {
  unsigned version = 11;    // of the request: 10 or 11
  bool keep_alive = true;
  bool head = false;        // HEAD: headers of the GET, no body
  bool chunked = false;     // event streams: Transfer-Encoding: chunked, no length
  std::string_view request_id;
  std::string_view server;
};

// Appends the status line, the response's headers, the standard ones (Server,
// X-Request-Id, Content-Length or Transfer-Encoding, Connection when needed)
// and the body to `out`. A status without a body (1xx, 204, 304) has no
// Content-Length and no body.
void serialize_response(const Response& res, const WireOptions& options, std::string& out);

// The same without the body: the caller sends `sends_body(res, options)` bytes of
// `res.body()` right after `out` (the server does so for a shared body, without copying it).
void serialize_head(const Response& res, const WireOptions& options, std::string& out);
bool sends_body(const Response& res, const WireOptions& options);

// Appends one chunk of chunked transfer encoding (`size CRLF data CRLF`).
void append_chunk(std::string_view data, std::string& out);
// Writes the `size CRLF` that starts a chunk to `out` (room for 20 bytes); returns its length.
std::size_t chunk_header(std::size_t size, char* out);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace ticketly::http
