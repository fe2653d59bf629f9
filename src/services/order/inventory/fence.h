#pragma once
// The inventory fence: which process may trust its in-memory Locked marks for a session
// (session_inventory.h), and the step every seat release takes first.
//
// Table inventory_fences (session_id, holder, epoch, valid_until, wanted_by, wanted_at).
//
//  * A holder H acquires (when the fence is free or lapsed) or renews (while it is still
//    the holder and nobody asked for it) with valid_until = DB now() + lease. H trusts its
//    Locked marks until t0 + lease − margin, t0 being H's clock BEFORE it sent the
//    statement: the database stamps valid_until no earlier than that, so H's trust always
//    ends before the fence lapses in the database (only clock rates matter, not offsets).
//    After every acquisition H reloads the session's seat states before trusting them.
//  * A releaser R (cancel, expiry sweep; any process) first runs release_step() in its
//    transaction: it may release in a session only if R holds the fence or the fence has
//    lapsed; it then becomes the holder (epoch + 1, valid_until = now, so H can come back
//    at once — and will reload after R's commit, seeing the release). The step row-locks
//    the fences until R commits, so H cannot renew in between.
//  * A session fenced by another live process: the sweeper leaves it to that process
//    (its own sweeper); an owner's cancel marks the fence wanted (H stops renewing), waits
//    for the lapse (at most one lease) and tries again.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "platform/db/database.h"
#include "platform/types/uuid.h"

namespace ticketly::order::inventory {

namespace asio = boost::asio;

struct FenceOptions {
  std::chrono::milliseconds lease{3000};
  std::chrono::milliseconds margin{500};   // trust ends this long before the lease could lapse
  std::chrono::milliseconds renew_every{1000};
};

// The epoch when this process now holds the fence (newly acquired, or re-acquired).
asio::awaitable<std::optional<std::int64_t>> acquire_fence(db::Database& db, const Uuid& session, const Uuid& me,
                                                           std::chrono::milliseconds lease);
// Sessions among `sessions` whose fence this process still holds, now extended, with the
// fence's epoch. The holder trusts its marks only when the epoch is the one it loaded
// under: release_step() may have handed it the fence of a lapsed holder (epoch + 1)
// without any reload of its seat states.
struct RenewedFence {
  Uuid session;
  std::int64_t epoch = 0;
};
asio::awaitable<std::vector<RenewedFence>> renew_fences(db::Database& db, const std::vector<Uuid>& sessions,
                                                        const Uuid& me, std::chrono::milliseconds lease);
// In the releasing transaction: the sessions among `sessions` in which `me` may release.
asio::awaitable<std::vector<Uuid>> release_step(db::Connection& tx, std::vector<Uuid> sessions, const Uuid& me);
// Asks the live holder to let go; returns how long until its fence lapses (nullopt: it
// already has, or nobody else holds it).
asio::awaitable<std::optional<std::chrono::milliseconds>> want_fence(db::Database& db, const Uuid& session,
                                                                     const Uuid& me);

}  // namespace ticketly::order::inventory
