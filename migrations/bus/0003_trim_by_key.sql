-- Retention walked the log with one statement: a join of the partitions with their
-- messages, the first young message of each partition as a correlated subquery. Planned
-- while bus_messages was small (the first trims after start), the cached generic plan
-- hashed the whole log and ran the subquery - a sequential scan and sort of the whole
-- log - for every message: quadratic. At 300k messages one trim ran for over ten
-- minutes. bus_trim goes partition by partition through the primary key: the first
-- message young enough, then one range delete below it, whatever the statistics.
-- PL/pgSQL keeps its plans for the session (see 0002); SET enable_seqscan = off prices
-- the whole-table plans out as in bus_fetch.
CREATE FUNCTION bus_trim(p_retention_ms float8) RETURNS bigint
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  p       record;
  v_keep  bigint;
  v_count bigint;
  v_total bigint := 0;
BEGIN
  FOR p IN SELECT bp.topic, bp.partition, bp.next_offset FROM bus_partitions bp LOOP
    SELECT b."offset" INTO v_keep FROM bus_messages b
     WHERE b.topic = p.topic AND b.partition = p.partition
       AND b.created_at >= now() - p_retention_ms * interval '1 millisecond'
     ORDER BY b."offset" LIMIT 1;
    DELETE FROM bus_messages b
     WHERE b.topic = p.topic AND b.partition = p.partition AND b."offset" < coalesce(v_keep, p.next_offset);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_total := v_total + v_count;
  END LOOP;
  RETURN v_total;
END
$$;
