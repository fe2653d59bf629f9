-- The public read model of the event-query service. Every row here is derived from bus
-- messages (docs/EVENTS.md); `ticketly rebuild-read-model` empties these tables and replays
-- the topics. Versions make every apply idempotent and order-insensitive.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- One row per event aggregate: the snapshot's "event" object as a document, plus the
-- columns search filters on. A deleted event stays as a tombstone (deleted = true) so an
-- older snapshot that arrives late cannot bring it back.
CREATE TABLE eq_events (
  id              uuid PRIMARY KEY,
  version         bigint      NOT NULL,
  deleted         boolean     NOT NULL DEFAULT false,
  status          text,
  owner_id        text,
  organization_id uuid,
  category_id     uuid,
  title           text,
  created_at      timestamptz,
  doc             jsonb,
  search          tsvector,
  applied_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eq_events_search_idx ON eq_events USING gin (search);
CREATE INDEX eq_events_category_idx ON eq_events (category_id);
CREATE INDEX eq_events_status_idx ON eq_events (status) WHERE NOT deleted;

-- Sessions of live events (replaced with every snapshot of their event).
CREATE TABLE eq_sessions (
  id               uuid PRIMARY KEY,
  event_id         uuid NOT NULL REFERENCES eq_events (id) ON DELETE CASCADE,
  start_time       timestamptz NOT NULL,
  end_time         timestamptz,
  sales_start_time timestamptz,
  status           text NOT NULL,
  session_type     text NOT NULL,
  latitude         double precision,
  longitude        double precision,
  capacity         integer NOT NULL DEFAULT 0
);
CREATE INDEX eq_sessions_event_idx ON eq_sessions (event_id);
CREATE INDEX eq_sessions_start_idx ON eq_sessions (start_time);
CREATE INDEX eq_sessions_geo_idx ON eq_sessions USING gist (ll_to_earth(latitude, longitude))
  WHERE latitude IS NOT NULL AND longitude IS NOT NULL;

-- The tiers actually sold in a session (from its seats), with their prices in minor
-- units: price filters must hold for one tier of one session.
CREATE TABLE eq_session_prices (
  session_id  uuid   NOT NULL REFERENCES eq_sessions (id) ON DELETE CASCADE,
  tier_id     uuid   NOT NULL,
  price_cents bigint NOT NULL,
  PRIMARY KEY (session_id, tier_id)
);
CREATE INDEX eq_session_prices_price_idx ON eq_session_prices (price_cents);

-- The category tree (CategorySnapshot; event snapshots fill in nodes never seen).
CREATE TABLE eq_categories (
  id        uuid PRIMARY KEY,
  version   bigint  NOT NULL,
  deleted   boolean NOT NULL DEFAULT false,
  name      text,
  parent_id uuid
);
CREATE INDEX eq_categories_parent_idx ON eq_categories (parent_id);

-- Live sales state per seat (ticketly.seats.status). `seq` is the order service's
-- per-session inventory version: an update applies only if it is newer than the seat's.
CREATE TABLE eq_seat_status (
  session_id uuid   NOT NULL,
  seat_id    uuid   NOT NULL,
  status     text   NOT NULL,
  order_id   uuid,
  seq        bigint NOT NULL,
  PRIMARY KEY (session_id, seat_id)
);

-- Orders (ticketly.order.*), for analytics and trending: revenue as actually paid.
CREATE TABLE eq_orders (
  id             uuid PRIMARY KEY,
  version        bigint NOT NULL,
  event_id       uuid,
  session_id     uuid,
  status         text   NOT NULL,
  subtotal_cents bigint NOT NULL DEFAULT 0,
  discount_cents bigint NOT NULL DEFAULT 0,
  price_cents    bigint NOT NULL DEFAULT 0,
  created_at     timestamptz,
  tickets        jsonb  NOT NULL DEFAULT '[]'
);
CREATE INDEX eq_orders_event_idx ON eq_orders (event_id, status);

-- The project's own page-view counter and the last trending computation.
CREATE TABLE eq_page_views (
  event_id uuid PRIMARY KEY,
  views    bigint NOT NULL DEFAULT 0
);
CREATE TABLE eq_trending (
  event_id    uuid PRIMARY KEY,
  score       double precision NOT NULL,
  computed_at timestamptz NOT NULL
);
