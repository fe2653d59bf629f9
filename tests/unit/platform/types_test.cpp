#include <gtest/gtest.h>

#include <set>

#include "platform/types/time.h"
#include "platform/types/uuid.h"

namespace ticketly {
namespace {

TEST(Uuid, ParsesCanonicalFormInAnyCase) {
  auto u = Uuid::parse("0B4C6A52-2f5e-4B5A-9d7e-2a4b1c3d4e5f");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->str(), "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
}

TEST(Uuid, RejectsMalformedText) {
  for (const char* bad : {"", "0b4c6a52", "0b4c6a522f5e4b5a9d7e2a4b1c3d4e5f", "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5g",
                          "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f0", "{0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5}"}) {
    EXPECT_FALSE(Uuid::parse(bad)) << bad;
  }
}

TEST(Uuid, RandomIsVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto s = Uuid::random().str();
    EXPECT_EQ(s[14], '4');
    EXPECT_TRUE(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, TimeOrderedCarriesItsMillisecondsAndSortsByThem) {
  // RFC 9562's example time, 2022-02-22T19:22:22Z = 0x017F22E279B0 ms.
  const auto u = Uuid::time_ordered(0x017F22E279B0).str();
  EXPECT_EQ(u.substr(0, 13), "017f22e2-79b0");
  EXPECT_EQ(u[14], '7');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
  // Later milliseconds sort after earlier ones whatever the random bits; same ones differ.
  std::set<Uuid> seen;
  for (std::int64_t ms = 1000; ms < 1100; ++ms) {
    const auto a = Uuid::time_ordered(ms), b = Uuid::time_ordered(ms + 1);
    EXPECT_LT(a, b);
    seen.insert(a);
    seen.insert(Uuid::time_ordered(ms));
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Time, FormatsUtcWithZ) {
  Timestamp t = Timestamp(std::chrono::seconds(1764189559)) + std::chrono::milliseconds(123);
  EXPECT_EQ(format_iso8601(t), "2025-11-26T20:39:19Z");
  EXPECT_EQ(format_iso8601(t, true), "2025-11-26T20:39:19.123Z");
}

TEST(Time, ParsesZoneFormsToTheSameInstant) {
  auto z = parse_iso8601("2026-05-01T18:30:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(parse_iso8601("2026-05-02T00:00:00+05:30"), z);
  EXPECT_EQ(parse_iso8601("2026-05-01T13:30:00-0500"), z);
  EXPECT_EQ(parse_iso8601("2026-05-01T18:30:00"), z);
  EXPECT_EQ(parse_iso8601("2026-05-01 18:30"), z);
  EXPECT_EQ(format_iso8601(*parse_iso8601("2026-05-01T18:30:00.5Z"), true), "2026-05-01T18:30:00.500Z");
}

TEST(Time, RejectsImpossibleOrMalformedDates) {
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01",
                          "tomorrow", "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00+5", "2026-01-01T00:00:00."}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
  EXPECT_TRUE(parse_iso8601("2028-02-29T00:00:00Z"));
}

// 64-bit nanoseconds end in 1677 and 2262: beyond, the conversion used to wrap around.
TEST(Time, RejectsInstantsATimestampCannotHold) {
  for (const char* far : {"0000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "1600-01-01T00:00:00Z",
                          "2263-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    EXPECT_FALSE(parse_iso8601(far)) << far;
  }
  ASSERT_TRUE(parse_iso8601("1678-01-01T00:00:00Z"));
  EXPECT_EQ(format_iso8601(*parse_iso8601("2262-01-01T00:00:00Z")), "2262-01-01T00:00:00Z");
}

}  // namespace
}  // namespace ticketly
