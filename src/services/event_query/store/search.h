#pragma once
// Event search (API.md §2 GET /v1/events/search): the one SQL statement that applies a
// parsed query (search_query.h, which also says where the reference got them wrong).
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/database.h"
#include "platform/json/json.h"
#include "services/event_query/store/search_query.h"

namespace ticketly::event_query {

namespace asio = boost::asio;

struct SearchPage {
  std::vector<Uuid> ids;  // in result order
  std::int64_t total = 0;
};

asio::awaitable<SearchPage> run_search(db::Database& db, const SearchQuery& q);

// The Spring-style page object of API.md §0.
json::Json page_object(json::Json content, std::int64_t total, std::int64_t page, std::int64_t size);

}  // namespace ticketly::event_query
