#include "platform/bus/idempotency.h"

#include <stdexcept>

namespace ticketly::bus {

namespace {

constexpr db::Statement kFirstDelivery{"bus.idempotency.first_delivery", R"sql(
  INSERT INTO processed_messages (consumer, message_key) VALUES ($1, $2)
  ON CONFLICT (consumer, message_key) DO NOTHING
)sql"};
constexpr db::Statement kAdvanceVersion{"bus.idempotency.advance_version", R"sql(
  INSERT INTO aggregate_versions AS v (aggregate_type, aggregate_id, version) VALUES ($1, $2, $3)
  ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET version = EXCLUDED.version, updated_at = now()
  WHERE v.version < EXCLUDED.version
)sql"};
constexpr db::Statement kPrune{"bus.idempotency.prune", R"sql(
  DELETE FROM processed_messages WHERE processed_at < now() - $1::float8 * interval '1 millisecond'
)sql"};

void require_transaction(const db::Connection& tx, const char* what) {
  if (!tx.in_transaction()) {
    throw std::logic_error(std::string(what) + " must run inside the handler's transaction");
  }
}

asio::awaitable<bool> first_delivery_encoded(db::Connection& tx, std::string consumer, std::string key) {
  auto r = co_await tx.execute(kFirstDelivery, consumer, key);
  co_return r.affected_rows() == 1;
}

asio::awaitable<bool> advance_version_encoded(db::Connection& tx, std::string type, std::string id,
                                              std::int64_t version) {
  auto r = co_await tx.execute(kAdvanceVersion, type, id, version);
  co_return r.affected_rows() == 1;
}

}  // namespace

std::string message_key(const Message& m) {
  if (const auto* id = m.header(header::kMessageId); id && !id->empty()) return *id;
  return m.topic + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset);
}

asio::awaitable<bool> first_delivery(db::Connection& tx, std::string_view consumer, std::string_view message_key) {
  require_transaction(tx, "bus::first_delivery");
  return first_delivery_encoded(tx, std::string(consumer), std::string(message_key));
}

asio::awaitable<bool> advance_version(db::Connection& tx, std::string_view aggregate_type,
                                      std::string_view aggregate_id, std::int64_t version) {
  require_transaction(tx, "bus::advance_version");
  return advance_version_encoded(tx, std::string(aggregate_type), std::string(aggregate_id), version);
}

asio::awaitable<std::int64_t> prune_processed_messages(db::Database& db, std::chrono::milliseconds age) {
  auto r = co_await db.execute(kPrune, static_cast<double>(age.count()));
  co_return r.affected_rows();
}

}  // namespace ticketly::bus
