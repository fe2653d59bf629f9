#include "services/event_command/api/support.h"

#include <charconv>

#include "platform/errors.h"
#include "platform/text/ascii.h"
#include "services/event_command/images/image_type.h"
#include "services/event_command/store/organizations_store.h"

namespace ticketly::event_command::api {

PageRequest read_page(const Request& req, std::int64_t default_size) {
  PageRequest p;
  p.page = req.query.integer("page", 0, 1'000'000).value_or(0);
  if (auto size = req.query.integer("size", 1, 1'000'000)) {
    if (*size > kMaxPageSize) throw bad_request("'size' must be at most " + std::to_string(kMaxPageSize));
    p.size = *size;
  } else {
    p.size = default_size;
  }
  return p;
}

store::EventSort read_event_sort(const Request& req) {
  auto sort = req.query.get("sort");
  if (!sort || sort->empty()) return store::EventSort::UpdatedDesc;
  auto comma = sort->find(',');
  std::string_view field = sort->substr(0, comma);
  std::string_view dir = comma == std::string_view::npos ? "asc" : sort->substr(comma + 1);
  bool desc;
  if (dir == "desc" || dir == "DESC") {
    desc = true;
  } else if (dir == "asc" || dir == "ASC") {
    desc = false;
  } else {
    throw bad_request("'sort' direction must be asc or desc");
  }
  if (field == "updatedAt") return desc ? store::EventSort::UpdatedDesc : store::EventSort::UpdatedAsc;
  if (field == "createdAt") return desc ? store::EventSort::CreatedDesc : store::EventSort::CreatedAsc;
  if (field == "title") return desc ? store::EventSort::TitleDesc : store::EventSort::TitleAsc;
  throw bad_request("'sort' must be one of createdAt, updatedAt, title (with ,asc or ,desc)");
}

std::optional<std::int64_t> expected_version(const Request& req, const Json* body) {
  std::string_view match = req.header(http::Field::if_match);
  if (!match.empty()) {
    if (match.starts_with("W/")) match.remove_prefix(2);
    if (match.size() >= 2 && match.front() == '"' && match.back() == '"') match = match.substr(1, match.size() - 2);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(match.data(), match.data() + match.size(), v);
    if (ec != std::errc() || end != match.data() + match.size() || v < 1) {
      throw bad_request("If-Match must be the version number you last read, e.g. \"3\"");
    }
    return v;
  }
  if (body && body->is_object()) {
    auto it = body->find("version");
    if (it != body->end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 1) {
        throw bad_request("'version' must be the positive version number you last read");
      }
      return it->get<std::int64_t>();
    }
  }
  return std::nullopt;
}

void check_version(const std::optional<std::int64_t>& expected, std::int64_t actual, std::string_view what) {
  if (expected && *expected != actual) {
    throw conflict("The " + std::string(what) + " was changed by someone else (version " + std::to_string(actual) +
                   ", you sent " + std::to_string(*expected) + "); reload it and try again");
  }
}

std::vector<http::MultipartPart> multipart(const Request& req) {
  std::string_view type = req.header(http::Field::content_type);
  if (!text::iequals_ascii(type.substr(0, type.find(';')), "multipart/form-data")) {
    throw Error(415, "Content-Type must be multipart/form-data");
  }
  return http::parse_multipart(type, req.body());
}

Json json_object(const Request& req) {
  Json body = req.json();
  if (!body.is_object()) throw bad_request("Request body must be a JSON object");
  return body;
}

void require_owner(const std::string& owner_id, const auth::Principal& who, std::string_view what) {
  if (owner_id != who.subject) throw forbidden("Only the owner of this " + std::string(what) + " may do that");
}

asio::awaitable<Organization> owned_organization(db::Connection& c, const auth::Principal& who, const Uuid& id,
                                                 bool lock) {
  auto org = co_await store::find_organization(c, id, lock);
  if (!org) throw not_found("Organization " + id.str() + " not found");
  require_owner(org->owner_id, who, "organization");
  co_return std::move(*org);
}

asio::awaitable<store::EventRow> owned_event(db::Connection& c, const auth::Principal& who, const Uuid& id, bool lock) {
  auto event = co_await store::find_event(c, id, lock);
  if (!event) throw not_found("Event " + id.str() + " not found");
  require_owner(event->owner_id, who, "event");
  co_return std::move(*event);
}

asio::awaitable<void> remove_images(App& app, const std::vector<ImageRef>& images) {
  for (const auto& image : images) co_await remove_image(app, image);
}

asio::awaitable<void> remove_image(App& app, const ImageRef& image) {
  std::string key = image.file_name();
  co_await app.images->remove(key);
}

asio::awaitable<ImageRef> store_image(App& app, const http::MultipartPart& part, std::size_t max_bytes,
                                      std::string_view what) {
  ImageType type = check_image_upload(part, max_bytes, what);
  ImageRef ref{Uuid::random(), std::string(type.ext)};
  std::string key = ref.file_name();
  std::string content_type(type.content_type);
  co_await app.images->put(key, part.data, content_type);
  co_return ref;
}

Response json(int status, const Json& body) { return Response::json(status, body); }
Response ok(const Json& body) { return Response::json(200, body); }

}  // namespace ticketly::event_command::api
