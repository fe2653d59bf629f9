#pragma once
// Group-committed writers (group_commit.h) lock rows in one global order, so that two
// batches never wait on each other in a cycle: they write their batch sorted by a key and
// hand the answers back in the batch's own order.
//
//   auto positions = db::positions_by(batch, [](const Req& r) { return r.order_id; });
//   ... write batch[positions[0]], batch[positions[1]], ... -> sorted answers
//   return db::in_batch_order(std::move(sorted), positions);
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace ticketly::db {

// The positions of `batch`, stably sorted by key(element).
template <class T, class KeyOf>
std::vector<std::size_t> positions_by(const std::vector<T>& batch, KeyOf key_of) {
  std::vector<std::size_t> positions(batch.size());
  std::iota(positions.begin(), positions.end(), std::size_t{0});
  std::stable_sort(positions.begin(), positions.end(),
                   [&](std::size_t a, std::size_t b) { return key_of(batch[a]) < key_of(batch[b]); });
  return positions;
}

// `sorted[k]` answers the element at `positions[k]`: the answers in the batch's order.
template <class R>
std::vector<R> in_batch_order(std::vector<R> sorted, const std::vector<std::size_t>& positions) {
  if (sorted.size() != positions.size()) throw std::logic_error("a batch writer answered for a different batch");
  std::vector<R> out(sorted.size());
  for (std::size_t k = 0; k < positions.size(); ++k) out[positions[k]] = std::move(sorted[k]);
  return out;
}

}  // namespace ticketly::db
