#pragma once
// Paged listings: a 0-based page of at most 100 rows and the total that matched.
#include <cstdint>
#include <string>
#include <vector>

namespace ticketly::event_command {

struct PageRequest {
  std::int64_t page = 0;
  std::int64_t size = 20;
  std::int64_t offset() const { return page * size; }
};

template <class T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;
  PageRequest request;
};

// "%text%" for LIKE, with the pattern characters of the user's text escaped (compare
// lower(column) LIKE lower(pattern): PostgreSQL lowers non-ASCII letters too).
std::string contains_pattern(const std::string& text);

}  // namespace ticketly::event_command
