-- A payment that arrives after its hold expired re-holds the seats when they are still
-- free (0002). It did so whatever had become of the session: for an event deleted, a
-- session removed from it, cancelled or over (CLOSED: Stripe retries a webhook for three
-- days) since, tickets were issued for something that will not happen, where the money
-- should go back. order_pay as in 0002 with that check, and two more:
--   * an order whose refund failed (payment_status 'refund_failed', left for an operator)
--     refunds a further payment too, like one whose refund is pending or done;
--   * a free order's checkout (event_type 'free_order', amount 0: nothing was charged)
--     that cannot complete writes no refund and leaves the order as it is.
-- The settings of 0005 and 0007 are part of the definition now (CREATE OR REPLACE resets
-- them). order_pay_all hands every payment of a cancelled order to order_pay, so this is
-- the only place a hold is taken again.
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
    ELSIF NOT EXISTS (SELECT 1 FROM sessions s JOIN catalog_events e ON e.id = s.event_id
                       WHERE s.id = o.session_id AND NOT s.removed AND NOT e.deleted
                         AND s.status NOT IN ('CANCELLED', 'CLOSED')) THEN
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
