-- The order service's database: its own copy of the sellable catalog (from the
-- ticketly.catalog.* snapshots), seat inventory, orders, tickets, payments, check-ins.
-- Correctness rests on constraints, not only on code:
--   * seats: one row per sellable seat; a hold is an UPDATE … WHERE state = 'AVAILABLE', so
--     two transactions can never both take a seat (the second re-checks the row after the
--     first commits and finds it taken);
--   * seat_state_matches_order: a taken seat always names its order, a free one never;
--   * tickets.one_ticket_per_seat: a seat is sold at most once, whatever the code does.

-- Catalog ------------------------------------------------------------------------------

CREATE TABLE catalog_events (
  id              uuid PRIMARY KEY,
  version         bigint NOT NULL,
  deleted         boolean NOT NULL DEFAULT false,
  status          text NOT NULL,
  owner_id        text NOT NULL DEFAULT '',
  organization_id uuid,
  title           text NOT NULL DEFAULT '',
  snapshot        jsonb NOT NULL,   -- the snapshot message without layouts
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_events_org ON catalog_events (organization_id);

CREATE TABLE catalog_organizations (
  id         uuid PRIMARY KEY,
  version    bigint NOT NULL,
  deleted    boolean NOT NULL DEFAULT false,
  name       text NOT NULL DEFAULT '',
  owner_id   text NOT NULL DEFAULT '',
  staff      jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id              uuid PRIMARY KEY,
  event_id        uuid NOT NULL,
  organization_id uuid,
  status          text NOT NULL,
  start_time      timestamptz,
  end_time        timestamptz,
  sales_start     timestamptz,
  layout_hash     text NOT NULL,
  removed         boolean NOT NULL DEFAULT false  -- no longer in the event's snapshot
);
CREATE INDEX sessions_event ON sessions (event_id);

-- Every seat status change takes the next value: per seat (and per session) it only grows,
-- in commit order, since a seat's changes are serialised by its row lock.
CREATE SEQUENCE seat_status_seq;

CREATE TABLE seats (
  session_id uuid NOT NULL REFERENCES sessions (id),
  seat_id    uuid NOT NULL,
  label      text NOT NULL,
  tier_id    uuid NOT NULL,
  price      bigint NOT NULL CHECK (price >= 0),            -- minor units
  block_id   text NOT NULL DEFAULT '',
  block_name text NOT NULL DEFAULT '',
  block_type text NOT NULL DEFAULT '',
  state      text NOT NULL DEFAULT 'AVAILABLE' CHECK (state IN ('AVAILABLE', 'LOCKED', 'BOOKED')),
  order_id   uuid,
  seq        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, seat_id),
  CONSTRAINT seat_state_matches_order CHECK ((state = 'AVAILABLE') = (order_id IS NULL))
);

-- Orders -------------------------------------------------------------------------------

CREATE TABLE orders (
  id                  uuid PRIMARY KEY,
  user_id             text NOT NULL,
  event_id            uuid NOT NULL,
  organization_id     uuid NOT NULL,
  session_id          uuid NOT NULL REFERENCES sessions (id),
  status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'cancelled')),
  seat_ids            uuid[] NOT NULL,
  items               jsonb NOT NULL,   -- [{seat_id,seat_label,tier_id,tier_name,tier_color,price,paid}]
  subtotal            bigint NOT NULL,
  discount_id         uuid,
  discount_code       text NOT NULL DEFAULT '',
  discount_amount     bigint NOT NULL DEFAULT 0,
  price               bigint NOT NULL,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  completed_at        timestamptz,
  cancelled_at        timestamptz,
  cancel_reason       text,
  payment_intent_id   text UNIQUE,
  client_secret       text,
  payment_status      text NOT NULL DEFAULT '',
  version             bigint NOT NULL DEFAULT 1,
  CHECK (cardinality(seat_ids) > 0),
  CHECK (price = subtotal - discount_amount AND price >= 0)
);
CREATE INDEX orders_expiry ON orders (expires_at) WHERE status = 'pending';
CREATE INDEX orders_user ON orders (user_id, created_at DESC);
CREATE INDEX orders_event ON orders (event_id, created_at);
CREATE INDEX orders_org ON orders (organization_id, created_at);
CREATE INDEX orders_session ON orders (session_id);

-- Pending + completed orders per discount (maxUsage is checked against it atomically).
CREATE TABLE discount_usage (
  discount_id uuid PRIMARY KEY,
  used        integer NOT NULL DEFAULT 0 CHECK (used >= 0)
);

CREATE TABLE tickets (
  id                uuid PRIMARY KEY,
  order_id          uuid NOT NULL REFERENCES orders (id),
  event_id          uuid NOT NULL,
  organization_id   uuid NOT NULL,
  session_id        uuid NOT NULL,
  seat_id           uuid NOT NULL,
  seat_label        text NOT NULL,
  tier_id           uuid NOT NULL,
  tier_name         text NOT NULL DEFAULT '',
  colour            text NOT NULL DEFAULT '',
  price_at_purchase bigint NOT NULL,
  paid              bigint NOT NULL,
  issued_at         timestamptz NOT NULL,   -- whole seconds: part of the signed QR payload
  checked_in        boolean NOT NULL DEFAULT false,
  checked_in_at     timestamptz,
  checked_in_by     text,
  CONSTRAINT one_ticket_per_seat UNIQUE (session_id, seat_id)
);
CREATE INDEX tickets_order ON tickets (order_id);

-- Payments -----------------------------------------------------------------------------

-- Provider events already handled (webhook replays are acknowledged without effect).
CREATE TABLE payment_events (
  event_id    text PRIMARY KEY,
  type        text NOT NULL,
  intent_id   text,
  order_id    uuid,
  outcome     text NOT NULL DEFAULT '',
  received_at timestamptz NOT NULL DEFAULT now()
);

-- Refunds owed: written in the transaction that decides them, sent to the provider after
-- commit (idempotency key = id) and retried until the provider confirms.
CREATE TABLE refunds (
  id                 uuid PRIMARY KEY,
  order_id           uuid NOT NULL REFERENCES orders (id),
  payment_intent_id  text NOT NULL,
  amount             bigint NOT NULL,
  reason             text NOT NULL,
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  provider_refund_id text,
  attempts           integer NOT NULL DEFAULT 0,
  last_error         text,
  next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (payment_intent_id)
);
CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status = 'pending';

-- In-memory rejections ---------------------------------------------------------------------

-- A process rejects a seat it knows LOCKED without asking the database only while it holds
-- the session's fence (src/services/order/inventory/fence.h): no other process releases a
-- seat of the session before the fence has lapsed.
CREATE TABLE inventory_fences (
  session_id  uuid PRIMARY KEY,
  holder      uuid NOT NULL,
  epoch       bigint NOT NULL DEFAULT 1,
  valid_until timestamptz NOT NULL,
  wanted_by   uuid,
  wanted_at   timestamptz
);

-- The pending-order limit per (user, session), made exact by a constraint rather than a
-- per-user lock taken by every hold batch (with the lock, two batches that shared any
-- user, almost always under load, ran one after the other, bounding holds at
-- ~1,000/s in bench/order). A pending order owns one slot (user, session, slot <
-- max_pending); the primary key allows no more slots than the limit, so concurrent
-- transactions only wait on each other when they pick the same slot of the same user.
-- A trigger frees the slot as soon as its order leaves 'pending' (paid, cancelled,
-- expired): every path that ends a hold. Pending orders are counted through their
-- slots, so `orders` needs no partial index on pending orders (one index less to
-- maintain on every insert and status change).
CREATE TABLE order_pending_slots (
  user_id    text NOT NULL,
  session_id uuid NOT NULL,
  slot       integer NOT NULL CHECK (slot >= 0),
  order_id   uuid NOT NULL UNIQUE,
  PRIMARY KEY (user_id, session_id, slot)
);

CREATE FUNCTION order_free_pending_slot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM order_pending_slots WHERE order_id = OLD.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER orders_free_pending_slot
  AFTER UPDATE OF status ON orders
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
  EXECUTE FUNCTION order_free_pending_slot();

CREATE TRIGGER orders_delete_pending_slot
  AFTER DELETE ON orders
  FOR EACH ROW WHEN (OLD.status = 'pending')
  EXECUTE FUNCTION order_free_pending_slot();
