// Event, session, discount, seat-map and category views: served from the response cache
// when warm, else built from the stored event document and cached.
#include <algorithm>

#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "services/event_query/api/api.h"
#include "services/event_query/api/cached.h"
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

// Builders of the cached views: coroutine functions taking everything by value, so that a
// background refresh can run one after its request has gone (api/cached.h).

asio::awaitable<Body> basic_info_body(Api& api, Uuid id) {
  auto e = co_await public_event(api, id);
  co_return json_body(views::basic_info(e->doc, Clock::now()));
}

asio::awaitable<Body> sessions_page_body(Api& api, Uuid id, std::int64_t page, std::int64_t size, bool descending) {
  auto e = co_await public_event(api, id);
  auto all = sessions_by_start(e->doc);
  if (descending) std::reverse(all.begin(), all.end());
  const auto now = Clock::now();
  Json content = Json::array();
  for (std::int64_t i = page * size; i < static_cast<std::int64_t>(all.size()) && i < (page + 1) * size; ++i) {
    content.push_back(views::session_info(e->doc, *all[static_cast<std::size_t>(i)], now));
  }
  co_return json_body(page_object(std::move(content), static_cast<std::int64_t>(all.size()), page, size));
}

asio::awaitable<Body> public_discounts_body(Api& api, Uuid event_id, Uuid session_id) {
  auto e = co_await public_event(api, event_id);
  if (!views::find_session(e->doc, session_id.str())) throw not_found("Session not found");
  co_return json_body(views::public_discounts(e->doc, session_id.str(), Clock::now()));
}

asio::awaitable<Body> extended_info_body(Api& api, Uuid session_id) {
  auto v = co_await public_session(api, session_id);
  co_return json_body(views::extended_info(v.event->doc, *v.session));
}

asio::awaitable<Body> session_info_body(Api& api, Uuid session_id) {
  auto v = co_await public_session(api, session_id);
  co_return json_body(views::session_info(v.event->doc, *v.session, Clock::now()));
}

// The seat map of a 10,000-seat session is 1.8 MB of JSON: it is gzipped once per change,
// beside the plain text, so browsers get about a sixth of the bytes for no per-request CPU.
asio::awaitable<Body> seat_map_body(Api& api, Uuid session_id) {
  auto v = co_await public_session(api, session_id);
  auto live = co_await api.store.seat_states(session_id);
  co_return make_cached_body(json::dump(views::seating_map(v.event->doc, *v.session, live)), kSeatMapGzipLevel);
}

asio::awaitable<Body> sessions_count_body(Api& api) {
  const auto n = co_await api.store.session_count();
  co_return json_body(Json{{"totalSessions", n}});
}

asio::awaitable<Body> categories_body(Api& api, bool parents_only) {
  auto list = co_await api.store.categories(parents_only);
  Json out = Json::array();
  for (const auto& c : list) {
    out.push_back(Json{{"id", c.id},
                       {"name", c.name},
                       {"parentId", c.parent_id ? Json(*c.parent_id) : Json(nullptr)},
                       {"parentName", c.parent_name ? Json(*c.parent_name) : Json(nullptr)}});
  }
  co_return json_body(out);
}

}  // namespace

asio::awaitable<http::Response> event_basic_info(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  const std::string key = "basic:" + id.str();
  auto build = [id](Api& a) { return basic_info_body(a, id); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> event_sessions(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  const auto page = req.query.integer("page", 0, 100000).value_or(0);
  const auto size = req.query.integer("size", 1, 100).value_or(10);
  // Sessions are ordered by start: `sort=startTime` takes a direction (API.md §0), any
  // other field is refused rather than ignored.
  bool descending = false;
  if (auto sort = req.query.get("sort"); sort && !sort->empty()) {
    if (*sort == "startTime,desc") {
      descending = true;
    } else if (*sort != "startTime" && *sort != "startTime,asc") {
      throw bad_request("sort must be startTime, startTime,asc or startTime,desc");
    }
  }
  const std::string key = "sessions:" + id.str() + ":" + std::to_string(page) + ":" + std::to_string(size) +
                          (descending ? ":desc" : ":asc");
  auto build = [id, page, size, descending](Api& a) { return sessions_page_body(a, id, page, size, descending); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> event_sessions_in_range(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  const auto from = date_bound(req.query, "fromDate", Bound::Lower);
  const auto to = date_bound(req.query, "toDate", Bound::Upper);
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
  // Keyed by the session and the event: the 404 for a session of another event is never cached.
  const std::string key = "discounts:" + session_id.str() + ":" + event_id.str();
  auto build = [event_id, session_id](Api& a) { return public_discounts_body(a, event_id, session_id); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
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
  auto build = [id](Api& a) { return extended_info_body(a, id); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> session_basic_info(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("sessionId");
  const std::string key = "session:" + id.str();
  auto build = [id](Api& a) { return session_info_body(a, id); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> session_seating_map(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("sessionId");
  // The key's spelling is shared with ChangeListener, which drops it on seat changes. During
  // a rush every seat change invalidates the map: one rebuild per worker, not one per
  // waiting request (single flight); a map past its TTL is served stale while it refreshes.
  const std::string key = seat_map_key(id.str());
  auto build = [id](Api& a) { return seat_map_body(a, id); };
  co_return co_await serve_cached(api, req, api.seat_map_cache, key, build);
}

asio::awaitable<http::Response> sessions_count(Api& api, http::Request& req) {
  const std::string key = "sessions-count";
  auto build = [](Api& a) { return sessions_count_body(a); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> categories(Api& api, http::Request& req) {
  const std::string key = "categories:all";
  auto build = [](Api& a) { return categories_body(a, false); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> parent_categories(Api& api, http::Request& req) {
  const std::string key = "categories:parents";
  auto build = [](Api& a) { return categories_body(a, true); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

}  // namespace ticketly::event_query
