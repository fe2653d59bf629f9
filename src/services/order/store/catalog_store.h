#pragma once
// SQL of the order service's copy of the catalog: applying event and organization
// snapshots (only when newer), and loading one session's sellable inventory.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "platform/db/database.h"
#include "services/order/domain/catalog.h"

namespace ticketly::order::store {

namespace asio = boost::asio;

struct ApplyResult {
  bool applied = false;                 // false: an older or repeated version
  std::vector<Uuid> sessions;           // sessions of the event (for the in-memory inventory)
  std::vector<std::string> warnings;    // e.g. a layout change refused because orders exist
};

// Applies an EventSnapshot inside `tx`: the event row, its sessions, their sellable seats.
// A changed layout replaces the session's seats only while no order exists for it; tier
// price changes reprice the seats (orders keep the prices they were placed at).
asio::awaitable<ApplyResult> apply_event(db::Connection& tx, const CatalogEvent& event, const json::Json& stored);
asio::awaitable<ApplyResult> delete_event(db::Connection& tx, const Uuid& event_id, std::int64_t version);

asio::awaitable<bool> apply_organization(db::Connection& tx, const CatalogOrganization& org);
asio::awaitable<bool> delete_organization(db::Connection& tx, const Uuid& id, std::int64_t version);

// ---- reads ----

struct SeatRow {
  Uuid seat_id;
  std::string label;
  Uuid tier_id;
  Money price;
  std::string state;  // AVAILABLE | LOCKED | BOOKED
  std::optional<Uuid> order_id;
};

struct SessionInventoryRows {
  CatalogEvent event;  // without layouts
  std::string session_status;
  bool removed = false;
  bool event_deleted = false;
  std::vector<SeatRow> seats;
};

// nullopt when the session is unknown.
asio::awaitable<std::optional<SessionInventoryRows>> load_session(db::Database& db, const Uuid& session_id);
// Seat states only (a refresh of an inventory already loaded).
asio::awaitable<std::vector<SeatRow>> load_seat_states(db::Database& db, const Uuid& session_id);
// The current catalog version of an event (0 when unknown or deleted).
asio::awaitable<std::int64_t> event_version(db::Database& db, const Uuid& event_id);

asio::awaitable<std::optional<CatalogEvent>> load_event(db::Database& db, const Uuid& event_id);
asio::awaitable<std::optional<CatalogOrganization>> load_organization(db::Database& db, const Uuid& id);

}  // namespace ticketly::order::store
