-- The two write paths of the flash sale, each one round trip inside the caller's
-- transaction (the caller adds the outbox messages and commits).

-- order_place(requests): places a batch of orders. Each request either holds ALL its seats
-- together with its pending order, or changes nothing; requests are independent of each
-- other. Request fields: order_id, user_id, event_id, event_version, organization_id,
-- session_id, seat_ids[], prices[] (what the caller priced each seat at, minor units),
-- discount_id, discount_code, discount_max, subtotal, discount_amount, price, items,
-- created_at, expires_at, max_pending. Returns one result per request, in order:
--   {"result":"held","seq":n}
--   {"result":"taken","seats":[{"seat_id","state"}]}  a seat is LOCKED/BOOKED/gone: nothing held
--   {"result":"stale"}            the catalog or a price changed since the caller priced it
--   {"result":"limit"}            the user has max_pending pending orders for the session
--   {"result":"discount_used_up"} the discount reached maxUsage (pending + completed orders)
-- The pending limit: one slot of order_pending_slots per pending order (0001).
CREATE FUNCTION order_place(p_requests jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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
      INSERT INTO order_pending_slots (user_id, session_id, slot, order_id)
      VALUES (r->>'user_id', v_session, (v_start + i) % v_max, v_order)
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

-- order_pay(p): applies a successful payment to an order, exactly once per provider event.
-- p: {event_id, event_type, intent_id, order_id, amount}. Returns
--   {"result":"duplicate"}                 this provider event was handled before
--   {"result":"unknown_order"}             no such order (not ours): acknowledged, nothing done
--   {"result":"already_completed"}         the order was completed by this same payment
--   {"result":"completed","seq":n,"reacquired":bool}   tickets issued (seats re-held after expiry when reacquired)
--   {"result":"refund","reason":…}         the money cannot buy the seats: a refund row was written
-- Seats are booked through their primary key (session_id, seat_id), never by scanning a
-- session's seats for the order id (a 60,000-seat session made that a range scan).
CREATE FUNCTION order_pay(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  o        orders%ROWTYPE;
  v_intent text := p->>'intent_id';
  v_seq    bigint;
  v_n      integer;
  v_reason text;
BEGIN
  INSERT INTO payment_events (event_id, type, intent_id, order_id)
  VALUES (p->>'event_id', p->>'event_type', v_intent, (p->>'order_id')::uuid)
  ON CONFLICT (event_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('result', 'duplicate');
  END IF;

  SELECT * INTO o FROM orders WHERE id = (p->>'order_id')::uuid FOR UPDATE;
  IF NOT FOUND THEN
    UPDATE payment_events SET outcome = 'unknown_order' WHERE event_id = p->>'event_id';
    RETURN jsonb_build_object('result', 'unknown_order');
  END IF;

  IF o.status = 'completed' THEN
    IF o.payment_intent_id = v_intent THEN
      UPDATE payment_events SET outcome = 'already_completed' WHERE event_id = p->>'event_id';
      RETURN jsonb_build_object('result', 'already_completed');
    END IF;
    v_reason := 'order already paid by another payment';
  ELSIF (p->>'amount')::bigint < o.price THEN
    v_reason := 'amount received is less than the order price';
  ELSIF o.payment_status IN ('refund_pending', 'refunded') THEN
    v_reason := 'payment already being refunded';
  ELSIF o.status = 'cancelled' AND o.cancel_reason IS DISTINCT FROM 'expired' THEN
    v_reason := 'order was cancelled before the payment arrived';
  END IF;

  IF v_reason IS NULL THEN
    v_seq := nextval('seat_status_seq');
    IF o.status = 'pending' THEN
      UPDATE seats SET state = 'BOOKED', seq = v_seq
       WHERE session_id = o.session_id AND seat_id = ANY (o.seat_ids) AND order_id = o.id AND state = 'LOCKED';
      GET DIAGNOSTICS v_n = ROW_COUNT;
      IF v_n <> cardinality(o.seat_ids) THEN
        RAISE EXCEPTION 'order % holds % of its % seats', o.id, v_n, cardinality(o.seat_ids);
      END IF;
    ELSE
      -- Cancelled (hold expired or cancelled) before the money came: re-hold the seats if
      -- every one is still free, in seat order like order_place.
      SELECT count(*) INTO v_n FROM (
        SELECT 1 FROM seats
         WHERE session_id = o.session_id AND seat_id = ANY (o.seat_ids) AND state = 'AVAILABLE'
         ORDER BY seat_id
           FOR UPDATE) AS free;
      IF v_n < cardinality(o.seat_ids) THEN
        v_reason := 'seats of the expired hold were sold to someone else';
      ELSE
        UPDATE seats SET state = 'BOOKED', order_id = o.id, seq = v_seq
         WHERE session_id = o.session_id AND seat_id = ANY (o.seat_ids);
        -- A paid order keeps its discount even if the discount has been used up meanwhile.
        IF o.discount_id IS NOT NULL THEN
          INSERT INTO discount_usage AS d (discount_id, used) VALUES (o.discount_id, 1)
          ON CONFLICT (discount_id) DO UPDATE SET used = d.used + 1;
        END IF;
      END IF;
    END IF;
  END IF;

  IF v_reason IS NOT NULL THEN
    INSERT INTO refunds (id, order_id, payment_intent_id, amount, reason)
    VALUES (gen_random_uuid(), o.id, v_intent, (p->>'amount')::bigint, v_reason)
    ON CONFLICT (payment_intent_id) DO NOTHING;
    IF o.status <> 'completed' THEN
      UPDATE orders SET payment_status = 'refund_pending', version = version + 1 WHERE id = o.id;
    END IF;
    UPDATE payment_events SET outcome = 'refund' WHERE event_id = p->>'event_id';
    RETURN jsonb_build_object('result', 'refund', 'reason', v_reason);
  END IF;

  INSERT INTO tickets (id, order_id, event_id, organization_id, session_id, seat_id, seat_label, tier_id,
                       tier_name, colour, price_at_purchase, paid, issued_at)
  SELECT gen_random_uuid(), o.id, o.event_id, o.organization_id, o.session_id, i.seat_id, i.seat_label, i.tier_id,
         coalesce(i.tier_name, ''), coalesce(i.tier_color, ''), i.price, i.paid, date_trunc('second', now())
    FROM jsonb_to_recordset(o.items) AS i(seat_id uuid, seat_label text, tier_id uuid, tier_name text,
                                          tier_color text, price bigint, paid bigint);
  UPDATE orders SET status = 'completed', completed_at = now(), payment_status = 'succeeded',
                    payment_intent_id = v_intent, cancelled_at = NULL, cancel_reason = NULL,
                    version = version + 1
   WHERE id = o.id;
  UPDATE payment_events SET outcome = 'completed' WHERE event_id = p->>'event_id';
  RETURN jsonb_build_object('result', 'completed', 'seq', v_seq, 'reacquired', o.status = 'cancelled');
END
$$;
