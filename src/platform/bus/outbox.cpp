#include "platform/bus/outbox.h"

#include <stdexcept>

namespace ticketly::bus {

namespace {

// One round trip: the row, and a NOTIFY (PostgreSQL folds identical notifications of one
// transaction into one, so publishing many messages costs no extra wake-ups).
constexpr db::Statement kPublish{"bus.outbox.publish", R"sql(
  WITH added AS (
    INSERT INTO outbox (topic, key, payload, headers) VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING id
  )
  SELECT pg_notify('ticketly_outbox', '') FROM added
)sql"};

asio::awaitable<void> publish_encoded(db::Connection& tx, std::string topic, std::string key, std::string payload,
                                      std::string headers) {
  co_await tx.execute(kPublish, topic, key, payload, headers);
}

}  // namespace

db::MigrationReport migrate_outbox(const std::string& conninfo, std::string_view database_label) {
  return db::migrate(conninfo, migrations::outbox(), database_label, kOutboxMigrationSet);
}

asio::awaitable<void> publish(db::Connection& tx, std::string_view topic, std::string_view key,
                              const nlohmann::json& payload, Headers headers) {
  if (!tx.in_transaction()) {
    throw std::logic_error("bus::publish needs the caller's transaction: call it inside Database::transaction");
  }
  if (topic.empty()) throw std::invalid_argument("bus::publish: empty topic");
  nlohmann::json h = nlohmann::json::object();
  for (auto& [name, value] : headers) h[name] = value;
  // Encoded here, not in the coroutine, so temporaries passed by the caller may go.
  return publish_encoded(tx, std::string(topic), std::string(key), payload.dump(), h.dump());
}

}  // namespace ticketly::bus
