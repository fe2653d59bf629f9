// Tiers and discounts of an event (API.md §1).
#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandCatalog : public EcSuite {
 protected:
  static std::string message(const HttpResult& r) { return r.json().value("message", ""); }
};

TEST_F(EventCommandCatalog, TiersCreateUpdateDelete) {
  auto c = create_event();
  const std::string base = "/v1/events/" + c.event + "/tiers";
  auto created = api().post(base, {{"name", "Balcony"}, {"color", "#00FF00"}, {"price", 2500}}, owner_);
  ASSERT_EQ(created.status, 201) << created.body;
  auto tier = created.json();
  EXPECT_EQ(tier["name"], "Balcony");
  EXPECT_EQ(tier["price"], 2500);
  EXPECT_EQ(tier["eventId"], c.event);
  const std::string id = tier["id"];

  auto updated = api().put(base + "/" + id, {{"name", "Balcony+"}, {"color", "#00ff01"}, {"price", 2600.25}}, owner_);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["price"], 2600.25);

  EXPECT_EQ(api().post(base, {{"name", "Bad"}, {"color", "#00FF00"}, {"price", -5}}, owner_).status, 400);
  EXPECT_EQ(api().post(base, {{"name", "Bad"}, {"color", "green"}, {"price", 5}}, owner_).status, 400);
  EXPECT_EQ(api().post(base, {{"color", "#00FF00"}, {"price", 5}}, owner_).status, 400);
  EXPECT_EQ(api().post(base, {{"name", "Theirs"}, {"color", "#00FF00"}, {"price", 5}}, other_).status, 403);
  EXPECT_EQ(api().post(base, {{"name", "Anon"}, {"color", "#00FF00"}, {"price", 5}}, "").status, 401);
  EXPECT_EQ(api().put(base + "/" + Uuid::random().str(), {{"name", "X"}, {"color", "#000000"}, {"price", 1}}, owner_).status,
            404);

  // A tier that seats use cannot go; an unused one can.
  auto in_use = api().del(base + "/" + vip_tier(c.request), owner_);
  EXPECT_EQ(in_use.status, 409) << in_use.body;
  EXPECT_EQ(api().del(base + "/" + id, other_).status, 403);
  EXPECT_EQ(api().del(base + "/" + id, owner_).status, 200);
  EXPECT_EQ(api().del(base + "/" + id, owner_).status, 404);
}

TEST_F(EventCommandCatalog, RefusesToDeleteTheOnlyTierOfADiscount) {
  auto c = create_event();
  const std::string tiers = "/v1/events/" + c.event + "/tiers";
  const std::string discounts = "/v1/events/" + c.event + "/discounts";
  auto balcony = api().post(tiers, {{"name", "Balcony"}, {"color", "#00FF00"}, {"price", 2500}}, owner_);
  ASSERT_EQ(balcony.status, 201) << balcony.body;
  const std::string id = balcony.json()["id"];
  Json only = {{"code", "BALCONY5"},
               {"parameters", {{"type", "PERCENTAGE"}, {"percentage", 5}}},
               {"applicableTierIds", {id}}};
  auto created = api().post(discounts, only, owner_);
  ASSERT_EQ(created.status, 201) << created.body;
  Json shared = {{"code", "SHARED5"},
                 {"parameters", {{"type", "PERCENTAGE"}, {"percentage", 5}}},
                 {"applicableTierIds", {id, ga_tier(c.request)}}};
  auto shared_created = api().post(discounts, shared, owner_);
  ASSERT_EQ(shared_created.status, 201) << shared_created.body;

  // Dropping the tier from BALCONY5 would leave [] — "every tier": refused, naming it.
  auto refused = api().del(tiers + "/" + id, owner_);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(message(refused).find("BALCONY5"), std::string::npos) << refused.body;
  EXPECT_EQ(message(refused).find("SHARED5"), std::string::npos) << refused.body;
  auto kept = api().get(discounts + "/" + created.json()["id"].get<std::string>(), owner_);
  EXPECT_EQ(kept.json()["applicableTierIds"], Json::array({id})) << kept.body;

  // Without it the tier goes, and SHARED5 keeps applying to the other tier only.
  ASSERT_EQ(api().del(discounts + "/" + created.json()["id"].get<std::string>(), owner_).status, 200);
  EXPECT_EQ(api().del(tiers + "/" + id, owner_).status, 200);
  auto narrowed = api().get(discounts + "/" + shared_created.json()["id"].get<std::string>(), owner_);
  EXPECT_EQ(narrowed.json()["applicableTierIds"], Json::array({ga_tier(c.request)})) << narrowed.body;
}

TEST_F(EventCommandCatalog, DiscountsCrudAndVisibility) {
  auto c = create_event();
  const std::string base = "/v1/events/" + c.event + "/discounts";
  Json flat = {{"code", "FLAT500"},
               {"parameters", {{"type", "FLAT_OFF"}, {"amount", 500}, {"currency", "LKR"}, {"minSpend", 2000}}},
               {"maxUsage", 10},
               {"active", true},
               {"public", false},
               {"activeFrom", iso_from_now(std::chrono::hours(1))},
               {"expiresAt", iso_from_now(std::chrono::hours(48))},
               {"applicableTierIds", {ga_tier(c.request)}}};
  auto created = api().post(base, flat, owner_);
  ASSERT_EQ(created.status, 201) << created.body;
  auto d = created.json();
  EXPECT_EQ(d["code"], "FLAT500");
  EXPECT_EQ(d["parameters"]["type"], "FLAT_OFF");
  EXPECT_EQ(d["parameters"]["amount"], 500);
  EXPECT_EQ(d["currentUsage"], 0);
  EXPECT_EQ(d["public"], false);
  EXPECT_EQ(d["active"], true);
  const std::string id = d["id"];

  // Codes are unique per event, case-insensitively.
  flat["code"] = "flat500";
  auto dup = api().post(base, flat, owner_);
  EXPECT_EQ(dup.status, 409) << dup.body;

  Json bogo = {{"code", "B2G1"}, {"parameters", {{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", 2}, {"getQuantity", 1}}}};
  EXPECT_EQ(api().post(base, bogo, owner_).status, 201);
  Json bad_type = {{"code", "NOPE1"}, {"parameters", {{"type", "HALF_PRICE"}}}};
  EXPECT_EQ(api().post(base, bad_type, owner_).status, 400);
  Json bad_window = flat;
  bad_window["code"] = "WINDOW";
  bad_window["expiresAt"] = iso_from_now(std::chrono::minutes(1));
  bad_window["activeFrom"] = iso_from_now(std::chrono::hours(2));
  EXPECT_EQ(api().post(base, bad_window, owner_).status, 400);
  Json foreign = flat;
  foreign["code"] = "FOREIGN";
  foreign["applicableSessionIds"] = {Uuid::random().str()};
  EXPECT_EQ(api().post(base, foreign, owner_).status, 400);
  EXPECT_EQ(api().post(base, bogo, other_).status, 403);

  // Public discounts are readable by anyone once the event is visible; private ones by the owner.
  auto owner_all = api().get(base + "?includePrivate=true", owner_);
  ASSERT_EQ(owner_all.status, 200) << owner_all.body;
  EXPECT_EQ(owner_all.json().size(), 3u);
  // Before approval the event is invisible to others.
  EXPECT_EQ(api().get(base, other_).status, 404);
  ASSERT_EQ(api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_).status, 200);
  EXPECT_EQ(api().get(base + "?includePrivate=true", other_).status, 403);
  EXPECT_EQ(api().get(base + "?includePrivate=true", "").status, 401);
  auto public_only = api().get(base, other_);
  ASSERT_EQ(public_only.status, 200) << public_only.body;
  for (const auto& x : public_only.json()) EXPECT_EQ(x["public"], true);
  auto anonymous = api().get(base, "");
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_EQ(anonymous.json().size(), public_only.json().size());
  EXPECT_EQ(api().get(base + "/" + id, other_).status, 404);  // private
  EXPECT_EQ(api().get(base + "/" + id, owner_).status, 200);

  flat["code"] = "FLAT600";
  flat["parameters"]["amount"] = 600;
  auto updated = api().put(base + "/" + id, flat, owner_);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["code"], "FLAT600");
  EXPECT_EQ(api().put(base + "/" + id, flat, other_).status, 403);
  EXPECT_EQ(api().put(base + "/" + Uuid::random().str(), flat, owner_).status, 404);
  EXPECT_EQ(api().del(base + "/" + id, other_).status, 403);
  EXPECT_EQ(api().del(base + "/" + id, owner_).status, 200);
  EXPECT_EQ(api().get(base + "/" + id, owner_).status, 404);
}

}  // namespace
}  // namespace ticketly::testing::ec
