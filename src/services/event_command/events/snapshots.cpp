#include "services/event_command/events/snapshots.h"

#include "platform/bus/outbox.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/domain/discounts.h"
#include "services/event_command/store/categories_store.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/organizations_store.h"

namespace ticketly::event_command {
namespace {

using dto::ids_json;
using dto::text_json;
using dto::time_json;

Json session_json(const Session& s) {
  return {{"id", s.id.str()},
          {"startTime", time_json(s.schedule.start)},
          {"endTime", time_json(s.schedule.end)},
          {"salesStartTime", time_json(s.schedule.sales_start)},
          {"sessionType", to_string(s.type)},
          {"status", to_string(s.status)},
          {"venueDetails", venue_to_json(s.venue)},
          {"layoutData", s.layout}};
}

Json discount_json(const Discount& d) {
  return {{"id", d.id.str()},
          {"code", d.code},
          {"parameters", parameters_to_json(d.parameters)},
          {"maxUsage", d.max_usage ? Json(*d.max_usage) : Json(nullptr)},
          {"currentUsage", d.current_usage},
          {"active", d.active},
          {"public", d.is_public},
          {"activeFrom", time_json(d.active_from)},
          {"expiresAt", time_json(d.expires_at)},
          {"applicableTierIds", ids_json(d.applicable_tier_ids)},
          {"applicableSessionIds", ids_json(d.applicable_session_ids)}};
}

asio::awaitable<void> publish(db::Connection& tx, std::string_view topic, const Uuid& key, const Json& payload) {
  bus::Headers headers{{"type", payload.at("type").get<std::string>()}};
  co_await bus::publish(tx, topic, key.str(), payload, std::move(headers));
}

}  // namespace

Json event_snapshot(const App& app, const EventAggregate& a, Timestamp now) {
  const Event& e = a.event;
  Json photos = Json::array(), tiers = Json::array(), sessions = Json::array(), discounts = Json::array();
  for (const auto& p : a.cover_photos) photos.push_back(app.image_url(p));
  for (const auto& t : a.tiers) tiers.push_back(dto::tier(t));
  for (const auto& s : a.sessions) sessions.push_back(session_json(s));
  for (const auto& d : a.discounts) discounts.push_back(discount_json(d));
  Json category = {{"id", a.category.id.str()},
                   {"name", a.category.name},
                   {"parentId", a.category.parent_id ? Json(a.category.parent_id->str()) : Json(nullptr)},
                   {"parentName", a.parent_category ? Json(a.parent_category->name) : Json(nullptr)}};
  Json organization = {{"id", a.organization.id.str()},
                       {"name", a.organization.name},
                       {"logoUrl", a.organization.logo ? Json(app.image_url(*a.organization.logo)) : Json(nullptr)}};
  Json event = {{"id", e.id.str()},
                {"title", e.title},
                {"description", text_json(e.description)},
                {"overview", text_json(e.overview)},
                {"status", to_string(e.status)},
                {"rejectionReason", text_json(e.rejection_reason)},
                {"ownerId", a.organization.owner_id},
                {"organization", std::move(organization)},
                {"category", std::move(category)},
                {"coverPhotos", std::move(photos)},
                {"createdAt", time_json(e.created_at)},
                {"updatedAt", time_json(e.updated_at)},
                {"tiers", std::move(tiers)},
                {"sessions", std::move(sessions)},
                {"discounts", std::move(discounts)}};
  return {{"type", "EventSnapshot"}, {"version", e.version}, {"occurredAt", time_json(now)}, {"event", std::move(event)}};
}

Json organization_snapshot(const App& app, const Organization& o, const std::vector<Member>& staff, Timestamp now) {
  Json members = Json::array();
  for (const auto& m : staff) {
    members.push_back({{"userId", m.user_id}, {"email", m.email}, {"name", m.name}, {"roles", m.roles}, {"active", m.active}});
  }
  Json organization = {{"id", o.id.str()},
                       {"name", o.name},
                       {"website", text_json(o.website)},
                       {"logoUrl", o.logo ? Json(app.image_url(*o.logo)) : Json(nullptr)},
                       {"ownerId", o.owner_id},
                       {"createdAt", time_json(o.created_at)},
                       {"updatedAt", time_json(o.updated_at)},
                       {"staff", std::move(members)}};
  return {{"type", "OrganizationSnapshot"},
          {"version", o.version},
          {"occurredAt", time_json(now)},
          {"organization", std::move(organization)}};
}

Json category_snapshot(const Category& c, Timestamp now) {
  return {{"type", "CategorySnapshot"},
          {"version", c.version},
          {"occurredAt", time_json(now)},
          {"category",
           {{"id", c.id.str()}, {"name", c.name}, {"parentId", c.parent_id ? Json(c.parent_id->str()) : Json(nullptr)}}}};
}

asio::awaitable<EventAggregate> publish_event(db::Connection& tx, const App& app, const Uuid& event_id) {
  auto aggregate = co_await store::load_aggregate(tx, event_id);
  if (!aggregate) throw std::logic_error("publishing event " + event_id.str() + ", which does not exist");
  const Json payload = event_snapshot(app, *aggregate, app.now());
  co_await publish(tx, topics::kEvents, event_id, payload);
  co_return std::move(*aggregate);
}

asio::awaitable<void> publish_event_deleted(db::Connection& tx, const App& app, const Uuid& event_id,
                                            std::int64_t version) {
  Json payload = {{"type", "EventDeleted"}, {"version", version}, {"occurredAt", time_json(app.now())},
                  {"eventId", event_id.str()}};
  co_await publish(tx, topics::kEvents, event_id, payload);
}

asio::awaitable<void> republish_events(db::Connection& tx, const App& app, const std::vector<Uuid>& event_ids) {
  for (const auto& id : event_ids) {
    co_await store::bump_event(tx, id);
    co_await publish_event(tx, app, id);
  }
}

asio::awaitable<void> publish_organization(db::Connection& tx, const App& app, const Organization& o) {
  auto staff = co_await store::members(tx, o.id);
  const Json payload = organization_snapshot(app, o, staff, app.now());
  co_await publish(tx, topics::kOrganizations, o.id, payload);
}

asio::awaitable<void> publish_organization_deleted(db::Connection& tx, const App& app, const Uuid& id,
                                                   std::int64_t version) {
  Json payload = {{"type", "OrganizationDeleted"}, {"version", version}, {"occurredAt", time_json(app.now())},
                  {"organizationId", id.str()}};
  co_await publish(tx, topics::kOrganizations, id, payload);
}

asio::awaitable<void> publish_category(db::Connection& tx, const App& app, const Category& c) {
  const Json payload = category_snapshot(c, app.now());
  co_await publish(tx, topics::kCategories, c.id, payload);
  co_await store::mark_category_published(tx, c.id, c.version);
}

asio::awaitable<void> publish_category_deleted(db::Connection& tx, const App& app, const Uuid& id,
                                               std::int64_t version) {
  Json payload = {{"type", "CategoryDeleted"}, {"version", version}, {"occurredAt", time_json(app.now())},
                  {"categoryId", id.str()}};
  co_await publish(tx, topics::kCategories, id, payload);
}

}  // namespace ticketly::event_command
