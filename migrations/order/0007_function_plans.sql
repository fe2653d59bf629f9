-- Connections now plan every prepared statement for its parameters (plan_cache_mode =
-- force_custom_plan, platform/db/connection.cpp). These functions keep their plans for
-- the session, as before: each of their statements is keyed whatever the statistics
-- (enable_seqscan = off, 0005), and planning them on every call would cost the hot path.
-- The pending-slot trigger runs inside order_pay_all with these settings; run from a
-- plain statement (a cancel, the sweeper) it is planned for the row at hand.
ALTER FUNCTION order_place(jsonb) SET plan_cache_mode = auto;
ALTER FUNCTION order_place_one(jsonb) SET plan_cache_mode = auto;
ALTER FUNCTION order_pay_all(jsonb) SET plan_cache_mode = auto;
ALTER FUNCTION order_pay(jsonb) SET plan_cache_mode = auto;
ALTER FUNCTION order_tickets_of(uuid[]) SET plan_cache_mode = auto;
