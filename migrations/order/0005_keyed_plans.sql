-- Every statement of the hot functions looks rows up by key (order ids, seat keys, event
-- ids). Their plans are cached per connection, and a plan made while a table was small
-- (a fresh database, the first minutes of a sale) scans it sequentially; it keeps doing
-- so after the table has grown, until the next ANALYZE replans it. bench/order (c) read
-- 3.6 million tickets rows and 0.8 million orders rows that way in 15 s. With sequential
-- scans priced out inside these functions the plans go through the keys from the start.
ALTER FUNCTION order_place(jsonb) SET enable_seqscan = off;
ALTER FUNCTION order_place_one(jsonb) SET enable_seqscan = off;
ALTER FUNCTION order_pay_all(jsonb) SET enable_seqscan = off;
ALTER FUNCTION order_pay(jsonb) SET enable_seqscan = off;

-- The tickets of some orders (store::load_orders, a user's orders), for the same reason:
-- its statement is planned with the table's statistics of the moment, and tickets grows
-- by thousands of rows between two ANALYZEs during a sale. PL/pgSQL keeps the plan for
-- the session (an SQL function with a SET clause would plan on every call).
CREATE FUNCTION order_tickets_of(p_orders uuid[]) RETURNS SETOF tickets LANGUAGE plpgsql STABLE
  SET enable_seqscan = off AS $$
BEGIN
  RETURN QUERY SELECT * FROM tickets t WHERE t.order_id = ANY (p_orders);
END
$$;
