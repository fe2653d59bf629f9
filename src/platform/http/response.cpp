#include "platform/http/response.h"

namespace ticketly::http {

Response Response::json(int status, const json::Json& body) { return json_text(status, json::dump(body)); }

Response Response::json_text(int status, std::string body) {
  return text(status, std::move(body), "application/json");
}

Response Response::json_shared(int status, std::shared_ptr<const std::string> body,
                               std::shared_ptr<const BodyFile> file) {
  Response r;
  r.message.result(static_cast<unsigned>(status));
  r.message.set(bhttp::field::content_type, "application/json");
  if (file && file->size() == body->size()) r.body_file = std::move(file);
  r.shared_body = std::move(body);
  return r;
}

Response Response::text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.message.result(static_cast<unsigned>(status));
  r.message.set(bhttp::field::content_type, content_type);
  r.message.body() = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view message, std::string_view path) {
  return json_text(status, json::error_envelope(status, message, path, Clock::now()));
}

Response Response::no_content() {
  Response r;
  r.message.result(bhttp::status::no_content);
  return r;
}

Response Response::not_modified() {
  Response r;
  r.message.result(bhttp::status::not_modified);
  return r;
}

Response Response::event_stream(std::shared_ptr<SseStream> stream) {
  Response r;
  r.message.result(bhttp::status::ok);
  r.message.set(bhttp::field::content_type, "text/event-stream");
  r.message.set(bhttp::field::cache_control, "no-cache");
  // Tells nginx-style proxies not to buffer the stream.
  r.message.set("X-Accel-Buffering", "no");
  r.stream = std::move(stream);
  return r;
}

}  // namespace ticketly::http
