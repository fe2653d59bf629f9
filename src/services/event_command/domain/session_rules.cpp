#include "services/event_command/domain/session_rules.h"

#include <algorithm>

#include "platform/errors.h"

namespace ticketly::event_command {

using namespace std::chrono_literals;

void validate_schedule(const Schedule& s, Timestamp now, const std::string& field) {
  auto prefix = field.empty() ? std::string() : field + ": ";
  if (s.start <= now) throw bad_request(prefix + "startTime must be in the future");
  if (s.end - s.start < 30min) throw bad_request(prefix + "a session must last at least 30 minutes");
  if (s.end - s.start > 12h) throw bad_request(prefix + "a session must last at most 12 hours");
  if (s.sales_start >= s.start) throw bad_request(prefix + "salesStartTime must be before startTime");
}

void validate_venue(SessionType type, const Venue& venue, const std::string& field) {
  if (type == SessionType::Online && (!venue.online_link || venue.online_link->empty())) {
    throw bad_request("'" + field + ".onlineLink' is required for an ONLINE session");
  }
  if (type == SessionType::Physical && (!venue.name || venue.name->empty())) {
    throw bad_request("'" + field + ".name' is required for a PHYSICAL session");
  }
  if (venue.latitude.has_value() != venue.longitude.has_value()) {
    throw bad_request("'" + field + "' needs both latitude and longitude, or neither");
  }
}

bool can_transition(SessionStatus from, SessionStatus to) {
  using S = SessionStatus;
  switch (from) {
    case S::Scheduled: return to == S::OnSale || to == S::Cancelled;
    case S::OnSale: return to == S::Closed || to == S::Cancelled || to == S::SoldOut;
    case S::SoldOut: return to == S::OnSale || to == S::Closed;
    case S::Closed:
    case S::Cancelled: return false;
  }
  return false;
}

void check_transition(SessionStatus from, SessionStatus to) {
  if (can_transition(from, to)) return;
  if (is_finished(from)) {
    throw conflict("The session is " + std::string(to_string(from)) + " and can no longer change status");
  }
  throw conflict("A session cannot go from " + std::string(to_string(from)) + " to " + std::string(to_string(to)));
}

SessionStatus status_on_approval(const Schedule& s, Timestamp now) {
  if (s.start <= now) return SessionStatus::Cancelled;
  if (s.sales_start <= now) return SessionStatus::OnSale;
  return SessionStatus::Scheduled;
}

SessionStatus status_of_new_session(EventStatus event, const Schedule& s, Timestamp now) {
  return event == EventStatus::Approved ? status_on_approval(s, now) : SessionStatus::Scheduled;
}

bool completes_event(EventStatus event, std::span<const SessionStatus> sessions) {
  return event == EventStatus::Approved && !sessions.empty() && std::all_of(sessions.begin(), sessions.end(), is_finished);
}

void check_event_editable(EventStatus status) {
  if (status == EventStatus::Rejected || status == EventStatus::Completed) {
    throw conflict("The event is " + std::string(to_string(status)) + " and can no longer be changed");
  }
}

}  // namespace ticketly::event_command
