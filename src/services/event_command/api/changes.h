#pragma once
// How every change of an event aggregate runs: in one transaction that first locks the
// event row (FOR UPDATE), checks the caller and the expected version, applies the
// change, bumps the event's version and writes the snapshot to the outbox. Changes of one
// event therefore run one after another: none is lost, and a client that sent the version
// it read gets 409 when someone else changed the event meanwhile.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string_view>

#include "platform/auth/principal.h"
#include "platform/db/connection.h"
#include "services/event_command/app.h"
#include "services/event_command/store/events_store.h"

namespace ticketly::event_command::api {

namespace asio = boost::asio;

struct ChangeOptions {
  bool owner_only = true;  // false: the route's guard decided (admins approving/rejecting)
  std::optional<std::int64_t> expected_version;
};

using EventChange = std::function<asio::awaitable<void>(db::Connection&, store::EventRow&)>;
using SessionChange = std::function<asio::awaitable<void>(db::Connection&, store::EventRow&, Session&)>;

// Returns the aggregate as committed.
asio::awaitable<EventAggregate> change_event(App& app, const auth::Principal& who, const Uuid& event_id,
                                             const EventChange& change, const ChangeOptions& options);

// The same for a change of one session (404 when the session does not exist). The
// session passed to `change` was read under the event's lock.
asio::awaitable<EventAggregate> change_session(App& app, const auth::Principal& who, const Uuid& session_id,
                                               const SessionChange& change, const ChangeOptions& options);

// After a session became CLOSED or CANCELLED, or was deleted: an APPROVED event whose
// sessions (at least one) are all finished becomes COMPLETED.
asio::awaitable<void> complete_if_finished(db::Connection& tx, store::EventRow& row);

// Before a tier or session is deleted: 409 naming the discounts that apply to it alone
// (API.md: an empty list means "all", so dropping it would widen them to everything); other
// discounts merely forget it. `what` is "tier" or "session".
asio::awaitable<void> detach_from_discounts(db::Connection& tx, const Uuid& event_id, const Uuid& id,
                                            std::string_view what);

// The session from an aggregate (it is there: the change just read it).
const Session& session_in(const EventAggregate& a, const Uuid& session_id);

}  // namespace ticketly::event_command::api
