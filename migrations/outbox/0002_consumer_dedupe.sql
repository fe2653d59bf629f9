-- Idempotent consumers (src/platform/bus/idempotency.h). Delivery is at-least-once, so a
-- consumer records, in its handler's transaction, what it has already applied.

-- Messages already handled, by consumer (e.g. "order.catalog-events") and message key
-- (the x-message-id header). Rows older than the bus retention can be pruned.
CREATE TABLE processed_messages (
  consumer     text NOT NULL,
  message_key  text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_key)
);

-- The newest snapshot version applied per aggregate: an older or repeated one is skipped.
CREATE TABLE aggregate_versions (
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  version        bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (aggregate_type, aggregate_id)
);
