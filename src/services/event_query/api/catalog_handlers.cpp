// Event, session, discount, seat-map and category views: served from the response cache
// when warm, else built from the stored event document and cached.
#include <algorithm>

#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "services/event_query/api/api.h"
#include "services/event_query/api/single_flight.h"
#include "services/event_query/live/gzip.h"
#include "services/event_query/model/json_fields.h"
#include "services/event_query/model/views.h"
#include "services/event_query/store/search.h"

namespace ticketly::event_query {

namespace {

using json::Json;

asio::awaitable<Document> public_event(Api& api, const Uuid& id) {
  auto e = co_await event_document(api, id);
  if (!e || !views::is_public_status(e->status)) throw not_found("Event not found");
  co_return e;
}

// The public event a session belongs to, and that session's object inside it.
struct SessionView {
  Document event;
  const Json* session = nullptr;
};

asio::awaitable<SessionView> public_session(Api& api, const Uuid& session_id) {
  auto e = co_await session_document(api, session_id);
  if (!e || !views::is_public_status(e->status)) throw not_found("Session not found");
  SessionView v{std::move(e), nullptr};
  v.session = views::find_session(v.event->doc, session_id.str());
  if (!v.session) throw not_found("Session not found");
  co_return v;
}

std::vector<const Json*> sessions_by_start(const Json& doc) {
  std::vector<std::pair<Timestamp, const Json*>> list;
  for (const auto& s : fields::array(doc, "sessions")) {
    list.emplace_back(fields::opt_time(s, "startTime").value_or(Timestamp{}), &s);
  }
  std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Json*> out;
  for (auto& [_, s] : list) out.push_back(s);
  return out;
}

std::optional<Timestamp> time_query(const http::Request& req, std::string_view name) {
  auto v = req.query.get(name);
  if (!v || v->empty()) return std::nullopt;
  auto t = parse_iso8601(*v);
  if (!t && v->size() == 10) t = parse_iso8601(std::string(*v) + "T00:00:00Z");
  if (!t) throw bad_request(std::string(name) + " must be an ISO-8601 date or time");
  return t;
}

}  // namespace

http::Response cached_json(const std::shared_ptr<const std::string>& body) {
  return http::Response::json_text(200, *body);
}

namespace {
http::Response gzip_json(const std::shared_ptr<const std::string>& body) {
  auto r = http::Response::json_text(200, *body);
  r.set(http::Field::content_encoding, "gzip");
  r.set(http::Field::vary, "Accept-Encoding");
  return r;
}
}  // namespace

http::Response store_json(ResponseCache& cache, const std::string& key, const ResponseCache::Ticket& ticket,
                          const Json& body) {
  auto text = std::make_shared<const std::string>(json::dump(body));
  cache.store(key, ticket, text);
  return http::Response::json_text(200, *text);
}

asio::awaitable<http::Response> event_basic_info(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  const std::string key = "basic:" + id.str();
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  auto e = co_await public_event(api, id);
  co_return store_json(api.catalog_cache, key, ticket, views::basic_info(e->doc, Clock::now()));
}

asio::awaitable<http::Response> event_sessions(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  const auto page = req.query.integer("page", 0, 100000).value_or(0);
  const auto size = req.query.integer("size", 1, 100).value_or(10);
  const std::string key = "sessions:" + id.str() + ":" + std::to_string(page) + ":" + std::to_string(size);
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  auto e = co_await public_event(api, id);
  const auto all = sessions_by_start(e->doc);
  const auto now = Clock::now();
  Json content = Json::array();
  for (std::int64_t i = page * size; i < static_cast<std::int64_t>(all.size()) && i < (page + 1) * size; ++i) {
    content.push_back(views::session_info(e->doc, *all[static_cast<std::size_t>(i)], now));
  }
  co_return store_json(api.catalog_cache, key, ticket,
                       page_object(std::move(content), static_cast<std::int64_t>(all.size()), page, size));
}

asio::awaitable<http::Response> event_sessions_in_range(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  const auto from = time_query(req, "fromDate");
  const auto to = time_query(req, "toDate");
  if (from && to && *to < *from) throw bad_request("toDate must not be before fromDate");
  auto e = co_await public_event(api, id);
  const auto now = Clock::now();
  Json out = Json::array();
  for (const Json* s : sessions_by_start(e->doc)) {
    auto start = fields::opt_time(*s, "startTime");
    if (!start || (from && *start < *from) || (to && *start > *to)) continue;
    out.push_back(views::session_info(e->doc, *s, now));
  }
  co_return http::Response::json(200, out);
}

asio::awaitable<http::Response> session_public_discounts(Api& api, http::Request& req) {
  const Uuid event_id = req.params.uuid("eventId");
  const Uuid session_id = req.params.uuid("sessionId");
  const std::string key = "discounts:" + session_id.str();
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  auto e = co_await public_event(api, event_id);
  if (!views::find_session(e->doc, session_id.str())) throw not_found("Session not found");
  co_return store_json(api.catalog_cache, key, ticket, views::public_discounts(e->doc, session_id.str(), Clock::now()));
}

asio::awaitable<http::Response> session_discount_by_code(Api& api, http::Request& req) {
  const Uuid event_id = req.params.uuid("eventId");
  const Uuid session_id = req.params.uuid("sessionId");
  const std::string& code = req.params.get("code");
  if (code.empty() || code.size() > 64) throw bad_request("code must be 1 to 64 characters");
  auto e = co_await public_event(api, event_id);
  if (!views::find_session(e->doc, session_id.str())) throw not_found("Session not found");
  auto d = views::discount_by_code(e->doc, session_id.str(), code, Clock::now());
  if (!d) throw not_found("Discount code is not valid for this session");
  co_return http::Response::json(200, *d);
}

asio::awaitable<http::Response> session_extended_info(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("sessionId");
  const std::string key = "extended:" + id.str();
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  auto v = co_await public_session(api, id);
  co_return store_json(api.catalog_cache, key, ticket, views::extended_info(v.event->doc, *v.session));
}

asio::awaitable<http::Response> session_basic_info(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("sessionId");
  const std::string key = "session:" + id.str();
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  auto v = co_await public_session(api, id);
  co_return store_json(api.catalog_cache, key, ticket, views::session_info(v.event->doc, *v.session, Clock::now()));
}

asio::awaitable<http::Response> session_seating_map(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("sessionId");
  // The key's spelling is shared with ChangeListener, which drops it on seat changes.
  const std::string key = "seatmap:" + id.str();
  // During a rush every seat change invalidates the map: one rebuild per worker, not one
  // per waiting request.
  auto load = [&]() -> asio::awaitable<std::shared_ptr<const std::string>> {
    const auto ticket = api.seat_map_cache.ticket(key);
    auto v = co_await public_session(api, id);
    auto live = co_await api.store.seat_states(id);
    auto body = std::make_shared<const std::string>(json::dump(views::seating_map(v.event->doc, *v.session, live)));
    api.seat_map_cache.store(key, ticket, body);
    co_return body;
  };
  // Browsers accept gzip: the compressed map (about a sixth of the size) is made once per
  // change and cached beside the plain one. Its ticket is taken before the plain body is
  // read, so a change in between drops the compressed copy rather than keeping it stale.
  const bool gz = accepts_gzip(req.header(http::Field::accept_encoding));
  const std::string gz_key = "seatmap.gz:" + id.str();
  if (gz) {
    if (auto hit = api.seat_map_cache.find(gz_key)) co_return gzip_json(hit);
  }
  const auto gz_ticket = api.seat_map_cache.ticket(gz_key);
  auto body = api.seat_map_cache.find(key);
  if (!body) body = co_await single_flight<std::string>(api.flight_prefix + key, load);
  if (!gz) {
    auto plain = cached_json(body);
    plain.set(http::Field::vary, "Accept-Encoding");
    co_return plain;
  }
  auto compress = [&]() -> asio::awaitable<std::shared_ptr<const std::string>> {
    auto packed = std::make_shared<const std::string>(gzip(*body));
    api.seat_map_cache.store(gz_key, gz_ticket, packed);
    co_return packed;
  };
  co_return gzip_json(co_await single_flight<std::string>(api.flight_prefix + gz_key, compress));
}

asio::awaitable<http::Response> sessions_count(Api& api, http::Request&) {
  const std::string key = "sessions-count";
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  const auto n = co_await api.store.session_count();
  co_return store_json(api.catalog_cache, key, ticket, Json{{"totalSessions", n}});
}

namespace {
asio::awaitable<http::Response> category_list(Api& api, bool parents_only) {
  const std::string key = parents_only ? "categories:parents" : "categories:all";
  if (auto hit = api.catalog_cache.find(key)) co_return cached_json(hit);
  const auto ticket = api.catalog_cache.ticket(key);
  auto list = co_await api.store.categories(parents_only);
  Json out = Json::array();
  for (const auto& c : list) {
    out.push_back(Json{{"id", c.id},
                       {"name", c.name},
                       {"parentId", c.parent_id ? Json(*c.parent_id) : Json(nullptr)},
                       {"parentName", c.parent_name ? Json(*c.parent_name) : Json(nullptr)}});
  }
  co_return store_json(api.catalog_cache, key, ticket, out);
}
}  // namespace

asio::awaitable<http::Response> categories(Api& api, http::Request&) { return category_list(api, false); }
asio::awaitable<http::Response> parent_categories(Api& api, http::Request&) { return category_list(api, true); }

}  // namespace ticketly::event_query
