#pragma once
// SQL for organizations and their staff. Every function runs on the caller's connection,
// inside the caller's transaction when there is one.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "platform/db/connection.h"
#include "services/event_command/domain/model.h"
#include "services/event_command/store/paging.h"

namespace ticketly::event_command::store {

namespace asio = boost::asio;

asio::awaitable<void> insert_organization(db::Connection& c, const Organization& o);
// `lock`: FOR UPDATE, so concurrent changes of the organization wait for each other.
asio::awaitable<std::optional<Organization>> find_organization(db::Connection& c, const Uuid& id, bool lock = false);
asio::awaitable<std::vector<Organization>> organizations_of_owner(db::Connection& c, const std::string& owner_id);
asio::awaitable<Page<Organization>> list_organizations(db::Connection& c, const std::optional<std::string>& search,
                                                       PageRequest page);
// Serialises "count, then insert" of one owner's organizations (the per-user limit).
asio::awaitable<void> lock_owner(db::Connection& c, const std::string& owner_id);
asio::awaitable<std::int64_t> count_organizations_of_owner(db::Connection& c, const std::string& owner_id);
// Name and website; bumps the version. Returns the new row.
asio::awaitable<Organization> update_organization(db::Connection& c, const Uuid& id, const std::string& name,
                                                  const std::optional<std::string>& website);
asio::awaitable<Organization> set_logo(db::Connection& c, const Uuid& id, const std::optional<ImageRef>& logo);
// Bumps the version after a change of its staff.
asio::awaitable<std::int64_t> bump_organization(db::Connection& c, const Uuid& id);
asio::awaitable<void> delete_organization(db::Connection& c, const Uuid& id);
// Any session of the organization's events that is ON_SALE or SOLD_OUT.
asio::awaitable<bool> organization_is_selling(db::Connection& c, const Uuid& id);

asio::awaitable<std::vector<Member>> members(db::Connection& c, const Uuid& organization_id);
asio::awaitable<std::optional<Member>> find_member(db::Connection& c, const Uuid& organization_id,
                                                   const std::string& user_id);
asio::awaitable<std::int64_t> count_members(db::Connection& c, const Uuid& organization_id);
// False when the user is already a member (nothing inserted).
asio::awaitable<bool> insert_member(db::Connection& c, const Member& m, const std::string& invited_by);
asio::awaitable<std::optional<Member>> set_member_active(db::Connection& c, const Uuid& organization_id,
                                                         const std::string& user_id, bool active);
asio::awaitable<bool> delete_member(db::Connection& c, const Uuid& organization_id, const std::string& user_id);
// An active member with `role` of the organization that holds the session.
asio::awaitable<bool> session_staff_has_role(db::Connection& c, const Uuid& session_id, const std::string& user_id,
                                             const std::string& role);

}  // namespace ticketly::event_command::store
