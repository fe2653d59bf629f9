// Organization staff (role SCANNER): invitations through the identity provider,
// activation and removal. Every change publishes the organization's snapshot (it lists
// the staff), so the order service learns who may scan tickets.
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "platform/text/ascii.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/store/organizations_store.h"

namespace ticketly::event_command::api {
namespace {

bool plausible_email(std::string_view e) {
  auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string_view::npos &&
         e.find('.', at) != std::string_view::npos && e.find_first_of(" \t\r\n<>()[],;:\\\"") == std::string_view::npos;
}

std::vector<std::string> read_roles(const json::ObjectReader& r) {
  const Json* roles = r.optional_array("roles", 5);
  if (!roles || roles->empty()) return {"SCANNER"};
  for (const auto& role : *roles) {
    if (!role.is_string() || role.get<std::string>() != "SCANNER") {
      throw bad_request("'roles' may only contain SCANNER");
    }
  }
  return {"SCANNER"};
}

// Bumps the organization's version and publishes it with its staff.
asio::awaitable<void> staff_changed(db::Connection& tx, App& app, const Uuid& organization_id) {
  co_await store::bump_organization(tx, organization_id);
  auto org = co_await store::find_organization(tx, organization_id);
  co_await publish_organization(tx, app, *org);
}

}  // namespace

asio::awaitable<Response> list_staff(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  auto work = [&](db::Connection& c) -> asio::awaitable<std::vector<Member>> {
    co_await owned_organization(c, caller(req), id);
    co_return co_await store::members(c, id);
  };
  auto staff = co_await app.db.transaction(work, kReadOnly);
  Json out = Json::array();
  for (const auto& m : staff) out.push_back(dto::member(m));
  co_return ok(out);
}

asio::awaitable<Response> invite_staff(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const auth::Principal& who = caller(req);
  Json body = json_object(req);
  json::ObjectReader r(body);
  std::string email = r.required_string("email", {.min = 3, .max = 254});
  email = text::ascii_lower(email);
  if (!plausible_email(email)) throw bad_request("'email' must be an email address");
  const auto roles = read_roles(r);
  // Only the owner may make the identity provider create users.
  auto check = [&](db::Connection& c) -> asio::awaitable<Organization> { co_return co_await owned_organization(c, who, id); };
  co_await app.db.transaction(check, kReadOnly);
  if (!who.email.empty() && email == who.email) throw bad_request("You own this organization: invite someone else");
  DirectoryUser user = co_await app.directory->find_or_invite(email);
  if (user.id == who.subject) throw bad_request("You own this organization: invite someone else");
  Member member{Uuid::random(), id, user.id, user.email.empty() ? email : user.email, user.name, roles, true, app.now()};
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    co_await owned_organization(tx, who, id, true);
    const auto staff = co_await store::count_members(tx, id);
    if (staff >= static_cast<std::int64_t>(kMaxStaffPerOrganization)) {
      throw conflict("An organization can have at most " + std::to_string(kMaxStaffPerOrganization) + " staff members");
    }
    const bool inserted = co_await store::insert_member(tx, member, who.subject);
    if (!inserted) throw conflict(email + " is already a staff member of this organization");
    co_await staff_changed(tx, app, id);
  };
  co_await app.db.transaction(work);
  Json out = dto::member(member);
  out["invited"] = user.created;
  co_return json(201, out);
}

asio::awaitable<Response> remove_staff(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const std::string user_id = req.params.get("userId");
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    co_await owned_organization(tx, caller(req), id, true);
    const bool deleted = co_await store::delete_member(tx, id, user_id);
    if (!deleted) throw not_found("User " + user_id + " is not a staff member of this organization");
    co_await staff_changed(tx, app, id);
  };
  co_await app.db.transaction(work);
  co_return ok(dto::message("Staff member removed"));
}

asio::awaitable<Response> set_staff_status(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const std::string user_id = req.params.get("userId");
  Json body = json_object(req);
  json::ObjectReader r(body);
  auto active = r.optional_bool("isActive");
  if (!active) active = r.optional_bool("active");
  if (!active) throw bad_request("'isActive' is required");
  auto work = [&](db::Connection& tx) -> asio::awaitable<Member> {
    co_await owned_organization(tx, caller(req), id, true);
    auto member = co_await store::set_member_active(tx, id, user_id, *active);
    if (!member) throw not_found("User " + user_id + " is not a staff member of this organization");
    co_await staff_changed(tx, app, id);
    co_return std::move(*member);
  };
  auto member = co_await app.db.transaction(work);
  co_return ok(dto::member(member));
}

}  // namespace ticketly::event_command::api
