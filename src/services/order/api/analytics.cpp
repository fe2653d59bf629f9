// Organizer analytics and live checkout streams (API.md §3). Only the owner of the event
// (or organization) sees them; a session's tickets are also open to its active scanners.
#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "services/order/api/handlers.h"
#include "services/order/store/analytics_store.h"
#include "services/order/store/catalog_store.h"

namespace ticketly::order::api {

namespace {

json::Json summary_json(const store::SalesSummary& s) {
  json::Json daily = json::Json::array();
  for (const auto& d : s.daily) {
    daily.push_back({{"date", d.date}, {"revenue", money_json(d.revenue)}, {"tickets_sold", d.tickets_sold}});
  }
  json::Json tiers = json::Json::array();
  for (const auto& t : s.by_tier) {
    tiers.push_back({{"tier_id", t.tier_id.str()},
                     {"tier_name", t.tier_name},
                     {"tier_color", t.tier_color},
                     {"tickets_sold", t.tickets_sold},
                     {"revenue", money_json(t.revenue)}});
  }
  return {{"total_revenue", money_json(s.total_revenue)},
          {"total_before_discounts", money_json(s.total_before_discounts)},
          {"total_tickets_sold", s.total_tickets_sold},
          {"daily_sales", std::move(daily)},
          {"sales_by_tier", std::move(tiers)}};
}

}  // namespace

Reply event_analytics(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("id");
  co_await owned_event(app, req, id);
  store::Scope scope;
  scope.event_id = id;
  auto s = co_await store::sales_summary(app.db, scope);
  json::Json body = summary_json(s);
  body["event_id"] = id.str();
  co_return http::Response::json(200, body);
}

Reply organization_analytics(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("orgId");
  co_await require_organization_owner(app, req, id);
  store::Scope scope;
  scope.organization_id = id;
  auto s = co_await store::sales_summary(app.db, scope);
  json::Json body = summary_json(s);
  body["organization_id"] = id.str();
  co_return http::Response::json(200, body);
}

Reply session_analytics(OrderApp& app, http::Request& req) {
  const Uuid event_id = req.params.uuid("eventId");
  const Uuid session_id = req.params.uuid("sessionId");
  auto event = co_await owned_event(app, req, event_id);
  if (!event.session(session_id)) throw not_found("Session " + session_id.str() + " not found in this event");
  store::Scope scope;
  scope.event_id = event_id;
  scope.session_id = session_id;
  auto s = co_await store::sales_summary(app.db, scope);
  json::Json body = summary_json(s);
  body["event_id"] = event_id.str();
  body["session_id"] = session_id.str();
  co_return http::Response::json(200, body);
}

Reply event_session_analytics(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("id");
  auto event = co_await owned_event(app, req, id);
  auto rows = co_await store::sales_by_session(app.db, id);
  json::Json sessions = json::Json::array();
  // Every session of the event, sold or not.
  for (const auto& s : event.sessions) {
    json::Json entry = {{"session_id", s.id.str()},
                        {"total_revenue", 0},
                        {"total_before_discounts", 0},
                        {"total_tickets_sold", 0}};
    for (const auto& r : rows) {
      if (r.session_id != s.id) continue;
      entry["total_revenue"] = money_json(r.total_revenue);
      entry["total_before_discounts"] = money_json(r.total_before_discounts);
      entry["total_tickets_sold"] = r.total_tickets_sold;
    }
    sessions.push_back(std::move(entry));
  }
  co_return http::Response::json(200, {{"event_id", id.str()}, {"sessions", std::move(sessions)}});
}

Reply event_discount_analytics(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("id");
  co_await owned_event(app, req, id);
  auto rows = co_await store::discount_usage(app.db, id);
  json::Json usage = json::Json::array();
  for (const auto& u : rows) {
    usage.push_back({{"date", u.date},
                     {"discount_code", u.discount_code},
                     {"usage_count", u.usage_count},
                     {"total_discount_amount", money_json(u.total_discount_amount)}});
  }
  co_return http::Response::json(200, {{"event_id", id.str()}, {"discount_usage", std::move(usage)}});
}

Reply event_orders(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("id");
  co_await owned_event(app, req, id);
  store::OrderQuery q;
  q.event_id = id;
  q.session_id = req.query.uuid("sessionId");
  if (auto status = req.query.get("status"); status && !status->empty()) {
    const auto parsed = parse_order_status(*status);
    if (!parsed) throw bad_request("status must be one of pending, completed, cancelled");
    q.status = std::string(to_string(*parsed));  // the stored spelling: "canceled" is "cancelled"
  }
  if (auto sort = req.query.get("sort"); sort && !sort->empty()) {
    if (*sort != "price" && *sort != "created_at") throw bad_request("sort must be price or created_at");
    q.sort_by_price = *sort == "price";
  }
  if (auto order = req.query.get("order"); order && !order->empty()) {
    if (*order != "asc" && *order != "desc") throw bad_request("order must be asc or desc");
    q.ascending = *order == "asc";
  }
  q.limit = static_cast<int>(req.query.integer("limit", 1, 500).value_or(50));
  q.offset = static_cast<int>(req.query.integer("offset", 0, 1000000).value_or(0));
  auto [orders, total] = co_await store::event_orders(app.db, q);
  json::Json out = json::Json::array();
  for (const auto& o : orders) {
    auto j = order_json(o);
    j["TotalCount"] = total;
    out.push_back(std::move(j));
  }
  co_return http::Response::json(200, out);
}

Reply session_tickets(OrderApp& app, http::Request& req) {
  const auto& p = auth::principal_of(req);
  const Uuid id = req.params.uuid("id");
  auto session = co_await store::find_session(app.db, id);
  if (!session) throw not_found("Session " + id.str() + " not found");
  bool allowed = false;
  if (session->organization_id) {
    auto org = co_await store::load_organization(app.db, *session->organization_id);
    allowed = org && (org->is_owner(p.subject) || org->has_active_role(p.subject, "SCANNER"));
  }
  if (!allowed) {
    auto event = co_await store::load_event(app.db, session->event_id);
    allowed = event && !event->owner_id.empty() && event->owner_id == p.subject;
  }
  if (!allowed) throw forbidden("Only the organization's owner or its scanners may list these tickets");
  auto tickets = co_await store::session_tickets(app.db, id);
  Order context;
  context.session_id = id;
  json::Json out = json::Json::array();
  for (const auto& t : tickets) out.push_back(ticket_json(t, context));
  co_return http::Response::json(200, out);
}

Reply event_checkouts(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("eventId");
  co_await owned_event(app, req, id);
  co_return http::Response::event_stream(app.hub.subscribe(events::CheckoutHub::Scope::Event, id));
}

Reply organization_checkouts(OrderApp& app, http::Request& req) {
  const Uuid id = req.params.uuid("orgId");
  co_await require_organization_owner(app, req, id);
  co_return http::Response::event_stream(app.hub.subscribe(events::CheckoutHub::Scope::Organization, id));
}

}  // namespace ticketly::order::api
