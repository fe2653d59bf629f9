#pragma once
// SQL for events, their cover photos, listings, and the whole aggregate as snapshots and
// EventDetail show it.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "platform/db/connection.h"
#include "services/event_command/domain/model.h"
#include "services/event_command/store/paging.h"

namespace ticketly::event_command::store {

namespace asio = boost::asio;

// An event with what ownership checks need.
struct EventRow {
  Event event;
  std::string owner_id;
  // Set by a change that found nothing to do (a retried scheduler transition): the
  // version stays and no snapshot is written.
  bool unchanged = false;
};

struct EventSummary {
  Uuid id;
  std::string title;
  EventStatus status = EventStatus::Pending;
  Uuid organization_id;
  std::string organization_name;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<std::string> description;
  std::optional<ImageRef> cover;
  std::int64_t session_count = 0;
  std::optional<Timestamp> earliest_session;
  std::int64_t version = 1;
};

enum class EventSort { UpdatedDesc, UpdatedAsc, CreatedDesc, CreatedAsc, TitleAsc, TitleDesc };

struct EventFilter {
  std::optional<Uuid> organization_id;  // none: every organization (admins)
  std::optional<EventStatus> status;
  std::optional<std::string> search;    // title contains, case-insensitive
  EventSort sort = EventSort::UpdatedDesc;
};

asio::awaitable<void> insert_event(db::Connection& c, const Event& e);
// `lock`: FOR UPDATE of the event row — every change of the aggregate takes it first, so
// changes of one event run one after another and versions follow commit order.
asio::awaitable<std::optional<EventRow>> find_event(db::Connection& c, const Uuid& id, bool lock = false);
// Version + 1 and updated_at = now(); returns the new version.
asio::awaitable<std::int64_t> bump_event(db::Connection& c, const Uuid& id);
asio::awaitable<void> update_event_fields(db::Connection& c, const Event& e);
asio::awaitable<void> set_event_status(db::Connection& c, const Uuid& id, EventStatus status,
                                       const std::optional<std::string>& reason);
asio::awaitable<void> delete_event(db::Connection& c, const Uuid& id);
// PENDING or APPROVED events of the organization (the plan's "active events").
asio::awaitable<std::int64_t> count_active_events(db::Connection& c, const Uuid& organization_id);
asio::awaitable<std::vector<Uuid>> events_of_organization(db::Connection& c, const Uuid& organization_id);
asio::awaitable<std::vector<Uuid>> events_of_category(db::Connection& c, const Uuid& category_id);
asio::awaitable<Page<EventSummary>> list_events(db::Connection& c, const EventFilter& filter, PageRequest page);

asio::awaitable<void> insert_cover_photo(db::Connection& c, const Uuid& event_id, const ImageRef& photo,
                                         std::size_t bytes);
asio::awaitable<std::vector<ImageRef>> cover_photos(db::Connection& c, const Uuid& event_id);
asio::awaitable<std::optional<ImageRef>> delete_cover_photo(db::Connection& c, const Uuid& event_id,
                                                            const Uuid& photo_id);

// The whole aggregate (organization, category and its parent, photos, tiers, sessions
// with layouts, discounts), or nullopt when the event does not exist.
asio::awaitable<std::optional<EventAggregate>> load_aggregate(db::Connection& c, const Uuid& event_id);

}  // namespace ticketly::event_command::store
