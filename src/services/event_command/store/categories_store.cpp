#include "services/event_command/store/categories_store.h"

#include "platform/db/error.h"
#include "platform/errors.h"

namespace ticketly::event_command::store {
namespace {

constexpr db::Statement kFind{"ec.category.find", "SELECT id, name, parent_id, version FROM categories WHERE id = $1"};
constexpr db::Statement kFindLocked{"ec.category.find_locked",
                                    "SELECT id, name, parent_id, version FROM categories WHERE id = $1 FOR UPDATE"};
constexpr db::Statement kAll{"ec.category.all",
                             "SELECT id, name, parent_id, version FROM categories ORDER BY lower(name), id"};
constexpr db::Statement kInsert{"ec.category.insert",
                                "INSERT INTO categories (id, name, parent_id) VALUES ($1, $2, $3)"};
constexpr db::Statement kUpdate{"ec.category.update", R"sql(
  UPDATE categories SET name = $2, parent_id = $3, version = version + 1, updated_at = now()
   WHERE id = $1 RETURNING id, name, parent_id, version)sql"};
constexpr db::Statement kDelete{"ec.category.delete", "DELETE FROM categories WHERE id = $1"};
constexpr db::Statement kHasChildren{"ec.category.has_children",
                                     "SELECT EXISTS (SELECT 1 FROM categories WHERE parent_id = $1)"};
constexpr db::Statement kHasEvents{"ec.category.has_events",
                                   "SELECT EXISTS (SELECT 1 FROM events WHERE category_id = $1)"};
constexpr db::Statement kIsDescendant{"ec.category.is_descendant", R"sql(
  WITH RECURSIVE up AS (
    SELECT id, parent_id, 1 AS depth FROM categories WHERE id = $1
    UNION ALL
    SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id WHERE up.depth < 1000
  )
  SELECT EXISTS (SELECT 1 FROM up WHERE id = $2))sql"};
constexpr db::Statement kLockTree{"ec.category.lock_tree",
                                  "SELECT pg_advisory_xact_lock(hashtext('ec.category_tree'))"};
constexpr db::Statement kUnpublished{"ec.category.unpublished", R"sql(
  SELECT id, name, parent_id, version FROM categories WHERE published_version < version
   ORDER BY id FOR UPDATE SKIP LOCKED)sql"};
constexpr db::Statement kMarkPublished{"ec.category.mark_published",
                                       "UPDATE categories SET published_version = $2 WHERE id = $1"};

#define TEMPLATE_COLUMNS "id, organization_id, name, layout, version, created_at, updated_at"
constexpr db::Statement kInsertTemplate{"ec.template.insert", R"sql(
  INSERT INTO seating_templates (id, organization_id, name, layout) VALUES ($1, $2, $3, $4))sql"};
constexpr db::Statement kFindTemplate{"ec.template.find",
                                      "SELECT " TEMPLATE_COLUMNS " FROM seating_templates WHERE id = $1"};
constexpr db::Statement kFindTemplateLocked{"ec.template.find_locked", "SELECT " TEMPLATE_COLUMNS
                                                                       " FROM seating_templates WHERE id = $1 "
                                                                       "FOR UPDATE"};
constexpr db::Statement kTemplates{"ec.template.list", "SELECT " TEMPLATE_COLUMNS
                                                       " FROM seating_templates WHERE organization_id = $1 "
                                                       "ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3"};
constexpr db::Statement kCountTemplates{"ec.template.count",
                                        "SELECT count(*) FROM seating_templates WHERE organization_id = $1"};
constexpr db::Statement kUpdateTemplate{"ec.template.update", R"sql(
  UPDATE seating_templates SET name = $2, layout = $3, version = version + 1, updated_at = now()
   WHERE id = $1 RETURNING )sql" TEMPLATE_COLUMNS};
constexpr db::Statement kDeleteTemplate{"ec.template.delete", "DELETE FROM seating_templates WHERE id = $1"};

Category category_from(const db::Row& r) {
  return {r.get<Uuid>(0), r.get<std::string>(1), r.get<std::optional<Uuid>>(2), r.get<std::int64_t>(3)};
}

SeatingTemplate template_from(const db::Row& r) {
  return {r.get<Uuid>(0),        r.get<Uuid>(1),      r.get<std::string>(2), r.get<Json>(3),
          r.get<std::int64_t>(4), r.get<Timestamp>(5), r.get<Timestamp>(6)};
}

[[noreturn]] void rethrow_category(const db::DbError& e) {
  if (e.is_unique_violation() && e.constraint() == "categories_sibling_name_uq") {
    throw conflict("A category with this name already exists at this level");
  }
  if (e.is_unique_violation()) throw conflict("The category id is already in use");
  if (e.is_foreign_key_violation()) throw bad_request("'parentId' does not name an existing category");
  throw e;
}

}  // namespace

asio::awaitable<std::optional<Category>> find_category(db::Connection& c, const Uuid& id, bool lock) {
  auto r = co_await c.execute(lock ? kFindLocked : kFind, id);
  if (r.empty()) co_return std::nullopt;
  co_return category_from(r[0]);
}

asio::awaitable<std::vector<Category>> all_categories(db::Connection& c) {
  auto r = co_await c.execute(kAll);
  std::vector<Category> out;
  for (auto row : r) out.push_back(category_from(row));
  co_return out;
}

asio::awaitable<void> insert_category(db::Connection& c, const Category& category) {
  try {
    co_await c.execute(kInsert, category.id, category.name, category.parent_id);
  } catch (const db::DbError& e) {
    rethrow_category(e);
  }
}

asio::awaitable<Category> update_category(db::Connection& c, const Category& category) {
  try {
    auto r = co_await c.execute(kUpdate, category.id, category.name, category.parent_id);
    co_return category_from(r.one());
  } catch (const db::DbError& e) {
    rethrow_category(e);
  }
}

asio::awaitable<void> delete_category(db::Connection& c, const Uuid& id) {
  try {
    co_await c.execute(kDelete, id);
  } catch (const db::DbError& e) {
    // An event or subcategory that arrived after the caller's checks.
    if (e.is_foreign_key_violation()) throw conflict("The category is in use and cannot be deleted");
    throw;
  }
}

asio::awaitable<bool> category_has_children(db::Connection& c, const Uuid& id) {
  co_return (co_await c.execute(kHasChildren, id)).scalar<bool>();
}

asio::awaitable<bool> category_has_events(db::Connection& c, const Uuid& id) {
  co_return (co_await c.execute(kHasEvents, id)).scalar<bool>();
}

asio::awaitable<bool> is_self_or_descendant(db::Connection& c, const Uuid& candidate, const Uuid& id) {
  // Walk up from the candidate parent: meeting `id` on the way means a cycle.
  co_return (co_await c.execute(kIsDescendant, candidate, id)).scalar<bool>();
}

asio::awaitable<void> lock_category_tree(db::Connection& c) { co_await c.execute(kLockTree); }

asio::awaitable<std::vector<Category>> unpublished_categories(db::Connection& c) {
  auto r = co_await c.execute(kUnpublished);
  std::vector<Category> out;
  for (auto row : r) out.push_back(category_from(row));
  co_return out;
}

asio::awaitable<void> mark_category_published(db::Connection& c, const Uuid& id, std::int64_t version) {
  co_await c.execute(kMarkPublished, id, version);
}

asio::awaitable<void> insert_template(db::Connection& c, const SeatingTemplate& t) {
  co_await c.execute(kInsertTemplate, t.id, t.organization_id, t.name, t.layout);
}

asio::awaitable<std::optional<SeatingTemplate>> find_template(db::Connection& c, const Uuid& id, bool lock) {
  auto r = co_await c.execute(lock ? kFindTemplateLocked : kFindTemplate, id);
  if (r.empty()) co_return std::nullopt;
  co_return template_from(r[0]);
}

asio::awaitable<Page<SeatingTemplate>> templates_of_organization(db::Connection& c, const Uuid& organization_id,
                                                                 PageRequest page) {
  auto rows = co_await c.execute(kTemplates, organization_id, page.size, page.offset());
  auto total = co_await count_templates(c, organization_id);
  Page<SeatingTemplate> out{{}, total, page};
  for (auto row : rows) out.items.push_back(template_from(row));
  co_return out;
}

asio::awaitable<std::int64_t> count_templates(db::Connection& c, const Uuid& organization_id) {
  co_return (co_await c.execute(kCountTemplates, organization_id)).scalar<std::int64_t>();
}

asio::awaitable<SeatingTemplate> update_template(db::Connection& c, const Uuid& id, const std::string& name,
                                                 const Json& layout) {
  auto r = co_await c.execute(kUpdateTemplate, id, name, layout);
  co_return template_from(r.one());
}

asio::awaitable<void> delete_template(db::Connection& c, const Uuid& id) { co_await c.execute(kDeleteTemplate, id); }

}  // namespace ticketly::event_command::store
