// Search, trending and the page-view counter.
#include "platform/auth/guards.h"
#include "platform/auth/principal.h"
#include "platform/errors.h"
#include "services/event_query/api/api.h"
#include "services/event_query/api/cached.h"
#include "services/event_query/model/views.h"
#include "services/event_query/store/search.h"

namespace ticketly::event_query {

namespace {
using json::Json;
}

ViewLimiter::Verdict ViewLimiter::admit(const std::string& client, const std::string& event_id) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ > window_) {
    std::erase_if(seen_, [&](const auto& kv) { return now - kv.second >= window_; });
    std::erase_if(budgets_, [&](const auto& kv) { return now - kv.second.since >= window_; });
    last_sweep_ = now;
  }
  auto& budget = budgets_[client];
  if (budget.used == 0 || now - budget.since >= window_) budget = Budget{now, 0};
  if (++budget.used > per_client_) return Verdict::too_many;
  auto [it, inserted] = seen_.try_emplace(client + "|" + event_id, now);
  if (inserted) return Verdict::count;
  if (now - it->second < window_) return Verdict::repeat;
  it->second = now;
  return Verdict::count;
}

namespace {

asio::awaitable<Body> search_body(Api& api, SearchQuery q) {
  auto page = co_await run_search(api.db, q);
  const auto now = Clock::now();
  Json content = Json::array();
  auto docs = co_await event_documents(api, page.ids);
  for (const auto& doc : docs) content.push_back(views::thumbnail(doc->doc, now, doc->starting_price_cents));
  co_return json_body(page_object(std::move(content), page.total, q.page, q.size));
}

asio::awaitable<Body> trending_body(Api& api, std::int64_t limit) {
  auto computed = co_await api.store.trending_computed_at();
  if (!computed || Clock::now() - *computed > api.settings.trending_interval) {
    co_await api.store.recompute_trending();
  }
  auto ids = co_await api.store.trending(limit);
  auto docs = co_await event_documents(api, ids);
  const auto now = Clock::now();
  Json out = Json::array();
  for (const auto& doc : docs) out.push_back(views::thumbnail(doc->doc, now, doc->starting_price_cents));
  co_return json_body(out);
}

}  // namespace

asio::awaitable<http::Response> search_events(Api& api, http::Request& req) {
  // Keyed on the parsed query, not the raw query string: spellings of one search (parameter
  // order, 10 vs 10.00, unknown parameters) share one entry, so `&x=1`, `&x=2`… cannot mint
  // new entries. Parsing a query costs microseconds; a miss costs a database round.
  const SearchQuery q = parse_search_query(req.query);
  const std::string key = cache_key(q);
  auto build = [q](Api& a) { return search_body(a, q); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> trending_events(Api& api, http::Request& req) {
  const auto limit = req.query.integer("limit", 1, 50).value_or(10);
  const std::string key = "trending:" + std::to_string(limit);
  auto build = [limit](Api& a) { return trending_body(a, limit); };
  co_return co_await serve_cached(api, req, api.catalog_cache, key, build);
}

asio::awaitable<http::Response> recalculate_trending(Api& api, http::Request& req) {
  const auto& p = auth::principal_of(req);
  if (!(p.service_account && p.has_scope(auth::kInternalApiScope)) && !p.has_role("event_admin")) {
    throw forbidden("Only the scheduler or an event admin may recalculate trending scores");
  }
  const auto n = co_await api.store.recompute_trending();
  api.catalog_cache.invalidate_all();
  co_return http::Response::json(200, Json{{"message", "Trending scores recalculated"}, {"eventsScored", n}});
}

asio::awaitable<http::Response> record_view(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  auto e = co_await event_document(api, id);
  if (!e || !views::is_public_status(e->status)) throw not_found("Event not found");
  const auto verdict = api.views.admit(req.remote.to_string(), id.str());
  if (verdict == ViewLimiter::Verdict::too_many) {
    throw Error(429, "Too many page views from this client; slow down").with_header("Retry-After", "60");
  }
  const bool counted = verdict == ViewLimiter::Verdict::count;
  if (counted) co_await api.store.add_view(id);
  co_return http::Response::json(200, Json{{"eventId", id.str()}, {"counted", counted}});
}

}  // namespace ticketly::event_query
