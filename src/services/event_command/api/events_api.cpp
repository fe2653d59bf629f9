// Events: read, list, update, approve/reject, delete, cover photos.
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/changes.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/inputs.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/store/categories_store.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/organizations_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {
namespace {

asio::awaitable<EventAggregate> read_aggregate(App& app, const Uuid& id, const auth::Principal* owner) {
  auto work = [&](db::Connection& c) -> asio::awaitable<std::optional<EventAggregate>> {
    if (owner) co_await owned_event(c, *owner, id);
    co_return co_await store::load_aggregate(c, id);
  };
  auto aggregate = co_await app.db.transaction(work, kReadOnly);
  if (!aggregate) throw not_found("Event " + id.str() + " not found");
  co_return std::move(*aggregate);
}

store::EventFilter read_filter(const Request& req) {
  store::EventFilter f;
  if (auto status = req.query.get("status"); status && !status->empty()) {
    f.status = parse_event_status(*status);
    if (!f.status) throw bad_request("'status' must be one of PENDING, APPROVED, REJECTED, COMPLETED");
  }
  if (auto search = req.query.get("search"); search && !search->empty()) {
    if (search->size() > 255) throw bad_request("'search' must be at most 255 characters");
    f.search = std::string(*search);
  }
  f.sort = read_event_sort(req);
  return f;
}

asio::awaitable<Response> list(App& app, const Request& req, store::EventFilter filter, const auth::Principal* owner) {
  const PageRequest page = read_page(req);
  auto work = [&](db::Connection& c) -> asio::awaitable<Page<store::EventSummary>> {
    if (filter.organization_id) {
      if (owner) {
        co_await owned_organization(c, *owner, *filter.organization_id);
      } else {
        auto org = co_await store::find_organization(c, *filter.organization_id);
        if (!org) throw not_found("Organization " + filter.organization_id->str() + " not found");
      }
    }
    co_return co_await store::list_events(c, filter, page);
  };
  auto result = co_await app.db.transaction(work, kReadOnly);
  Json content = Json::array();
  for (const auto& s : result.items) content.push_back(dto::event_summary(app, s));
  co_return ok(dto::page(std::move(content), result.total, page));
}

// The event, the way approval and rejection need it: PENDING, else 409.
void require_pending(const Event& e, std::string_view action) {
  if (e.status != EventStatus::Pending) {
    throw conflict("Only PENDING events can be " + std::string(action) + "; this one is " +
                   std::string(to_string(e.status)));
  }
}

}  // namespace

asio::awaitable<Response> get_event(App& app, Request& req) {
  auto aggregate = co_await read_aggregate(app, req.params.uuid("id"), &caller(req));
  co_return ok(dto::event_detail(app, aggregate));
}

asio::awaitable<Response> admin_get_event(App& app, Request& req) {
  auto aggregate = co_await read_aggregate(app, req.params.uuid("id"), nullptr);
  co_return ok(dto::event_detail(app, aggregate));
}

asio::awaitable<Response> list_organization_events(App& app, Request& req) {
  store::EventFilter filter = read_filter(req);
  filter.organization_id = req.params.uuid("orgId");
  co_return co_await list(app, req, filter, &caller(req));
}

asio::awaitable<Response> admin_list_events(App& app, Request& req) {
  store::EventFilter filter = read_filter(req);
  co_return co_await list(app, req, filter, nullptr);
}

asio::awaitable<Response> admin_list_organization_events(App& app, Request& req) {
  store::EventFilter filter = read_filter(req);
  filter.organization_id = req.params.uuid("orgId");
  co_return co_await list(app, req, filter, nullptr);
}

asio::awaitable<Response> delete_event(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const auto expected = expected_version(req);
  std::vector<ImageRef> photos;
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    store::EventRow row = co_await owned_event(tx, caller(req), id, true);
    check_version(expected, row.event.version, "event");
    const auto statuses = co_await store::session_statuses(tx, id);
    for (auto status : statuses) {
      if (is_selling(status)) throw conflict("The event has a session on sale; close or cancel it first");
    }
    photos = co_await store::cover_photos(tx, id);
    co_await store::delete_event(tx, id);
    co_await publish_event_deleted(tx, app, id, row.event.version + 1);
  };
  co_await app.db.transaction(work);
  co_await remove_images(app, photos);
  co_return Response::no_content();
}

asio::awaitable<Response> approve_event(App& app, Request& req) {
  const auth::Principal& who = caller(req);
  const Uuid id = req.params.uuid("id");
  const Timestamp now = app.now();
  EventChange approve = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    if (row.owner_id == who.subject) throw forbidden("You cannot approve an event of your own organization");
    require_pending(row.event, "approved");
    co_await store::set_event_status(tx, id, EventStatus::Approved, std::nullopt);
    row.event.status = EventStatus::Approved;
    const auto sessions = co_await store::sessions_of_event(tx, id);
    for (const auto& session : sessions) {
      if (is_finished(session.status)) continue;
      const SessionStatus next = status_on_approval(session.schedule, now);
      if (next != session.status) co_await store::update_status(tx, session.id, next);
    }
    co_await complete_if_finished(tx, row);
  };
  const ChangeOptions options{.owner_only = false, .expected_version = expected_version(req)};
  auto aggregate = co_await change_event(app, who, id, approve, options);
  co_return ok(dto::event_detail(app, aggregate));
}

asio::awaitable<Response> reject_event(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  const std::string reason = r.required_string("reason", {.min = 1, .max = 1000});
  EventChange reject = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    require_pending(row.event, "rejected");
    co_await store::set_event_status(tx, id, EventStatus::Rejected, reason);
  };
  const ChangeOptions options{.owner_only = false, .expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, caller(req), id, reject, options);
  co_return ok(dto::event_detail(app, aggregate));
}

asio::awaitable<Response> update_event(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  auto title = r.optional_string("title", kTitleLength);
  auto description = r.optional_string("description", kDescriptionLength);
  auto overview = r.optional_string("overview", kOverviewLength);
  auto category_id = r.optional_uuid("categoryId");
  EventChange update = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    Event e = row.event;
    if (title) e.title = *title;
    // A field sent as null clears it; a field left out stays as it is.
    if (description || body.contains("description")) e.description = description;
    if (overview || body.contains("overview")) e.overview = overview;
    if (category_id && *category_id != e.category_id) {
      auto category = co_await store::find_category(tx, *category_id);
      if (!category) throw bad_request("'categoryId' does not name an existing category");
      e.category_id = *category_id;
    }
    co_await store::update_event_fields(tx, e);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, caller(req), id, update, options);
  co_return ok(dto::event_detail(app, aggregate));
}

asio::awaitable<Response> add_cover_photo(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  auto parts = multipart(req);
  const http::MultipartPart* file = http::find_part(parts, "file");
  if (!file) file = http::find_part(parts, "coverImage");
  if (!file) throw bad_request("The multipart body needs a 'file' part with the image");
  auto check = [&](db::Connection& c) -> asio::awaitable<store::EventRow> {
    co_return co_await owned_event(c, caller(req), id);
  };
  co_await app.db.transaction(check, kReadOnly);
  ImageRef photo = co_await store_image(app, *file, kMaxCoverPhotoBytes, "cover photo");
  EventChange add = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    const auto existing = co_await store::cover_photos(tx, id);
    if (existing.size() >= kMaxCoverPhotos) {
      throw conflict("An event can have at most " + std::to_string(kMaxCoverPhotos) + " cover photos");
    }
    co_await store::insert_cover_photo(tx, id, photo, file->data.size());
  };
  const ChangeOptions options{.expected_version = expected_version(req)};
  std::optional<EventAggregate> aggregate;
  std::exception_ptr failure;
  try {
    aggregate = co_await change_event(app, caller(req), id, add, options);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await remove_image(app, photo);
    std::rethrow_exception(failure);
  }
  co_return ok(dto::event_detail(app, *aggregate));
}

asio::awaitable<Response> delete_cover_photo(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const Uuid photo_id = req.params.uuid("photoId");
  std::optional<ImageRef> removed;
  EventChange remove = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    removed = co_await store::delete_cover_photo(tx, id, photo_id);
    if (!removed) throw not_found("Cover photo " + photo_id.str() + " not found on this event");
  };
  const ChangeOptions options{.expected_version = expected_version(req)};
  auto aggregate = co_await change_event(app, caller(req), id, remove, options);
  co_await remove_image(app, *removed);
  co_return ok(dto::event_detail(app, aggregate));
}

}  // namespace ticketly::event_command::api
