#pragma once
// SQL for the category tree and seating-layout templates.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <vector>

#include "platform/db/connection.h"
#include "services/event_command/domain/model.h"
#include "services/event_command/store/paging.h"

namespace ticketly::event_command::store {

namespace asio = boost::asio;

asio::awaitable<std::optional<Category>> find_category(db::Connection& c, const Uuid& id, bool lock = false);
asio::awaitable<std::vector<Category>> all_categories(db::Connection& c);
// Throws 409 when a sibling already has the name (case-insensitive) or the id is taken.
asio::awaitable<void> insert_category(db::Connection& c, const Category& category);
// Name and parent; bumps the version and returns the new row.
asio::awaitable<Category> update_category(db::Connection& c, const Category& category);
asio::awaitable<void> delete_category(db::Connection& c, const Uuid& id);
asio::awaitable<bool> category_has_children(db::Connection& c, const Uuid& id);
asio::awaitable<bool> category_has_events(db::Connection& c, const Uuid& id);
// `candidate` is `id` itself or lies below it (so making it id's parent is a cycle).
asio::awaitable<bool> is_self_or_descendant(db::Connection& c, const Uuid& candidate, const Uuid& id);
// Serialises parent changes until the transaction ends (an advisory lock): two moves that
// are each fine alone (A under B, B under A) could otherwise both pass the cycle check.
asio::awaitable<void> lock_category_tree(db::Connection& c);
// Categories whose current version was never published (locked; other replicas skip them).
asio::awaitable<std::vector<Category>> unpublished_categories(db::Connection& c);
asio::awaitable<void> mark_category_published(db::Connection& c, const Uuid& id, std::int64_t version);

asio::awaitable<void> insert_template(db::Connection& c, const SeatingTemplate& t);
asio::awaitable<std::optional<SeatingTemplate>> find_template(db::Connection& c, const Uuid& id, bool lock = false);
asio::awaitable<Page<SeatingTemplate>> templates_of_organization(db::Connection& c, const Uuid& organization_id,
                                                                 PageRequest page);
asio::awaitable<std::int64_t> count_templates(db::Connection& c, const Uuid& organization_id);
asio::awaitable<SeatingTemplate> update_template(db::Connection& c, const Uuid& id, const std::string& name,
                                                 const Json& layout);
asio::awaitable<void> delete_template(db::Connection& c, const Uuid& id);

}  // namespace ticketly::event_command::store
