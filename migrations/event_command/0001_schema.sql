-- The event-command service's schema: organizations and their staff, categories, events
-- with tiers, sessions (one seating map each), discounts and cover photos, seating-layout
-- templates, and the sales view kept from ticketly.order.updated. Every aggregate root
-- carries a `version` for optimistic concurrency and for the snapshots it publishes.

-- Text search on titles and names ("contains", case-insensitive) uses trigram indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
  id                uuid PRIMARY KEY,
  name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  parent_id         uuid REFERENCES categories (id) ON DELETE RESTRICT,
  version           bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  -- The version last written to the outbox; the service publishes anything newer on
  -- start-up (the seeds below are inserted before the outbox exists).
  published_version bigint NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_id IS DISTINCT FROM id)
);
-- No two siblings with the same name (case-insensitive); roots are siblings too.
CREATE UNIQUE INDEX categories_sibling_name_uq
  ON categories (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
CREATE INDEX categories_parent_idx ON categories (parent_id);

CREATE TABLE organizations (
  id         uuid PRIMARY KEY,
  owner_id   text NOT NULL CHECK (owner_id <> ''),
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  website    text CHECK (char_length(website) <= 255),
  logo_id    uuid,
  logo_ext   text CHECK (logo_ext IN ('jpg', 'png', 'gif', 'webp')),
  version    bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((logo_id IS NULL) = (logo_ext IS NULL))
);
CREATE INDEX organizations_owner_idx ON organizations (owner_id, created_at);
CREATE INDEX organizations_created_idx ON organizations (created_at DESC, id);
CREATE INDEX organizations_name_trgm_idx ON organizations USING gin (lower(name) gin_trgm_ops);

CREATE TABLE organization_members (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         text NOT NULL CHECK (user_id <> ''),
  email           text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  name            text NOT NULL DEFAULT '',
  roles           text[] NOT NULL CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['SCANNER']::text[]),
  active          boolean NOT NULL DEFAULT true,
  invited_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, user_id)
);
CREATE INDEX organization_members_user_idx ON organization_members (user_id);

CREATE TABLE events (
  id               uuid PRIMARY KEY,
  -- Deleting an organization deletes its events (the service publishes their tombstones).
  organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  category_id      uuid NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
  title            text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 255),
  description      text CHECK (char_length(description) <= 5000),
  overview         text CHECK (char_length(overview) <= 50000),
  status           text NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'COMPLETED')),
  rejection_reason text,
  version          bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'REJECTED') = (rejection_reason IS NOT NULL))
);
CREATE INDEX events_org_updated_idx ON events (organization_id, updated_at DESC, id);
CREATE INDEX events_org_status_idx ON events (organization_id, status, updated_at DESC);
CREATE INDEX events_status_updated_idx ON events (status, updated_at DESC, id);
CREATE INDEX events_updated_idx ON events (updated_at DESC, id);
CREATE INDEX events_category_idx ON events (category_id);
CREATE INDEX events_title_trgm_idx ON events USING gin (lower(title) gin_trgm_ops);

CREATE TABLE event_cover_photos (
  id         uuid PRIMARY KEY,
  event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  ext        text NOT NULL CHECK (ext IN ('jpg', 'png', 'gif', 'webp')),
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX event_cover_photos_event_idx ON event_cover_photos (event_id, created_at);

CREATE TABLE tiers (
  id          uuid PRIMARY KEY,
  event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  color       text NOT NULL CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
  price_cents bigint NOT NULL CHECK (price_cents >= 0),
  position    integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tiers_event_idx ON tiers (event_id, position);

CREATE TABLE sessions (
  id               uuid PRIMARY KEY,
  event_id         uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  start_time       timestamptz NOT NULL,
  end_time         timestamptz NOT NULL,
  sales_start_time timestamptz NOT NULL,
  session_type     text NOT NULL CHECK (session_type IN ('PHYSICAL', 'ONLINE')),
  status           text NOT NULL DEFAULT 'SCHEDULED'
                   CHECK (status IN ('SCHEDULED', 'ON_SALE', 'SOLD_OUT', 'CLOSED', 'CANCELLED')),
  venue            jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (end_time - start_time BETWEEN interval '30 minutes' AND interval '12 hours'),
  CHECK (sales_start_time < start_time)
);
CREATE INDEX sessions_event_start_idx ON sessions (event_id, start_time);
CREATE INDEX sessions_event_status_idx ON sessions (event_id, status);

-- One seating map per session (the primary key), normalized by the service.
CREATE TABLE session_layouts (
  session_id     uuid PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  layout         jsonb NOT NULL,
  seat_count     integer NOT NULL CHECK (seat_count >= 0),
  sellable_seats integer NOT NULL CHECK (sellable_seats BETWEEN 0 AND seat_count),
  tier_ids       uuid[] NOT NULL DEFAULT '{}',  -- tiers its seats use: "is this tier in use?"
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_layouts_tier_ids_idx ON session_layouts USING gin (tier_ids);

CREATE TABLE discounts (
  id                     uuid PRIMARY KEY,
  event_id               uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  code                   text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{3,50}$'),
  type                   text NOT NULL CHECK (type IN ('PERCENTAGE', 'FLAT_OFF', 'BUY_N_GET_N_FREE')),
  parameters             jsonb NOT NULL,
  max_usage              integer CHECK (max_usage IS NULL OR max_usage > 0),
  current_usage          integer NOT NULL DEFAULT 0 CHECK (current_usage >= 0),
  discounted_total_cents bigint NOT NULL DEFAULT 0 CHECK (discounted_total_cents >= 0),
  active                 boolean NOT NULL DEFAULT true,
  is_public              boolean NOT NULL DEFAULT false,
  active_from            timestamptz,
  expires_at             timestamptz,
  applicable_tier_ids    uuid[] NOT NULL DEFAULT '{}',
  applicable_session_ids uuid[] NOT NULL DEFAULT '{}',
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (active_from IS NULL OR expires_at IS NULL OR active_from < expires_at)
);
-- Codes are unique per event, case-insensitively.
CREATE UNIQUE INDEX discounts_event_code_uq ON discounts (event_id, lower(code));
CREATE INDEX discounts_event_public_idx ON discounts (event_id, is_public);

CREATE TABLE seating_templates (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  layout          jsonb NOT NULL,
  version         bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seating_templates_org_idx ON seating_templates (organization_id, updated_at DESC, id);

-- The sales view, from ticketly.order.updated: seats of completed orders, and the orders
-- already counted (an order counts once, however often its messages arrive).
CREATE TABLE seat_sales (
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seat_id    uuid NOT NULL,
  order_id   uuid NOT NULL,
  booked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seat_id)
);
CREATE INDEX seat_sales_order_idx ON seat_sales (order_id);

CREATE TABLE counted_orders (
  order_id    uuid PRIMARY KEY,
  session_id  uuid,
  discount_id uuid,
  counted_at  timestamptz NOT NULL DEFAULT now()
);
