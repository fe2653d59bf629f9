// Organizations: create, read, rename, delete, logo; the admin views.
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/organizations_store.h"

namespace ticketly::event_command::api {
namespace {

std::optional<std::string> read_website(const json::ObjectReader& r) {
  auto website = r.optional_string("website", {.max = 255});
  if (!website || website->empty()) return std::nullopt;
  if (website->find_first_of(" \t\r\n<>\"") != std::string::npos) {
    throw bad_request("'website' must be a URL such as https://example.com");
  }
  return website;
}

Json organizations_json(const App& app, const std::vector<Organization>& orgs) {
  Json out = Json::array();
  for (const auto& o : orgs) out.push_back(dto::organization(app, o));
  return out;
}

// Reads the organization for an admin: 404 when missing.
asio::awaitable<Organization> existing_organization(App& app, const Uuid& id) {
  auto work = [&](db::Connection& c) -> asio::awaitable<std::optional<Organization>> {
    co_return co_await store::find_organization(c, id);
  };
  auto org = co_await app.db.transaction(work, kReadOnly);
  if (!org) throw not_found("Organization " + id.str() + " not found");
  co_return std::move(*org);
}

}  // namespace

asio::awaitable<Response> create_organization(App& app, Request& req) {
  const auth::Principal& who = caller(req);
  Json body = json_object(req);
  json::ObjectReader r(body);
  Organization org;
  org.id = Uuid::random();
  org.owner_id = who.subject;
  org.name = r.required_string("name", {.min = 1, .max = 100});
  org.website = read_website(r);
  org.created_at = org.updated_at = app.now();
  const TierLimits& limits = limits_for(who.tier);
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    co_await store::lock_owner(tx, org.owner_id);  // two concurrent creations must not both pass the count
    const auto owned = co_await store::count_organizations_of_owner(tx, org.owner_id);
    if (owned >= limits.max_organizations_per_user) {
      throw forbidden("Your " + std::string(limits.tier) + " plan allows at most " +
                      std::to_string(limits.max_organizations_per_user) + " organizations");
    }
    co_await store::insert_organization(tx, org);
    co_await publish_organization(tx, app, org);
  };
  co_await app.db.transaction(work);
  co_return json(201, dto::organization(app, org));
}

asio::awaitable<Response> my_organizations(App& app, Request& req) {
  const auth::Principal& who = caller(req);
  auto work = [&](db::Connection& c) -> asio::awaitable<std::vector<Organization>> {
    co_return co_await store::organizations_of_owner(c, who.subject);
  };
  auto orgs = co_await app.db.transaction(work, kReadOnly);
  co_return ok(organizations_json(app, orgs));
}

asio::awaitable<Response> get_organization(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  auto work = [&](db::Connection& c) -> asio::awaitable<Organization> {
    co_return co_await owned_organization(c, caller(req), id);
  };
  auto org = co_await app.db.transaction(work, kReadOnly);
  co_return ok(dto::organization(app, org));
}

asio::awaitable<Response> update_organization(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  const std::string name = r.required_string("name", {.min = 1, .max = 100});
  const auto website = read_website(r);
  const auto expected = expected_version(req, &body);
  auto work = [&](db::Connection& tx) -> asio::awaitable<Organization> {
    Organization before = co_await owned_organization(tx, caller(req), id, true);
    check_version(expected, before.version, "organization");
    Organization after = co_await store::update_organization(tx, id, name, website);
    co_await publish_organization(tx, app, after);
    // Event snapshots carry the organization's name.
    if (after.name != before.name) {
      const auto events = co_await store::events_of_organization(tx, id);
      co_await republish_events(tx, app, events);
    }
    co_return after;
  };
  auto org = co_await app.db.transaction(work);
  co_return ok(dto::organization(app, org));
}

asio::awaitable<Response> delete_organization(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const auto expected = expected_version(req);
  std::vector<ImageRef> images;
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    images.clear();
    Organization org = co_await owned_organization(tx, caller(req), id, true);
    check_version(expected, org.version, "organization");
    if (co_await store::organization_is_selling(tx, id)) {
      throw conflict("The organization has sessions on sale; close or cancel them before deleting it");
    }
    if (org.logo) images.push_back(*org.logo);
    const auto events = co_await store::events_of_organization(tx, id);
    for (const auto& event_id : events) {
      auto event = co_await store::find_event(tx, event_id, true);
      auto photos = co_await store::cover_photos(tx, event_id);
      images.insert(images.end(), photos.begin(), photos.end());
      co_await publish_event_deleted(tx, app, event_id, event->event.version + 1);
    }
    co_await store::delete_organization(tx, id);  // cascades to events, staff and templates
    co_await publish_organization_deleted(tx, app, id, org.version + 1);
  };
  co_await app.db.transaction(work);
  co_await remove_images(app, images);
  co_return Response::no_content();
}

asio::awaitable<Response> upload_logo(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  auto parts = multipart(req);
  const http::MultipartPart* file = http::find_part(parts, "file");
  if (!file) file = http::find_part(parts, "logo");
  if (!file) throw bad_request("The multipart body needs a 'file' part with the logo");
  // Check ownership before storing anything.
  auto check = [&](db::Connection& c) -> asio::awaitable<Organization> {
    co_return co_await owned_organization(c, caller(req), id);
  };
  co_await app.db.transaction(check, kReadOnly);
  ImageRef logo = co_await store_image(app, *file, kMaxLogoBytes, "logo");
  std::optional<ImageRef> old;
  auto work = [&](db::Connection& tx) -> asio::awaitable<Organization> {
    Organization before = co_await owned_organization(tx, caller(req), id, true);
    old = before.logo;
    Organization after = co_await store::set_logo(tx, id, logo);
    co_await publish_organization(tx, app, after);
    const auto events = co_await store::events_of_organization(tx, id);
    co_await republish_events(tx, app, events);  // their snapshots show the logo
    co_return after;
  };
  std::optional<Organization> org;
  std::exception_ptr failure;
  try {
    org = co_await app.db.transaction(work);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await remove_image(app, logo);  // the new file is not referenced by anything
    std::rethrow_exception(failure);
  }
  if (old) co_await remove_image(app, *old);
  co_return ok(dto::organization(app, *org));
}

asio::awaitable<Response> delete_logo(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  std::optional<ImageRef> old;
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    Organization before = co_await owned_organization(tx, caller(req), id, true);
    old = before.logo;
    if (!old) co_return;
    Organization after = co_await store::set_logo(tx, id, std::nullopt);
    co_await publish_organization(tx, app, after);
    const auto events = co_await store::events_of_organization(tx, id);
    co_await republish_events(tx, app, events);
  };
  co_await app.db.transaction(work);
  if (old) co_await remove_image(app, *old);
  co_return Response::no_content();
}

asio::awaitable<Response> admin_list_organizations(App& app, Request& req) {
  const PageRequest page = read_page(req);
  std::optional<std::string> search;
  if (auto s = req.query.get("search"); s && !s->empty()) {
    if (s->size() > 100) throw bad_request("'search' must be at most 100 characters");
    search = std::string(*s);
  }
  auto work = [&](db::Connection& c) -> asio::awaitable<Page<Organization>> {
    co_return co_await store::list_organizations(c, search, page);
  };
  auto result = co_await app.db.transaction(work, kReadOnly);
  co_return ok(dto::page(organizations_json(app, result.items), result.total, page));
}

asio::awaitable<Response> admin_get_organization(App& app, Request& req) {
  auto org = co_await existing_organization(app, req.params.uuid("id"));
  co_return ok(dto::organization(app, org));
}

asio::awaitable<Response> admin_organizations_of_user(App& app, Request& req) {
  const std::string user_id = req.params.get("userId");
  auto work = [&](db::Connection& c) -> asio::awaitable<std::vector<Organization>> {
    co_return co_await store::organizations_of_owner(c, user_id);
  };
  auto orgs = co_await app.db.transaction(work, kReadOnly);
  co_return ok(organizations_json(app, orgs));
}

}  // namespace ticketly::event_command::api
