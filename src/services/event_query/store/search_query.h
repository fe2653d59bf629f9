#pragma once
// Event search's query (API.md §2 GET /v1/events/search): the filters, parsed strictly
// from the query string, and the key that caches their answer. Pure, apart from the SQL in
// search.h, so it is fuzzed on its own (tests/fuzz/search_query.cpp).
//
// Semantics the reference got wrong: date and geo bounds must hold for the SAME session,
// and the price bounds for a tier sold in that same session; prices compare as numbers
// (minor units); a category matches with all its descendants; text is ranked by
// relevance (title weighs more than description); geo sorts by distance.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/http/request.h"
#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly::event_query {

struct SearchQuery {
  std::optional<std::string> text;
  std::optional<Uuid> category_id;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::optional<double> radius_km;
  std::optional<Timestamp> date_from;
  std::optional<Timestamp> date_to;
  std::optional<std::int64_t> price_min_cents;
  std::optional<std::int64_t> price_max_cents;
  std::int64_t page = 0;
  std::int64_t size = 20;
  // relevance | distance | date | title | price | createdAt; empty: the default order
  std::string sort;
  bool descending = false;

  friend bool operator==(const SearchQuery&, const SearchQuery&) = default;
};

// 400 naming the parameter for anything malformed or inconsistent.
SearchQuery parse_search_query(const http::QueryParams& q);

// A date or time bound of a query (`dateFrom`, `toDate`…): ISO-8601, or a bare date (the
// client's date pickers) meaning that whole day, UTC: its first instant as a lower bound,
// its last as an upper one. Absent or empty: nullopt; malformed: 400 naming it.
enum class Bound { Lower, Upper };
std::optional<Timestamp> date_bound(const http::QueryParams& q, std::string_view name, Bound bound);

// A canonical text of the query, for the response cache key.
std::string cache_key(const SearchQuery& q);

}  // namespace ticketly::event_query
