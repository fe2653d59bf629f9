#pragma once
// The snapshots this service publishes (docs/EVENTS.md), written to the outbox in the
// caller's transaction so a message exists exactly when its change committed.
#include <boost/asio/awaitable.hpp>

#include <string_view>
#include <vector>

#include "platform/db/connection.h"
#include "services/event_command/app.h"
#include "services/event_command/domain/model.h"

namespace ticketly::event_command {

namespace asio = boost::asio;

namespace topics {
inline constexpr std::string_view kEvents = "ticketly.catalog.events";
inline constexpr std::string_view kOrganizations = "ticketly.catalog.organizations";
inline constexpr std::string_view kCategories = "ticketly.catalog.categories";
inline constexpr std::string_view kOrderUpdated = "ticketly.order.updated";
}  // namespace topics

// {"type":"EventSnapshot","version":…,"occurredAt":…,"event":{…}}
Json event_snapshot(const App& app, const EventAggregate& a, Timestamp now);
// {"type":"OrganizationSnapshot",…,"organization":{…,"staff":[…]}}
Json organization_snapshot(const App& app, const Organization& o, const std::vector<Member>& staff, Timestamp now);
Json category_snapshot(const Category& c, Timestamp now);

// Loads the event as it now is (in `tx`), publishes its snapshot and returns it.
asio::awaitable<EventAggregate> publish_event(db::Connection& tx, const App& app, const Uuid& event_id);
asio::awaitable<void> publish_event_deleted(db::Connection& tx, const App& app, const Uuid& event_id,
                                            std::int64_t version);
// Bumps each event's version and publishes it again (its organization or category changed).
asio::awaitable<void> republish_events(db::Connection& tx, const App& app, const std::vector<Uuid>& event_ids);

asio::awaitable<void> publish_organization(db::Connection& tx, const App& app, const Organization& o);
asio::awaitable<void> publish_organization_deleted(db::Connection& tx, const App& app, const Uuid& id,
                                                   std::int64_t version);
asio::awaitable<void> publish_category(db::Connection& tx, const App& app, const Category& c);
asio::awaitable<void> publish_category_deleted(db::Connection& tx, const App& app, const Uuid& id,
                                               std::int64_t version);

}  // namespace ticketly::event_command
