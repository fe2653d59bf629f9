#include "services/order/events/checkout_hub.h"

#include <algorithm>

#include "services/order/api/dto.h"

namespace ticketly::order::events {

std::shared_ptr<http::SseStream> CheckoutHub::subscribe(Scope scope, const Uuid& id) {
  auto stream = std::make_shared<http::SseStream>(http::SseOptions{});
  const json::Json hello = {{"scope", scope == Scope::Event ? "event" : "organization"}, {"id", id.str()}};
  stream->push(http::SseEvent{"CONNECTED", hello.dump(), ""});
  {
    std::lock_guard lock(mu_);
    (scope == Scope::Event ? by_event_ : by_org_)[id].push_back(stream);
  }
  std::weak_ptr<http::SseStream> weak = stream;
  stream->on_close([this, scope, id, weak] {
    auto s = weak.lock();
    drop(scope, id, s.get());
  });
  return stream;
}

void CheckoutHub::drop(Scope scope, const Uuid& id, const http::SseStream* stream) {
  std::lock_guard lock(mu_);
  auto& map = scope == Scope::Event ? by_event_ : by_org_;
  auto it = map.find(id);
  if (it == map.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [stream](const auto& s) { return s.get() == stream || s->closed(); }),
             list.end());
  if (list.empty()) map.erase(it);
}

void CheckoutHub::publish(const Order& order) {
  std::vector<std::shared_ptr<http::SseStream>> targets;
  {
    std::lock_guard lock(mu_);
    if (by_event_.empty() && by_org_.empty()) return;
    if (auto it = by_event_.find(order.event_id); it != by_event_.end()) targets = it->second;
    if (auto it = by_org_.find(order.organization_id); it != by_org_.end()) {
      targets.insert(targets.end(), it->second.begin(), it->second.end());
    }
  }
  if (targets.empty()) return;
  http::fan_out(std::move(targets), http::SseEvent{"CHECKOUT", api::checkout_json(order).dump(), ""}.serialize());
}

std::size_t CheckoutHub::subscribers() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (auto& [id, list] : by_event_) n += list.size();
  for (auto& [id, list] : by_org_) n += list.size();
  return n;
}

}  // namespace ticketly::order::events
