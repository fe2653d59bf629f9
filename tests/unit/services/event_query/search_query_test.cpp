#include <gtest/gtest.h>

#include "platform/errors.h"
#include "services/event_query/store/search.h"

namespace ticketly::event_query {
namespace {

SearchQuery parse(std::string_view q) { return parse_search_query(http::QueryParams::parse(q)); }

int status_of(std::string_view q) {
  try {
    parse(q);
    return 200;
  } catch (const Error& e) {
    return e.status();
  }
}

TEST(EventQuerySearchQuery, ParsesEveryFilter) {
  auto q = parse(
      "searchTerm=%20jazz%20night%20&categoryId=11111111-1111-4111-8111-111111111111&latitude=6.9&longitude=79.8"
      "&radiusKm=10&dateFrom=2026-12-01&dateTo=2026-12-31&priceMin=10.5&priceMax=2000&page=2&size=5&sort=price,desc");
  EXPECT_EQ(q.text, "jazz night");
  ASSERT_TRUE(q.category_id.has_value());
  EXPECT_DOUBLE_EQ(*q.latitude, 6.9);
  EXPECT_DOUBLE_EQ(*q.radius_km, 10);
  EXPECT_EQ(q.price_min_cents, 1050);
  EXPECT_EQ(q.price_max_cents, 200000);
  EXPECT_EQ(format_iso8601(*q.date_from), "2026-12-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(*q.date_to), "2026-12-31T23:59:59Z");  // a bare dateTo covers its whole day
  EXPECT_EQ(q.page, 2);
  EXPECT_EQ(q.size, 5);
  EXPECT_EQ(q.sort, "price");
  EXPECT_TRUE(q.descending);
}

TEST(EventQuerySearchQuery, RejectsBadInputWith400) {
  EXPECT_EQ(status_of("priceMin=abc"), 400);
  EXPECT_EQ(status_of("priceMin=-1"), 400);
  EXPECT_EQ(status_of("priceMin=50&priceMax=10"), 400);
  EXPECT_EQ(status_of("latitude=6.9"), 400);
  EXPECT_EQ(status_of("latitude=91&longitude=0"), 400);
  EXPECT_EQ(status_of("radiusKm=5"), 400);
  EXPECT_EQ(status_of("categoryId=nope"), 400);
  EXPECT_EQ(status_of("dateFrom=tomorrow"), 400);
  EXPECT_EQ(status_of("dateFrom=2026-12-31&dateTo=2026-12-01"), 400);
  EXPECT_EQ(status_of("size=0"), 400);
  EXPECT_EQ(status_of("size=1000"), 400);
  EXPECT_EQ(status_of("sort=hacker;DROP"), 400);
  EXPECT_EQ(status_of("sort=title,sideways"), 400);
  EXPECT_EQ(status_of("sort=relevance"), 400);
  EXPECT_EQ(status_of("sort=distance"), 400);
  EXPECT_EQ(status_of("searchTerm=" + std::string(201, 'a')), 400);
  EXPECT_EQ(status_of(""), 200);
}

// Invalid UTF-8 made cache_key() throw (nlohmann's dump) and PostgreSQL refuses it: a 500.
TEST(EventQuerySearchQuery, RejectsASearchTermThatIsNotUtf8) {
  for (const char* bad : {"%FF", "jazz%FF", "%C0%AF", "%ED%A0%80", "%E2%82", "%F4%90%80%80", "a%00b"}) {
    EXPECT_EQ(status_of(std::string("searchTerm=") + bad), 400) << bad;
  }
  const auto q = parse("searchTerm=caf%C3%A9%20%F0%9F%8E%B5");  // "café 🎵"
  EXPECT_EQ(q.text, "caf\xC3\xA9 \xF0\x9F\x8E\xB5");
  EXPECT_NO_THROW(cache_key(q));
}

// The limit is 200 characters, not bytes: a Sinhala letter is three bytes in UTF-8.
TEST(EventQuerySearchQuery, SearchTermLengthCountsCharacters) {
  auto sinhala = [](int n) {
    std::string s = "searchTerm=";
    for (int i = 0; i < n; ++i) s += "%E0%B6%85";  // U+0D85
    return s;
  };
  EXPECT_EQ(status_of(sinhala(70)), 200);
  EXPECT_EQ(status_of(sinhala(200)), 200);
  EXPECT_EQ(status_of(sinhala(201)), 400);
  EXPECT_EQ(status_of("searchTerm=" + std::string(200, 'a')), 200);
}

// Beyond what a Timestamp holds the parse used to wrap around (year 0000 reached
// PostgreSQL, which refused it: a 500); such bounds are the client's 400.
TEST(EventQuerySearchQuery, RejectsDatesOutOfRange) {
  EXPECT_EQ(status_of("dateFrom=0000-01-01"), 400);
  EXPECT_EQ(status_of("dateTo=0001-01-01T00:00:00%2B00:01"), 400);
  EXPECT_EQ(status_of("dateTo=9999-12-31"), 400);
  EXPECT_EQ(status_of("dateFrom=2000-01-01&dateTo=2200-12-31"), 200);
}

TEST(EventQuerySearchQuery, CacheKeyDistinguishesQueries) {
  EXPECT_EQ(cache_key(parse("priceMin=10")), cache_key(parse("priceMin=10.00")));
  EXPECT_NE(cache_key(parse("priceMin=10")), cache_key(parse("priceMax=10")));
  EXPECT_NE(cache_key(parse("page=1")), cache_key(parse("page=2")));
  EXPECT_EQ(cache_key(parse("latitude=6.9&longitude=79.8&x=1")), cache_key(parse("longitude=79.80&latitude=6.90")));
  EXPECT_NE(cache_key(parse("latitude=6.9&longitude=79.8")), cache_key(parse("latitude=79.8&longitude=6.9")));
  EXPECT_NE(cache_key(parse("sort=title")), cache_key(parse("sort=title,desc")));
  EXPECT_NE(cache_key(parse("")), cache_key(parse("searchTerm=-")));
  // The text cannot imitate the fields before it, whatever it holds.
  EXPECT_NE(cache_key(parse("searchTerm=a")), cache_key(parse("searchTerm=a%20t1:a")));
  EXPECT_EQ(cache_key(parse("dateFrom=2030-01-01")), cache_key(parse("dateFrom=2030-01-01T00:00:00Z")));
}

TEST(EventQuerySearchQuery, PageObject) {
  auto p = page_object(json::Json::array({1, 2}), 5, 1, 2);
  EXPECT_EQ(p["totalPages"], 3);
  EXPECT_EQ(p["numberOfElements"], 2);
  EXPECT_EQ(p["first"], false);
  EXPECT_EQ(p["last"], false);
  EXPECT_EQ(page_object(json::Json::array(), 0, 0, 20)["empty"], true);
}

}  // namespace
}  // namespace ticketly::event_query
