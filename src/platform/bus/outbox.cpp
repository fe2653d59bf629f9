#include "platform/bus/outbox.h"

#include <stdexcept>

#include "platform/bus/relay.h"

namespace ticketly::bus {

namespace {

// One round trip: the row, and a NOTIFY (PostgreSQL folds identical notifications of one
// transaction into one, so publishing many messages costs no extra wake-ups).
constexpr db::Statement kPublishNotify{"bus.outbox.publish", R"sql(
  WITH added AS (
    INSERT INTO outbox (topic, key, payload, headers) VALUES ($1, $2, $3::json, $4::jsonb) RETURNING id
  )
  SELECT pg_notify('ticketly_outbox', '') FROM added
)sql"};
// The same without the NOTIFY: the relay is woken after commit in this process, or polls.
constexpr db::Statement kPublishQuiet{"bus.outbox.publish_quiet", R"sql(
  INSERT INTO outbox (topic, key, payload, headers) VALUES ($1, $2, $3::json, $4::jsonb)
)sql"};
constexpr db::Statement kPublishBatchNotify{"bus.outbox.publish_batch", R"sql(
  WITH added AS (
    INSERT INTO outbox (topic, key, payload, headers)
    SELECT t, k, p::json, h::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
      WITH ORDINALITY AS u(t, k, p, h, ord) ORDER BY ord
    RETURNING id
  )
  SELECT pg_notify('ticketly_outbox', '') FROM added LIMIT 1
)sql"};
constexpr db::Statement kPublishBatchQuiet{"bus.outbox.publish_batch_quiet", R"sql(
  INSERT INTO outbox (topic, key, payload, headers)
  SELECT t, k, p::json, h::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
    WITH ORDINALITY AS u(t, k, p, h, ord) ORDER BY ord
)sql"};

// Decides how this transaction wakes the relay: registers the after-commit wake-up of a
// local active relay (true: no NOTIFY needed), or says a NOTIFY is needed.
bool arrange_wake(db::Connection& tx, const PublishOptions& options) {
  std::string identity = tx.database_identity();
  if (detail::local_relay_active(identity)) {
    // A hook per publish; the relay folds wake-ups that arrive while it is busy into one.
    tx.after_commit([identity] { detail::wake_local_relay(identity); });
    return false;
  }
  return options.wake == Wake::automatic;
}

asio::awaitable<void> publish_encoded(db::Connection& tx, std::string topic, std::string key, std::string payload,
                                      std::string headers, bool notify) {
  co_await tx.execute(notify ? kPublishNotify : kPublishQuiet, topic, key, payload, headers);
}

asio::awaitable<void> publish_batch_encoded(db::Connection& tx, std::vector<std::string> topics,
                                            std::vector<std::string> keys, std::vector<std::string> payloads,
                                            std::vector<std::string> headers, bool notify) {
  co_await tx.execute(notify ? kPublishBatchNotify : kPublishBatchQuiet, topics, keys, payloads, headers);
}

asio::awaitable<void> nothing() { co_return; }

std::string encode_headers(const Headers& headers) {
  nlohmann::json h = nlohmann::json::object();
  for (auto& [name, value] : headers) h[name] = value;
  return h.dump();
}

}  // namespace

db::MigrationReport migrate_outbox(const std::string& conninfo, std::string_view database_label) {
  return db::migrate(conninfo, migrations::outbox(), database_label, kOutboxMigrationSet);
}

asio::awaitable<void> publish(db::Connection& tx, std::string_view topic, std::string_view key,
                              const nlohmann::json& payload, Headers headers, PublishOptions options) {
  if (!tx.in_transaction()) {
    throw std::logic_error("bus::publish needs the caller's transaction: call it inside Database::transaction");
  }
  if (topic.empty()) throw std::invalid_argument("bus::publish: empty topic");
  const bool notify = arrange_wake(tx, options);
  // Encoded here, not in the coroutine, so temporaries passed by the caller may go.
  return publish_encoded(tx, std::string(topic), std::string(key), payload.dump(), encode_headers(headers), notify);
}

asio::awaitable<void> publish_batch(db::Connection& tx, std::vector<OutgoingMessage> messages,
                                    PublishOptions options) {
  if (!tx.in_transaction()) {
    throw std::logic_error("bus::publish_batch needs the caller's transaction: call it inside Database::transaction");
  }
  std::vector<std::string> topics, keys, payloads, headers;
  topics.reserve(messages.size());
  keys.reserve(messages.size());
  payloads.reserve(messages.size());
  headers.reserve(messages.size());
  for (auto& m : messages) {
    if (m.topic.empty()) throw std::invalid_argument("bus::publish_batch: empty topic");
    topics.push_back(std::move(m.topic));
    keys.push_back(std::move(m.key));
    payloads.push_back(std::move(m.payload));
    headers.push_back(encode_headers(m.headers));
  }
  const bool notify = !messages.empty() && arrange_wake(tx, options);
  if (messages.empty()) return nothing();
  return publish_batch_encoded(tx, std::move(topics), std::move(keys), std::move(payloads), std::move(headers),
                               notify);
}

bool local_relay_active(const db::Connection& conn) {
  return detail::local_relay_active(conn.database_identity());
}

}  // namespace ticketly::bus
