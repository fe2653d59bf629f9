// Seating-layout templates of an organization: saved normalized (grids as counts,
// positions shifted to the gap, only the fields of each block's type).
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/layout.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/store/categories_store.h"
#include "services/event_command/store/organizations_store.h"

namespace ticketly::event_command::api {
namespace {

inline constexpr std::int64_t kDefaultTemplatePageSize = 6;

struct TemplateInput {
  std::string name;
  Json layout;
};

TemplateInput read_template(const Json& body, const App& app) {
  json::ObjectReader r(body);
  if (!r.has("layoutData")) throw bad_request("'layoutData' is required");
  TemplateInput in;
  in.layout = normalize_template_layout(body.at("layoutData"), app.settings.max_seats_per_session, "layoutData");
  in.name = r.optional_string("name", {.max = 100}).value_or("");
  if (in.name.empty()) in.name = in.layout.value("name", "");
  if (in.name.empty()) throw bad_request("'name' is required");
  in.layout["name"] = in.name;
  return in;
}

// The template, 404 when missing, 403 unless the caller owns its organization.
asio::awaitable<SeatingTemplate> owned_template(db::Connection& c, const auth::Principal& who, const Uuid& id,
                                                bool lock) {
  auto t = co_await store::find_template(c, id, lock);
  if (!t) throw not_found("Seating template " + id.str() + " not found");
  co_await owned_organization(c, who, t->organization_id);
  co_return std::move(*t);
}

}  // namespace

asio::awaitable<Response> list_templates(App& app, Request& req) {
  const Uuid org_id = req.params.uuid("orgId");
  const PageRequest page = read_page(req, kDefaultTemplatePageSize);
  auto work = [&](db::Connection& c) -> asio::awaitable<Page<SeatingTemplate>> {
    co_await owned_organization(c, caller(req), org_id);
    co_return co_await store::templates_of_organization(c, org_id, page);
  };
  auto result = co_await app.db.transaction(work, kReadOnly);
  Json content = Json::array();
  for (const auto& t : result.items) content.push_back(dto::seating_template(t));
  co_return ok(dto::page(std::move(content), result.total, page));
}

asio::awaitable<Response> create_template(App& app, Request& req) {
  const auth::Principal& who = caller(req);
  Json body = json_object(req);
  json::ObjectReader r(body);
  SeatingTemplate t;
  t.id = Uuid::random();
  t.organization_id = r.required_uuid("organizationId");
  TemplateInput in = read_template(body, app);
  t.name = std::move(in.name);
  t.layout = std::move(in.layout);
  const TierLimits& limits = limits_for(who.tier);
  auto work = [&](db::Connection& tx) -> asio::awaitable<SeatingTemplate> {
    co_await owned_organization(tx, who, t.organization_id, true);  // serialises the count
    const auto count = co_await store::count_templates(tx, t.organization_id);
    if (count >= limits.max_seating_layouts_per_org) {
      throw forbidden("Your " + std::string(limits.tier) + " plan allows at most " +
                      std::to_string(limits.max_seating_layouts_per_org) + " seating templates per organization");
    }
    co_await store::insert_template(tx, t);
    auto saved = co_await store::find_template(tx, t.id);
    co_return std::move(*saved);
  };
  auto saved = co_await app.db.transaction(work);
  co_return json(201, dto::seating_template(saved));
}

asio::awaitable<Response> get_template(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  auto work = [&](db::Connection& c) -> asio::awaitable<SeatingTemplate> {
    co_return co_await owned_template(c, caller(req), id, false);
  };
  auto t = co_await app.db.transaction(work, kReadOnly);
  co_return ok(dto::seating_template(t));
}

asio::awaitable<Response> update_template(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  TemplateInput in = read_template(body, app);
  const auto expected = expected_version(req, &body);
  auto work = [&](db::Connection& tx) -> asio::awaitable<SeatingTemplate> {
    SeatingTemplate before = co_await owned_template(tx, caller(req), id, true);
    check_version(expected, before.version, "seating template");
    co_return co_await store::update_template(tx, id, in.name, in.layout);
  };
  auto t = co_await app.db.transaction(work);
  co_return ok(dto::seating_template(t));
}

asio::awaitable<Response> delete_template(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const auto expected = expected_version(req);
  auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
    SeatingTemplate before = co_await owned_template(tx, caller(req), id, true);
    check_version(expected, before.version, "seating template");
    co_await store::delete_template(tx, id);
  };
  co_await app.db.transaction(work);
  co_return ok(dto::message("Seating template deleted"));
}

}  // namespace ticketly::event_command::api
