#pragma once
// What a handler returns: a complete message, or a Server-Sent Events stream.
//
// A body is either the message's own string or a shared immutable buffer (`shared_body`,
// e.g. a cached response): the server writes the latter straight from the buffer, so a
// megabyte-sized cached seat map is never copied per request. A large shared body may also
// come with a BodyFile of the same bytes: the server then sendfile()s it (body_file.h).
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "platform/http/body_file.h"
#include "platform/http/sse.h"
#include "platform/json/json.h"

namespace ticketly::http {

namespace bhttp = boost::beast::http;

struct Response {
  bhttp::response<bhttp::string_body> message;
  std::shared_ptr<SseStream> stream;  // set: the body is this event stream
  std::shared_ptr<const std::string> shared_body;  // set: the body (message.body() is unused)
  std::shared_ptr<const BodyFile> body_file;       // set: shared_body's bytes, to sendfile()

  static Response json(int status, const json::Json& body);
  static Response json_text(int status, std::string body);  // pre-serialized JSON
  static Response json_shared(int status, std::shared_ptr<const std::string> body,  // shared, not copied
                              std::shared_ptr<const BodyFile> file = nullptr);
  static Response text(int status, std::string body, std::string_view content_type);
  static Response no_content();
  // The error envelope (json::error_envelope) the pipeline sends for a thrown Error; for
  // handlers whose everyday answer is an error (a flash sale's 409s), where unwinding an
  // exception per request would cost more than the answer.
  static Response error(int status, std::string_view message, std::string_view path);
  static Response not_modified();  // 304: no body, no Content-Length
  static Response event_stream(std::shared_ptr<SseStream> stream);

  int status() const { return static_cast<int>(message.result_int()); }
  std::string_view body() const { return shared_body ? std::string_view(*shared_body) : std::string_view(message.body()); }
  Response& set(bhttp::field name, std::string_view value) {
    message.set(name, value);
    return *this;
  }
  Response& set(std::string_view name, std::string_view value) {
    message.set(name, value);
    return *this;
  }
};

}  // namespace ticketly::http
