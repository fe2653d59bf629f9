// Organizations (API.md §1): create, read, rename, delete, logos, admin views, tier limits.
#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandOrganizations : public EcSuite {};

TEST_F(EventCommandOrganizations, CreatesAndReadsAnOrganization) {
  auto r = api().post("/v1/organizations", {{"name", "  Acme Events "}, {"website", "https://acme.lk"}}, owner_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto org = r.json();
  EXPECT_EQ(org["name"], "Acme Events");
  EXPECT_EQ(org["website"], "https://acme.lk");
  EXPECT_TRUE(org["logoUrl"].is_null());
  ASSERT_TRUE(Uuid::parse(org["id"].get<std::string>()));
  EXPECT_TRUE(org["createdAt"].is_string());
  EXPECT_TRUE(org["updatedAt"].is_string());

  auto mine = api().get("/v1/organizations/my", owner_);
  ASSERT_EQ(mine.status, 200) << mine.body;
  bool found = false;
  for (const auto& o : mine.json()) found = found || o["id"] == org["id"];
  EXPECT_TRUE(found);

  auto one = api().get("/v1/organizations/" + org["id"].get<std::string>(), owner_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["name"], "Acme Events");
}

TEST_F(EventCommandOrganizations, RequiresAToken) {
  EXPECT_EQ(api().post("/v1/organizations", {{"name", "x"}}, "").status, 401);
  EXPECT_EQ(api().get("/v1/organizations/my", "").status, 401);
  EXPECT_EQ(api().get("/v1/organizations/" + Uuid::random().str(), "").status, 401);
}

TEST_F(EventCommandOrganizations, RejectsInvalidInputWithFieldMessages) {
  auto missing = api().post("/v1/organizations", Json::object(), owner_);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.json()["message"].get<std::string>().find("name"), std::string::npos) << missing.body;
  auto too_long = api().post("/v1/organizations", {{"name", std::string(101, 'a')}}, owner_);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_NE(too_long.json()["message"].get<std::string>().find("name"), std::string::npos) << too_long.body;
  auto bad_site = api().post("/v1/organizations", {{"name", "Ok"}, {"website", "not a url"}}, owner_);
  EXPECT_EQ(bad_site.status, 400);
  EXPECT_NE(bad_site.json()["message"].get<std::string>().find("website"), std::string::npos) << bad_site.body;
  auto not_json = api().post("/v1/organizations", "[1,2]", owner_);
  EXPECT_EQ(not_json.status, 400);
}

TEST_F(EventCommandOrganizations, NulCharacterIsA400NotAServerError) {
  // {"name":"\u0000x"}: PostgreSQL cannot store a NUL, so it must not get that far.
  auto r = api().post("/v1/organizations", {{"name", std::string("\0x", 2)}}, owner_);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.json().value("message", "").find("NUL character"), std::string::npos) << r.body;
  auto query = api().get("/v1/organizations/admin/all?search=a%00b", admin_);
  EXPECT_EQ(query.status, 400) << query.body;
  EXPECT_NE(query.json().value("message", "").find("NUL character"), std::string::npos) << query.body;
}

TEST_F(EventCommandOrganizations, OnlyTheOwnerReadsChangesOrDeletes) {
  const std::string id = api().create_organization(owner_, "Owned");
  EXPECT_EQ(api().get("/v1/organizations/" + id, other_).status, 403);
  EXPECT_EQ(api().put("/v1/organizations/" + id, {{"name", "Mine now"}}, other_).status, 403);
  EXPECT_EQ(api().del("/v1/organizations/" + id, other_).status, 403);
  EXPECT_EQ(api().get("/v1/organizations/" + id + "/staff", other_).status, 403);
  EXPECT_EQ(api().get("/v1/organizations/" + Uuid::random().str(), owner_).status, 404);
  EXPECT_EQ(api().get("/v1/organizations/not-a-uuid", owner_).status, 400);
}

TEST_F(EventCommandOrganizations, RenamesWithVersionCheck) {
  const std::string id = api().create_organization(owner_, "Before");
  auto renamed = api().put("/v1/organizations/" + id, {{"name", "After"}, {"website", nullptr}}, owner_);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["name"], "After");
  EXPECT_TRUE(renamed.json()["website"].is_null());
  // A client that read version 1 lost the race against the rename above.
  auto stale = api().put("/v1/organizations/" + id, {{"name", "Stale"}}, owner_, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(api().get("/v1/organizations/" + id, owner_).json()["name"], "After");
  auto empty_name = api().put("/v1/organizations/" + id, {{"name", "   "}}, owner_);
  EXPECT_EQ(empty_name.status, 400);
  EXPECT_NE(empty_name.json()["message"].get<std::string>().find("name"), std::string::npos) << empty_name.body;
  EXPECT_EQ(api().put("/v1/organizations/" + Uuid::random().str(), {{"name", "Nobody"}}, owner_).status, 404);
  // The snapshots follow every change, with increasing versions.
  EXPECT_TRUE(wait_until_published(id, 2));
}

TEST_F(EventCommandOrganizations, UploadsServesAndDeletesALogo) {
  const std::string id = api().create_organization(owner_, "With logo");
  auto up = api().multipart("POST", "/v1/organizations/" + id + "/logo", owner_, {},
                            {{"file", "logo.png", "image/png", png_bytes()}});
  ASSERT_EQ(up.status, 200) << up.body;
  const std::string url = up.json()["logoUrl"];
  ASSERT_TRUE(url.ends_with(".png")) << url;
  const std::string file = url.substr(url.rfind('/') + 1);
  EXPECT_TRUE(Uuid::parse(file.substr(0, file.size() - 4))) << url;
  auto image = http_request(app_->port(), "GET", kBase + "/images/" + file);
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.header("content-type"), "image/png");
  EXPECT_EQ(image.body, png_bytes());

  // Not an image, whatever the part says; and too large.
  auto fake = api().multipart("POST", "/v1/organizations/" + id + "/logo", owner_, {},
                              {{"file", "logo.png", "image/png", "<svg onload=alert(1)>"}});
  EXPECT_EQ(fake.status, 415) << fake.body;
  auto big = api().multipart("POST", "/v1/organizations/" + id + "/logo", owner_, {},
                             {{"file", "logo.png", "image/png", png_bytes() + std::string((1u << 20) + 1, 'x')}});
  EXPECT_EQ(big.status == 400 || big.status == 413, true) << big.status << " " << big.body;
  EXPECT_EQ(api().multipart("POST", "/v1/organizations/" + id + "/logo", other_, {},
                            {{"file", "logo.png", "image/png", png_bytes()}})
                .status,
            403);

  auto removed = api().del("/v1/organizations/" + id + "/logo", owner_);
  EXPECT_EQ(removed.status, 204);
  EXPECT_TRUE(api().get("/v1/organizations/" + id, owner_).json()["logoUrl"].is_null());
  EXPECT_EQ(http_request(app_->port(), "GET", kBase + "/images/" + file).status, 404);
}

TEST_F(EventCommandOrganizations, DeletesAnOrganization) {
  const std::string id = api().create_organization(owner_, "Short-lived");
  EXPECT_EQ(api().del("/v1/organizations/" + id, owner_).status, 204);
  EXPECT_EQ(api().get("/v1/organizations/" + id, owner_).status, 404);
  EXPECT_EQ(api().del("/v1/organizations/" + id, owner_).status, 404);
  auto snapshots = published(*app_, "ticketly.catalog.organizations", id);
  EXPECT_TRUE(wait_until_published(id, 2));
  snapshots = published(*app_, "ticketly.catalog.organizations", id);
  ASSERT_FALSE(snapshots.empty());
  EXPECT_EQ(snapshots.back()["type"], "OrganizationDeleted");
  EXPECT_EQ(snapshots.back()["organizationId"], id);
}

TEST_F(EventCommandOrganizations, AdminViews) {
  const std::string id = api().create_organization(owner_, "Findable Org");
  auto page = api().get("/v1/organizations/admin/all?page=0&size=5&search=findable", admin_);
  ASSERT_EQ(page.status, 200) << page.body;
  auto p = page.json();
  EXPECT_EQ(p["size"], 5);
  EXPECT_EQ(p["number"], 0);
  ASSERT_GE(p["totalElements"].get<int>(), 1);
  EXPECT_EQ(p["content"][0]["name"], "Findable Org");
  EXPECT_EQ(api().get("/v1/organizations/admin/" + id, admin_).status, 200);
  EXPECT_EQ(api().get("/v1/organizations/admin/" + Uuid::random().str(), admin_).status, 404);
  EXPECT_EQ(api().get("/v1/organizations/admin/all", owner_).status, 403);
  auto sub = api().get("/v1/organizations/my", owner_).json();
  auto of_user = api().get("/v1/organizations/admin/user/" + owner_subject(), admin_);
  ASSERT_EQ(of_user.status, 200) << of_user.body;
  EXPECT_EQ(of_user.json().size(), sub.size());
  EXPECT_EQ(api().get("/v1/organizations/admin/all?size=1000", admin_).status, 400);
}

TEST_F(EventCommandOrganizations, FreePlanAllowsThreeOrganizations) {
  auto user = create_user(*app_, "free");
  for (int i = 0; i < 3; ++i) {
    auto r = api().post("/v1/organizations", {{"name", "Free " + std::to_string(i)}}, user.token);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto fourth = api().post("/v1/organizations", {{"name", "One too many"}}, user.token);
  EXPECT_EQ(fourth.status, 403) << fourth.body;
  EXPECT_NE(fourth.json()["message"].get<std::string>().find("FREE"), std::string::npos) << fourth.body;
  auto limits = api().get("/v1/config/my-limits", user.token);
  ASSERT_EQ(limits.status, 200) << limits.body;
  EXPECT_EQ(limits.json()["currentTier"], "FREE");
  EXPECT_EQ(limits.json()["tierLimits"]["maxOrganizationsPerUser"], 3);
}

}  // namespace
}  // namespace ticketly::testing::ec
