// The order service's copy of the catalog: ticketly.catalog.events and
// ticketly.catalog.organizations (docs/EVENTS.md). Snapshots apply only when newer
// (catalog_store), so replays and reordering are harmless. A snapshot that cannot be
// parsed is logged and skipped: retrying a malformed message can never succeed, and it
// must not hold up the partition.
#include <spdlog/spdlog.h>

#include <optional>
#include <stdexcept>

#include "platform/bus/consumer.h"
#include "services/order/domain/catalog.h"
#include "services/order/events/messages.h"
#include "services/order/order_app.h"
#include "services/order/store/catalog_store.h"

namespace ticketly::order {
namespace {

namespace asio = boost::asio;

std::int64_t version_of(const json::Json& m) {
  if (!m.contains("version") || !m["version"].is_number_integer()) throw std::invalid_argument("missing version");
  return m["version"].get<std::int64_t>();
}

Uuid uuid_field(const json::Json& m, const char* key) {
  if (!m.contains(key) || !m[key].is_string()) throw std::invalid_argument(std::string("missing ") + key);
  auto id = Uuid::parse(m[key].get<std::string>());
  if (!id) throw std::invalid_argument(std::string("malformed ") + key);
  return *id;
}

// Loaded sessions re-read their catalog. A session that is now on sale is loaded ahead of
// its buyers, in the background: at a sale's opening the first requests arrive together,
// and the load (fence, seats) would otherwise sit in every first winner's answer
// (docs/services/order.md). A load that races a newer snapshot may keep the older
// catalog; the place function sees the version differ and the placer refreshes.
asio::awaitable<void> refresh_sessions(OrderApp& app, const std::vector<Uuid>& sessions, const CatalogEvent* event) {
  for (const auto& s : sessions) {
    if (app.inventory.loaded(s)) {
      co_await app.inventory.refresh(s);
      continue;
    }
    if (!event || event->status != "APPROVED") continue;
    const CatalogSession* session = event->session(s);
    if (session && session->status == "ON_SALE") app.inventory.preload(s);
  }
}

asio::awaitable<void> on_event_message(OrderApp& app, const bus::Message& message) {
  auto m = json::Json::parse(message.payload, nullptr, false);
  store::ApplyResult result;
  std::optional<CatalogEvent> applied;  // the snapshot, when it was one
  try {
    if (!m.is_object()) throw std::invalid_argument("not a JSON object");
    const std::string type = m.value("type", "");
    if (type == "EventSnapshot") {
      CatalogEvent event = parse_event_snapshot(m);
      const json::Json stored = strip_layouts(m);
      auto work = [&](db::Connection& tx) -> asio::awaitable<store::ApplyResult> {
        co_return co_await store::apply_event(tx, event, stored);
      };
      result = co_await app.db.transaction(work);
      applied = std::move(event);
    } else if (type == "EventDeleted") {
      const Uuid id = uuid_field(m, "eventId");
      const std::int64_t version = version_of(m);
      auto work = [&](db::Connection& tx) -> asio::awaitable<store::ApplyResult> {
        co_return co_await store::delete_event(tx, id, version);
      };
      result = co_await app.db.transaction(work);
    } else {
      spdlog::debug("order catalog: ignoring message type '{}' on {}", type, message.topic);
      co_return;
    }
  } catch (const std::invalid_argument& e) {
    spdlog::error("order catalog: skipping malformed message {}[{}]@{}: {}", message.topic, message.partition,
                  message.offset, e.what());
    co_return;
  }
  for (const auto& w : result.warnings) spdlog::warn("order catalog: {}", w);
  if (result.applied) co_await refresh_sessions(app, result.sessions, applied ? &*applied : nullptr);
}

asio::awaitable<void> on_organization_message(OrderApp& app, const bus::Message& message) {
  auto m = json::Json::parse(message.payload, nullptr, false);
  try {
    if (!m.is_object()) throw std::invalid_argument("not a JSON object");
    const std::string type = m.value("type", "");
    if (type == "OrganizationSnapshot") {
      CatalogOrganization org = parse_organization_snapshot(m);
      auto work = [&](db::Connection& tx) -> asio::awaitable<bool> { co_return co_await store::apply_organization(tx, org); };
      co_await app.db.transaction(work);
    } else if (type == "OrganizationDeleted") {
      const Uuid id = uuid_field(m, "organizationId");
      const std::int64_t version = version_of(m);
      auto work = [&](db::Connection& tx) -> asio::awaitable<bool> {
        co_return co_await store::delete_organization(tx, id, version);
      };
      co_await app.db.transaction(work);
    }
  } catch (const std::invalid_argument& e) {
    spdlog::error("order catalog: skipping malformed message {}[{}]@{}: {}", message.topic, message.partition,
                  message.offset, e.what());
  }
}

}  // namespace

void register_consumers(OrderApp& app) {
  auto* app_ptr = &app;
  app.context.consumer->on(std::string(events::kCatalogEventsTopic),
                           [app_ptr](const bus::Message& m) { return on_event_message(*app_ptr, m); });
  app.context.consumer->on(std::string(events::kCatalogOrganizationsTopic),
                           [app_ptr](const bus::Message& m) { return on_organization_message(*app_ptr, m); });
}

}  // namespace ticketly::order
