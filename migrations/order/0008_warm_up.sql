-- A new server process answers its first hold and payment slowly: the first call of
-- order_place on a connection took 18–50 ms, against 6–9 ms afterwards (docs/BENCHMARKS.md,
-- "What the first winners waited for"). The process has to compile the functions, plan each
-- of their statements and load the catalog entries of every table and index they touch, and
-- in a flash sale the first requests are the winners. order_warm_up() does that work ahead
-- of demand: the pool runs it on each new connection of the order database before handing
-- it out (ServiceDescriptor::warm_up, db::PoolOptions::warm_up).
--
-- It goes through the paths a sale takes, on a throwaway session:
--   * order_place: two requests for one seat in a batch (the set-based path holds it for the
--     first, order_place_one finds it taken for the second), and a second seat;
--   * order_pay_all: one payment alone in its batch (the set-based path), and one delivered
--     twice (order_pay completes it, then finds the replay a duplicate);
-- and then rolls all of it back (a subtransaction), so that it leaves no row behind. The
-- plans and caches survive the rollback. Only seat_status_seq moves on (sequences are never
-- rolled back; nothing needs its values to be consecutive). Any unexpected outcome raises.

-- A hold request as the order service sends it (src/services/order/inventory/placer.cpp).
CREATE FUNCTION order_warm_up_request(p_order uuid, p_user text, p_event uuid, p_session uuid, p_seat uuid,
                                      p_now timestamptz) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'order_id', p_order, 'user_id', p_user, 'event_id', p_event, 'event_version', 1,
    'organization_id', gen_random_uuid(), 'session_id', p_session, 'seat_ids', jsonb_build_array(p_seat),
    'prices', jsonb_build_array(100), 'discount_id', NULL, 'discount_code', '', 'discount_max', NULL,
    'subtotal', 100, 'discount_amount', 0, 'price', 100,
    'items', jsonb_build_array(jsonb_build_object('seat_id', p_seat, 'seat_label', 'A', 'tier_id', gen_random_uuid(),
                                                  'tier_name', '', 'tier_color', '', 'price', 100, 'paid', 100)),
    'created_at', p_now, 'expires_at', p_now + interval '10 minutes', 'max_pending', 5)
$$;

-- A delivered payment as the payment path sends it (src/services/order/payments/payments.cpp).
CREATE FUNCTION order_warm_up_payment(p_key text, p_order uuid) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('event_id', 'evt_warm_up_' || p_key || '_' || p_order, 'order_id', p_order,
                            'event_type', 'payment_intent.succeeded', 'intent_id', 'pi_warm_up_' || p_order,
                            'amount', 100)
$$;

CREATE FUNCTION order_warm_up() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_event   uuid := gen_random_uuid();
  v_session uuid := gen_random_uuid();
  v_tier    uuid := gen_random_uuid();
  v_seat_a  uuid := gen_random_uuid();
  v_seat_b  uuid := gen_random_uuid();
  v_order_a uuid := gen_random_uuid();
  v_order_b uuid := gen_random_uuid();
  v_lost    uuid := gen_random_uuid();
  v_user    text := 'order-warm-up';
  v_now     timestamptz := now();
  v_got     jsonb;
BEGIN
  BEGIN
    INSERT INTO catalog_events (id, version, status, snapshot) VALUES (v_event, 1, 'APPROVED', '{}');
    INSERT INTO sessions (id, event_id, status, layout_hash) VALUES (v_session, v_event, 'ON_SALE', '');
    INSERT INTO seats (session_id, seat_id, label, tier_id, price)
    VALUES (v_session, v_seat_a, 'A', v_tier, 100), (v_session, v_seat_b, 'B', v_tier, 100);

    v_got := order_place(jsonb_build_array(
      order_warm_up_request(v_order_a, v_user, v_event, v_session, v_seat_a, v_now),
      order_warm_up_request(v_lost, v_user, v_event, v_session, v_seat_a, v_now),
      order_warm_up_request(v_order_b, v_user, v_event, v_session, v_seat_b, v_now)));
    IF v_got->0->>'result' <> 'held' OR v_got->1->>'result' <> 'taken' OR v_got->2->>'result' <> 'held' THEN
      RAISE EXCEPTION 'order_warm_up: unexpected holds %', v_got;
    END IF;

    v_got := order_pay_all(jsonb_build_array(order_warm_up_payment('a', v_order_a)));
    IF v_got->0->>'result' <> 'completed' THEN
      RAISE EXCEPTION 'order_warm_up: unexpected payment %', v_got;
    END IF;
    v_got := order_pay_all(jsonb_build_array(order_warm_up_payment('b', v_order_b),
                                             order_warm_up_payment('b', v_order_b)));
    IF v_got->0->>'result' <> 'completed' OR v_got->1->>'result' <> 'duplicate' THEN
      RAISE EXCEPTION 'order_warm_up: unexpected payments %', v_got;
    END IF;

    RAISE SQLSTATE 'TKWUP';  -- undo everything above
  EXCEPTION WHEN SQLSTATE 'TKWUP' THEN
    NULL;
  END;
END
$$;
