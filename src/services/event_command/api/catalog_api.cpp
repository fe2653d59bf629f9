// What an event sells: price tiers and discount codes.
#include <unordered_set>

#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/changes.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/inputs.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/discounts.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/store/catalog_store.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {
namespace {

const Tier& tier_in(const EventAggregate& a, const Uuid& id) {
  for (const auto& t : a.tiers) {
    if (t.id == id) return t;
  }
  throw not_found("Tier " + id.str() + " not found");
}

const Discount& discount_in(const EventAggregate& a, const Uuid& id) {
  for (const auto& d : a.discounts) {
    if (d.id == id) return d;
  }
  throw not_found("Discount " + id.str() + " not found");
}

// The ids a discount of this event may refer to.
asio::awaitable<void> validate_references(db::Connection& tx, const Discount& d) {
  std::unordered_set<Uuid> tiers, sessions;
  const auto event_tiers = co_await store::tiers_of_event(tx, d.event_id);
  const auto event_sessions = co_await store::session_ids_of_event(tx, d.event_id);
  for (const auto& t : event_tiers) tiers.insert(t.id);
  sessions.insert(event_sessions.begin(), event_sessions.end());
  validate_discount(d, tiers, sessions, "");
}

// Who may read an event's discounts: its owner every one; anyone else only public ones of
// a published (APPROVED or COMPLETED) event — otherwise the event "does not exist" for them.
struct DiscountReader {
  bool owner = false;
};

asio::awaitable<DiscountReader> discount_reader(db::Connection& c, const Request& req, const Uuid& event_id) {
  auto event = co_await store::find_event(c, event_id);
  if (!event) throw not_found("Event " + event_id.str() + " not found");
  DiscountReader reader;
  reader.owner = req.principal && req.principal->subject == event->owner_id;
  const bool published = event->event.status == EventStatus::Approved || event->event.status == EventStatus::Completed;
  if (!reader.owner && !published) throw not_found("Event " + event_id.str() + " not found");
  co_return reader;
}

}  // namespace

asio::awaitable<Response> create_tier(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  const Tier tier = read_tier(body, "");
  EventChange add = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    const auto tiers = co_await store::tiers_of_event(tx, id);
    if (tiers.size() >= kMaxTiersPerEvent) {
      throw conflict("An event can have at most " + std::to_string(kMaxTiersPerEvent) + " tiers");
    }
    co_await store::insert_tier(tx, id, tier);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, caller(req), id, add, options);
  co_return json(201, dto::tier(tier_in(aggregate, tier.id), id));
}

asio::awaitable<Response> update_tier(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const Uuid tier_id = req.params.uuid("tierId");
  Json body = json_object(req);
  Tier tier = read_tier(body, "");
  tier.id = tier_id;
  EventChange change = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    const bool updated = co_await store::update_tier(tx, id, tier);
    if (!updated) throw not_found("Tier " + tier_id.str() + " not found on this event");
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, caller(req), id, change, options);
  co_return ok(dto::tier(tier_in(aggregate, tier_id), id));
}

asio::awaitable<Response> delete_tier(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const Uuid tier_id = req.params.uuid("tierId");
  EventChange remove = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    const bool used = co_await store::tier_in_use(tx, id, tier_id);
    if (used) throw conflict("The tier is used by seats of a session's seating map; reassign them first");
    co_await detach_from_discounts(tx, id, tier_id, "tier");
    const bool deleted = co_await store::delete_tier(tx, id, tier_id);
    if (!deleted) throw not_found("Tier " + tier_id.str() + " not found on this event");
  };
  const ChangeOptions options{.expected_version = expected_version(req)};
  co_await change_event(app, caller(req), id, remove, options);
  co_return ok(dto::message("Tier deleted"));
}

asio::awaitable<Response> list_discounts(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const bool include_private = req.query.boolean("includePrivate").value_or(false);
  if (include_private && !req.principal) throw unauthorized("Sign in to see private discounts");
  auto work = [&](db::Connection& c) -> asio::awaitable<std::vector<Discount>> {
    DiscountReader reader = co_await discount_reader(c, req, id);
    if (include_private && !reader.owner) throw forbidden("Only the event's owner may see its private discounts");
    co_return co_await store::discounts_of_event(c, id, !include_private);
  };
  auto discounts = co_await app.db.transaction(work, kReadOnly);
  Json out = Json::array();
  for (const auto& d : discounts) out.push_back(dto::discount(d));
  co_return ok(out);
}

asio::awaitable<Response> get_discount(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const Uuid discount_id = req.params.uuid("did");
  auto work = [&](db::Connection& c) -> asio::awaitable<Discount> {
    DiscountReader reader = co_await discount_reader(c, req, id);
    auto discount = co_await store::find_discount(c, id, discount_id);
    if (!discount || (!reader.owner && !discount->is_public)) throw not_found("Discount " + discount_id.str() + " not found");
    co_return std::move(*discount);
  };
  auto discount = co_await app.db.transaction(work, kReadOnly);
  co_return ok(dto::discount(discount));
}

asio::awaitable<Response> create_discount(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  const Discount discount = read_discount(body, "", id);
  EventChange add = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    co_await validate_references(tx, discount);
    const auto existing = co_await store::discounts_of_event(tx, id, false);
    if (existing.size() >= kMaxDiscountsPerEvent) {
      throw conflict("An event can have at most " + std::to_string(kMaxDiscountsPerEvent) + " discounts");
    }
    co_await store::insert_discount(tx, discount);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, caller(req), id, add, options);
  co_return json(201, dto::discount(discount_in(aggregate, discount.id)));
}

asio::awaitable<Response> update_discount(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const Uuid discount_id = req.params.uuid("did");
  Json body = json_object(req);
  Discount discount = read_discount(body, "", id);
  discount.id = discount_id;
  EventChange change = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    co_await validate_references(tx, discount);
    const bool updated = co_await store::update_discount(tx, discount);
    if (!updated) throw not_found("Discount " + discount_id.str() + " not found on this event");
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, caller(req), id, change, options);
  co_return ok(dto::discount(discount_in(aggregate, discount_id)));
}

asio::awaitable<Response> delete_discount(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const Uuid discount_id = req.params.uuid("did");
  EventChange remove = [&](db::Connection& tx, store::EventRow&) -> asio::awaitable<void> {
    const bool deleted = co_await store::delete_discount(tx, id, discount_id);
    if (!deleted) throw not_found("Discount " + discount_id.str() + " not found on this event");
  };
  const ChangeOptions options{.expected_version = expected_version(req)};
  co_await change_event(app, caller(req), id, remove, options);
  co_return ok(dto::message("Discount deleted"));
}

}  // namespace ticketly::event_command::api
