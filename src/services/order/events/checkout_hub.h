#pragma once
// Live checkout feeds for organizers (GET /api/order/sse/checkouts/event|organization/…):
// every order change this process makes is pushed as a CHECKOUT event to the streams of
// its event and of its organization. Streams are bounded (http::SseStream); a closed
// stream unsubscribes itself. Thread-safe.
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "platform/http/sse.h"
#include "services/order/domain/order.h"

namespace ticketly::order::events {

class CheckoutHub {
 public:
  enum class Scope { Event, Organization };

  // A new stream for `id`, already carrying the CONNECTED event.
  std::shared_ptr<http::SseStream> subscribe(Scope scope, const Uuid& id);
  void publish(const Order& order);
  std::size_t subscribers() const;

 private:
  void drop(Scope scope, const Uuid& id, const http::SseStream* stream);

  mutable std::mutex mu_;
  std::unordered_map<Uuid, std::vector<std::shared_ptr<http::SseStream>>> by_event_, by_org_;
};

}  // namespace ticketly::order::events
