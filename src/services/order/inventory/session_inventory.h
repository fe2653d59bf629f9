#pragma once
// The in-memory availability view of one session: what this process knows about each
// sellable seat, so that most rejections of a flash sale need no database round trip.
//
// The view may only ever err towards trying the database. The argument, per mark:
//
//  * Booked — from our own commits (a completion), from order_place's answer (the seat's
//    committed state) or from a load. BOOKED is final: tickets are never voided and a
//    layout is replaced only while its session has no orders. Always safe to reject.
//
//  * Locked — a hold that some committed transaction took. It becomes free again only
//    through a release (owner's cancel, hold expiry): a transaction that runs the fence
//    step (fence.h) first. While this process holds the session's fence, no OTHER process
//    can release a seat of the session (the fence step waits for the fence to lapse, and
//    our trust ends before it does, measured from before the renewal was sent). Our own
//    releases turn the seats Free before they commit, and a load that overlapped one
//    installs no Locked mark (release_log.h). Every Locked mark therefore stays
//    true while `trusted()`; when trust lapses, Locked is not a reason to reject — the
//    database decides. Marks learned before the fence was (re)acquired are replaced by a
//    load made after it (reset()); an answer that raced a reset is not trusted
//    (generation check in settle()).
//
//  * Claiming — a request of this process is asking the database for the seat right now.
//    Another request for it waits for that answer (single flight per seat: the database
//    never sees two of our requests fight over one row) instead of being rejected.
//
//  * Free — nothing known against it: ask the database.
//
// Catalog-based rejections (unknown seat, session not on sale) are re-checked against the
// database's catalog version by the caller before they are answered (placer.cpp).
//
// Thread-safe: one mutex per session, never held across a suspension.
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "services/order/domain/catalog.h"
#include "services/order/inventory/wakeup.h"
#include "services/order/store/catalog_store.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::inventory {

using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;

struct Seat {
  Uuid id;
  std::string label;
  Uuid tier_id;
  Money price;
};

// The session's catalog facts, immutable once built; replaced as a whole on reload.
struct SessionCatalog {
  Uuid session_id;
  std::shared_ptr<const CatalogEvent> event;  // tiers, discounts, owner (no layouts)
  std::string status;                         // the session's status
  std::optional<Timestamp> sales_start;
  std::optional<Timestamp> end_time;
  bool removed = false;
  bool event_deleted = false;
  std::vector<Seat> seats;
  std::unordered_map<Uuid, std::uint32_t> index;  // seat id -> position in `seats`

  const Seat* seat(const Uuid& id) const;
};

enum class Mark : std::uint8_t { Free, Claiming, Locked, Booked };

struct ClaimResult {
  // Stale: a seat is not in the current catalog (it changed since the caller looked).
  enum class Kind { Proceed, Rejected, Wait, Stale } kind = Kind::Proceed;
  std::vector<Uuid> unavailable;           // Rejected: seats known LOCKED or BOOKED
  std::shared_ptr<Wakeup> wakeup;          // Wait: fired when a claim of this session settles
  std::uint64_t generation = 0;            // Proceed: pass back to settle_failed
};

class SessionInventory {
 public:
  explicit SessionInventory(const Uuid& session_id) : session_id_(session_id) {}

  const Uuid& session_id() const { return session_id_; }
  std::shared_ptr<const SessionCatalog> catalog() const;

  // Installs a catalog and the seat states read from the database after it. Claiming
  // marks survive (their requests are still out); everything else takes the loaded state,
  // except that LOCKED states become Free when `locked_may_be_stale()` says a release of
  // ours overlapped the read (release_log.h): the database decides those seats, and its
  // answers mark them again. It is asked under this inventory's lock, which mark_free
  // takes too, so a release either came first (and is seen) or frees its seats after.
  void reset(std::shared_ptr<const SessionCatalog> catalog, const std::vector<store::SeatRow>& states,
             const std::function<bool()>& locked_may_be_stale);
  // Every Locked mark becomes Free (ask the database): for a load published after a
  // release that could not see it yet.
  void forget_locked();

  // Single flight per seat: marks the seats Claiming, or says why not. (Requests of one
  // user are not serialised here: the pending-order limit is enforced in the hold's
  // transaction under a per-user lock, hold_writer.cpp.) `user` is kept for the settle calls. `now` decides whether Locked marks are trusted.
  ClaimResult try_claim(std::span<const Uuid> seats, const std::string& user, SteadyTime now);
  // The database held the seats for us.
  void settle_held(std::span<const Uuid> seats, const std::string& user);
  // It did not; `taken` are the seats it reported taken (with their committed state),
  // learned only if no reset happened since the claim (`generation`).
  void settle_failed(std::span<const Uuid> seats, const std::string& user, std::span<const store::TakenSeat> taken,
                     std::uint64_t generation);

  // Called by this process's releases BEFORE they commit, and its bookings after.
  void mark_free(std::span<const Uuid> seat_ids);
  void mark_booked(std::span<const Uuid> seat_ids);

  // Fence (fence.h): Locked marks count until `until`, for fence `epoch`.
  void trust_until(SteadyTime until, std::int64_t epoch);
  void distrust();
  bool trusted(SteadyTime now) const;
  std::int64_t fence_epoch() const;

  void touch(SteadyTime now);
  SteadyTime last_used() const;
  bool busy() const;  // claims in flight

  // For tests and the seat-map read side: counts by mark.
  struct Counts {
    std::size_t free = 0, claiming = 0, locked = 0, booked = 0;
  };
  Counts counts() const;
  std::optional<Mark> mark_of(const Uuid& seat_id) const;

 private:
  void wake_all();
  Mark* mark_ptr(const Uuid& seat_id);  // under mu_

  const Uuid session_id_;
  mutable std::mutex mu_;
  std::shared_ptr<const SessionCatalog> catalog_;
  std::vector<Mark> marks_;
  std::vector<std::shared_ptr<Wakeup>> waiters_;
  std::uint64_t generation_ = 0;
  std::size_t claims_in_flight_ = 0;
  SteadyTime trust_until_{};
  std::int64_t fence_epoch_ = 0;
  SteadyTime last_used_{};
};

}  // namespace ticketly::order::inventory
