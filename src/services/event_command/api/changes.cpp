#include "services/event_command/api/changes.h"

#include "platform/errors.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/store/catalog_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {

asio::awaitable<EventAggregate> change_event(App& app, const auth::Principal& who, const Uuid& event_id,
                                             const EventChange& change, const ChangeOptions& options) {
  auto work = [&](db::Connection& tx) -> asio::awaitable<EventAggregate> {
    auto row = co_await store::find_event(tx, event_id, true);
    if (!row) throw not_found("Event " + event_id.str() + " not found");
    if (options.owner_only && row->owner_id != who.subject) {
      throw forbidden("Only the owner of this event may do that");
    }
    if (options.expected_version && *options.expected_version != row->event.version) {
      throw conflict("The event was changed by someone else (version " + std::to_string(row->event.version) +
                     ", you sent " + std::to_string(*options.expected_version) + "); reload it and try again");
    }
    co_await change(tx, *row);
    if (row->unchanged) {
      auto current = co_await store::load_aggregate(tx, event_id);
      co_return std::move(*current);
    }
    co_await store::bump_event(tx, event_id);
    co_return co_await publish_event(tx, app, event_id);
  };
  co_return co_await app.db.transaction(work);
}

asio::awaitable<EventAggregate> change_session(App& app, const auth::Principal& who, const Uuid& session_id,
                                               const SessionChange& change, const ChangeOptions& options) {
  auto find = [&](db::Connection& c) -> asio::awaitable<std::optional<Uuid>> {
    co_return co_await store::event_of_session(c, session_id);
  };
  auto event_id = co_await app.db.transaction(find);
  if (!event_id) throw not_found("Session " + session_id.str() + " not found");
  EventChange on_event = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    // Read again under the event's lock: it may have gone (or moved) meanwhile.
    auto session = co_await store::find_session(tx, session_id);
    if (!session || session->event_id != row.event.id) throw not_found("Session " + session_id.str() + " not found");
    co_await change(tx, row, *session);
  };
  co_return co_await change_event(app, who, *event_id, on_event, options);
}

asio::awaitable<void> complete_if_finished(db::Connection& tx, store::EventRow& row) {
  auto statuses = co_await store::session_statuses(tx, row.event.id);
  if (completes_event(row.event.status, statuses)) {
    co_await store::set_event_status(tx, row.event.id, EventStatus::Completed, std::nullopt);
    row.event.status = EventStatus::Completed;
  }
}

asio::awaitable<void> detach_from_discounts(db::Connection& tx, const Uuid& event_id, const Uuid& id,
                                            std::string_view what) {
  const auto codes = co_await store::discounts_only_for(tx, event_id, id);
  if (!codes.empty()) {
    std::string list;
    for (const auto& code : codes) list += (list.empty() ? "" : ", ") + code;
    const bool one = codes.size() == 1;
    throw conflict(std::string(one ? "Discount " : "Discounts ") + list + (one ? " applies" : " apply") +
                   " only to this " + std::string(what) + "; change " + (one ? "it" : "them") +
                   " to apply elsewhere or delete " + (one ? "it" : "them") + " first");
  }
  co_await store::forget_in_discounts(tx, event_id, id);
}

const Session& session_in(const EventAggregate& a, const Uuid& session_id) {
  for (const auto& s : a.sessions) {
    if (s.id == session_id) return s;
  }
  throw not_found("Session " + session_id.str() + " not found");
}

}  // namespace ticketly::event_command::api
