#include "services/order/inventory/placer.h"

#include "platform/errors.h"
#include "services/order/domain/pricing.h"
#include "services/order/events/messages.h"
#include "services/order/store/catalog_store.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::inventory {
namespace {

using namespace std::chrono_literals;

struct Rejection {
  int status;
  std::string message;
};

std::optional<Rejection> check_catalog(const SessionCatalog& c, const PlaceCommand& cmd, Timestamp now) {
  if (c.event_deleted || c.removed || !c.event) return Rejection{404, "Session " + cmd.session_id.str() + " not found"};
  const auto& e = *c.event;
  if (e.id != cmd.event_id) return Rejection{400, "Session " + cmd.session_id.str() + " does not belong to event " + cmd.event_id.str()};
  if (e.organization_id != cmd.organization_id) {
    return Rejection{400, "Event " + cmd.event_id.str() + " does not belong to organization " + cmd.organization_id.str()};
  }
  if (e.status != "APPROVED") return Rejection{400, "Event is not open for sales"};
  if (c.status != "ON_SALE") return Rejection{400, "Session is not on sale (status " + c.status + ")"};
  if (c.sales_start && now < *c.sales_start) return Rejection{400, "Sales for this session have not started yet"};
  if (c.end_time && now >= *c.end_time) return Rejection{400, "This session has ended"};
  for (const auto& id : cmd.seat_ids) {
    if (!c.seat(id)) return Rejection{400, "Seat " + id.str() + " is not a sellable seat of this session"};
  }
  if (cmd.discount_id && !e.discount(*cmd.discount_id)) return Rejection{400, "Discount not found for this event"};
  return std::nullopt;
}

std::string seat_labels(const SessionCatalog& c, const std::vector<Uuid>& ids) {
  std::string out;
  for (const auto& id : ids) {
    const auto* s = c.seat(id);
    if (!out.empty()) out += ", ";
    out += s && !s->label.empty() ? s->label : id.str();
  }
  return out;
}

// Settles the claim as failed unless told otherwise, so no exit path leaves seats Claiming.
class ClaimGuard {
 public:
  ClaimGuard(std::shared_ptr<SessionInventory> inv, const PlaceCommand& cmd, std::uint64_t generation)
      : inv_(std::move(inv)), cmd_(cmd), generation_(generation) {}
  ~ClaimGuard() {
    if (!settled_) inv_->settle_failed(cmd_.seat_ids, cmd_.user_id, {}, generation_);
  }
  void held() {
    settled_ = true;
    inv_->settle_held(cmd_.seat_ids, cmd_.user_id);
  }
  void failed(const std::vector<store::TakenSeat>& taken) {
    settled_ = true;
    inv_->settle_failed(cmd_.seat_ids, cmd_.user_id, taken, generation_);
  }

 private:
  std::shared_ptr<SessionInventory> inv_;
  const PlaceCommand& cmd_;
  std::uint64_t generation_;
  bool settled_ = false;
};

}  // namespace

asio::awaitable<void> Placer::reject_unless_stale(const SessionCatalog& catalog, int status, std::string message) {
  Uuid event_id;
  if (catalog.event) event_id = catalog.event->id;
  const std::int64_t current = co_await store::event_version(db_, event_id);
  if (catalog.event && current == catalog.event->version) throw Error(status, std::move(message));
  co_await inventory_.refresh(catalog.session_id);
}

asio::awaitable<Placer::Outcome> Placer::place(const PlaceCommand& cmd) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto inv = co_await inventory_.get(cmd.session_id);
    if (!inv) throw not_found("Session " + cmd.session_id.str() + " not found");
    auto catalog = inv->catalog();
    const Timestamp now = Clock::now();

    if (auto rejection = check_catalog(*catalog, cmd, now)) {
      co_await reject_unless_stale(*catalog, rejection->status, std::move(rejection->message));
      continue;
    }
    const CatalogEvent& event = *catalog->event;
    std::vector<PricedSeat> priced;
    priced.reserve(cmd.seat_ids.size());
    for (const auto& id : cmd.seat_ids) {
      const Seat* s = catalog->seat(id);
      priced.push_back(PricedSeat{s->id, s->tier_id, s->price});
    }
    const Discount* discount = cmd.discount_id ? event.discount(*cmd.discount_id) : nullptr;
    Pricing pricing;
    std::string discount_problem;
    try {
      pricing = price_order(priced, discount, cmd.session_id, now);
    } catch (const DiscountNotApplicable& e) {
      discount_problem = e.what();
    }
    if (!discount_problem.empty()) {
      co_await reject_unless_stale(*catalog, 400, discount_problem);
      continue;
    }

    ClaimResult claim;
    for (;;) {
      claim = inv->try_claim(cmd.seat_ids, cmd.user_id, SteadyClock::now());
      if (claim.kind != ClaimResult::Kind::Wait) break;
      if (!co_await claim.wakeup->wait(10s)) throw unavailable("Seat selection is busy; please try again");
    }
    if (claim.kind == ClaimResult::Kind::Stale) {
      co_await inventory_.refresh(cmd.session_id);
      continue;
    }
    if (claim.kind == ClaimResult::Kind::Rejected) {
      Outcome rejected;
      rejected.unavailable = "Seat(s) " + seat_labels(*catalog, claim.unavailable) + " not available";
      co_return rejected;
    }
    ClaimGuard guard(inv, cmd, claim.generation);

    Order order;
    order.id = Uuid::time_ordered();  // orders are inserted fast: keep the primary key's inserts together
    order.user_id = cmd.user_id;
    order.event_id = event.id;
    order.organization_id = event.organization_id;
    order.session_id = cmd.session_id;
    order.status = OrderStatus::Pending;
    order.subtotal = pricing.subtotal;
    order.discount_amount = pricing.discount;
    order.price = pricing.total;
    if (discount) {
      order.discount_id = discount->id;
      order.discount_code = discount->code;
    }
    order.created_at = std::chrono::time_point_cast<std::chrono::microseconds>(now);
    order.expires_at = order.created_at + config_.hold;
    json::Json prices = json::Json::array();
    for (std::size_t i = 0; i < priced.size(); ++i) {
      const Seat* s = catalog->seat(priced[i].seat_id);
      const Tier* tier = event.tier(s->tier_id);
      order.items.push_back(OrderItem{s->id, s->label, s->tier_id, tier ? tier->name : "", tier ? tier->color : "",
                                      s->price, pricing.paid[i]});
      prices.push_back(s->price.units());
    }
    json::Json seat_ids = json::Json::array();
    for (const auto& id : cmd.seat_ids) seat_ids.push_back(id.str());

    HoldRequest request;
    request.request = {{"order_id", order.id.str()},
                       {"user_id", order.user_id},
                       {"event_id", event.id.str()},
                       {"event_version", event.version},
                       {"organization_id", event.organization_id.str()},
                       {"session_id", cmd.session_id.str()},
                       {"seat_ids", std::move(seat_ids)},
                       {"prices", std::move(prices)},
                       {"discount_id", discount ? json::Json(discount->id.str()) : json::Json(nullptr)},
                       {"discount_code", order.discount_code},
                       {"discount_max", discount && discount->max_usage ? json::Json(*discount->max_usage)
                                                                        : json::Json(nullptr)},
                       {"subtotal", order.subtotal.units()},
                       {"discount_amount", order.discount_amount.units()},
                       {"price", order.price.units()},
                       {"items", store::items_to_json(order.items)},
                       {"created_at", format_iso8601(order.created_at, true)},
                       {"expires_at", format_iso8601(order.expires_at, true)},
                       {"max_pending", config_.max_pending}};
    request.discount_sort_key = discount ? discount->id.str() : std::string();
    request.session_id = cmd.session_id;
    request.order_id = order.id;
    request.seat_ids = cmd.seat_ids;
    request.created = events::order_snapshot(events::kOrderCreatedTopic, order);

    auto result = co_await writer_.submit(std::move(request));
    switch (result.kind) {
      case store::PlaceResult::Kind::Held:
        guard.held();
        if (hub_) hub_->publish(order);
        {
          Outcome held;
          held.order = std::move(order);
          co_return held;
        }
      case store::PlaceResult::Kind::Taken: {
        guard.failed(result.taken);
        std::vector<Uuid> ids;
        for (const auto& t : result.taken) ids.push_back(t.seat_id);
        Outcome taken;
        taken.unavailable = "Seat(s) " + seat_labels(*catalog, ids) + " not available";
        co_return taken;
      }
      case store::PlaceResult::Kind::Limit:
        guard.failed({});
        throw conflict("You already have " + std::to_string(config_.max_pending) +
                       " pending orders for this session; pay for or cancel one first");
      case store::PlaceResult::Kind::DiscountUsedUp:
        guard.failed({});
        throw bad_request("Discount " + order.discount_code + " has reached its usage limit");
      case store::PlaceResult::Kind::Stale:
        guard.failed({});
        break;
    }
    co_await inventory_.refresh(cmd.session_id);
  }
  throw conflict("The event changed while you were ordering; please try again");
}

}  // namespace ticketly::order::inventory
