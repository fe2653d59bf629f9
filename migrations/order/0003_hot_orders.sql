-- An order row is written three times on the way to a ticket: placed, its payment intent
-- attached, completed. The two updates used to change indexed columns (status is in
-- orders_expiry's predicate, payment_intent_id had a unique index), so each one wrote a
-- new entry into every index of the table. Now neither touches an indexed column, and
-- with room left on each page (fillfactor) both are HOT updates: no index writes at all.
--   * Expiry is found through the pending slots (one per pending order, removed when the
--     order leaves 'pending'), which now carry expires_at; orders_expiry goes.
--   * payment_intent_id loses its unique index: intents are made per order by the provider
--     (idempotency key = order id) and payments find their order through the intent's
--     metadata, never by intent id; refunds keep their own UNIQUE (payment_intent_id).

ALTER TABLE orders SET (fillfactor = 70);
ALTER TABLE orders DROP CONSTRAINT orders_payment_intent_id_key;
DROP INDEX orders_expiry;

ALTER TABLE order_pending_slots ADD COLUMN expires_at timestamptz;
UPDATE order_pending_slots p SET expires_at = o.expires_at FROM orders o WHERE o.id = p.order_id;
ALTER TABLE order_pending_slots ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX order_pending_slots_expiry ON order_pending_slots (expires_at);

-- order_place as in 0002, but the slot records when its hold expires.
CREATE OR REPLACE FUNCTION order_place(p_requests jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r         jsonb;
  v_out     jsonb := '[]'::jsonb;
  v_order   uuid;
  v_session uuid;
  v_seats   uuid[];
  v_prices  bigint[];
  v_found   integer;
  v_bad     jsonb;
  v_seq     bigint;
  v_max     integer;
  v_start   integer;
  v_slot    integer;
BEGIN
  FOR r IN SELECT value FROM jsonb_array_elements(p_requests) LOOP
    v_order := (r->>'order_id')::uuid;
    v_session := (r->>'session_id')::uuid;
    v_seats := ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(r->'seat_ids') AS x);
    v_prices := ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(r->'prices') AS x);

    -- The catalog the caller priced against (tiers, discounts, session status) is current.
    PERFORM 1 FROM catalog_events e JOIN sessions s ON s.event_id = e.id
     WHERE e.id = (r->>'event_id')::uuid AND e.version = (r->>'event_version')::bigint AND NOT e.deleted
       AND s.id = v_session AND NOT s.removed;
    IF NOT FOUND THEN
      v_out := v_out || jsonb_build_object('result', 'stale');
      CONTINUE;
    END IF;

    -- Lock the requested seats that are free at the expected price, in seat order so that
    -- two transactions never wait on each other in a cycle. Rows a concurrent transaction
    -- holds are waited for and re-checked once it ends.
    SELECT count(*) INTO v_found FROM (
      SELECT 1 FROM seats s JOIN unnest(v_seats, v_prices) AS w(seat_id, price) ON s.seat_id = w.seat_id
       WHERE s.session_id = v_session AND s.state = 'AVAILABLE' AND s.price = w.price
       ORDER BY s.seat_id
         FOR UPDATE OF s) AS free;
    IF v_found < cardinality(v_seats) THEN
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'seat_id', w.seat_id,
               'state', CASE WHEN s.seat_id IS NULL THEN 'MISSING'
                             WHEN s.state = 'AVAILABLE' AND s.price <> w.price THEN 'REPRICED'
                             ELSE s.state END)), '[]'::jsonb)
        INTO v_bad
        FROM unnest(v_seats, v_prices) AS w(seat_id, price)
        LEFT JOIN seats s ON s.session_id = v_session AND s.seat_id = w.seat_id
       WHERE s.seat_id IS NULL OR s.state <> 'AVAILABLE' OR s.price <> w.price;
      IF EXISTS (SELECT 1 FROM jsonb_array_elements(v_bad) b WHERE b->>'state' IN ('MISSING', 'REPRICED')) THEN
        v_out := v_out || jsonb_build_object('result', 'stale');
      ELSE
        v_out := v_out || jsonb_build_object('result', 'taken', 'seats', v_bad);
      END IF;
      CONTINUE;
    END IF;

    IF (SELECT count(*) FROM order_pending_slots p WHERE p.user_id = r->>'user_id' AND p.session_id = v_session)
       >= (r->>'max_pending')::integer THEN
      v_out := v_out || jsonb_build_object('result', 'limit');
      CONTINUE;
    END IF;
    -- The count above (a committed slot per pending order) cannot see concurrent transactions; a free slot of [0, max_pending)
    -- (primary key) makes the limit exact. Slots are tried from a random one so that
    -- concurrent requests of one user rarely meet on a slot (meeting one waits for the
    -- other's commit); a slot held by a committed order is skipped at once.
    v_max := (r->>'max_pending')::integer;
    v_start := floor(random() * v_max)::integer;
    v_slot := NULL;
    FOR i IN 0 .. v_max - 1 LOOP
      INSERT INTO order_pending_slots (user_id, session_id, slot, order_id, expires_at)
      VALUES (r->>'user_id', v_session, (v_start + i) % v_max, v_order, (r->>'expires_at')::timestamptz)
      ON CONFLICT DO NOTHING;
      IF FOUND THEN
        v_slot := (v_start + i) % v_max;
        EXIT;
      END IF;
    END LOOP;
    IF v_slot IS NULL THEN
      v_out := v_out || jsonb_build_object('result', 'limit');
      CONTINUE;
    END IF;

    -- maxUsage counts pending and completed orders; the row lock makes the count exact.
    IF r->>'discount_id' IS NOT NULL THEN
      IF r->>'discount_max' IS NOT NULL AND (r->>'discount_max')::integer <= 0 THEN
        DELETE FROM order_pending_slots WHERE order_id = v_order;
        v_out := v_out || jsonb_build_object('result', 'discount_used_up');
        CONTINUE;
      END IF;
      INSERT INTO discount_usage AS d (discount_id, used) VALUES ((r->>'discount_id')::uuid, 1)
      ON CONFLICT (discount_id) DO UPDATE SET used = d.used + 1
       WHERE r->>'discount_max' IS NULL OR d.used < (r->>'discount_max')::integer;
      IF NOT FOUND THEN
        DELETE FROM order_pending_slots WHERE order_id = v_order;
        v_out := v_out || jsonb_build_object('result', 'discount_used_up');
        CONTINUE;
      END IF;
    END IF;

    v_seq := nextval('seat_status_seq');
    UPDATE seats SET state = 'LOCKED', order_id = v_order, seq = v_seq
     WHERE session_id = v_session AND seat_id = ANY (v_seats);
    INSERT INTO orders (id, user_id, event_id, organization_id, session_id, seat_ids, items, subtotal,
                        discount_id, discount_code, discount_amount, price, created_at, expires_at)
    VALUES (v_order, r->>'user_id', (r->>'event_id')::uuid, (r->>'organization_id')::uuid, v_session, v_seats,
            r->'items', (r->>'subtotal')::bigint, (r->>'discount_id')::uuid, coalesce(r->>'discount_code', ''),
            (r->>'discount_amount')::bigint, (r->>'price')::bigint, (r->>'created_at')::timestamptz,
            (r->>'expires_at')::timestamptz);
    v_out := v_out || jsonb_build_object('result', 'held', 'seq', v_seq);
  END LOOP;
  RETURN v_out;
END
$$;

-- order_pay over a batch of payments (group commit: src/services/order/payments/payment_writer.h),
-- one transaction for all; one result per payment, in order. Callers sort the batch by
-- order id so that two batches lock their orders in one order.
CREATE FUNCTION order_pay_all(p_payments jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_out jsonb := '[]'::jsonb;
  v     jsonb;
BEGIN
  FOR v IN SELECT value FROM jsonb_array_elements(p_payments) LOOP
    v_out := v_out || jsonb_build_array(order_pay(v));
  END LOOP;
  RETURN v_out;
END
$$;
