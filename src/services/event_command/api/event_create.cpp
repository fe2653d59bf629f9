// POST /v1/events: the whole event — tiers, sessions with seat maps, discounts and cover
// images — from one multipart request, validated as every other path validates it, and
// stored in one transaction.
#include <unordered_set>

#include "platform/errors.h"
#include "platform/json/reader.h"
#include "platform/text/ascii.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/inputs.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/discounts.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/images/image_type.h"
#include "services/event_command/store/catalog_store.h"
#include "services/event_command/store/categories_store.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {
namespace {

struct CreateEvent {
  Event event;
  std::vector<Tier> tiers;
  std::vector<SessionInput> sessions;
  std::vector<Discount> discounts;
};

template <class T, class F>
void reject_duplicates(const std::vector<T>& items, F key, const std::string& what) {
  std::unordered_set<std::string> seen;
  for (const auto& item : items) {
    if (!seen.insert(key(item)).second) throw bad_request("Duplicate " + what + " " + key(item) + " in the request");
  }
}

CreateEvent read_request(const Json& body, const App& app, const TierLimits& limits) {
  json::ObjectReader r(body);
  CreateEvent in;
  Event& e = in.event;
  e.id = Uuid::random();
  e.title = r.required_string("title", kTitleLength);
  e.description = r.optional_string("description", kDescriptionLength);
  e.overview = r.optional_string("overview", kOverviewLength);
  e.organization_id = r.required_uuid("organizationId");
  e.category_id = r.required_uuid("categoryId");
  e.status = EventStatus::Pending;
  e.created_at = e.updated_at = app.now();

  const Json& tiers = r.required_array("tiers", kMaxTiersPerEvent);
  if (tiers.empty()) throw bad_request("'tiers' must have at least one tier");
  std::unordered_set<Uuid> tier_ids;
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    in.tiers.push_back(read_tier(tiers[i], "tiers[" + std::to_string(i) + "]"));
    tier_ids.insert(in.tiers.back().id);
  }
  reject_duplicates(in.tiers, [](const Tier& t) { return t.id.str(); }, "tier id");

  const Json& sessions = r.required_array("sessions", kMaxSessionsPerRequest);
  if (sessions.empty()) throw bad_request("'sessions' must have at least one session");
  if (static_cast<std::int64_t>(sessions.size()) > limits.max_sessions_per_event) {
    throw forbidden("Your " + std::string(limits.tier) + " plan allows at most " +
                    std::to_string(limits.max_sessions_per_event) + " sessions per event");
  }
  std::unordered_set<Uuid> session_ids;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    in.sessions.push_back(read_session(sessions[i], "sessions[" + std::to_string(i) + "]", tier_ids,
                                       app.settings.max_seats_per_session, app.now()));
    in.sessions.back().session.event_id = e.id;
    session_ids.insert(in.sessions.back().session.id);
  }
  reject_duplicates(in.sessions, [](const SessionInput& s) { return s.session.id.str(); }, "session id");

  if (const Json* discounts = r.optional_array("discounts", kMaxDiscountsPerEvent)) {
    for (std::size_t i = 0; i < discounts->size(); ++i) {
      const std::string path = "discounts[" + std::to_string(i) + "]";
      in.discounts.push_back(read_discount((*discounts)[i], path, e.id));
      validate_discount(in.discounts.back(), tier_ids, session_ids, path);
    }
    reject_duplicates(in.discounts, [](const Discount& d) { return d.id.str(); }, "discount id");
    reject_duplicates(in.discounts, [](const Discount& d) { return text::ascii_lower(d.code); }, "discount code");
  }
  return in;
}

// The request part and the cover images of the multipart body (or a plain JSON body).
struct Upload {
  Json request;
  std::vector<const http::MultipartPart*> images;
  std::vector<http::MultipartPart> parts;  // owns what `images` points to
};

void read_upload(const Request& req, Upload& up) {
  std::string_view type = req.header(http::Field::content_type);
  if (type.starts_with("application/json")) {
    up.request = json_object(req);
    return;
  }
  up.parts = multipart(req);
  const http::MultipartPart* request = http::find_part(up.parts, "request");
  if (!request) throw bad_request("The multipart body needs a 'request' part holding the event as JSON");
  up.request = json::parse_body(request->data);
  if (!up.request.is_object()) throw bad_request("The 'request' part must be a JSON object");
  up.images = http::find_parts(up.parts, "coverImages");
  if (up.images.size() > kMaxCoverPhotos) {
    throw bad_request("An event can have at most " + std::to_string(kMaxCoverPhotos) + " cover images");
  }
  for (std::size_t i = 0; i < up.images.size(); ++i) {
    check_image_upload(*up.images[i], kMaxCoverPhotoBytes, "cover image " + std::to_string(i + 1));
  }
}

asio::awaitable<void> insert_all(db::Connection& tx, const CreateEvent& in, const std::vector<ImageRef>& photos,
                                 const std::vector<std::size_t>& sizes) {
  co_await store::insert_event(tx, in.event);
  for (const auto& t : in.tiers) co_await store::insert_tier(tx, in.event.id, t);
  for (const auto& s : in.sessions) co_await store::insert_session(tx, s.session, s.layout);
  for (const auto& d : in.discounts) co_await store::insert_discount(tx, d);
  for (std::size_t i = 0; i < photos.size(); ++i) co_await store::insert_cover_photo(tx, in.event.id, photos[i], sizes[i]);
}

}  // namespace

asio::awaitable<Response> create_event(App& app, Request& req) {
  const auth::Principal& who = caller(req);
  const TierLimits& limits = limits_for(who.tier);
  Upload upload;
  read_upload(req, upload);
  const CreateEvent in = read_request(upload.request, app, limits);

  auto check = [&](db::Connection& c) -> asio::awaitable<Organization> {
    co_return co_await owned_organization(c, who, in.event.organization_id);
  };
  co_await app.db.transaction(check, kReadOnly);

  std::vector<ImageRef> photos;
  std::vector<std::size_t> sizes;
  std::exception_ptr failure;
  try {
    for (std::size_t i = 0; i < upload.images.size(); ++i) {
      const std::string what = "cover image " + std::to_string(i + 1);
      ImageRef photo = co_await store_image(app, *upload.images[i], kMaxCoverPhotoBytes, what);
      photos.push_back(photo);
      sizes.push_back(upload.images[i]->data.size());
    }
    auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
      co_await owned_organization(tx, who, in.event.organization_id, true);  // serialises the count below
      auto category = co_await store::find_category(tx, in.event.category_id);
      if (!category) throw bad_request("'categoryId' does not name an existing category");
      const auto active = co_await store::count_active_events(tx, in.event.organization_id);
      if (active >= limits.max_active_events) {
        throw forbidden("Your " + std::string(limits.tier) + " plan allows at most " +
                        std::to_string(limits.max_active_events) + " active events per organization");
      }
      co_await insert_all(tx, in, photos, sizes);
      co_await publish_event(tx, app, in.event.id);
    };
    co_await app.db.transaction(work);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await remove_images(app, photos);
    std::rethrow_exception(failure);
  }
  co_return json(201, dto::event_created(in.event));
}

}  // namespace ticketly::event_command::api
