-- The relay's fetch: the oldest rows by id. The outbox is a queue (rows are deleted once
-- the bus has them), so its heap is mostly dead rows between vacuums; a plan cached while
-- the table was small read all of them and sorted, on every fetch (bench/order: 0.5 ms per
-- fetch of ~25 rows). Through the primary key, a fetch stops after the rows it returns.
-- PL/pgSQL keeps the plan for the session; the SET clause keeps it on the key.
CREATE FUNCTION outbox_fetch(p_limit integer)
RETURNS TABLE (id bigint, message_id text, topic text, key text, payload text, headers text)
LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT o.id, o.message_id::text, o.topic, o.key, o.payload::text, o.headers::text
    FROM outbox o ORDER BY o.id LIMIT p_limit;
END
$$;
