#pragma once
// What PgLogBus shares with its group members (pg_log_member.cpp). Not a public header.
#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "platform/bus/pg_log_bus.h"
#include "platform/bus/pg_notifier.h"
#include "platform/db/database.h"

namespace ticketly::bus::detail {

inline constexpr std::string_view kBusChannel = "ticketly_bus";          // payload: topic
inline constexpr std::string_view kGroupChannel = "ticketly_bus_group";  // payload: group

struct PgLogCore {
  PgLogCore(runtime::IoPool& io, PgLogOptions options);

  runtime::IoPool& io;
  PgLogOptions options;
  db::Database database;
  std::shared_ptr<PgNotifier> notifier;
  std::atomic<std::size_t> next_worker{0};

  // Creates missing topics and caches every topic's partition count.
  asio::awaitable<void> ensure_topics(std::vector<TopicSpec> topics);
  // The cached partition count, or 0 if the topic is not known yet.
  int cached_partitions(std::string_view topic) const;

  // Retention job.
  asio::awaitable<std::int64_t> trim();
  static asio::awaitable<void> run_retention(std::shared_ptr<PgLogCore> self);
  std::unique_ptr<asio::steady_timer> retention_timer;
  std::atomic<bool> started{false}, stopping{false};
  std::promise<void> retention_finished;

 private:
  mutable std::mutex mu_;
  std::map<std::string, int, std::less<>> partitions_;
};

std::unique_ptr<GroupMember> make_pg_member(std::shared_ptr<PgLogCore> core, MemberOptions options);

}  // namespace ticketly::bus::detail
