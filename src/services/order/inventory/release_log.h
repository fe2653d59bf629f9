#pragma once
// Which sessions this process is releasing seats in, so that a load of seat states cannot
// undo a release's Free marks.
//
// A release turns its seats Free in memory before it commits (session_inventory.h). A load
// that read the seats before that commit saw them LOCKED; installed after the release's
// mark_free, it would restore a Locked mark that no later event clears while the fence
// stays ours, and a free seat would be refused from memory. A load therefore takes a
// token before it reads, and after reading asks whether a release in its session was in
// flight or has ended since: if so, it must not trust the LOCKED states it read.
//
// Thread-safe; one small mutex, never held across a suspension.
#include <cstdint>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "platform/types/uuid.h"

namespace ticketly::order::inventory {

class ReleaseLog {
 public:
  // A release of `sessions` is under way from construction (before any mark_free) until
  // destruction (after its commit, or its failure).
  class Scope {
   public:
    Scope(ReleaseLog& log, std::vector<Uuid> sessions);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ReleaseLog& log_;
    std::vector<Uuid> sessions_;
  };

  // A load of seat states, from construction (before it reads) until destruction.
  class Load {
   public:
    explicit Load(ReleaseLog& log) : log_(log), token_(log.load_begins()) {}
    ~Load() { log_.load_ended(token_); }
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;
    // Whether a release in `session` was in flight when the load began, or began or ended
    // since: the LOCKED states it read may predate a release's commit.
    bool raced(const Uuid& session) const { return log_.raced(session, token_); }

   private:
    ReleaseLog& log_;
    std::uint64_t token_;
  };

  std::size_t tracked_sessions() const;  // for tests: entries not yet pruned

 private:
  struct Entry {
    int in_flight = 0;
    std::uint64_t last = 0;  // the sequence number of its latest begin or end
  };
  std::uint64_t load_begins();
  bool raced(const Uuid& session, std::uint64_t token) const;
  void load_ended(std::uint64_t token);
  void release_begins(const std::vector<Uuid>& sessions);
  void release_ends(const std::vector<Uuid>& sessions);
  void prune();  // under mu_: entries no release or load can still need

  mutable std::mutex mu_;
  std::uint64_t seq_ = 0;
  std::unordered_map<Uuid, Entry> sessions_;
  std::multiset<std::uint64_t> loads_;  // tokens of loads in flight
};

}  // namespace ticketly::order::inventory
