-- Payments that must not buy tickets any more, and batches that lock in one order.
--
-- A payment that arrives after its hold expired re-held the seats whatever had become of
-- the session (0002): for an event deleted, a session removed from it, cancelled or over
-- (CLOSED: Stripe retries a webhook for three days) since, tickets were issued for
-- something that will not happen. Such a payment is now refunded (order_session_on). A
-- payment for a hold that is still pending is honoured as before: the seats were held for
-- it, and the session was on when they were. (Checking the session there cost bench/order
-- (c) a quarter more CPU per booking: every hold's foreign key share-locks the session
-- row, and reading a row under that many lockers is slow.) Two more checks in order_pay:
--   * an order whose refund failed (payment_status 'refund_failed', left for an operator)
--     refunds a further payment too, like one whose refund is pending or done;
--   * a free order's checkout (event_type 'free_order', amount 0: nothing was charged)
--     that cannot complete writes no refund and leaves the order as it is.
-- order_pay_all locked the orders it completes set-based first and the others later,
-- one by one in order_pay: two batches could each hold what the other wanted next (a
-- deadlock, broken after a second). It now locks every order of the batch, in id order,
-- before anything else.
-- The settings of 0005 and 0007 are part of the definitions (CREATE OR REPLACE resets them).

-- Whether a session still takes place: tickets may be sold for it.
CREATE FUNCTION order_session_on(p_session uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM sessions s JOIN catalog_events e ON e.id = s.event_id
                  WHERE s.id = p_session AND NOT s.removed AND NOT e.deleted
                    AND s.status NOT IN ('CANCELLED', 'CLOSED'))
$$;

CREATE OR REPLACE FUNCTION order_pay(p jsonb) RETURNS jsonb LANGUAGE plpgsql
  SET enable_seqscan = off SET plan_cache_mode = auto AS $$
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
  ELSIF o.payment_status IN ('refund_pending', 'refunded', 'refund_failed') THEN
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
    ELSIF NOT order_session_on(o.session_id) THEN
      v_reason := 'the session is no longer on: event deleted, session removed, cancelled or over';
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

  IF v_reason IS NOT NULL AND p->>'event_type' = 'free_order' THEN
    -- Nothing was charged (a free order's checkout lost a race with its cancellation):
    -- nothing to give back, and the order's payment state stays as it is.
    UPDATE payment_events SET outcome = 'not_applied' WHERE event_id = p->>'event_id';
    RETURN jsonb_build_object('result', 'not_applied', 'reason', v_reason);
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

CREATE OR REPLACE FUNCTION order_pay_all(p_payments jsonb) RETURNS jsonb LANGUAGE plpgsql
  SET enable_seqscan = off SET plan_cache_mode = auto AS $$
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
  -- Lock every order of the batch, in id order, before anything else (order_pay below
  -- locks again what it handles: a no-op). Keep the payments that are alone in the batch
  -- for their order and event and complete a pending order of a session still on.
  WITH q AS (
    SELECT x.i, (x.v->>'order_id')::uuid AS order_id, x.v->>'event_id' AS event_id, (x.v->>'amount')::bigint AS amount,
           x.v->>'event_type' AS event_type
      FROM jsonb_array_elements(p_payments) WITH ORDINALITY AS x(v, i)),
  single AS (
    SELECT q.* FROM q
     WHERE q.event_type = 'payment_intent.succeeded'
       AND (SELECT count(*) FROM q q2 WHERE q2.order_id = q.order_id OR q2.event_id = q.event_id) = 1),
  locked AS (
    SELECT o.id, o.status, o.price, o.payment_status, o.session_id FROM orders o
     WHERE o.id = ANY (ARRAY(SELECT order_id FROM q))
     ORDER BY o.id
       FOR UPDATE)
  SELECT coalesce(array_agg(s.i ORDER BY s.i), '{}') INTO v_ready
    FROM single s JOIN locked l ON l.id = s.order_id
   WHERE l.status = 'pending' AND s.amount >= l.price
     AND l.payment_status NOT IN ('refund_pending', 'refunded', 'refund_failed');

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
