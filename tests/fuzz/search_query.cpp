// Event search queries (services/event_query/store/search_query.h): the public
// GET /v1/events/search. Input: "<query string>\n<another query string>".
// Properties: refused only with 400; what is accepted holds the documented bounds; two
// queries share a cache key only when they are the same query (else one search's answer
// would be served for another).
#include "fuzz_support.h"
#include "services/event_query/store/search_query.h"

using namespace ticketly;

namespace {

std::optional<event_query::SearchQuery> parse(std::string_view query) {
  std::optional<event_query::SearchQuery> q;
  fuzz::accepted([&] { q = event_query::parse_search_query(http::QueryParams::parse(query)); });
  return q;
}

void check_bounds(const event_query::SearchQuery& q) {
  fuzz::check(q.page >= 0 && q.size >= 1 && q.size <= 100, "a page outside its bounds");
  fuzz::check(q.latitude.has_value() == q.longitude.has_value(), "a latitude without a longitude");
  fuzz::check(!q.radius_km || q.latitude, "a radius without a position");
  fuzz::check(!q.date_from || !q.date_to || *q.date_from <= *q.date_to, "dates in the wrong order");
  fuzz::check(!q.price_min_cents || !q.price_max_cents || *q.price_min_cents <= *q.price_max_cents,
              "prices in the wrong order");
  fuzz::check(!q.text || (!q.text->empty() && q.text->find('\0') == std::string::npos), "an empty or NUL text");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = fuzz::split_first_line(fuzz::as_text(data, size));
  const auto a = parse(lines.first);
  const auto b = parse(lines.rest);
  if (a) check_bounds(*a);
  if (b) check_bounds(*b);
  if (a && b && event_query::cache_key(*a) == event_query::cache_key(*b)) {
    fuzz::check(*a == *b, "two different queries share a cache key");
  }
  if (a) fuzz::check(event_query::cache_key(*a) == event_query::cache_key(*a), "a cache key is not deterministic");
  return 0;
}
