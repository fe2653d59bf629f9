-- Holds and payments are group-committed (hold_writer.h, payment_writer.h): one call of
-- order_place / order_pay_all decides a whole batch. Until now both walked the batch one
-- request at a time, about ten statements each, and under a booking load that per-statement
-- work was most of the database's CPU. Now the common case of a batch is decided with a
-- handful of statements for all of it:
--   * order_place: requests without a discount whose catalog is current lock all their free
--     seats in one statement (in (session, seat) order: batches never wait on each other in a
--     cycle), claim seats in batch order in memory, take their pending slots, mark the seats
--     and write the orders with one statement each.
--   * order_pay_all: payments of pending orders (each order and event once in the batch,
--     amount enough) lock their orders in id order and complete them with one statement per
--     table.
-- Everything else (discounts, stale catalogs, contended seats or slots, duplicates, expired
-- holds, refunds) takes the per-request path of 0003 (order_place_one, order_pay) after the
-- set-based part, in the same transaction, so it sees what the batch already did. Results
-- are the same as deciding the requests one after another.

-- One request, exactly as order_place decided each request in 0003.
CREATE FUNCTION order_place_one(r jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_order   uuid := (r->>'order_id')::uuid;
  v_session uuid := (r->>'session_id')::uuid;
  v_seats   uuid[];
  v_prices  bigint[];
  v_found   integer;
  v_bad     jsonb;
  v_seq     bigint;
  v_max     integer := (r->>'max_pending')::integer;
  v_start   integer;
  v_slot    integer;
BEGIN
  v_seats := ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(r->'seat_ids') AS x);
  v_prices := ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(r->'prices') AS x);

  PERFORM 1 FROM catalog_events e JOIN sessions s ON s.event_id = e.id
   WHERE e.id = (r->>'event_id')::uuid AND e.version = (r->>'event_version')::bigint AND NOT e.deleted
     AND s.id = v_session AND NOT s.removed;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('result', 'stale');
  END IF;

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
      RETURN jsonb_build_object('result', 'stale');
    END IF;
    RETURN jsonb_build_object('result', 'taken', 'seats', v_bad);
  END IF;

  IF (SELECT count(*) FROM order_pending_slots p WHERE p.user_id = r->>'user_id' AND p.session_id = v_session)
     >= v_max THEN
    RETURN jsonb_build_object('result', 'limit');
  END IF;
  v_start := floor(random() * v_max)::integer;
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
    RETURN jsonb_build_object('result', 'limit');
  END IF;

  IF r->>'discount_id' IS NOT NULL THEN
    IF r->>'discount_max' IS NOT NULL AND (r->>'discount_max')::integer <= 0 THEN
      DELETE FROM order_pending_slots WHERE order_id = v_order;
      RETURN jsonb_build_object('result', 'discount_used_up');
    END IF;
    INSERT INTO discount_usage AS d (discount_id, used) VALUES ((r->>'discount_id')::uuid, 1)
    ON CONFLICT (discount_id) DO UPDATE SET used = d.used + 1
     WHERE r->>'discount_max' IS NULL OR d.used < (r->>'discount_max')::integer;
    IF NOT FOUND THEN
      DELETE FROM order_pending_slots WHERE order_id = v_order;
      RETURN jsonb_build_object('result', 'discount_used_up');
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
  RETURN jsonb_build_object('result', 'held', 'seq', v_seq);
END
$$;

CREATE OR REPLACE FUNCTION order_place(p_requests jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  n         integer := jsonb_array_length(p_requests);
  v_res     jsonb[] := array_fill(NULL::jsonb, ARRAY[n]);
  v_fast    integer[];   -- batch positions (1-based) decided here
  v_keys    jsonb;       -- position -> [{key: true...}, {key: false...}] of its seats
  v_free    jsonb;       -- "session/seat/price" -> true: free and locked here; false: claimed by the batch
  v_pending jsonb;       -- "user/session" -> pending orders (committed slots + this batch)
  v_claimed integer[] := '{}';
  v_slotted uuid[];
  v_done    integer[] := '{}';
  v_seq     bigint;
  -- (session, seat, price) asked for, and later (session, seat, order) held: arrays, so that
  -- the planner sees a short list and goes through the primary key of seats.
  a_session uuid[];
  a_seat    uuid[];
  a_price   bigint[];
  a_order   uuid[];
  a_user    text[];      -- "user/session" of the batch (a session id is the last 36 characters)
  v_req     jsonb;
  pk        text;
  v_pos     integer;
BEGIN
  -- Requests without a discount whose priced catalog is current.
  SELECT coalesce(array_agg(q.i ORDER BY q.i), '{}') INTO v_fast
    FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i)
   WHERE q.r->>'discount_id' IS NULL
     AND EXISTS (SELECT 1 FROM catalog_events e JOIN sessions s ON s.event_id = e.id
                  WHERE e.id = (q.r->>'event_id')::uuid AND e.version = (q.r->>'event_version')::bigint
                    AND NOT e.deleted AND s.id = (q.r->>'session_id')::uuid AND NOT s.removed);

  IF cardinality(v_fast) > 0 THEN
    -- Each request's seats as keys "session/seat/price": {key: true...} to test that all are
    -- free, {key: false...} to mark them claimed (plain expressions, no query per request).
    SELECT jsonb_object_agg(x.i::text, jsonb_build_array(x.free, x.claimed)) INTO v_keys FROM (
      SELECT q.i, jsonb_object_agg(w.k, true) AS free, jsonb_object_agg(w.k, false) AS claimed
        FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i)
       CROSS JOIN LATERAL (SELECT (q.r->>'session_id')::uuid || '/' || s.value::uuid || '/' || p.value::bigint AS k
                             FROM jsonb_array_elements_text(q.r->'seat_ids') WITH ORDINALITY AS s(value, o)
                             JOIN jsonb_array_elements_text(q.r->'prices') WITH ORDINALITY AS p(value, o) USING (o)) w
       WHERE q.i = ANY (v_fast)
       GROUP BY q.i) x;

    -- Lock every free seat asked for at its expected price, in one global order.
    SELECT array_agg(split_part(sk, '/', 1)::uuid), array_agg(split_part(sk, '/', 2)::uuid),
           array_agg(split_part(sk, '/', 3)::bigint)
      INTO a_session, a_seat, a_price
      FROM jsonb_each(v_keys) AS e, jsonb_object_keys(e.value->0) AS sk;
    SELECT coalesce(jsonb_object_agg(f.k, true), '{}') INTO v_free FROM (
      SELECT s.session_id || '/' || s.seat_id || '/' || s.price AS k
        FROM unnest(a_session, a_seat, a_price) AS w(session_id, seat_id, price)
        JOIN seats s ON s.session_id = w.session_id AND s.seat_id = w.seat_id AND s.price = w.price
       WHERE s.state = 'AVAILABLE'
       ORDER BY s.session_id, s.seat_id
         FOR UPDATE OF s) f;

    -- Committed pending orders of the batch's users per session.
    SELECT array_agg(DISTINCT (q.r->>'user_id') || '/' || (q.r->>'session_id')) INTO a_user
      FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i)
     WHERE q.i = ANY (v_fast);
    SELECT coalesce(jsonb_object_agg(c.pk, c.n), '{}') INTO v_pending FROM (
      SELECT u.pk, count(*) AS n
        FROM unnest(a_user) AS u(pk)
        JOIN order_pending_slots p ON p.user_id = left(u.pk, -37) AND p.session_id = right(u.pk, 36)::uuid
       GROUP BY u.pk) c;

    -- In batch order: a request whose seats are all still free (and whose user is below the
    -- limit) claims them; any other goes to the per-request path below.
    FOREACH v_pos IN ARRAY v_fast LOOP
      v_req := p_requests->(v_pos - 1);
      pk := (v_req->>'user_id') || '/' || (v_req->>'session_id');
      IF v_free @> (v_keys->(v_pos::text)->0) AND coalesce((v_pending->>pk)::integer, 0) < (v_req->>'max_pending')::integer THEN
        v_free := v_free || (v_keys->(v_pos::text)->1);
        v_pending := v_pending || jsonb_build_object(pk, coalesce((v_pending->>pk)::integer, 0) + 1);
        v_claimed := v_claimed || v_pos;
      END IF;
    END LOOP;

    IF cardinality(v_claimed) > 0 THEN
      -- One pending slot each, tried from a random one; a request whose slot is taken (by a
      -- concurrent order of its user, or by the batch) goes to the per-request path, which
      -- tries every slot.
      WITH ins AS (
        INSERT INTO order_pending_slots (user_id, session_id, slot, order_id, expires_at)
        SELECT q.r->>'user_id', (q.r->>'session_id')::uuid,
               floor(random() * (q.r->>'max_pending')::integer)::integer,
               (q.r->>'order_id')::uuid, (q.r->>'expires_at')::timestamptz
          FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i)
         WHERE q.i = ANY (v_claimed)
        ON CONFLICT DO NOTHING
        RETURNING order_id)
      SELECT coalesce(array_agg(order_id), '{}') INTO v_slotted FROM ins;

      SELECT coalesce(array_agg(q.i ORDER BY q.i), '{}') INTO v_done
        FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i)
       WHERE q.i = ANY (v_claimed) AND (q.r->>'order_id')::uuid = ANY (v_slotted);
    END IF;

    IF cardinality(v_done) > 0 THEN
      v_seq := nextval('seat_status_seq');
      SELECT array_agg((q.r->>'session_id')::uuid), array_agg(x::uuid), array_agg((q.r->>'order_id')::uuid)
        INTO a_session, a_seat, a_order
        FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i),
             jsonb_array_elements_text(q.r->'seat_ids') AS x
       WHERE q.i = ANY (v_done);
      UPDATE seats s SET state = 'LOCKED', order_id = w.order_id, seq = v_seq
        FROM unnest(a_session, a_seat, a_order) AS w(session_id, seat_id, order_id)
       WHERE s.session_id = w.session_id AND s.seat_id = w.seat_id;
      INSERT INTO orders (id, user_id, event_id, organization_id, session_id, seat_ids, items, subtotal,
                          discount_id, discount_code, discount_amount, price, created_at, expires_at)
      SELECT (q.r->>'order_id')::uuid, q.r->>'user_id', (q.r->>'event_id')::uuid, (q.r->>'organization_id')::uuid,
             (q.r->>'session_id')::uuid, ARRAY(SELECT x::uuid FROM jsonb_array_elements_text(q.r->'seat_ids') AS x),
             q.r->'items', (q.r->>'subtotal')::bigint, NULL, coalesce(q.r->>'discount_code', ''),
             (q.r->>'discount_amount')::bigint, (q.r->>'price')::bigint, (q.r->>'created_at')::timestamptz,
             (q.r->>'expires_at')::timestamptz
        FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS q(r, i)
       WHERE q.i = ANY (v_done);
      FOREACH v_pos IN ARRAY v_done LOOP
        v_res[v_pos] := jsonb_build_object('result', 'held', 'seq', v_seq);
      END LOOP;
    END IF;
  END IF;

  FOR v_pos IN 1 .. n LOOP
    IF v_res[v_pos] IS NULL THEN
      v_res[v_pos] := order_place_one(p_requests->(v_pos - 1));
    END IF;
  END LOOP;
  RETURN to_jsonb(v_res);
END
$$;

-- Payments: the common case set-based, every other payment through order_pay (0002).
CREATE OR REPLACE FUNCTION order_pay_all(p_payments jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  n       integer := jsonb_array_length(p_payments);
  v_res   jsonb[] := array_fill(NULL::jsonb, ARRAY[n]);
  v_ready integer[];  -- positions whose orders are pending, fully paid and locked here
  v_done  integer[];  -- ... and whose event is new
  v_n     integer;
  v_seq   bigint;
  a_ids     uuid[];  -- the orders completed here, their intents, and their seats
  a_intents text[];
  a_session uuid[];
  a_seat    uuid[];
  a_order   uuid[];
  v_pos   integer;
BEGIN
  -- Lock the orders of payments that are alone in the batch for their order and event, in
  -- id order; keep those that this payment completes.
  WITH q AS (
    SELECT x.i, (x.v->>'order_id')::uuid AS order_id, x.v->>'event_id' AS event_id, (x.v->>'amount')::bigint AS amount,
           x.v->>'event_type' AS event_type
      FROM jsonb_array_elements(p_payments) WITH ORDINALITY AS x(v, i)),
  single AS (
    SELECT q.* FROM q
     WHERE q.event_type = 'payment_intent.succeeded'
       AND (SELECT count(*) FROM q q2 WHERE q2.order_id = q.order_id OR q2.event_id = q.event_id) = 1),
  locked AS (
    SELECT o.id, o.status, o.price, o.payment_status FROM orders o
     WHERE o.id = ANY (ARRAY(SELECT order_id FROM single))
     ORDER BY o.id
       FOR UPDATE)
  SELECT coalesce(array_agg(s.i ORDER BY s.i), '{}') INTO v_ready
    FROM single s JOIN locked l ON l.id = s.order_id
   WHERE l.status = 'pending' AND s.amount >= l.price AND l.payment_status NOT IN ('refund_pending', 'refunded');

  IF cardinality(v_ready) > 0 THEN
    -- A delivered event is recorded once; one already recorded is a duplicate.
    WITH ins AS (
      INSERT INTO payment_events (event_id, type, intent_id, order_id, outcome)
      SELECT x.v->>'event_id', x.v->>'event_type', x.v->>'intent_id', (x.v->>'order_id')::uuid, 'completed'
        FROM jsonb_array_elements(p_payments) WITH ORDINALITY AS x(v, i)
       WHERE x.i = ANY (v_ready)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING event_id)
    SELECT coalesce(array_agg(x.i ORDER BY x.i), '{}') INTO v_done
      FROM jsonb_array_elements(p_payments) WITH ORDINALITY AS x(v, i)
     WHERE x.i = ANY (v_ready) AND x.v->>'event_id' IN (SELECT event_id FROM ins);
    FOREACH v_pos IN ARRAY v_ready LOOP
      IF NOT v_pos = ANY (v_done) THEN
        v_res[v_pos] := jsonb_build_object('result', 'duplicate');
      END IF;
    END LOOP;
  END IF;

  IF cardinality(v_done) > 0 THEN
    v_seq := nextval('seat_status_seq');
    SELECT array_agg((p_payments->(d.i - 1)->>'order_id')::uuid), array_agg(p_payments->(d.i - 1)->>'intent_id')
      INTO a_ids, a_intents
      FROM unnest(v_done) AS d(i);
    SELECT array_agg(o.session_id), array_agg(x), array_agg(o.id) INTO a_session, a_seat, a_order
      FROM orders o, unnest(o.seat_ids) AS x
     WHERE o.id = ANY (a_ids);
    UPDATE seats s SET state = 'BOOKED', seq = v_seq
      FROM unnest(a_session, a_seat, a_order) AS w(session_id, seat_id, order_id)
     WHERE s.session_id = w.session_id AND s.seat_id = w.seat_id AND s.order_id = w.order_id AND s.state = 'LOCKED';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    IF v_n <> cardinality(a_seat) THEN
      RAISE EXCEPTION 'orders being paid hold % of their % seats', v_n, cardinality(a_seat);
    END IF;
    INSERT INTO tickets (id, order_id, event_id, organization_id, session_id, seat_id, seat_label, tier_id,
                         tier_name, colour, price_at_purchase, paid, issued_at)
    SELECT gen_random_uuid(), o.id, o.event_id, o.organization_id, o.session_id, it.seat_id, it.seat_label,
           it.tier_id, coalesce(it.tier_name, ''), coalesce(it.tier_color, ''), it.price, it.paid,
           date_trunc('second', now())
      FROM orders o,
           jsonb_to_recordset(o.items) AS it(seat_id uuid, seat_label text, tier_id uuid, tier_name text,
                                             tier_color text, price bigint, paid bigint)
     WHERE o.id = ANY (a_ids);
    UPDATE orders o SET status = 'completed', completed_at = now(), payment_status = 'succeeded',
                        payment_intent_id = w.intent_id, cancelled_at = NULL, cancel_reason = NULL,
                        version = o.version + 1
      FROM unnest(a_ids, a_intents) AS w(id, intent_id)
     WHERE o.id = w.id;
    FOREACH v_pos IN ARRAY v_done LOOP
      v_res[v_pos] := jsonb_build_object('result', 'completed', 'seq', v_seq, 'reacquired', false);
    END LOOP;
  END IF;

  FOR v_pos IN 1 .. n LOOP
    IF v_res[v_pos] IS NULL THEN
      v_res[v_pos] := order_pay(p_payments->(v_pos - 1));
    END IF;
  END LOOP;
  RETURN to_jsonb(v_res);
END
$$;
