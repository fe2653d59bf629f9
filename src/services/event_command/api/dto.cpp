#include "services/event_command/api/dto.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "services/event_command/domain/discounts.h"
#include "services/event_command/domain/money.h"

namespace ticketly::event_command::dto {
namespace {

void mark_booked(Json& seats, const std::unordered_set<std::string>& booked) {
  if (!seats.is_array()) return;
  for (auto& seat : seats) {
    if (seat.is_object() && seat.contains("id") && seat["id"].is_string() &&
        booked.contains(seat["id"].get<std::string>())) {
      seat["status"] = "BOOKED";
    }
  }
}

Json with_booked(const Json& layout, const std::vector<Uuid>& booked) {
  if (booked.empty() || !layout.contains("layout")) return layout;
  std::unordered_set<std::string> ids;
  for (const auto& id : booked) ids.insert(id.str());
  Json out = layout;
  for (auto& block : out["layout"]["blocks"]) {
    if (block.contains("seats")) mark_booked(block["seats"], ids);
    if (block.contains("rows") && block["rows"].is_array()) {
      for (auto& row : block["rows"]) mark_booked(row["seats"], ids);
    }
  }
  return out;
}

}  // namespace

Json time_json(Timestamp t) { return format_iso8601(t); }
Json time_json(const std::optional<Timestamp>& t) { return t ? Json(format_iso8601(*t)) : Json(nullptr); }
Json text_json(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

Json ids_json(const std::vector<Uuid>& ids) {
  Json out = Json::array();
  for (const auto& id : ids) out.push_back(id.str());
  return out;
}

Json organization(const App& app, const Organization& o) {
  return {{"id", o.id.str()},
          {"name", o.name},
          {"logoUrl", o.logo ? Json(app.image_url(*o.logo)) : Json(nullptr)},
          {"website", text_json(o.website)},
          {"ownerId", o.owner_id},
          {"version", o.version},
          {"createdAt", time_json(o.created_at)},
          {"updatedAt", time_json(o.updated_at)}};
}

Json member(const Member& m) {
  return {{"id", m.id.str()},       {"userId", m.user_id}, {"email", m.email},
          {"name", m.name},         {"roles", m.roles},    {"active", m.active},
          {"organizationId", m.organization_id.str()}, {"createdAt", time_json(m.created_at)}};
}

Json tier(const Tier& t, const std::optional<Uuid>& event_id) {
  Json out = {{"id", t.id.str()}, {"name", t.name}, {"color", t.color}, {"price", to_major(t.price)}};
  if (event_id) out["eventId"] = event_id->str();
  return out;
}

Json session(const Session& s, const std::vector<Uuid>& booked) {
  return {{"id", s.id.str()},
          {"eventId", s.event_id.str()},
          {"startTime", time_json(s.schedule.start)},
          {"endTime", time_json(s.schedule.end)},
          {"salesStartTime", time_json(s.schedule.sales_start)},
          {"sessionType", to_string(s.type)},
          {"venueDetails", venue_to_json(s.venue)},
          {"status", to_string(s.status)},
          {"layoutData", with_booked(s.layout, booked)}};
}

Json discount(const Discount& d) {
  return {{"id", d.id.str()},
          {"eventId", d.event_id.str()},
          {"code", d.code},
          {"parameters", parameters_to_json(d.parameters)},
          {"maxUsage", d.max_usage ? Json(*d.max_usage) : Json(nullptr)},
          {"currentUsage", d.current_usage},
          {"discountedTotal", to_major(d.discounted_total)},
          {"active", d.active},
          {"public", d.is_public},
          {"activeFrom", time_json(d.active_from)},
          {"expiresAt", time_json(d.expires_at)},
          {"applicableTierIds", ids_json(d.applicable_tier_ids)},
          {"applicableSessionIds", ids_json(d.applicable_session_ids)}};
}

Json event_detail(const App& app, const EventAggregate& a) {
  Json photos = Json::array(), tiers = Json::array(), sessions = Json::array(), discounts = Json::array();
  for (const auto& p : a.cover_photos) photos.push_back(app.image_url(p));
  for (const auto& t : a.tiers) tiers.push_back(tier(t, a.event.id));
  for (const auto& s : a.sessions) sessions.push_back(session(s));
  for (const auto& d : a.discounts) discounts.push_back(discount(d));
  return {{"id", a.event.id.str()},
          {"title", a.event.title},
          {"description", text_json(a.event.description)},
          {"overview", text_json(a.event.overview)},
          {"status", to_string(a.event.status)},
          {"rejectionReason", text_json(a.event.rejection_reason)},
          {"coverPhotos", std::move(photos)},
          {"organizationId", a.organization.id.str()},
          {"organizationName", a.organization.name},
          {"categoryId", a.category.id.str()},
          {"categoryName", a.category.name},
          {"createdAt", time_json(a.event.created_at)},
          {"updatedAt", time_json(a.event.updated_at)},
          {"version", a.event.version},
          {"tiers", std::move(tiers)},
          {"sessions", std::move(sessions)},
          {"discounts", std::move(discounts)}};
}

Json event_created(const Event& e) {
  return {{"id", e.id.str()},
          {"title", e.title},
          {"status", to_string(e.status)},
          {"organizationId", e.organization_id.str()},
          {"version", e.version},
          {"createdAt", time_json(e.created_at)},
          {"updatedAt", time_json(e.updated_at)}};
}

Json event_summary(const App& app, const store::EventSummary& s) {
  return {{"id", s.id.str()},
          {"title", s.title},
          {"status", to_string(s.status)},
          {"organizationName", s.organization_name},
          {"organizationId", s.organization_id.str()},
          {"createdAt", time_json(s.created_at)},
          {"updatedAt", time_json(s.updated_at)},
          {"description", s.description ? Json(shorten(*s.description, 150)) : Json(nullptr)},
          {"coverPhoto", s.cover ? Json(app.image_url(*s.cover)) : Json(nullptr)},
          {"sessionCount", s.session_count},
          {"earliestSessionDate", time_json(s.earliest_session)},
          {"version", s.version}};
}

Json seating_template(const SeatingTemplate& t) {
  return {{"id", t.id.str()},
          {"organizationId", t.organization_id.str()},
          {"name", t.name},
          {"version", t.version},
          {"createdAt", time_json(t.created_at)},
          {"updatedAt", time_json(t.updated_at)},
          {"layoutData", t.layout}};
}

namespace {

// `path` holds the ids from the walk's root down to `node`. Updates serialise parent
// changes, but a cycle or a very deep chain already stored must not overflow the stack.
Json category_node(const Category& node, const std::vector<Category>& all, std::vector<Uuid>& path) {
  path.push_back(node.id);
  Json children = Json::array();
  for (const auto& c : all) {
    if (path.size() >= kMaxCategoryDepth) break;
    if (c.parent_id != node.id || std::find(path.begin(), path.end(), c.id) != path.end()) continue;
    children.push_back(category_node(c, all, path));
  }
  path.pop_back();
  return {{"id", node.id.str()},
          {"name", node.name},
          {"parentId", node.parent_id ? Json(node.parent_id->str()) : Json(nullptr)},
          {"version", node.version},
          {"subCategories", std::move(children)}};
}

}  // namespace

Json category_tree(const Category& root, const std::vector<Category>& all) {
  std::vector<Uuid> path;
  return category_node(root, all, path);
}

Json category_forest(const std::vector<Category>& all) {
  Json out = Json::array();
  for (const auto& c : all) {
    if (!c.parent_id) out.push_back(category_tree(c, all));
  }
  return out;
}

Json session_listing(const store::SessionListing& l) {
  return {{"sessionId", l.session.id.str()},
          {"startTime", time_json(l.session.schedule.start)},
          {"endTime", time_json(l.session.schedule.end)},
          {"salesStartTime", time_json(l.session.schedule.sales_start)},
          {"sessionType", to_string(l.session.type)},
          {"sessionStatus", to_string(l.session.status)},
          {"eventId", l.session.event_id.str()},
          {"eventTitle", l.event_title},
          {"eventStatus", to_string(l.event_status)},
          {"categoryName", l.category_name}};
}

Json page(Json content, std::int64_t total, const PageRequest& request) {
  const auto count = static_cast<std::int64_t>(content.size());
  const std::int64_t pages = request.size > 0 ? (total + request.size - 1) / request.size : 0;
  return {{"content", std::move(content)},
          {"totalElements", total},
          {"totalPages", pages},
          {"number", request.page},
          {"size", request.size},
          {"numberOfElements", count},
          {"first", request.page == 0},
          {"last", request.page + 1 >= pages},
          {"empty", count == 0}};
}

Json message(std::string text) { return {{"message", std::move(text)}}; }

std::string shorten(const std::string& text, std::size_t max) {
  std::size_t chars = 0, i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max) break;
      ++chars;
    }
  }
  if (i >= text.size()) return text;
  return text.substr(0, i) + "...";
}

}  // namespace ticketly::event_command::dto
