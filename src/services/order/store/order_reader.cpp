#include "services/order/store/order_reader.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "services/order/store/order_store.h"

namespace ticketly::order::store {

namespace asio = boost::asio;

namespace {

asio::awaitable<std::vector<std::optional<Order>>> read_batch(db::Database& db, const std::vector<Uuid>& ids) {
  // Two requests may ask for the same order (a client retrying): read it once, answer both.
  std::vector<Uuid> unique = ids;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  auto found = co_await load_orders(db, unique);
  std::unordered_map<Uuid, const Order*> by_id;
  for (const auto& o : found) by_id.emplace(o.id, &o);
  std::vector<std::optional<Order>> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    out.push_back(it == by_id.end() ? std::nullopt : std::optional<Order>(*it->second));
  }
  co_return out;
}

}  // namespace

OrderReader::OrderReader(db::Database& db, runtime::IoPool& io, std::size_t max_batch, std::size_t max_inflight)
    : batch_(
          io, [&db](const std::vector<Uuid>& ids) { return read_batch(db, ids); }, max_batch, max_inflight) {}

asio::awaitable<std::optional<Order>> OrderReader::find(Uuid id) { co_return co_await batch_.submit(id); }

}  // namespace ticketly::order::store
