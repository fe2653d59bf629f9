#include "platform/http/wire.h"

#include <boost/beast/http/status.hpp>

#include <charconv>

namespace ticketly::http {
namespace {

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// RFC 9110 §6.4.1: 1xx, 204 and 304 responses never carry content.
bool bodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

bool sends_body(const Response& res, const WireOptions& o) {
  return !o.head && !o.chunked && !bodiless(res.message.result_int());
}

void serialize_response(const Response& res, const WireOptions& o, std::string& out) {
  const bool with_body = sends_body(res, o);
  const auto body = res.body();
  out.reserve(out.size() + 256 + (with_body ? body.size() : 0));
  serialize_head(res, o, out);
  if (with_body) out.append(body);
}

void serialize_head(const Response& res, const WireOptions& o, std::string& out) {
  const auto& m = res.message;
  out.append(o.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, m.result_int());
  out.push_back(' ');
  auto reason = bhttp::obsolete_reason(m.result());
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  for (const auto& f : m) {
    // The server owns framing and connection management.
    auto name = f.name();
    if (name == bhttp::field::content_length || name == bhttp::field::transfer_encoding ||
        name == bhttp::field::connection) {
      continue;
    }
    auto n = f.name_string();
    auto v = f.value();
    out.append(n.data(), n.size()).append(": ").append(v.data(), v.size()).append("\r\n");
  }
  if (!o.server.empty()) out.append("Server: ").append(o.server).append("\r\n");
  if (!o.request_id.empty()) out.append("X-Request-Id: ").append(o.request_id).append("\r\n");
  if (o.chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (!bodiless(m.result_int())) {
    out.append("Content-Length: ");
    append_number(out, res.body().size());
    out.append("\r\n");
  }
  if (o.version == 10) {
    if (o.keep_alive) out.append("Connection: keep-alive\r\n");
  } else if (!o.keep_alive) {
    out.append("Connection: close\r\n");
  }
  out.append("\r\n");
}

std::size_t chunk_header(std::size_t size, char* out) {
  // 16 hex digits at most for a 64-bit size, then CRLF.
  auto [end, ec] = std::to_chars(out, out + 18, size, 16);
  *end++ = '\r';
  *end++ = '\n';
  return static_cast<std::size_t>(end - out);
}

void append_chunk(std::string_view data, std::string& out) {
  if (data.empty()) return;  // an empty chunk would end the stream
  char buf[20];
  out.append(buf, chunk_header(data.size(), buf)).append(data).append("\r\n");
}

}  // namespace ticketly::http
