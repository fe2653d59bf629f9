#include "services/order/inventory/session_inventory.h"

#include <algorithm>

namespace ticketly::order::inventory {

const Seat* SessionCatalog::seat(const Uuid& id) const {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &seats[it->second];
}

std::shared_ptr<const SessionCatalog> SessionInventory::catalog() const {
  std::lock_guard lock(mu_);
  return catalog_;
}

Mark* SessionInventory::mark_ptr(const Uuid& seat_id) {
  if (!catalog_) return nullptr;
  auto it = catalog_->index.find(seat_id);
  return it == catalog_->index.end() ? nullptr : &marks_[it->second];
}

void SessionInventory::reset(std::shared_ptr<const SessionCatalog> catalog, const std::vector<store::SeatRow>& states,
                             const std::function<bool()>& locked_may_be_stale) {
  std::vector<Mark> marks(catalog->seats.size(), Mark::Free);
  for (const auto& row : states) {
    auto it = catalog->index.find(row.seat_id);
    if (it == catalog->index.end()) continue;
    if (row.state == "BOOKED") {
      marks[it->second] = Mark::Booked;
    } else if (row.state == "LOCKED") {
      marks[it->second] = Mark::Locked;
    }
  }
  std::lock_guard lock(mu_);
  if (locked_may_be_stale()) std::replace(marks.begin(), marks.end(), Mark::Locked, Mark::Free);
  if (catalog_) {
    for (std::size_t i = 0; i < marks_.size(); ++i) {
      if (marks_[i] != Mark::Claiming) continue;
      if (auto it = catalog->index.find(catalog_->seats[i].id); it != catalog->index.end()) {
        marks[it->second] = Mark::Claiming;
      }
    }
  }
  catalog_ = std::move(catalog);
  marks_ = std::move(marks);
  ++generation_;
  wake_all();  // waiters re-check against the new catalog
}

void SessionInventory::forget_locked() {
  std::lock_guard lock(mu_);
  std::replace(marks_.begin(), marks_.end(), Mark::Locked, Mark::Free);
}

ClaimResult SessionInventory::try_claim(std::span<const Uuid> seats, const std::string&, SteadyTime now) {
  ClaimResult out;
  std::lock_guard lock(mu_);
  if (!catalog_) {
    out.kind = ClaimResult::Kind::Stale;
    return out;
  }
  const bool trust = now < trust_until_;
  bool wait = false;
  std::vector<std::uint32_t> positions;
  positions.reserve(seats.size());
  for (const auto& id : seats) {
    auto it = catalog_->index.find(id);
    if (it == catalog_->index.end()) {
      out.kind = ClaimResult::Kind::Stale;
      return out;
    }
    positions.push_back(it->second);
    switch (marks_[it->second]) {
      case Mark::Booked:
        out.unavailable.push_back(id);
        break;
      case Mark::Locked:
        if (trust) out.unavailable.push_back(id);
        break;
      case Mark::Claiming:
        wait = true;
        break;
      case Mark::Free:
        break;
    }
  }
  if (!out.unavailable.empty()) {
    out.kind = ClaimResult::Kind::Rejected;
    return out;
  }
  if (wait) {
    out.kind = ClaimResult::Kind::Wait;
    out.wakeup = std::make_shared<Wakeup>();
    waiters_.push_back(out.wakeup);
    return out;
  }
  for (auto p : positions) marks_[p] = Mark::Claiming;
  ++claims_in_flight_;
  out.kind = ClaimResult::Kind::Proceed;
  out.generation = generation_;
  return out;
}

void SessionInventory::settle_held(std::span<const Uuid> seats, const std::string&) {
  std::lock_guard lock(mu_);
  for (const auto& id : seats) {
    if (auto* m = mark_ptr(id); m && *m != Mark::Booked) *m = Mark::Locked;
  }
  if (claims_in_flight_ > 0) --claims_in_flight_;
  wake_all();
}

void SessionInventory::settle_failed(std::span<const Uuid> seats, const std::string&,
                                     std::span<const store::TakenSeat> taken, std::uint64_t generation) {
  std::lock_guard lock(mu_);
  for (const auto& id : seats) {
    if (auto* m = mark_ptr(id); m && *m == Mark::Claiming) *m = Mark::Free;
  }
  for (const auto& t : taken) {
    auto* m = mark_ptr(t.seat_id);
    if (!m || *m == Mark::Claiming) continue;
    if (t.state == "BOOKED") {
      *m = Mark::Booked;  // final, whenever it was learned
    } else if (t.state == "LOCKED" && generation == generation_ && *m == Mark::Free) {
      *m = Mark::Locked;
    }
  }
  if (claims_in_flight_ > 0) --claims_in_flight_;
  wake_all();
}

void SessionInventory::mark_free(std::span<const Uuid> seat_ids) {
  std::lock_guard lock(mu_);
  for (const auto& id : seat_ids) {
    if (auto* m = mark_ptr(id); m && *m == Mark::Locked) *m = Mark::Free;
  }
  wake_all();
}

void SessionInventory::mark_booked(std::span<const Uuid> seat_ids) {
  std::lock_guard lock(mu_);
  for (const auto& id : seat_ids) {
    if (auto* m = mark_ptr(id); m && *m != Mark::Claiming) *m = Mark::Booked;
  }
}

void SessionInventory::trust_until(SteadyTime until, std::int64_t epoch) {
  std::lock_guard lock(mu_);
  trust_until_ = until;
  fence_epoch_ = epoch;
}

void SessionInventory::distrust() {
  std::lock_guard lock(mu_);
  trust_until_ = SteadyTime{};
}

bool SessionInventory::trusted(SteadyTime now) const {
  std::lock_guard lock(mu_);
  return now < trust_until_;
}

std::int64_t SessionInventory::fence_epoch() const {
  std::lock_guard lock(mu_);
  return fence_epoch_;
}

void SessionInventory::touch(SteadyTime now) {
  std::lock_guard lock(mu_);
  last_used_ = now;
}

SteadyTime SessionInventory::last_used() const {
  std::lock_guard lock(mu_);
  return last_used_;
}

bool SessionInventory::busy() const {
  std::lock_guard lock(mu_);
  return claims_in_flight_ > 0 || !waiters_.empty();
}

SessionInventory::Counts SessionInventory::counts() const {
  std::lock_guard lock(mu_);
  Counts c;
  for (auto m : marks_) {
    switch (m) {
      case Mark::Free:
        ++c.free;
        break;
      case Mark::Claiming:
        ++c.claiming;
        break;
      case Mark::Locked:
        ++c.locked;
        break;
      case Mark::Booked:
        ++c.booked;
        break;
    }
  }
  return c;
}

std::optional<Mark> SessionInventory::mark_of(const Uuid& seat_id) const {
  std::lock_guard lock(mu_);
  if (!catalog_) return std::nullopt;
  auto it = catalog_->index.find(seat_id);
  if (it == catalog_->index.end()) return std::nullopt;
  return marks_[it->second];
}

void SessionInventory::wake_all() {
  if (waiters_.empty()) return;
  auto waiters = std::move(waiters_);
  waiters_.clear();
  // Firing only posts to the waiters' executors; safe under the lock.
  for (auto& w : waiters) w->fire();
}

}  // namespace ticketly::order::inventory
