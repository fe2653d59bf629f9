#pragma once
// Session and event lifecycle rules (API.md §1 "Lifecycle"): pure functions of the
// current state and the clock.
#include <span>
#include <string>

#include "services/event_command/domain/model.h"

namespace ticketly::event_command {

// 30 min ≤ end − start ≤ 12 h; sales start before start; start in the future.
// Throws ticketly::Error(400) naming `field`.
void validate_schedule(const Schedule& s, Timestamp now, const std::string& field);

// ONLINE needs venueDetails.onlineLink, PHYSICAL needs venueDetails.name.
void validate_venue(SessionType type, const Venue& venue, const std::string& field);

// The owner's transitions: SCHEDULED→ON_SALE|CANCELLED, ON_SALE→CLOSED|CANCELLED|SOLD_OUT,
// SOLD_OUT→ON_SALE|CLOSED; CLOSED and CANCELLED are terminal.
bool can_transition(SessionStatus from, SessionStatus to);
// Throws 409 explaining why `from` → `to` is not allowed.
void check_transition(SessionStatus from, SessionStatus to);

// A session of an event being approved: CANCELLED if it already started, ON_SALE if its
// sales started, else SCHEDULED (the scheduler puts it on sale later).
SessionStatus status_on_approval(const Schedule& s, Timestamp now);
// A session added to an event: SCHEDULED unless the event is APPROVED and sales started.
SessionStatus status_of_new_session(EventStatus event, const Schedule& s, Timestamp now);

// Tickets may be sold (or were): the session cannot be deleted, nor its event.
inline bool is_selling(SessionStatus s) { return s == SessionStatus::OnSale || s == SessionStatus::SoldOut; }
inline bool is_finished(SessionStatus s) { return s == SessionStatus::Closed || s == SessionStatus::Cancelled; }

// An APPROVED event with sessions, all of them CLOSED or CANCELLED, is COMPLETED.
bool completes_event(EventStatus event, std::span<const SessionStatus> sessions);

// Events that can still be edited by their owner (REJECTED and COMPLETED are final).
void check_event_editable(EventStatus status);

}  // namespace ticketly::event_command
