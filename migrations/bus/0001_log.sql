-- The event bus's PostgreSQL log (src/platform/bus/pg_log_bus.h): topics split into
-- partitions, messages appended with a per-partition offset, and consumer groups with
-- their members, the member that owns each partition and the offset it committed.

CREATE TABLE bus_topics (
  name       text PRIMARY KEY,
  partitions integer NOT NULL CHECK (partitions BETWEEN 1 AND 1024),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- next_offset: the offset the next message of the partition gets. An append locks the
-- row until it commits, so a partition's offsets become visible strictly in order and a
-- consumer reading "offset >= n" never skips one that commits later.
CREATE TABLE bus_partitions (
  topic       text NOT NULL REFERENCES bus_topics (name) ON DELETE CASCADE,
  partition   integer NOT NULL,
  next_offset bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, partition)
);

-- Append-only; retention deletes from the old end of each partition.
CREATE TABLE bus_messages (
  topic      text NOT NULL,
  partition  integer NOT NULL,
  "offset"   bigint NOT NULL,
  key        text NOT NULL,
  payload    text NOT NULL,
  headers    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, "offset")
);

-- Members of consumer groups. A member renews its lease with every heartbeat; once the
-- lease ran out (database clock) it counts as dead and its partitions may be taken.
CREATE TABLE bus_members (
  group_name text NOT NULL,
  member_id  text NOT NULL,
  topics     text[] NOT NULL,
  joined_at  timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (group_name, member_id)
);

-- Per group and partition: where the group resumes and which member owns it now. A
-- commit only counts while its member still owns the partition.
CREATE TABLE bus_group_partitions (
  group_name text NOT NULL,
  topic      text NOT NULL,
  partition  integer NOT NULL,
  committed  bigint NOT NULL DEFAULT 0,  -- offset of the next message to handle
  owner      text,                        -- a member_id; NULL while free
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_name, topic, partition),
  FOREIGN KEY (topic, partition) REFERENCES bus_partitions (topic, partition) ON DELETE CASCADE
);

-- Appends a batch in one round trip: parallel arrays, one element per message, in
-- produce order. Locks the touched partitions in (topic, partition) order, so concurrent
-- appends wait for each other instead of deadlocking, numbers the messages per partition
-- in array order, and wakes consumers (LISTEN ticketly_bus, payload: the topic). NOTIFY is
-- transactional: it is delivered only if the append commits.
CREATE FUNCTION bus_append(p_topics text[], p_partitions integer[], p_keys text[], p_payloads text[],
                           p_headers jsonb[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  appended bigint;
BEGIN
  PERFORM 1 FROM bus_partitions bp
   WHERE (bp.topic, bp.partition) IN (SELECT * FROM unnest(p_topics, p_partitions))
   ORDER BY bp.topic, bp.partition
     FOR UPDATE;

  WITH input AS (
    SELECT u.topic, u.partition, u.key, u.payload, u.headers, u.ord
      FROM unnest(p_topics, p_partitions, p_keys, p_payloads, p_headers)
           WITH ORDINALITY AS u(topic, partition, key, payload, headers, ord)
  ), counts AS (
    SELECT topic, partition, count(*) AS n FROM input GROUP BY topic, partition
  ), advanced AS (
    UPDATE bus_partitions bp SET next_offset = bp.next_offset + c.n
      FROM counts c
     WHERE bp.topic = c.topic AND bp.partition = c.partition
    RETURNING bp.topic, bp.partition, bp.next_offset - c.n AS first_offset
  )
  INSERT INTO bus_messages (topic, partition, "offset", key, payload, headers)
  SELECT i.topic, i.partition,
         a.first_offset + row_number() OVER (PARTITION BY i.topic, i.partition ORDER BY i.ord) - 1,
         i.key, i.payload, coalesce(i.headers, '{}'::jsonb)
    FROM input i JOIN advanced a ON a.topic = i.topic AND a.partition = i.partition;
  GET DIAGNOSTICS appended = ROW_COUNT;
  IF appended <> coalesce(array_length(p_topics, 1), 0) THEN
    RAISE EXCEPTION 'bus_append: % of % messages name an unknown topic or partition',
      coalesce(array_length(p_topics, 1), 0) - appended, coalesce(array_length(p_topics, 1), 0)
      USING ERRCODE = 'foreign_key_violation';
  END IF;

  PERFORM pg_notify('ticketly_bus', t) FROM (SELECT DISTINCT unnest(p_topics)) AS d(t);
END
$$;
