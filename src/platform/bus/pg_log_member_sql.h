#pragma once
// The SQL of a PgLogBus group member (pg_log_member.cpp), one statement per step of the
// protocol described in pg_log_bus.h. Not a public header.
#include "platform/db/connection.h"

namespace ticketly::bus::detail {

constexpr db::Statement kJoin{"bus.pg.join", R"sql(
  WITH member AS (
    INSERT INTO bus_members (group_name, member_id, topics, expires_at)
    VALUES ($1, $2, $3::text[], now() + $4::float8 * interval '1 millisecond')
    ON CONFLICT (group_name, member_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, topics = EXCLUDED.topics
    RETURNING 1
  ), partitions AS (
    INSERT INTO bus_group_partitions (group_name, topic, partition)
    SELECT $1, topic, partition FROM bus_partitions WHERE topic = ANY($3::text[])
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT pg_notify('ticketly_bus_group', $1)
)sql"};
constexpr db::Statement kHeartbeat{"bus.pg.heartbeat", R"sql(
  UPDATE bus_members SET expires_at = now() + $3::float8 * interval '1 millisecond'
   WHERE group_name = $1 AND member_id = $2
)sql"};
constexpr db::Statement kLiveMembers{"bus.pg.live_members", R"sql(
  SELECT member_id, topics FROM bus_members
   WHERE group_name = $1 AND expires_at > now() ORDER BY member_id
)sql"};
constexpr db::Statement kGroupPartitions{"bus.pg.group_partitions", R"sql(
  SELECT gp.topic, gp.partition, gp.committed, gp.owner, p.next_offset,
         gp.owner IS NOT NULL AND EXISTS (
           SELECT 1 FROM bus_members m
            WHERE m.group_name = gp.group_name AND m.member_id = gp.owner AND m.expires_at > now()) AS owner_alive
    FROM bus_group_partitions gp JOIN bus_partitions p USING (topic, partition)
   WHERE gp.group_name = $1 AND gp.topic = ANY($2::text[])
)sql"};
// Takes partitions that are free or whose owner is dead; two claimers of one partition
// serialise on its row, and the second sees the first as a live owner.
constexpr db::Statement kClaim{"bus.pg.claim", R"sql(
  UPDATE bus_group_partitions gp SET owner = $2, updated_at = now()
    FROM unnest($3::text[], $4::int4[]) AS c(topic, partition)
   WHERE gp.group_name = $1 AND gp.topic = c.topic AND gp.partition = c.partition
     AND (gp.owner IS NULL OR gp.owner = $2 OR NOT EXISTS (
           SELECT 1 FROM bus_members m
            WHERE m.group_name = $1 AND m.member_id = gp.owner AND m.expires_at > now()))
  RETURNING gp.topic, gp.partition, gp.committed
)sql"};
// Commits only count while the committer owns the partition, and never move backwards.
constexpr db::Statement kCommit{"bus.pg.commit", R"sql(
  UPDATE bus_group_partitions gp SET committed = greatest(gp.committed, c.position), updated_at = now()
    FROM unnest($3::text[], $4::int4[], $5::int8[]) AS c(topic, partition, position)
   WHERE gp.group_name = $1 AND gp.owner = $2 AND gp.topic = c.topic AND gp.partition = c.partition
)sql"};
constexpr db::Statement kRelease{"bus.pg.release", R"sql(
  WITH released AS (
    UPDATE bus_group_partitions gp
       SET owner = NULL, committed = greatest(gp.committed, c.position), updated_at = now()
      FROM unnest($3::text[], $4::int4[], $5::int8[]) AS c(topic, partition, position)
     WHERE gp.group_name = $1 AND gp.owner = $2 AND gp.topic = c.topic AND gp.partition = c.partition
    RETURNING 1
  )
  SELECT pg_notify('ticketly_bus_group', $1)
)sql"};
constexpr db::Statement kLeave{"bus.pg.leave", R"sql(
  WITH released AS (
    UPDATE bus_group_partitions SET owner = NULL, updated_at = now() WHERE group_name = $1 AND owner = $2
    RETURNING 1
  ), gone AS (
    DELETE FROM bus_members WHERE group_name = $1 AND member_id = $2 RETURNING 1
  )
  SELECT pg_notify('ticketly_bus_group', $1)
)sql"};
// Each partition from its position, by the primary key (bus_fetch: migrations/bus/0002).
constexpr db::Statement kFetch{"bus.pg.fetch",
                               "SELECT * FROM bus_fetch($1::text[], $2::int4[], $3::int8[], $4::int4)"};

}  // namespace ticketly::bus::detail
