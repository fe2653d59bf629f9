#pragma once
// The process's in-memory inventories, one per session in use, and the loop that keeps
// their fences (fence.h): renewed while the session is busy, re-acquired (with a reload
// of the seat states) when lost, left to lapse when it goes quiet.
#include <boost/asio/awaitable.hpp>

#include <memory>

#include "platform/db/database.h"
#include "platform/runtime/io_pool.h"
#include "services/order/inventory/fence.h"
#include "services/order/inventory/release_log.h"
#include "services/order/inventory/session_inventory.h"

namespace ticketly::order::inventory {

class Inventory {
 public:
  Inventory(db::Database& db, runtime::IoPool& io, FenceOptions fence);
  ~Inventory();
  Inventory(const Inventory&) = delete;
  Inventory& operator=(const Inventory&) = delete;

  // This process, as fence holder.
  const Uuid& instance() const;
  const FenceOptions& fence_options() const;

  // The session's inventory, loaded (and fenced) on first use; nullptr for a session the
  // catalog does not know.
  asio::awaitable<std::shared_ptr<SessionInventory>> get(const Uuid& session_id);
  // Only if already loaded (never touches the database).
  std::shared_ptr<SessionInventory> loaded(const Uuid& session_id) const;
  // Loads the session in the background unless it is loaded or loading: for a session
  // that just went on sale, ahead of its first buyers. The caller does not wait (the
  // catalog consumer must not hold its partition for a 10,000-seat load); a failure is
  // logged, and the first buyer loads it instead. Nothing happens before start() or
  // after stop(), which waits for loads in flight.
  void preload(const Uuid& session_id);
  // Re-reads catalog and seat states of a loaded session (after a snapshot changed it).
  asio::awaitable<void> refresh(const Uuid& session_id);

  // This process's releases in progress: a release holds a ReleaseLog::Scope from before
  // it marks seats Free until it has committed, so that no load undoes those marks.
  ReleaseLog& releases();

  // Starts / stops the fence loop (after the workers run / before they stop).
  void start();
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Builds the catalog view of a session from what the store loaded.
std::shared_ptr<const SessionCatalog> make_catalog(const Uuid& session_id, store::SessionInventoryRows& rows);

}  // namespace ticketly::order::inventory
