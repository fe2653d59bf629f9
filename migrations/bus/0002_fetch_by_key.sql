-- A consumer's fetch reads each of its partitions from its position through the primary
-- key. As a prepared statement its plan was cached per connection; one made while
-- bus_messages was small read the whole table once per partition, and kept doing so as
-- the log grew, until the next ANALYZE replanned it. bench/order measured 100 million
-- rows read in 15 s that way, two backends busy on nothing else. In a function with
-- sequential scans priced out, the fetch goes through the key whatever the statistics.
-- PL/pgSQL, not SQL: it keeps the statement's plan for the session, where an SQL function
-- with a SET clause would plan it again on every call.
CREATE FUNCTION bus_fetch(p_topics text[], p_partitions integer[], p_positions bigint[], p_limit integer)
RETURNS TABLE (topic text, partition integer, "offset" bigint, key text, payload text, headers text,
               created_at timestamptz)
LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT p.topic, p.partition, m."offset", m.key, m.payload, m.headers::text, m.created_at
    FROM unnest(p_topics, p_partitions, p_positions) AS p(topic, partition, pos)
   CROSS JOIN LATERAL (
     SELECT b."offset", b.key, b.payload, b.headers, b.created_at FROM bus_messages b
      WHERE b.topic = p.topic AND b.partition = p.partition AND b."offset" >= p.pos
      ORDER BY b."offset" LIMIT p_limit) AS m;
END
$$;
