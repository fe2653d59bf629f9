// The category tree: any user reads it, category admins change it (no duplicate names
// among siblings, no cycles, no deleting a category that is in use).
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/support.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/store/categories_store.h"
#include "services/event_command/store/events_store.h"

namespace ticketly::event_command::api {
namespace {

Category read_category(const Json& body) {
  json::ObjectReader r(body);
  Category c;
  c.name = r.required_string("name", {.min = 1, .max = 100});
  c.parent_id = r.optional_uuid("parentId");
  return c;
}

asio::awaitable<void> require_parent(db::Connection& tx, const std::optional<Uuid>& parent) {
  if (!parent) co_return;
  auto found = co_await store::find_category(tx, *parent);
  if (!found) throw bad_request("'parentId' does not name an existing category");
}

Json node(const Category& c, const std::vector<Category>& all) { return dto::category_tree(c, all); }

}  // namespace

asio::awaitable<Response> list_categories(App& app, Request&) {
  auto work = [&](db::Connection& c) -> asio::awaitable<std::vector<Category>> {
    co_return co_await store::all_categories(c);
  };
  auto all = co_await app.db.transaction(work, kReadOnly);
  co_return ok(dto::category_forest(all));
}

asio::awaitable<Response> get_category(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  auto work = [&](db::Connection& c) -> asio::awaitable<std::vector<Category>> {
    co_return co_await store::all_categories(c);
  };
  auto all = co_await app.db.transaction(work, kReadOnly);
  for (const auto& c : all) {
    if (c.id == id) co_return ok(node(c, all));
  }
  throw not_found("Category " + id.str() + " not found");
}

asio::awaitable<Response> create_category(App& app, Request& req) {
  Json body = json_object(req);
  Category category = read_category(body);
  category.id = Uuid::random();
  category.version = 1;
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    co_await require_parent(tx, category.parent_id);
    co_await store::insert_category(tx, category);
    co_await publish_category(tx, app, category);
  };
  co_await app.db.transaction(work);
  co_return json(201, node(category, {}));
}

asio::awaitable<Response> update_category(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  Category wanted = read_category(body);
  wanted.id = id;
  const auto expected = expected_version(req, &body);
  auto work = [&](db::Connection& tx) -> asio::awaitable<Category> {
    // First, so the cycle check below (READ COMMITTED: a fresh snapshot per statement)
    // sees every parent change committed before ours.
    if (wanted.parent_id) co_await store::lock_category_tree(tx);
    auto before = co_await store::find_category(tx, id, true);
    if (!before) throw not_found("Category " + id.str() + " not found");
    check_version(expected, before->version, "category");
    co_await require_parent(tx, wanted.parent_id);
    if (wanted.parent_id) {
      const bool cycle = co_await store::is_self_or_descendant(tx, *wanted.parent_id, id);
      if (cycle) throw bad_request("'parentId' would make the category its own ancestor");
    }
    Category after = co_await store::update_category(tx, wanted);
    co_await publish_category(tx, app, after);
    // Event snapshots show the category's name, and their subcategories' parent name.
    auto events = co_await store::events_of_category(tx, id);
    const auto all = co_await store::all_categories(tx);
    for (const auto& child : all) {
      if (child.parent_id != id) continue;
      const auto more = co_await store::events_of_category(tx, child.id);
      events.insert(events.end(), more.begin(), more.end());
    }
    co_await republish_events(tx, app, events);
    co_return after;
  };
  auto category = co_await app.db.transaction(work);
  auto read_all = [&](db::Connection& c) -> asio::awaitable<std::vector<Category>> {
    co_return co_await store::all_categories(c);
  };
  auto all = co_await app.db.transaction(read_all, kReadOnly);
  co_return ok(node(category, all));
}

asio::awaitable<Response> delete_category(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const auto expected = expected_version(req);
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    auto before = co_await store::find_category(tx, id, true);
    if (!before) throw not_found("Category " + id.str() + " not found");
    check_version(expected, before->version, "category");
    const bool children = co_await store::category_has_children(tx, id);
    if (children) throw conflict("The category has subcategories; delete or move them first");
    const bool used = co_await store::category_has_events(tx, id);
    if (used) throw conflict("The category is used by events and cannot be deleted");
    co_await store::delete_category(tx, id);
    co_await publish_category_deleted(tx, app, id, before->version + 1);
  };
  co_await app.db.transaction(work);
  co_return ok(dto::message("Category deleted"));
}

}  // namespace ticketly::event_command::api
