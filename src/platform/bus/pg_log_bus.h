#pragma once
// PgLogBus: the event bus as an append-only log in its own PostgreSQL database
// (`<prefix>_bus`, schema in migrations/bus). The embedded default: no broker to run.
//
// - Topics have N partitions (TopicSpec, else `default_partitions`); a message goes to
//   partition murmur2(key) % N, like Kafka's default partitioner.
// - produce() is one call of the bus_append() SQL function: it locks the touched
//   partitions' rows in a fixed order, numbers the messages per partition, inserts them
//   and NOTIFYs `ticketly_bus` (payload: the topic) — all in one transaction, so offsets
//   commit in order and an acknowledged message is durable.
// - Consumer groups: members hold leases in bus_members (renewed by heartbeats, judged by
//   the database clock). Every member computes the same target assignment from the live
//   members (partition p of a topic -> its subscribers sorted by id, p modulo their count),
//   releases partitions that are no longer its own (after its in-flight messages finished
//   and their offsets are committed) and claims free partitions or those of dead members.
//   Ownership is a column, so a partition has at most one owner, and commits only count
//   while the committer still owns it. Joins, leaves and releases NOTIFY
//   `ticketly_bus_group` (payload: the group) so the others rebalance at once; heartbeats
//   catch the rest (a member that died without leaving, after `session_timeout`).
// - Consumers long-poll: they LISTEN (through one shared connection) and fall back to
//   polling every `poll_interval`.
// - Retention: messages older than `retention` are deleted from each partition's old end
//   every `retention_interval`, whether or not every group has read them (as Kafka does).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "platform/bus/bus.h"
#include "platform/db/migrations.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> bus();  // generated from migrations/bus
}

namespace ticketly::bus {

namespace detail {
struct PgLogCore;
}

struct PgLogOptions {
  std::string conninfo;  // the bus database
  int default_partitions = 8;
  std::chrono::milliseconds retention = std::chrono::hours(24 * 7);
  std::chrono::milliseconds retention_interval = std::chrono::minutes(1);
  std::chrono::milliseconds poll_interval{500};       // consumers re-check without a NOTIFY
  std::chrono::milliseconds session_timeout{10000};   // a member silent this long is dead
  std::chrono::milliseconds heartbeat_interval{0};    // 0: session_timeout / 4
  std::chrono::milliseconds commit_interval{200};     // how often handled offsets are committed
  std::size_t pool_size = 4;                          // connections per worker
};

class PgLogBus final : public Bus {
 public:
  PgLogBus(runtime::IoPool& io, PgLogOptions options);
  ~PgLogBus() override;

  std::string_view kind() const override { return "postgres"; }
  asio::awaitable<void> ensure_topics(std::vector<TopicSpec> topics) override;
  asio::awaitable<void> produce(std::vector<OutgoingMessage> messages) override;
  std::unique_ptr<GroupMember> member(MemberOptions options) override;
  // Starts the shared LISTEN connection and the retention job.
  void start() override;
  void stop() override;

  // One retention pass; returns the messages deleted. Runs on the IoPool.
  asio::awaitable<std::int64_t> trim();

  const PgLogOptions& options() const;

  // Creates database `dbname` through `admin_conninfo` when missing, then applies
  // migrations/bus at `conninfo`. Blocking: start-up only.
  static void prepare_database(const std::string& admin_conninfo, const std::string& dbname,
                               const std::string& conninfo);

 private:
  std::shared_ptr<detail::PgLogCore> core_;
};

}  // namespace ticketly::bus
