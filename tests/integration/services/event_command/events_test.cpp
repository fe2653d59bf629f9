// Events (API.md §1): creation from one multipart request, reading, listing, approval,
// rejection, updates, cover photos and deletion.
#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandEvents : public EcSuite {
 protected:
  // Creates the request as is and returns the response.
  HttpResult try_create(const std::function<void(Json&)>& change) const {
    const std::string org = org_id();
    Json request = event_request(org, api().any_category(owner_));
    change(request);
    return api().create_event(owner_, request);
  }
  static std::string message(const HttpResult& r) { return r.json().value("message", ""); }
  std::string org_id() const {
    static std::string org;
    if (org.empty()) org = api().create_organization(owner_, "Validation Org");
    return org;
  }
};

TEST_F(EventCommandEvents, CreatesAnEventFromOneMultipartRequest) {
  const std::string org = api().create_organization(owner_, "Creators");
  Json request = event_request(org, api().any_category(owner_));
  auto r = api().create_event(owner_, request,
                              {{"coverImages", "a.png", "image/png", png_bytes()},
                               {"coverImages", "b.jpg", "image/jpeg", jpeg_bytes()}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto created = r.json();
  EXPECT_EQ(created["status"], "PENDING");
  EXPECT_EQ(created["title"], "Symphony Night");
  EXPECT_EQ(created["organizationId"], org);
  const std::string id = created["id"];

  auto detail = api().get("/v1/events/" + id, owner_);
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto e = detail.json();
  EXPECT_EQ(e["organizationName"], "Creators");
  EXPECT_TRUE(e["rejectionReason"].is_null());
  ASSERT_EQ(e["coverPhotos"].size(), 2u);
  EXPECT_TRUE(e["coverPhotos"][0].get<std::string>().ends_with(".png"));
  EXPECT_TRUE(e["coverPhotos"][1].get<std::string>().ends_with(".jpg"));
  // Client ids are kept.
  ASSERT_EQ(e["tiers"].size(), 2u);
  EXPECT_EQ(e["tiers"][0]["id"], vip_tier(request));
  EXPECT_EQ(e["tiers"][0]["price"], 5000.5);
  ASSERT_EQ(e["sessions"].size(), 1u);
  EXPECT_EQ(e["sessions"][0]["id"], session_id(request));
  EXPECT_EQ(e["sessions"][0]["status"], "SCHEDULED");
  const auto& blocks = e["sessions"][0]["layoutData"]["layout"]["blocks"];
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]["rows"][0]["seats"][2]["status"], "RESERVED");
  EXPECT_EQ(blocks[1]["seats"].size(), 2u);
  ASSERT_EQ(e["discounts"].size(), 1u);
  EXPECT_EQ(e["discounts"][0]["id"], discount_id(request));
  EXPECT_EQ(e["discounts"][0]["code"], "SUMMER10");
  EXPECT_EQ(e["discounts"][0]["public"], true);
  EXPECT_EQ(e["discounts"][0]["applicableSessionIds"][0], session_id(request));

  // The snapshot went to the bus.
  ASSERT_TRUE(wait_published("ticketly.catalog.events", id, 1));
  auto snapshot = published(*app_, "ticketly.catalog.events", id).back();
  EXPECT_EQ(snapshot["type"], "EventSnapshot");
  EXPECT_EQ(snapshot["event"]["ownerId"], owner_subject());
  EXPECT_EQ(snapshot["event"]["sessions"][0]["layoutData"]["layout"]["blocks"].size(), 3u);
  EXPECT_EQ(snapshot["event"]["organization"]["name"], "Creators");
}

TEST_F(EventCommandEvents, CreationNeedsOwnershipAndAToken) {
  const std::string org = api().create_organization(owner_, "Not yours");
  Json request = event_request(org, api().any_category(owner_));
  EXPECT_EQ(api().create_event("", request).status, 401);
  EXPECT_EQ(api().create_event(other_, request).status, 403);
  request["organizationId"] = Uuid::random().str();
  EXPECT_EQ(api().create_event(owner_, request).status, 404);
}

TEST_F(EventCommandEvents, CreationValidatesEveryPart) {
  auto dup_tier = try_create([](Json& r) { r["tiers"][1]["id"] = vip_tier(r); });
  EXPECT_EQ(dup_tier.status, 400);
  EXPECT_NE(message(dup_tier).find("Duplicate tier id"), std::string::npos) << dup_tier.body;

  auto untiered = try_create([](Json& r) {
    r["sessions"][0]["layoutData"]["layout"]["blocks"][0]["rows"][0]["seats"][0]["tierId"] = nullptr;
  });
  EXPECT_EQ(untiered.status, 400) << untiered.body;

  auto foreign_tier = try_create([](Json& r) {
    r["sessions"][0]["layoutData"]["layout"]["blocks"][0]["rows"][0]["seats"][0]["tierId"] = Uuid::random().str();
  });
  EXPECT_EQ(foreign_tier.status, 400) << foreign_tier.body;

  auto short_session = try_create([](Json& r) { r["sessions"][0]["endTime"] = iso_from_now(std::chrono::hours(72) + std::chrono::minutes(10)); });
  EXPECT_EQ(short_session.status, 400);
  EXPECT_NE(message(short_session).find("at least 30 minutes"), std::string::npos) << short_session.body;

  auto long_session = try_create([](Json& r) { r["sessions"][0]["endTime"] = iso_from_now(std::chrono::hours(72 + 13)); });
  EXPECT_NE(message(long_session).find("at most 12 hours"), std::string::npos) << long_session.body;

  auto late_sales = try_create([](Json& r) { r["sessions"][0]["salesStartTime"] = iso_from_now(std::chrono::hours(73)); });
  EXPECT_NE(message(late_sales).find("salesStartTime must be before startTime"), std::string::npos) << late_sales.body;

  auto past = try_create([](Json& r) {
    r["sessions"][0]["startTime"] = iso_from_now(-std::chrono::hours(2));
    r["sessions"][0]["endTime"] = iso_from_now(-std::chrono::hours(1));
    r["sessions"][0]["salesStartTime"] = iso_from_now(-std::chrono::hours(3));
  });
  EXPECT_NE(message(past).find("startTime must be in the future"), std::string::npos) << past.body;

  auto no_venue_name = try_create([](Json& r) { r["sessions"][0]["venueDetails"].erase("name"); });
  EXPECT_NE(message(no_venue_name).find("name' is required for a PHYSICAL session"), std::string::npos)
      << no_venue_name.body;

  auto online_without_link = try_create([](Json& r) { r["sessions"][0]["sessionType"] = "ONLINE"; });
  EXPECT_NE(message(online_without_link).find("onlineLink' is required for an ONLINE session"), std::string::npos)
      << online_without_link.body;

  auto dup_session = try_create([](Json& r) { r["sessions"].push_back(sample_session(vip_tier(r), ga_tier(r), session_id(r))); });
  EXPECT_NE(message(dup_session).find("Duplicate session id"), std::string::npos) << dup_session.body;

  auto dup_code = try_create([](Json& r) {
    Json d = r["discounts"][0];
    d["id"] = Uuid::random().str();
    d["code"] = "summer10";
    r["discounts"].push_back(d);
  });
  EXPECT_NE(message(dup_code).find("Duplicate discount code"), std::string::npos) << dup_code.body;

  auto discount_foreign_tier = try_create([](Json& r) { r["discounts"][0]["applicableTierIds"] = {Uuid::random().str()}; });
  EXPECT_EQ(discount_foreign_tier.status, 400) << discount_foreign_tier.body;

  auto bad_percentage = try_create([](Json& r) { r["discounts"][0]["parameters"]["percentage"] = 150; });
  EXPECT_EQ(bad_percentage.status, 400) << bad_percentage.body;

  auto negative_price = try_create([](Json& r) { r["tiers"][0]["price"] = -1; });
  EXPECT_EQ(negative_price.status, 400);
  EXPECT_NE(message(negative_price).find("price"), std::string::npos) << negative_price.body;

  auto bad_color = try_create([](Json& r) { r["tiers"][0]["color"] = "red"; });
  EXPECT_NE(message(bad_color).find("color"), std::string::npos) << bad_color.body;

  auto short_title = try_create([](Json& r) { r["title"] = "ab"; });
  EXPECT_NE(message(short_title).find("title"), std::string::npos) << short_title.body;

  auto no_category = try_create([](Json& r) { r["categoryId"] = Uuid::random().str(); });
  EXPECT_EQ(no_category.status, 400);
  EXPECT_NE(message(no_category).find("categoryId"), std::string::npos) << no_category.body;

  auto fake_image = api().create_event(owner_, event_request(org_id(), api().any_category(owner_)),
                                       {{"coverImages", "x.png", "image/png", "GIF87a-not-really"}});
  EXPECT_EQ(fake_image.status, 415) << fake_image.body;  // GIF bytes named .png

  std::vector<FilePart> six(6, FilePart{"coverImages", "a.png", "image/png", png_bytes()});
  auto too_many = api().create_event(owner_, event_request(org_id(), api().any_category(owner_)), six);
  EXPECT_EQ(too_many.status, 400) << too_many.body;

  auto no_request = api().multipart("POST", "/v1/events", owner_, {}, {{"coverImages", "a.png", "image/png", png_bytes()}});
  EXPECT_EQ(no_request.status, 400) << no_request.body;

  // Nothing of the refused requests was stored.
  auto listed = api().get("/v1/events/organization/" + org_id(), owner_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["totalElements"], 0);
}

TEST_F(EventCommandEvents, ReadingNeedsOwnerOrEventAdmin) {
  auto c = create_event();
  EXPECT_EQ(api().get("/v1/events/" + c.event, "").status, 401);
  EXPECT_EQ(api().get("/v1/events/" + c.event, other_).status, 403);
  EXPECT_EQ(api().get("/v1/events/" + Uuid::random().str(), owner_).status, 404);
  EXPECT_EQ(api().get("/v1/events/admin/" + c.event, other_).status, 403);
  auto admin = api().get("/v1/events/admin/" + c.event, admin_);
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.json()["id"], c.event);
}

TEST_F(EventCommandEvents, ListsSummariesWithFiltersAndPaging) {
  auto c = create_event();
  Json second = event_request(c.org, c.category);
  second["title"] = "Jazz Evening";
  second["description"] = std::string(200, 'd');
  ASSERT_EQ(api().create_event(owner_, second).status, 201);

  auto all = api().get("/v1/events/organization/" + c.org, owner_);
  ASSERT_EQ(all.status, 200) << all.body;
  auto page = all.json();
  EXPECT_EQ(page["totalElements"], 2);
  EXPECT_EQ(page["content"][0]["title"], "Jazz Evening");  // updatedAt,desc
  EXPECT_EQ(page["content"][0]["description"].get<std::string>().size(), 153u);
  EXPECT_TRUE(page["content"][0]["description"].get<std::string>().ends_with("..."));
  EXPECT_EQ(page["content"][0]["sessionCount"], 1);
  EXPECT_TRUE(page["content"][0]["earliestSessionDate"].is_string());

  auto searched = api().get("/v1/events/organization/" + c.org + "?search=jazz", owner_).json();
  EXPECT_EQ(searched["totalElements"], 1);
  auto paged = api().get("/v1/events/organization/" + c.org + "?size=1&page=1&sort=title,asc", owner_).json();
  EXPECT_EQ(paged["numberOfElements"], 1);
  EXPECT_EQ(paged["content"][0]["title"], "Symphony Night");
  EXPECT_EQ(paged["last"], true);
  EXPECT_EQ(api().get("/v1/events/organization/" + c.org + "?status=NOPE", owner_).status, 400);
  EXPECT_EQ(api().get("/v1/events/organization/" + c.org, other_).status, 403);

  auto admin = api().get("/v1/events/admin/all?status=PENDING&search=symphony", admin_);
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_GE(admin.json()["totalElements"].get<int>(), 1);
  EXPECT_EQ(api().get("/v1/events/admin/organization/" + c.org, admin_).json()["totalElements"], 2);
  EXPECT_EQ(api().get("/v1/events/admin/all", owner_).status, 403);
}

TEST_F(EventCommandEvents, ApprovalByAnAdminWhoIsNotTheOwner) {
  // The admin's own event cannot be approved by the admin.
  const std::string admin_org = api().create_organization(admin_, "Admin's org");
  auto own = api().create_event(admin_, event_request(admin_org, api().any_category(admin_)));
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(api().post("/v1/events/" + own.json()["id"].get<std::string>() + "/approve", Json::object(), admin_).status,
            403);

  auto c = create_event();
  EXPECT_EQ(api().post("/v1/events/" + c.event + "/approve", Json::object(), owner_).status, 403);
  EXPECT_EQ(api().post("/v1/events/" + c.event + "/approve", Json::object(), "").status, 401);
  EXPECT_EQ(api().post("/v1/events/" + Uuid::random().str() + "/approve", Json::object(), admin_).status, 404);
  auto approved = api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json()["status"], "APPROVED");
  EXPECT_EQ(approved.json()["sessions"][0]["status"], "SCHEDULED");  // sales start tomorrow
  EXPECT_EQ(api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_).status, 409);
  EXPECT_EQ(api().post("/v1/events/" + c.event + "/reject", {{"reason", "late"}}, admin_).status, 409);
}

TEST_F(EventCommandEvents, ApprovalPutsSessionsOnSaleWhoseSalesStarted) {
  Json request = event_request("", "");
  request["sessions"][0]["salesStartTime"] = iso_from_now(-std::chrono::hours(1));
  request["categoryId"] = api().any_category(owner_);
  auto c = create_event(request);
  auto approved = api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json()["sessions"][0]["status"], "ON_SALE");
  // While a session is on sale the event cannot be deleted.
  EXPECT_EQ(api().del("/v1/events/" + c.event, owner_).status, 409);
  EXPECT_EQ(api().del("/v1/organizations/" + c.org, owner_).status, 409);
}

TEST_F(EventCommandEvents, RejectionNeedsAReason) {
  auto c = create_event();
  auto no_reason = api().post("/v1/events/" + c.event + "/reject", Json::object(), admin_);
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_NE(message(no_reason).find("reason"), std::string::npos);
  EXPECT_EQ(api().post("/v1/events/" + c.event + "/reject", {{"reason", "x"}}, owner_).status, 403);
  auto rejected = api().post("/v1/events/" + c.event + "/reject", {{"reason", "Missing details"}}, admin_);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.json()["status"], "REJECTED");
  EXPECT_EQ(rejected.json()["rejectionReason"], "Missing details");
  EXPECT_EQ(api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_).status, 409);
}

TEST_F(EventCommandEvents, UpdatesFieldsWithOptimisticConcurrency) {
  auto c = create_event();
  auto updated = api().put("/v1/events/" + c.event + "/update", {{"title", "New Title"}, {"description", nullptr}}, owner_);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["title"], "New Title");
  EXPECT_TRUE(updated.json()["description"].is_null());
  EXPECT_EQ(updated.json()["overview"], "# Symphony Night");
  EXPECT_EQ(api().put("/v1/events/" + c.event + "/update", {{"title", "ab"}}, owner_).status, 400);
  EXPECT_EQ(api().put("/v1/events/" + c.event + "/update", {{"title", "Other's"}}, other_).status, 403);
  EXPECT_EQ(api().put("/v1/events/" + Uuid::random().str() + "/update", {{"title", "None"}}, owner_).status, 404);
  // Version 1 was read before the update above: refused, nothing lost.
  auto stale = api().put("/v1/events/" + c.event + "/update", {{"title", "Stale"}}, owner_, {{"If-Match", "1"}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(api().get("/v1/events/" + c.event, owner_).json()["title"], "New Title");
}

TEST_F(EventCommandEvents, AddsAndRemovesCoverPhotosUpToFive) {
  auto c = create_event();
  std::string last_url;
  for (int i = 0; i < 5; ++i) {
    auto r = api().multipart("POST", "/v1/events/" + c.event + "/update/cover-photos", owner_, {},
                             {{"file", "p.png", "image/png", png_bytes()}});
    ASSERT_EQ(r.status, 200) << r.body;
    last_url = r.json()["coverPhotos"].back();
  }
  auto sixth = api().multipart("POST", "/v1/events/" + c.event + "/update/cover-photos", owner_, {},
                               {{"file", "p.png", "image/png", png_bytes()}});
  EXPECT_TRUE(sixth.status == 400 || sixth.status == 409) << sixth.body;
  const std::string file = last_url.substr(last_url.rfind('/') + 1);
  const std::string photo_id = file.substr(0, file.find('.'));
  EXPECT_EQ(http_request(app_->port(), "GET", kBase + "/images/" + file).status, 200);
  EXPECT_EQ(api().del("/v1/events/" + c.event + "/update/cover-photos/" + photo_id, other_).status, 403);
  auto removed = api().del("/v1/events/" + c.event + "/update/cover-photos/" + photo_id, owner_);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.json()["coverPhotos"].size(), 4u);
  EXPECT_EQ(http_request(app_->port(), "GET", kBase + "/images/" + file).status, 404);
  EXPECT_EQ(api().del("/v1/events/" + c.event + "/update/cover-photos/" + photo_id, owner_).status, 404);
}

TEST_F(EventCommandEvents, DeletesAnEventAndItsImages) {
  const std::string org = api().create_organization(owner_, "Deleters");
  auto r = api().create_event(owner_, event_request(org, api().any_category(owner_)),
                              {{"coverImages", "a.png", "image/png", png_bytes()}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"];
  const std::string url = api().get("/v1/events/" + id, owner_).json()["coverPhotos"][0];
  const std::string file = url.substr(url.rfind('/') + 1);
  EXPECT_EQ(api().del("/v1/events/" + id, other_).status, 403);
  EXPECT_EQ(api().del("/v1/events/" + id, owner_).status, 204);
  EXPECT_EQ(api().get("/v1/events/" + id, owner_).status, 404);
  EXPECT_EQ(http_request(app_->port(), "GET", kBase + "/images/" + file).status, 404);
  ASSERT_TRUE(wait_published("ticketly.catalog.events", id, 2));
  EXPECT_EQ(published(*app_, "ticketly.catalog.events", id).back()["type"], "EventDeleted");
}

}  // namespace
}  // namespace ticketly::testing::ec
