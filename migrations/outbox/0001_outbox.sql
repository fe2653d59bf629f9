-- The transactional outbox (src/platform/bus/outbox.h): a service writes the messages
-- other services must see in the same transaction as the change itself; the Relay
-- (src/platform/bus/relay.h) sends committed rows to the bus in id order and deletes
-- them once the bus has acknowledged them.
CREATE TABLE outbox (
  id         bigserial PRIMARY KEY,
  message_id uuid NOT NULL DEFAULT gen_random_uuid(),  -- sent as x-message-id: the same on a re-send
  topic      text NOT NULL,
  key        text NOT NULL,
  payload    jsonb NOT NULL,
  headers    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
