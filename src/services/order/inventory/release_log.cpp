#include "services/order/inventory/release_log.h"

namespace ticketly::order::inventory {

ReleaseLog::Scope::Scope(ReleaseLog& log, std::vector<Uuid> sessions) : log_(log), sessions_(std::move(sessions)) {
  log_.release_begins(sessions_);
}

ReleaseLog::Scope::~Scope() { log_.release_ends(sessions_); }

void ReleaseLog::release_begins(const std::vector<Uuid>& sessions) {
  std::lock_guard lock(mu_);
  const auto at = ++seq_;
  for (const auto& s : sessions) {
    auto& e = sessions_[s];
    ++e.in_flight;
    e.last = at;
  }
}

void ReleaseLog::release_ends(const std::vector<Uuid>& sessions) {
  std::lock_guard lock(mu_);
  const auto at = ++seq_;
  for (const auto& s : sessions) {
    auto& e = sessions_[s];
    --e.in_flight;
    e.last = at;
  }
  prune();
}

std::uint64_t ReleaseLog::load_begins() {
  std::lock_guard lock(mu_);
  const auto token = seq_;
  loads_.insert(token);
  return token;
}

bool ReleaseLog::raced(const Uuid& session, std::uint64_t token) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return false;
  // A release that ended before the load began committed before the load read: harmless.
  return it->second.in_flight > 0 || it->second.last > token;
}

void ReleaseLog::load_ended(std::uint64_t token) {
  std::lock_guard lock(mu_);
  if (auto it = loads_.find(token); it != loads_.end()) loads_.erase(it);
  prune();
}

std::size_t ReleaseLog::tracked_sessions() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void ReleaseLog::prune() {
  // An idle entry matters only to loads that began before its last end.
  const std::uint64_t oldest = loads_.empty() ? seq_ : *loads_.begin();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.in_flight == 0 && it->second.last <= oldest) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace ticketly::order::inventory
