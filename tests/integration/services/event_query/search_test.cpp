// GET /v1/events/search: every filter alone and combined. Each test files its events
// under a category of its own, so tests never see each other's events.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"

namespace ticketly::testing {
namespace {

using namespace std::chrono;

class EventQuerySearch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = TestApp::start({"event-query"});
    bus_ = std::make_unique<BusPublisher>(*app_);
  }
  static void TearDownTestSuite() {
    bus_.reset();
    app_.reset();
  }
  void SetUp() override { category_ = Uuid::random().str(); }

  EventBuilder event(const std::string& title) {
    EventBuilder b;
    b.title(title).category(category_, "Search Test");
    return b;
  }
  void publish_all(const std::vector<EventBuilder*>& events) {
    for (auto* e : events) bus_->event(e->snapshot(1));
    for (auto* e : events) {
      auto r = poll_get(app_->port(), "/api/event-query/v1/events/" + e->id() + "/basic-info",
                        [](const HttpResult& res) { return res.status == 200; });
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  // Titles of the results, in order (query string without categoryId).
  std::vector<std::string> search(const std::string& query, const std::string& category = "") {
    auto r = raw(query, category);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> titles;
    const auto page = r.json();
    for (const auto& t : page["content"]) titles.push_back(t["title"]);
    return titles;
  }
  HttpResult raw(const std::string& query, const std::string& category = "") {
    return http_request(app_->port(), "GET",
                        "/api/event-query/v1/events/search?categoryId=" + (category.empty() ? category_ : category) +
                            (query.empty() ? "" : "&" + query));
  }

  std::string category_;
  static std::unique_ptr<TestApp> app_;
  static std::unique_ptr<BusPublisher> bus_;
};
std::unique_ptr<TestApp> EventQuerySearch::app_;
std::unique_ptr<BusPublisher> EventQuerySearch::bus_;

TEST_F(EventQuerySearch, TextIsRankedTitleAboveDescription) {
  auto in_desc = event("Evening Concert");
  in_desc.description("Featuring the famous zyxquartet from Galle.");
  in_desc.session();
  auto in_title = event("The Zyxquartet Live");
  in_title.session();
  auto unrelated = event("Cooking Class");
  unrelated.session();
  auto pending = event("Zyxquartet Rehearsal");
  pending.status("PENDING");
  pending.session();
  bus_->event(pending.snapshot(1));
  publish_all({&in_desc, &in_title, &unrelated});
  EXPECT_EQ(search("searchTerm=zyxquartet"), (std::vector<std::string>{"The Zyxquartet Live", "Evening Concert"}));
  EXPECT_EQ(search("searchTerm=zyxquartets"), (std::vector<std::string>{"The Zyxquartet Live", "Evening Concert"}))
      << "stemmed";
  EXPECT_TRUE(search("searchTerm=nonexistentword").empty());
  // Asked for by name, relevance still means the most relevant first; ",asc" turns it round.
  EXPECT_EQ(search("searchTerm=zyxquartet&sort=relevance"),
            (std::vector<std::string>{"The Zyxquartet Live", "Evening Concert"}));
  EXPECT_EQ(search("searchTerm=zyxquartet&sort=relevance,desc"),
            (std::vector<std::string>{"The Zyxquartet Live", "Evening Concert"}));
  EXPECT_EQ(search("searchTerm=zyxquartet&sort=relevance,asc"),
            (std::vector<std::string>{"Evening Concert", "The Zyxquartet Live"}));
}

TEST_F(EventQuerySearch, CategoryIncludesAllDescendants) {
  const std::string parent = category_;
  const std::string child = Uuid::random().str();
  const std::string grandchild = Uuid::random().str();
  const std::string other = Uuid::random().str();
  bus_->category(category_snapshot(parent, "Music", std::nullopt, 1));
  bus_->category(category_snapshot(child, "Rock", parent, 1));
  bus_->category(category_snapshot(grandchild, "Punk", child, 1));
  bus_->category(category_snapshot(other, "Sports", std::nullopt, 1));
  auto a = event("Punk Night");
  a.category(grandchild, "Punk", child, "Rock");
  a.session();
  auto b = event("Rock Night");
  b.category(child, "Rock", parent, "Music");
  b.session();
  auto c = event("Cricket Final");
  c.category(other, "Sports");
  c.session();
  publish_all({&a, &b, &c});
  ASSERT_TRUE(wait_until([&] { return search("sort=title", parent).size() == 2; }, seconds(10)));
  EXPECT_EQ(search("sort=title", parent), (std::vector<std::string>{"Punk Night", "Rock Night"}));
  EXPECT_EQ(search("sort=title", child), (std::vector<std::string>{"Punk Night", "Rock Night"}));
  EXPECT_EQ(search("sort=title", grandchild), (std::vector<std::string>{"Punk Night"}));
  EXPECT_EQ(search("", other), (std::vector<std::string>{"Cricket Final"}));
}

TEST_F(EventQuerySearch, DateAndPriceMustHoldForTheSameSession) {
  const auto december = Clock::now() + hours(24 * 30);
  const auto january = Clock::now() + hours(24 * 60);
  // Mixed: its cheap session is in December, its expensive one in January.
  auto mixed = event("Mixed Event");
  const auto cheap = mixed.tier("Cheap", 100);
  const auto dear = mixed.tier("Dear", 5000);
  SessionSpec s1;
  s1.start = december;
  s1.row_tiers = {cheap};
  mixed.session(s1);
  SessionSpec s2;
  s2.start = january;
  s2.row_tiers = {dear};
  mixed.session(s2);
  // Match: an expensive session in December.
  auto match = event("Matching Event");
  const auto vip = match.tier("VIP", 6000);
  SessionSpec s3;
  s3.start = december + hours(2);
  s3.row_tiers = {vip};
  match.session(s3);
  publish_all({&mixed, &match});
  const std::string from = format_iso8601(december - hours(24));
  const std::string to = format_iso8601(december + hours(24));
  EXPECT_EQ(search("dateFrom=" + from + "&dateTo=" + to + "&priceMin=1000"),
            (std::vector<std::string>{"Matching Event"}));
  EXPECT_EQ(search("dateFrom=" + from + "&dateTo=" + to + "&sort=title"),
            (std::vector<std::string>{"Matching Event", "Mixed Event"}));
  EXPECT_EQ(search("priceMin=1000&sort=title"), (std::vector<std::string>{"Matching Event", "Mixed Event"}));
  EXPECT_EQ(search("priceMax=200"), (std::vector<std::string>{"Mixed Event"}));
  // Tier bounds hold for one tier: 200..5500 has no single tier of Matching Event (6000).
  EXPECT_EQ(search("priceMin=200&priceMax=5500"), (std::vector<std::string>{"Mixed Event"}));
}

TEST_F(EventQuerySearch, PricesCompareAsNumbers) {
  auto cheap = event("Nine Hundred");
  cheap.tier("Only", 900);
  cheap.session();
  auto dear = event("Ten Thousand");
  dear.tier("Only", 10000);
  dear.session();
  publish_all({&cheap, &dear});
  // As strings "900" > "1000" and "10000" < "2000": numbers say otherwise.
  EXPECT_EQ(search("priceMin=1000"), (std::vector<std::string>{"Ten Thousand"}));
  EXPECT_EQ(search("priceMax=2000"), (std::vector<std::string>{"Nine Hundred"}));
  EXPECT_EQ(search("sort=price,asc"), (std::vector<std::string>{"Nine Hundred", "Ten Thousand"}));
  EXPECT_EQ(search("sort=price,desc"), (std::vector<std::string>{"Ten Thousand", "Nine Hundred"}));
  auto thumb = raw("priceMin=1000").json()["content"][0];
  EXPECT_EQ(thumb["startingPrice"], 10000);
}

// A tier used only by RESERVED seats is sold nowhere: a price bound above the sellable
// tier's price must not match through it.
TEST_F(EventQuerySearch, PriceFiltersIgnoreTiersOfReservedSeatsOnly) {
  auto e = event("Reserved Boxes");
  const auto cheap = e.tier("Cheap", 100);
  const auto boxes = e.tier("Boxes", 9000);
  SessionSpec s;
  s.rows = 2;
  s.seats_per_row = 2;
  s.row_tiers = {cheap, boxes};
  s.reserved_seats = {"1B", "2B"};
  e.session(s);
  publish_all({&e});
  EXPECT_TRUE(search("priceMin=1000").empty());
  EXPECT_EQ(search("priceMax=200"), (std::vector<std::string>{"Reserved Boxes"}));
}

TEST_F(EventQuerySearch, GeoRadiusAndDistanceOrder) {
  auto venue_at = [](const char* name, double lat, double lng) {
    SessionSpec s;
    s.venue.name = name;
    s.venue.latitude = lat;
    s.venue.longitude = lng;
    return s;
  };
  auto colombo = event("In Colombo");
  colombo.session(venue_at("Colombo Hall", 6.9271, 79.8612));
  auto kandy = event("In Kandy");  // ~95 km from Colombo
  kandy.session(venue_at("Kandy Hall", 7.2906, 80.6337));
  auto jaffna = event("In Jaffna");  // ~300 km
  jaffna.session(venue_at("Jaffna Hall", 9.6615, 80.0255));
  auto online = event("Online Only");
  SessionSpec o;
  o.type = "ONLINE";
  o.venue = VenueSpec{std::nullopt, std::nullopt, std::nullopt, std::nullopt, "https://meet.example/x"};
  online.session(o);
  publish_all({&colombo, &kandy, &jaffna, &online});
  const std::string here = "latitude=6.93&longitude=79.86";
  EXPECT_EQ(search(here + "&radiusKm=10"), (std::vector<std::string>{"In Colombo"}));
  EXPECT_EQ(search(here + "&radiusKm=120"), (std::vector<std::string>{"In Colombo", "In Kandy"}));
  EXPECT_EQ(search("latitude=9.6&longitude=80.0&radiusKm=1000"),
            (std::vector<std::string>{"In Jaffna", "In Kandy", "In Colombo"}));
  // Without a radius: everything, nearest first, venues without coordinates last.
  EXPECT_EQ(search(here), (std::vector<std::string>{"In Colombo", "In Kandy", "In Jaffna", "Online Only"}));
  EXPECT_EQ(raw("latitude=6.93").status, 400);
  auto thumb = raw(here + "&radiusKm=10").json()["content"][0];
  EXPECT_EQ(thumb["earliestSession"]["venueName"], "Colombo Hall");
}

// Distance and date order come from a session that matches the filters: not a cancelled
// one next door, nor one outside the date range.
TEST_F(EventQuerySearch, OrderComesFromTheSessionsThatMatch) {
  auto at = [](double lat, double lng, Timestamp start, const char* status = "ON_SALE") {
    SessionSpec s;
    s.venue.name = "Hall";
    s.venue.latitude = lat;
    s.venue.longitude = lng;
    s.start = start;
    s.status = status;
    return s;
  };
  const auto day = [](int n) { return Clock::now() + hours(24 * n); };
  // Cancelled in Colombo, on in Jaffna (~300 km); the other in Kandy (~95 km).
  auto cancelled_near = event("Cancelled Near");
  cancelled_near.session(at(6.9271, 79.8612, day(20), "CANCELLED"));
  cancelled_near.session(at(9.6615, 80.0255, day(30)));
  auto kandy = event("Kandy Only");
  kandy.session(at(7.2906, 80.6337, day(25)));
  // A session soon but before the range, and one late within it.
  auto early = event("Early Outside Range");
  early.session(at(9.8, 80.2, day(2)));  // ~320 km: just beyond Jaffna
  early.session(at(9.8, 80.2, day(35)));
  publish_all({&cancelled_near, &kandy, &early});
  const std::string here = "latitude=6.93&longitude=79.86";
  EXPECT_EQ(search(here + "&sort=distance"),
            (std::vector<std::string>{"Kandy Only", "Cancelled Near", "Early Outside Range"}));
  const std::string range = "dateFrom=" + format_iso8601(day(10)) + "&dateTo=" + format_iso8601(day(40));
  EXPECT_EQ(search(range + "&sort=date"),
            (std::vector<std::string>{"Kandy Only", "Cancelled Near", "Early Outside Range"}));
}

// Price order likewise: the cheapest sellable tier of a session that matches the filters —
// not a cancelled session's, nor one outside the dates, nor one of RESERVED seats only;
// with price bounds, the cheapest tier within them.
TEST_F(EventQuerySearch, PriceOrderComesFromTheSessionsThatMatch) {
  const auto day = [](int n) { return Clock::now() + hours(24 * n); };
  auto on = [&](int start_day, std::vector<std::string> row_tiers, const char* status = "ON_SALE") {
    SessionSpec s;
    s.start = day(start_day);
    s.status = status;
    s.row_tiers = std::move(row_tiers);
    return s;
  };
  // Its cheap tier is a cancelled session's.
  auto cancelled_cheap = event("Cancelled Cheap");
  cancelled_cheap.session(on(20, {cancelled_cheap.tier("Cheap", 100)}, "CANCELLED"));
  cancelled_cheap.session(on(25, {cancelled_cheap.tier("Dear", 5000)}));
  // Its cheap tier is a session's after the date range.
  auto later_cheap = event("Later Cheap");
  later_cheap.session(on(22, {later_cheap.tier("Dear", 4000)}));
  later_cheap.session(on(50, {later_cheap.tier("Cheap", 50)}));
  auto plain = event("Plain");
  plain.session(on(21, {plain.tier("Only", 3000)}));
  // Its cheap tier is that of RESERVED seats only (row A).
  auto reserved_cheap = event("Reserved Cheap");
  SessionSpec boxed = on(23, {reserved_cheap.tier("Boxes", 10), reserved_cheap.tier("GA", 3500)});
  boxed.rows = 2;
  boxed.seats_per_row = 2;
  boxed.reserved_seats = {"1A", "2A"};
  reserved_cheap.session(boxed);
  // One session with a cheap and a dear tier.
  auto two_tiers = event("Two Tiers");
  two_tiers.session(on(24, {two_tiers.tier("Cheap", 1000), two_tiers.tier("Dear", 6000)}));
  publish_all({&cancelled_cheap, &later_cheap, &plain, &reserved_cheap, &two_tiers});
  const std::string range = "dateFrom=" + format_iso8601(day(10)) + "&dateTo=" + format_iso8601(day(40));
  EXPECT_EQ(search(range + "&sort=price"),
            (std::vector<std::string>{"Two Tiers", "Plain", "Reserved Cheap", "Later Cheap", "Cancelled Cheap"}));
  EXPECT_EQ(search(range + "&sort=price,desc"),
            (std::vector<std::string>{"Cancelled Cheap", "Later Cheap", "Reserved Cheap", "Plain", "Two Tiers"}));
  EXPECT_EQ(search(range + "&sort=startingPrice"),
            (std::vector<std::string>{"Two Tiers", "Plain", "Reserved Cheap", "Later Cheap", "Cancelled Cheap"}));
  // Without the dates, the later session's 50 counts.
  EXPECT_EQ(search("sort=price"),
            (std::vector<std::string>{"Later Cheap", "Two Tiers", "Plain", "Reserved Cheap", "Cancelled Cheap"}));
  // The price bounds hold for the tier that prices the event: Two Tiers is 6000 here.
  EXPECT_EQ(search(range + "&priceMin=3200&sort=price"),
            (std::vector<std::string>{"Reserved Cheap", "Later Cheap", "Cancelled Cheap", "Two Tiers"}));
  // The thumbnail's startingPrice follows the same rule, over all sessions not cancelled:
  // neither the cancelled session's 100 nor the RESERVED boxes' 10 is a price anyone can pay.
  std::map<std::string, json::Json> starting;
  const auto page = raw("sort=price").json();
  for (const auto& t : page["content"]) starting[t["title"].get<std::string>()] = t["startingPrice"];
  EXPECT_EQ(starting["Later Cheap"], 50);
  EXPECT_EQ(starting["Two Tiers"], 1000);
  EXPECT_EQ(starting["Plain"], 3000);
  EXPECT_EQ(starting["Reserved Cheap"], 3500);
  EXPECT_EQ(starting["Cancelled Cheap"], 5000);
}

TEST_F(EventQuerySearch, PagingAndUpcomingFirst) {
  std::vector<EventBuilder> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(event("Paged " + std::to_string(i)));
    SessionSpec s;
    s.start = Clock::now() + hours(24 * (5 - i));  // later titles start sooner
    events.back().session(s);
  }
  auto past = event("Paged Past");
  SessionSpec p;
  p.start = Clock::now() - hours(24);
  past.session(p);
  std::vector<EventBuilder*> all;
  for (auto& e : events) all.push_back(&e);
  all.push_back(&past);
  publish_all(all);
  // Default order: events with upcoming sessions first, soonest first; the past one last.
  EXPECT_EQ(search(""), (std::vector<std::string>{"Paged 4", "Paged 3", "Paged 2", "Paged 1", "Paged 0", "Paged Past"}));
  auto page = raw("page=1&size=4").json();
  EXPECT_EQ(page["totalElements"], 6);
  EXPECT_EQ(page["totalPages"], 2);
  EXPECT_EQ(page["number"], 1);
  EXPECT_EQ(page["content"].size(), 2u);
  EXPECT_EQ(page["last"], true);
  auto beyond = raw("page=5&size=4").json();
  EXPECT_EQ(beyond["totalElements"], 6);
  EXPECT_EQ(beyond["empty"], true);
  EXPECT_EQ(search("sort=title,desc&size=2"), (std::vector<std::string>{"Paged 4", "Paged 3"}));
}

TEST_F(EventQuerySearch, CombinedTextCategoryGeoDateAndPrice) {
  const auto when = Clock::now() + hours(24 * 10);
  auto hit = event("Harbour Blues Festival");
  const auto t = hit.tier("GA", 2500);
  SessionSpec s;
  s.start = when;
  s.row_tiers = {t};
  s.venue.latitude = 6.9271;
  s.venue.longitude = 79.8612;
  hit.session(s);
  auto wrong_place = event("Hill Blues Festival");
  const auto t2 = wrong_place.tier("GA", 2500);
  SessionSpec s2 = s;
  s2.row_tiers = {t2};
  s2.venue.latitude = 7.2906;
  s2.venue.longitude = 80.6337;
  wrong_place.session(s2);
  publish_all({&hit, &wrong_place});
  const std::string q = "searchTerm=blues&latitude=6.93&longitude=79.86&radiusKm=20&dateFrom=" +
                        format_iso8601(when - hours(1)) + "&dateTo=" + format_iso8601(when + hours(1)) +
                        "&priceMin=2000&priceMax=3000";
  EXPECT_EQ(search(q), (std::vector<std::string>{"Harbour Blues Festival"}));
  auto thumb = raw(q).json()["content"][0];
  EXPECT_EQ(thumb["categoryName"], "Search Test");
  EXPECT_EQ(thumb["organizationName"], "Colombo Philharmonic");
  EXPECT_TRUE(thumb["discounts"].is_array());
}

// Each filter of a combined search is the one that excludes an event of its own: an event
// that differs from the hit only in its words, its day or its price is found again as soon
// as that filter alone is left out.
TEST_F(EventQuerySearch, EachFilterOfACombinedSearchExcludesOnItsOwn) {
  const auto when = Clock::now() + hours(24 * 12);
  auto at = [&](EventBuilder& e, Timestamp start, std::int64_t price) {
    SessionSpec s;
    s.start = start;
    s.row_tiers = {e.tier("GA", price)};
    s.venue.latitude = 6.9271;
    s.venue.longitude = 79.8612;
    e.session(s);
  };
  auto hit = event("Lagoon Reggae Night");
  at(hit, when, 2500);
  auto other_words = event("Lagoon Poetry Night");
  at(other_words, when, 2500);
  auto other_day = event("Lagoon Reggae Matinee");
  at(other_day, when + hours(48), 2500);
  auto other_price = event("Lagoon Reggae Gala");
  at(other_price, when, 9000);
  publish_all({&hit, &other_words, &other_day, &other_price});
  // Bare dates: the whole of the hit's day (UTC).
  const std::string day = format_iso8601(when).substr(0, 10);
  const std::string words = "searchTerm=reggae";
  const std::string dates = "dateFrom=" + day + "&dateTo=" + day;
  const std::string prices = "priceMin=2000&priceMax=3000";
  auto titles = [&](const std::string& q) {
    auto found = search(q + "&sort=title");
    std::sort(found.begin(), found.end());
    return found;
  };
  EXPECT_EQ(titles(words + "&" + dates + "&" + prices), (std::vector<std::string>{"Lagoon Reggae Night"}));
  EXPECT_EQ(titles(dates + "&" + prices), (std::vector<std::string>{"Lagoon Poetry Night", "Lagoon Reggae Night"}));
  EXPECT_EQ(titles(words + "&" + prices), (std::vector<std::string>{"Lagoon Reggae Matinee", "Lagoon Reggae Night"}));
  EXPECT_EQ(titles(words + "&" + dates), (std::vector<std::string>{"Lagoon Reggae Gala", "Lagoon Reggae Night"}));
  // The date bounds alone: only the matinee, two days later, is outside the day.
  EXPECT_EQ(titles(dates), (std::vector<std::string>{"Lagoon Poetry Night", "Lagoon Reggae Gala", "Lagoon Reggae Night"}));
}

TEST_F(EventQuerySearch, BadParametersAre400) {
  EXPECT_EQ(raw("priceMin=cheap").status, 400);
  EXPECT_EQ(raw("sort=bogus").status, 400);
  EXPECT_EQ(raw("size=500").status, 400);
  auto r = raw("dateFrom=someday");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json()["message"].get<std::string>().find("dateFrom"), std::string::npos);
}

// Invalid UTF-8 made a 500 (the cache key's dump() threw); a NUL byte has no place in
// PostgreSQL text either (the query parser refuses %00 in any parameter, before search).
TEST_F(EventQuerySearch, ASearchTermThatIsNotUtf8Is400) {
  for (const char* query : {"searchTerm=%FF", "searchTerm=%C3%28"}) {
    auto r = raw(query);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_NE(r.json().value("message", "").find("searchTerm"), std::string::npos) << r.body;
  }
  auto nul = raw("searchTerm=a%00b");
  EXPECT_EQ(nul.status, 400) << nul.body;
  EXPECT_NE(nul.json().value("message", "").find("NUL"), std::string::npos) << nul.body;
}

// 70 Sinhala letters are 210 bytes, within the 200-character limit.
TEST_F(EventQuerySearch, SearchTermLimitCountsCharacters) {
  std::string term;
  for (int i = 0; i < 70; ++i) term += "%E0%B6%85";
  EXPECT_EQ(raw("searchTerm=" + term).status, 200);
  std::string too_long;
  for (int i = 0; i < 201; ++i) too_long += "%E0%B6%85";
  EXPECT_EQ(raw("searchTerm=" + too_long).status, 400);
}

// Year 0000 wrapped around to some other instant (PostgreSQL refused what came out: a 500).
TEST_F(EventQuerySearch, DatesATimestampCannotHoldAre400) {
  for (const char* query : {"dateFrom=0000-01-01", "dateTo=0001-01-01T00:00:00%2B00:01"}) {
    auto r = raw(query);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    const std::string name = std::string(query).substr(0, 6);
    EXPECT_NE(r.json().value("message", "").find(name), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace ticketly::testing
