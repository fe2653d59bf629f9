// Categories, seating templates, staff, configuration, session analytics and the AI
// overview (API.md §1).
#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandCategories : public EcSuite {};

TEST_F(EventCommandCategories, SeedsSevenRootsWithSubcategories) {
  auto r = api().get("/v1/categories", other_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto tree = r.json();
  ASSERT_EQ(tree.size(), 7u) << r.body;
  for (const auto& root : tree) {
    EXPECT_TRUE(root["parentId"].is_null());
    EXPECT_FALSE(root["subCategories"].empty()) << root.dump();
    EXPECT_EQ(root["subCategories"][0]["parentId"], root["id"]);
  }
  auto one = api().get("/v1/categories/" + tree[0]["id"].get<std::string>(), other_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["name"], tree[0]["name"]);
  EXPECT_EQ(api().get("/v1/categories/" + Uuid::random().str(), other_).status, 404);
  EXPECT_EQ(api().get("/v1/categories", "").status, 401);
}

TEST_F(EventCommandCategories, AdminsManageCategoriesWithoutDuplicatesOrCycles) {
  EXPECT_EQ(api().post("/v1/categories", {{"name", "Esports"}}, other_).status, 403);
  auto root = api().post("/v1/categories", {{"name", "Esports"}}, admin_);
  ASSERT_EQ(root.status, 201) << root.body;
  const std::string root_id = root.json()["id"];
  EXPECT_EQ(api().post("/v1/categories", {{"name", "esports"}}, admin_).status, 409);
  auto child = api().post("/v1/categories", {{"name", "Dota"}, {"parentId", root_id}}, admin_);
  ASSERT_EQ(child.status, 201) << child.body;
  const std::string child_id = child.json()["id"];
  EXPECT_EQ(child.json()["parentId"], root_id);
  EXPECT_EQ(api().post("/v1/categories", {{"name", "X"}, {"parentId", Uuid::random().str()}}, admin_).status, 400);
  EXPECT_EQ(api().post("/v1/categories", Json::object(), admin_).status, 400);
  auto long_name = api().post("/v1/categories", {{"name", std::string(101, 'c')}}, admin_);
  EXPECT_EQ(long_name.status, 400);
  EXPECT_NE(long_name.json()["message"].get<std::string>().find("name"), std::string::npos) << long_name.body;

  // Moving the root under its own child would make a cycle.
  auto cycle = api().put("/v1/categories/" + root_id, {{"name", "Esports"}, {"parentId", child_id}}, admin_);
  EXPECT_EQ(cycle.status, 400) << cycle.body;
  // An event in the category: renaming the category republishes the event's snapshot.
  const std::string org = api().create_organization(owner_, "Cat org");
  auto event = api().create_event(owner_, event_request(org, child_id));
  ASSERT_EQ(event.status, 201) << event.body;
  const std::string event_id = event.json()["id"];
  ASSERT_TRUE(wait_published("ticketly.catalog.events", event_id, 1));
  auto renamed = api().put("/v1/categories/" + child_id, {{"name", "Dota 2"}, {"parentId", root_id}}, admin_);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["name"], "Dota 2");
  ASSERT_TRUE(wait_published("ticketly.catalog.events", event_id, 2));
  auto snapshot = published(*app_, "ticketly.catalog.events", event_id).back();
  EXPECT_EQ(snapshot["event"]["category"]["name"], "Dota 2");
  EXPECT_EQ(snapshot["event"]["category"]["parentName"], "Esports");
  EXPECT_EQ(api().put("/v1/categories/" + Uuid::random().str(), {{"name", "Nope"}}, admin_).status, 404);

  EXPECT_EQ(api().del("/v1/categories/" + root_id, admin_).status, 409);  // has a child
  // In use by the event.
  EXPECT_EQ(api().del("/v1/categories/" + child_id, admin_).status, 409);
  EXPECT_EQ(api().del("/v1/categories/" + child_id, other_).status, 403);
  auto spare = api().post("/v1/categories", {{"name", "Spare"}, {"parentId", root_id}}, admin_);
  ASSERT_EQ(spare.status, 201);
  EXPECT_EQ(api().del("/v1/categories/" + spare.json()["id"].get<std::string>(), admin_).status, 200);
  ASSERT_TRUE(wait_published("ticketly.catalog.categories", spare.json()["id"], 2));
}

class EventCommandTemplates : public EcSuite {};

TEST_F(EventCommandTemplates, SavesNormalizedTemplatesAndPagesThem) {
  const std::string org = api().create_organization(owner_, "Templates");
  Json layout = {{"name", "Hall"},
                 {"layout",
                  {{"blocks",
                    {{{"id", "b1"},
                      {"name", "Stalls"},
                      {"type", "seated_grid"},
                      {"position", {{"x", 100}, {"y", 300}}},
                      {"rows", 3},
                      {"columns", 4},
                      {"capacity", 99},
                      {"width", 10}},
                     {{"id", "b2"},
                      {"name", "Stage"},
                      {"type", "non_sellable"},
                      {"position", {{"x", 200}, {"y", 150}}},
                      {"width", 300},
                      {"height", 80}}}}}}};
  auto r = api().post("/v1/seating-templates", {{"organizationId", org}, {"name", "Main"}, {"layoutData", layout}}, owner_);
  ASSERT_EQ(r.status, 201) << r.body;
  auto t = r.json();
  EXPECT_EQ(t["organizationId"], org);
  EXPECT_EQ(t["name"], "Main");
  const auto& blocks = t["layoutData"]["layout"]["blocks"];
  ASSERT_EQ(blocks.size(), 2u);
  // Shifted so the smallest x and y are the gap (25); only type-relevant fields kept.
  EXPECT_EQ(blocks[0]["position"]["x"], 25);
  EXPECT_EQ(blocks[0]["position"]["y"], 175);
  EXPECT_EQ(blocks[1]["position"]["y"], 25);
  EXPECT_EQ(blocks[0]["rows"], 3);
  EXPECT_FALSE(blocks[0].contains("capacity"));
  const std::string id = t["id"];

  EXPECT_EQ(api().get("/v1/seating-templates/" + id, owner_).status, 200);
  EXPECT_EQ(api().get("/v1/seating-templates/" + id, other_).status, 403);
  EXPECT_EQ(api().get("/v1/seating-templates/" + Uuid::random().str(), owner_).status, 404);
  auto page = api().get("/v1/seating-templates/organization/" + org, owner_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.json()["size"], 6);
  EXPECT_EQ(page.json()["totalElements"], 1);
  EXPECT_EQ(api().get("/v1/seating-templates/organization/" + org, other_).status, 403);

  auto renamed = api().put("/v1/seating-templates/" + id, {{"name", "Renamed"}, {"layoutData", layout}}, owner_);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["name"], "Renamed");
  auto nameless = api().post("/v1/seating-templates", {{"organizationId", org}, {"layoutData", {{"layout", layout["layout"]}}}}, owner_);
  EXPECT_EQ(nameless.status, 400);
  EXPECT_NE(nameless.json()["message"].get<std::string>().find("name"), std::string::npos) << nameless.body;
  EXPECT_EQ(api().post("/v1/seating-templates", {{"organizationId", org}, {"name", "X"}}, owner_).status, 400);
  EXPECT_EQ(api().post("/v1/seating-templates", {{"organizationId", org}, {"name", "X"}, {"layoutData", layout}}, other_).status,
            403);
  EXPECT_EQ(api().post("/v1/seating-templates", {{"organizationId", org}, {"name", "X"}, {"layoutData", layout}}, "").status,
            401);
  Json broken = layout;
  broken["layout"]["blocks"][0]["type"] = "balcony";
  EXPECT_EQ(api().put("/v1/seating-templates/" + id, {{"name", "X"}, {"layoutData", broken}}, owner_).status, 400);
  EXPECT_EQ(api().del("/v1/seating-templates/" + id, other_).status, 403);
  EXPECT_EQ(api().del("/v1/seating-templates/" + id, owner_).status, 200);
  EXPECT_EQ(api().get("/v1/seating-templates/" + id, owner_).status, 404);
}

TEST_F(EventCommandTemplates, FreePlanAllowsFiveTemplatesPerOrganization) {
  auto user = create_user(*app_, "free-templates");
  const std::string org = api().create_organization(user.token, "Free templates");
  Json layout = {{"name", "Hall"},
                 {"layout",
                  {{"blocks",
                    {{{"id", "b1"}, {"name", "Stage"}, {"type", "non_sellable"}, {"position", {{"x", 0}, {"y", 0}}},
                      {"width", 10}, {"height", 10}}}}}}};
  for (int i = 0; i < 5; ++i) {
    // (Not "T" + std::to_string(i): g++ 12 -O3 reports a false -Wrestrict on that form.)
    std::string name = std::to_string(i);
    name.insert(0, "Template ");
    auto r = api().post("/v1/seating-templates", {{"organizationId", org}, {"name", name}, {"layoutData", layout}},
                        user.token);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto sixth = api().post("/v1/seating-templates", {{"organizationId", org}, {"name", "T6"}, {"layoutData", layout}}, user.token);
  EXPECT_EQ(sixth.status, 403) << sixth.body;
}

class EventCommandStaff : public EcSuite {};

TEST_F(EventCommandStaff, InvitesActivatesAndRemovesScanners) {
  auto c = create_event();
  const std::string base = "/v1/organizations/" + c.org + "/staff";
  // The invited user already exists in the provider (the PRO seed user).
  auto invited = api().post(base, {{"email", kProUser}, {"roles", {"SCANNER"}}}, owner_);
  ASSERT_EQ(invited.status, 201) << invited.body;
  auto m = invited.json();
  EXPECT_EQ(m["email"], kProUser);
  EXPECT_EQ(m["roles"], Json::array({"SCANNER"}));
  EXPECT_EQ(m["active"], true);
  const std::string user_id = m["userId"];
  EXPECT_EQ(user_id, subject_of(other_));
  EXPECT_EQ(api().post(base, {{"email", kProUser}, {"roles", {"SCANNER"}}}, owner_).status, 409);
  EXPECT_EQ(api().post(base, {{"email", "not-an-email"}, {"roles", {"SCANNER"}}}, owner_).status, 400);
  EXPECT_EQ(api().post(base, {{"email", "x@example.com"}, {"roles", {"ADMIN"}}}, owner_).status, 400);
  EXPECT_EQ(api().post(base, {{"email", "x@example.com"}, {"roles", {"SCANNER"}}}, other_).status, 403);

  // A new address: the user is created in the provider.
  auto fresh = api().post(base, {{"email", "new.scanner@example.com"}, {"roles", {"SCANNER"}}}, owner_);
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_TRUE(Uuid::parse(fresh.json()["userId"].get<std::string>()));

  auto list = api().get(base, owner_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json().size(), 2u);

  // An active scanner may read the organization's sessions, the owner rights stay with the owner.
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), other_).status, 200);
  EXPECT_EQ(api().get("/v1/events/" + c.event, other_).status, 403);
  const std::string svc = service();
  EXPECT_EQ(api().get("/internal/v1/sessions/verify-role?sessionId=" + c.session() + "&userId=" + user_id + "&role=SCANNER", svc)
                .body,
            "true");

  auto inactive = api().patch(base + "/" + user_id + "/status", {{"isActive", false}}, owner_);
  ASSERT_EQ(inactive.status, 200) << inactive.body;
  EXPECT_EQ(inactive.json()["active"], false);
  EXPECT_EQ(api().get("/v1/sessions/" + c.session(), other_).status, 403);
  EXPECT_EQ(api().patch(base + "/" + user_id + "/status", {{"active", true}}, owner_).json()["active"], true);
  EXPECT_EQ(api().patch(base + "/" + user_id + "/status", Json::object(), owner_).status, 400);
  EXPECT_EQ(api().patch(base + "/" + user_id + "/status", {{"isActive", false}}, other_).status, 403);

  EXPECT_EQ(api().del(base + "/" + user_id, owner_).status, 200);
  EXPECT_EQ(api().del(base + "/" + user_id, owner_).status, 404);
  EXPECT_EQ(api().get(base, owner_).json().size(), 1u);
}

class EventCommandMisc : public EcSuite {};

TEST_F(EventCommandMisc, ConfigShowsTheCallersTierLimits) {
  auto r = api().get("/v1/config", owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = r.json();
  EXPECT_EQ(c["currentTier"], "ENTERPRISE");
  EXPECT_EQ(c["tierLimits"]["maxOrganizationsPerUser"], 100);
  EXPECT_EQ(c["tierLimits"]["maxSeatingLayoutsPerOrg"], 200);
  EXPECT_EQ(c["tierLimits"]["maxActiveEvents"], 1000);
  EXPECT_EQ(c["tierLimits"]["maxSessionsPerEvent"], 200);
  EXPECT_EQ(c["organizationLimits"]["maxLogoSize"], 1 << 20);
  EXPECT_EQ(c["eventLimits"]["maxCoverPhotos"], 5);
  EXPECT_EQ(c["eventLimits"]["maxCoverPhotoSize"], 5 << 20);
  EXPECT_EQ(c["seatingLayoutConfig"]["defaultPageSize"], 6);
  EXPECT_EQ(c["seatingLayoutConfig"]["defaultGap"], 25);
  auto pro = api().get("/v1/config/my-limits", other_).json();
  EXPECT_EQ(pro["currentTier"], "PRO");
  EXPECT_EQ(pro["tierLimits"]["maxSessionsPerEvent"], 52);
  EXPECT_EQ(api().get("/v1/config", "").status, 401);
}

TEST_F(EventCommandMisc, SessionAnalyticsCountByStatus) {
  auto c = create_event();
  Json more = sample_session(vip_tier(c.request), ga_tier(c.request));
  ASSERT_EQ(api().post("/v1/sessions", {{"eventId", c.event}, {"sessions", {more}}}, owner_).status, 201);
  auto r = api().get("/v1/session-analytics/organizations/" + c.org, owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = r.json();
  EXPECT_EQ(a["organizationId"], c.org);
  EXPECT_EQ(a["totalSessions"], 2);
  bool scheduled = false;
  for (const auto& s : a["sessionsByStatus"]) {
    if (s["status"] == "SCHEDULED") scheduled = s["count"] == 2;
  }
  EXPECT_TRUE(scheduled) << r.body;
  auto e = api().get("/v1/session-analytics/organizations/" + c.org + "/events/" + c.event, owner_);
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.json()["eventId"], c.event);
  EXPECT_EQ(e.json()["eventTitle"], "Symphony Night");
  auto sessions = api().get("/v1/session-analytics/organizations/" + c.org + "/sessions?status=SCHEDULED", owner_);
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  EXPECT_EQ(sessions.json()["totalElements"], 2);
  EXPECT_EQ(sessions.json()["content"][0]["eventTitle"], "Symphony Night");
  EXPECT_EQ(api().get("/v1/session-analytics/organizations/" + c.org, other_).status, 403);
  EXPECT_EQ(api().get("/v1/session-analytics/admin/organizations/" + c.org, admin_).status, 200);
  auto admin_event = api().get("/v1/session-analytics/admin/organizations/" + c.org + "/events/" + c.event, admin_);
  ASSERT_EQ(admin_event.status, 200) << admin_event.body;
  EXPECT_EQ(admin_event.json()["totalSessions"], 2);
  EXPECT_EQ(api().get("/v1/session-analytics/organizations/" + c.org + "/events/" + Uuid::random().str(), owner_).status,
            404);
  EXPECT_EQ(api().get("/v1/session-analytics/organizations/" + c.org + "/sessions?status=NOPE", owner_).status, 400);
  EXPECT_EQ(api().get("/v1/session-analytics/admin/organizations/" + c.org, other_).status, 403);
  EXPECT_EQ(api().get("/v1/session-analytics/organizations/" + Uuid::random().str(), owner_).status, 404);
}

TEST_F(EventCommandMisc, GeneratesADeterministicOverviewDraft) {
  Json req = {{"prompt", "A night of jazz"}, {"title", "Jazz Night"}, {"organization", "Blue Note"}, {"category", "Music"}};
  auto r = api().post("/v1/ai/generate-overview", req, other_);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string md = r.json()["markdownContent"];
  EXPECT_NE(md.find("Jazz Night"), std::string::npos) << md;
  EXPECT_NE(md.find("Blue Note"), std::string::npos) << md;
  EXPECT_EQ(api().post("/v1/ai/generate-overview", req, other_).json()["markdownContent"], md);
  EXPECT_EQ(api().post("/v1/ai/generate-overview", Json::object(), other_).status, 400);
  EXPECT_EQ(api().post("/v1/ai/generate-overview", req, "").status, 401);
}

}  // namespace
}  // namespace ticketly::testing::ec
