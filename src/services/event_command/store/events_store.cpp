#include "services/event_command/store/events_store.h"

#include <array>

#include "platform/db/error.h"
#include "platform/errors.h"
#include "services/event_command/store/catalog_store.h"
#include "services/event_command/store/categories_store.h"
#include "services/event_command/store/organizations_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::store {
namespace {

#define EVENT_COLUMNS                                                                                         \
  "e.id, e.organization_id, e.category_id, e.title, e.description, e.overview, e.status, e.rejection_reason, " \
  "e.version, e.created_at, e.updated_at"

constexpr db::Statement kInsert{"ec.event.insert", R"sql(
  INSERT INTO events (id, organization_id, category_id, title, description, overview, status, version,
                      created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8))sql"};
constexpr db::Statement kFind{"ec.event.find", "SELECT " EVENT_COLUMNS
                                               ", o.owner_id FROM events e JOIN organizations o ON o.id = "
                                               "e.organization_id WHERE e.id = $1"};
constexpr db::Statement kFindLocked{"ec.event.find_locked", "SELECT " EVENT_COLUMNS
                                                            ", o.owner_id FROM events e JOIN organizations o ON "
                                                            "o.id = e.organization_id WHERE e.id = $1 FOR UPDATE OF e"};
constexpr db::Statement kBump{"ec.event.bump",
                              "UPDATE events SET version = version + 1, updated_at = now() WHERE id = $1 "
                              "RETURNING version"};
constexpr db::Statement kUpdateFields{"ec.event.update_fields", R"sql(
  UPDATE events SET title = $2, description = $3, overview = $4, category_id = $5 WHERE id = $1)sql"};
constexpr db::Statement kSetStatus{"ec.event.set_status",
                                   "UPDATE events SET status = $2, rejection_reason = $3 WHERE id = $1"};
constexpr db::Statement kDelete{"ec.event.delete", "DELETE FROM events WHERE id = $1"};
constexpr db::Statement kCountActive{"ec.event.count_active", R"sql(
  SELECT count(*) FROM events WHERE organization_id = $1 AND status IN ('PENDING', 'APPROVED'))sql"};
constexpr db::Statement kOfOrganization{"ec.event.of_org",
                                        "SELECT id FROM events WHERE organization_id = $1 ORDER BY id"};
constexpr db::Statement kOfCategory{"ec.event.of_category", "SELECT id FROM events WHERE category_id = $1 ORDER BY id"};

constexpr db::Statement kInsertPhoto{"ec.photo.insert",
                                     "INSERT INTO event_cover_photos (id, event_id, ext, size_bytes) "
                                     "VALUES ($1, $2, $3, $4)"};
constexpr db::Statement kPhotos{"ec.photo.list",
                                "SELECT id, ext FROM event_cover_photos WHERE event_id = $1 ORDER BY created_at, id"};
constexpr db::Statement kDeletePhoto{"ec.photo.delete",
                                     "DELETE FROM event_cover_photos WHERE event_id = $1 AND id = $2 RETURNING id, ext"};

// Listings: one prepared statement per scope (one organization / all) and sort order,
// so each can use its index instead of a generic plan.
constexpr const char* kSummarySelect = R"sql(
  SELECT e.id, e.title, e.status, e.organization_id, o.name, e.created_at, e.updated_at, e.description,
         (SELECT p.id FROM event_cover_photos p WHERE p.event_id = e.id ORDER BY p.created_at, p.id LIMIT 1),
         (SELECT p.ext FROM event_cover_photos p WHERE p.event_id = e.id ORDER BY p.created_at, p.id LIMIT 1),
         (SELECT count(*) FROM sessions s WHERE s.event_id = e.id),
         (SELECT min(s.start_time) FROM sessions s WHERE s.event_id = e.id),
         e.version
    FROM events e JOIN organizations o ON o.id = e.organization_id)sql";
// $1 is the organization; the all-organizations statements only check it is NULL.
constexpr const char* kOrganizationScope = " WHERE e.organization_id = $1";
constexpr const char* kAllScope = " WHERE $1::uuid IS NULL";
constexpr const char* kSummaryFilter = R"sql(
     AND ($2::text IS NULL OR e.status = $2)
     AND ($3::text IS NULL OR lower(e.title) LIKE lower($3)))sql";
constexpr std::array<const char*, 6> kOrderBy = {
    " ORDER BY e.updated_at DESC, e.id", " ORDER BY e.updated_at ASC, e.id", " ORDER BY e.created_at DESC, e.id",
    " ORDER BY e.created_at ASC, e.id",  " ORDER BY lower(e.title) ASC, e.id", " ORDER BY lower(e.title) DESC, e.id"};
constexpr std::size_t kSorts = kOrderBy.size();

// Statements [scope * kSorts + sort], scope 0 = one organization, 1 = all.
const db::Statement& list_statement(bool all, EventSort sort) {
  static const auto sqls = [] {
    std::array<std::string, 2 * kSorts> out;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = std::string(kSummarySelect) + (i < kSorts ? kOrganizationScope : kAllScope) + kSummaryFilter +
               kOrderBy[i % kSorts] + " LIMIT $4 OFFSET $5";
    }
    return out;
  }();
  static const auto names = [] {
    std::array<std::string, 2 * kSorts> out;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = "ec.event.list." + std::to_string(i);
    return out;
  }();
  static const auto statements = [] {
    std::array<db::Statement, 2 * kSorts> out;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = db::Statement{names[i], sqls[i]};
    return out;
  }();
  return statements[(all ? kSorts : 0) + static_cast<std::size_t>(sort)];
}

const db::Statement& count_statement(bool all) {
  static const std::string org_sql = std::string("SELECT count(*) FROM events e") + kOrganizationScope + kSummaryFilter;
  static const std::string all_sql = std::string("SELECT count(*) FROM events e") + kAllScope + kSummaryFilter;
  static const db::Statement org_statement{"ec.event.count.org", org_sql};
  static const db::Statement all_statement{"ec.event.count.all", all_sql};
  return all ? all_statement : org_statement;
}

Event event_from(const db::Row& r) {
  Event e;
  e.id = r.get<Uuid>(0);
  e.organization_id = r.get<Uuid>(1);
  e.category_id = r.get<Uuid>(2);
  e.title = r.get<std::string>(3);
  e.description = r.get<std::optional<std::string>>(4);
  e.overview = r.get<std::optional<std::string>>(5);
  e.status = parse_event_status(r.get<std::string_view>(6)).value_or(EventStatus::Pending);
  e.rejection_reason = r.get<std::optional<std::string>>(7);
  e.version = r.get<std::int64_t>(8);
  e.created_at = r.get<Timestamp>(9);
  e.updated_at = r.get<Timestamp>(10);
  return e;
}

EventSummary summary_from(const db::Row& r) {
  EventSummary s;
  s.id = r.get<Uuid>(0);
  s.title = r.get<std::string>(1);
  s.status = parse_event_status(r.get<std::string_view>(2)).value_or(EventStatus::Pending);
  s.organization_id = r.get<Uuid>(3);
  s.organization_name = r.get<std::string>(4);
  s.created_at = r.get<Timestamp>(5);
  s.updated_at = r.get<Timestamp>(6);
  s.description = r.get<std::optional<std::string>>(7);
  if (auto photo = r.get<std::optional<Uuid>>(8)) s.cover = ImageRef{*photo, r.get<std::string>(9)};
  s.session_count = r.get<std::int64_t>(10);
  s.earliest_session = r.get<std::optional<Timestamp>>(11);
  s.version = r.get<std::int64_t>(12);
  return s;
}

std::vector<Uuid> ids_from(const db::Result& r) {
  std::vector<Uuid> out;
  for (auto row : r) out.push_back(row.get<Uuid>(0));
  return out;
}

}  // namespace

asio::awaitable<void> insert_event(db::Connection& c, const Event& e) {
  try {
    co_await c.execute(kInsert, e.id, e.organization_id, e.category_id, e.title, e.description, e.overview,
                       std::string(to_string(e.status)), e.created_at);
  } catch (const db::DbError& err) {
    if (err.is_unique_violation()) throw conflict("The event id " + e.id.str() + " is already in use");
    // The category (or organization) was deleted after the caller's checks.
    if (err.is_foreign_key_violation()) throw conflict("The event's category or organization no longer exists");
    throw;
  }
}

asio::awaitable<std::optional<EventRow>> find_event(db::Connection& c, const Uuid& id, bool lock) {
  auto r = co_await c.execute(lock ? kFindLocked : kFind, id);
  if (r.empty()) co_return std::nullopt;
  co_return EventRow{event_from(r[0]), r[0].get<std::string>(11)};
}

asio::awaitable<std::int64_t> bump_event(db::Connection& c, const Uuid& id) {
  co_return (co_await c.execute(kBump, id)).scalar<std::int64_t>();
}

asio::awaitable<void> update_event_fields(db::Connection& c, const Event& e) {
  co_await c.execute(kUpdateFields, e.id, e.title, e.description, e.overview, e.category_id);
}

asio::awaitable<void> set_event_status(db::Connection& c, const Uuid& id, EventStatus status,
                                       const std::optional<std::string>& reason) {
  co_await c.execute(kSetStatus, id, std::string(to_string(status)), reason);
}

asio::awaitable<void> delete_event(db::Connection& c, const Uuid& id) { co_await c.execute(kDelete, id); }

asio::awaitable<std::int64_t> count_active_events(db::Connection& c, const Uuid& organization_id) {
  co_return (co_await c.execute(kCountActive, organization_id)).scalar<std::int64_t>();
}

asio::awaitable<std::vector<Uuid>> events_of_organization(db::Connection& c, const Uuid& organization_id) {
  auto r = co_await c.execute(kOfOrganization, organization_id);
  co_return ids_from(r);
}

asio::awaitable<std::vector<Uuid>> events_of_category(db::Connection& c, const Uuid& category_id) {
  auto r = co_await c.execute(kOfCategory, category_id);
  co_return ids_from(r);
}

asio::awaitable<Page<EventSummary>> list_events(db::Connection& c, const EventFilter& filter, PageRequest page) {
  std::optional<std::string> status, pattern;
  if (filter.status) status = std::string(to_string(*filter.status));
  if (filter.search) pattern = contains_pattern(*filter.search);
  const bool all = !filter.organization_id;
  auto rows = co_await c.execute(list_statement(all, filter.sort), filter.organization_id, status, pattern, page.size,
                                 page.offset());
  auto total = co_await c.execute(count_statement(all), filter.organization_id, status, pattern);
  Page<EventSummary> out{{}, total.scalar<std::int64_t>(), page};
  for (auto row : rows) out.items.push_back(summary_from(row));
  co_return out;
}

asio::awaitable<void> insert_cover_photo(db::Connection& c, const Uuid& event_id, const ImageRef& photo,
                                         std::size_t bytes) {
  co_await c.execute(kInsertPhoto, photo.id, event_id, photo.ext, static_cast<std::int64_t>(bytes));
}

asio::awaitable<std::vector<ImageRef>> cover_photos(db::Connection& c, const Uuid& event_id) {
  auto r = co_await c.execute(kPhotos, event_id);
  std::vector<ImageRef> out;
  for (auto row : r) out.push_back({row.get<Uuid>(0), row.get<std::string>(1)});
  co_return out;
}

asio::awaitable<std::optional<ImageRef>> delete_cover_photo(db::Connection& c, const Uuid& event_id,
                                                            const Uuid& photo_id) {
  auto r = co_await c.execute(kDeletePhoto, event_id, photo_id);
  if (r.empty()) co_return std::nullopt;
  co_return ImageRef{r[0].get<Uuid>(0), r[0].get<std::string>(1)};
}

asio::awaitable<std::optional<EventAggregate>> load_aggregate(db::Connection& c, const Uuid& event_id) {
  auto row = co_await find_event(c, event_id);
  if (!row) co_return std::nullopt;
  EventAggregate a;
  a.event = std::move(row->event);
  auto organization = co_await find_organization(c, a.event.organization_id);
  auto category = co_await find_category(c, a.event.category_id);
  if (!organization || !category) throw std::logic_error("event " + event_id.str() + " lost its references");
  a.organization = std::move(*organization);
  a.category = std::move(*category);
  if (a.category.parent_id) a.parent_category = co_await find_category(c, *a.category.parent_id);
  a.cover_photos = co_await cover_photos(c, event_id);
  a.tiers = co_await tiers_of_event(c, event_id);
  a.sessions = co_await sessions_of_event(c, event_id);
  a.discounts = co_await discounts_of_event(c, event_id, false);
  co_return a;
}

}  // namespace ticketly::event_command::store
