// Encoding of query parameters and decoding of result text, without a server.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/migrator.h"
#include "platform/db/params.h"
#include "platform/db/result.h"

namespace ticketly::db {
namespace {

using namespace std::chrono;
using std::chrono::sys_days;

sys_time<microseconds> at(int y, unsigned m, unsigned d, int hh, int mm, int ss, int us = 0) {
  return sys_days(year{y} / m / d) + hours(hh) + minutes(mm) + seconds(ss) + microseconds(us);
}

TEST(DbParams, EncodesScalars) {
  EXPECT_EQ(encode_param(std::string("abc")), "abc");
  EXPECT_EQ(encode_param(std::string_view("x'y")), "x'y");
  EXPECT_EQ(encode_param("literal"), "literal");
  const char* null_text = nullptr;
  EXPECT_EQ(encode_param(null_text), std::nullopt);
  EXPECT_EQ(encode_param(42), "42");
  EXPECT_EQ(encode_param(std::int64_t{-9223372036854775807LL - 1}), "-9223372036854775808");
  EXPECT_EQ(encode_param(std::uint16_t{7}), "7");
  EXPECT_EQ(encode_param(true), "true");
  EXPECT_EQ(encode_param(false), "false");
  EXPECT_EQ(encode_param(0.1), "0.1");
  EXPECT_EQ(encode_param(1e300), "1e+300");
  EXPECT_EQ(encode_param(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(encode_param(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(DbParams, EncodesOptionalsAsNull) {
  EXPECT_EQ(encode_param(std::optional<int>{}), std::nullopt);
  EXPECT_EQ(encode_param(std::optional<int>{5}), "5");
  EXPECT_EQ(encode_param(std::nullopt), std::nullopt);
  EXPECT_EQ(encode_param(nullptr), std::nullopt);
}

TEST(DbParams, EncodesTimestampsAsIsoUtcWithMicroseconds) {
  EXPECT_EQ(format_timestamp(at(2024, 3, 1, 12, 30, 5, 123456)), "2024-03-01T12:30:05.123456Z");
  EXPECT_EQ(format_timestamp(at(1969, 12, 31, 23, 59, 59, 999999)), "1969-12-31T23:59:59.999999Z");
  // system_clock counts nanoseconds: the extra digits are floored, not rounded up.
  auto t = system_clock::time_point(at(2024, 3, 1, 0, 0, 0, 1)) + nanoseconds(999);
  EXPECT_EQ(encode_param(t), "2024-03-01T00:00:00.000001Z");
  EXPECT_EQ(encode_param(system_clock::time_point::max()), "infinity");
  EXPECT_EQ(encode_param(system_clock::time_point::min()), "-infinity");
}

TEST(DbParams, EncodesJsonAsText) {
  nlohmann::json j = {{"a", 1}, {"b", {true, nullptr, "x\"y"}}};
  EXPECT_EQ(encode_param(j), R"({"a":1,"b":[true,null,"x\"y"]})");
}

TEST(DbParams, EncodesUuid) {
  auto u = Uuid::parse("123e4567-E89B-12d3-a456-426614174000").value();
  EXPECT_EQ(encode_param(u), "123e4567-e89b-12d3-a456-426614174000");
}

TEST(DbParams, EncodesArraysWithEscaping) {
  EXPECT_EQ(encode_param(std::vector<std::string>{}), "{}");
  EXPECT_EQ(encode_param(std::vector<std::string>{"a", "b c", ""}), R"({"a","b c",""})");
  EXPECT_EQ(encode_param(std::vector<std::string>{"q\"uote", "back\\slash", "{brace}", "co,mma", "NULL"}),
            R"({"q\"uote","back\\slash","{brace}","co,mma","NULL"})");
  EXPECT_EQ(encode_param(std::vector<std::int64_t>{1, -2, 3000000000}), R"({"1","-2","3000000000"})");
  EXPECT_EQ(encode_param(std::vector<std::optional<std::string>>{"x", std::nullopt}), R"({"x",NULL})");
}

TEST(DbParams, EncodesAPackInOrder) {
  auto v = encode_params("a", 1, std::optional<double>{}, true);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], "a");
  EXPECT_EQ(v[1], "1");
  EXPECT_EQ(v[2], std::nullopt);
  EXPECT_EQ(v[3], "true");
}

TEST(DbDecode, ParsesTimestamptzAsPrintedInUtc) {
  EXPECT_EQ(parse_timestamp("2024-03-01 12:30:05.123456+00"), at(2024, 3, 1, 12, 30, 5, 123456));
  EXPECT_EQ(parse_timestamp("2024-03-01 12:30:05+00"), at(2024, 3, 1, 12, 30, 5));
  EXPECT_EQ(parse_timestamp("2024-03-01 12:30:05.5+00"), at(2024, 3, 1, 12, 30, 5, 500000));
  EXPECT_EQ(parse_timestamp("2024-03-01 14:30:05+02"), at(2024, 3, 1, 12, 30, 5));
  EXPECT_EQ(parse_timestamp("2024-03-01 07:00:05-05:30"), at(2024, 3, 1, 12, 30, 5));
  EXPECT_EQ(parse_timestamp("2024-03-01 12:30:05"), at(2024, 3, 1, 12, 30, 5));  // timestamp without zone
  EXPECT_EQ(parse_timestamp("2024-03-01"), at(2024, 3, 1, 0, 0, 0));              // date
  EXPECT_EQ(parse_timestamp("2024-03-01T12:30:05.123456Z"), at(2024, 3, 1, 12, 30, 5, 123456));
  EXPECT_EQ(parse_timestamp("infinity"), sys_time<microseconds>::max());
  EXPECT_EQ(parse_timestamp("-infinity"), sys_time<microseconds>::min());
}

TEST(DbDecode, TimestampRoundTripsThroughItsEncoding) {
  for (auto t : {at(2024, 2, 29, 23, 59, 59, 999999), at(1970, 1, 1, 0, 0, 0), at(1900, 6, 15, 1, 2, 3, 4)}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t);
  }
}

TEST(DbDecode, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2024-13-01 00:00:00+00", "2024-02-30 00:00:00+00", "2024-03-01 25:00:00+00",
                          "2024-03-01 12:30:05.+00", "2024-03-01 12:30:05+0", "yesterday", "2024-03-01x"}) {
    EXPECT_THROW(parse_timestamp(bad), DbError) << bad;
  }
}

TEST(DbDecode, TimePointOutsideTheClockRangeThrows) {
  EXPECT_THROW(FieldTraits<system_clock::time_point>::decode("3000-01-01 00:00:00+00"), DbError);
  EXPECT_EQ(FieldTraits<sys_seconds>::decode("3000-01-01 00:00:00+00"),
            sys_seconds(sys_days(year{3000} / 1 / 1).time_since_epoch()));
}

TEST(DbDecode, ParsesArrays) {
  using V = std::vector<std::optional<std::string>>;
  EXPECT_EQ(parse_array("{}"), V{});
  EXPECT_EQ(parse_array("{a,b}"), (V{"a", "b"}));
  EXPECT_EQ(parse_array(R"({"q\"uote","back\\slash","co,mma",NULL,"NULL"})"),
            (V{"q\"uote", "back\\slash", "co,mma", std::nullopt, "NULL"}));
  EXPECT_EQ(parse_array("[0:1]={1,2}"), (V{"1", "2"}));
  EXPECT_THROW(parse_array("{{1,2},{3,4}}"), DbError);
  EXPECT_THROW(parse_array("{a"), DbError);
  EXPECT_THROW(parse_array("a,b"), DbError);
}

TEST(DbDecode, ArrayLiteralRoundTrips) {
  std::vector<std::string> values{"plain", "with space", "q\"uote", "back\\slash", "", "{x}", "NULL"};
  auto decoded = FieldTraits<std::vector<std::string>>::decode(*encode_param(values));
  EXPECT_EQ(decoded, values);
}

TEST(DbDecode, DecodesScalars) {
  EXPECT_EQ(FieldTraits<std::int32_t>::decode("-42"), -42);
  EXPECT_EQ(FieldTraits<std::int64_t>::decode("9223372036854775807"), 9223372036854775807LL);
  EXPECT_THROW(FieldTraits<std::int32_t>::decode("3000000000"), DbError);  // out of range
  EXPECT_THROW(FieldTraits<std::int32_t>::decode("12abc"), DbError);
  EXPECT_DOUBLE_EQ(FieldTraits<double>::decode("0.25"), 0.25);
  EXPECT_TRUE(std::isinf(FieldTraits<double>::decode("-Infinity")));
  EXPECT_TRUE(std::isnan(FieldTraits<double>::decode("NaN")));
  EXPECT_TRUE(FieldTraits<bool>::decode("t"));
  EXPECT_FALSE(FieldTraits<bool>::decode("f"));
  EXPECT_THROW(FieldTraits<bool>::decode("yes"), DbError);
  EXPECT_EQ(FieldTraits<nlohmann::json>::decode(R"({"a": [1, 2]})")["a"][1], 2);
  EXPECT_THROW(FieldTraits<nlohmann::json>::decode("{oops"), DbError);
  EXPECT_THROW(FieldTraits<Uuid>::decode("not-a-uuid"), DbError);
}

TEST(DbConninfo, AppendsTheDatabaseToABaseUrl) {
  EXPECT_EQ(conninfo_for_database("postgresql://u:pw@127.0.0.1:55432", "order"),
            "postgresql://u:pw@127.0.0.1:55432/order");
  EXPECT_EQ(conninfo_for_database("postgresql://u:pw@127.0.0.1:55432/", "order"),
            "postgresql://u:pw@127.0.0.1:55432/order");
}

TEST(DbConninfo, ReplacesAPathAndKeepsTheQuery) {
  EXPECT_EQ(conninfo_for_database("postgresql://u:pw@db:5432/postgres?sslmode=require&connect_timeout=3", "order"),
            "postgresql://u:pw@db:5432/order?sslmode=require&connect_timeout=3");
  EXPECT_EQ(conninfo_for_database("postgres://db?sslmode=disable", "x"), "postgres://db/x?sslmode=disable");
}

TEST(DbConninfo, AddsDbnameToKeywordForm) {
  EXPECT_EQ(conninfo_for_database("host=db user=u", "order"), "host=db user=u dbname='order'");
}

TEST(DbConninfo, ValidatesDatabaseNames) {
  EXPECT_TRUE(is_valid_database_name("order"));
  EXPECT_TRUE(is_valid_database_name("_t_0f3a"));
  EXPECT_FALSE(is_valid_database_name(""));
  EXPECT_FALSE(is_valid_database_name("0abc"));
  EXPECT_FALSE(is_valid_database_name("Order"));
  EXPECT_FALSE(is_valid_database_name("a;drop"));
  EXPECT_FALSE(is_valid_database_name(std::string(64, 'a')));
  EXPECT_THROW(create_database_if_missing("host=nowhere", "bad-name"), std::invalid_argument);
}

TEST(DbMigrations, ChecksumIsSha256Hex) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DbMigrations, RejectsVersionsOutOfOrderOrDuplicated) {
  const MigrationFile ok[] = {{1, "init", "SELECT 1"}, {2, "more", "SELECT 2"}, {10, "late", "SELECT 3"}};
  EXPECT_NO_THROW(validate_migrations(ok, "order"));
  const MigrationFile dup[] = {{1, "init", ""}, {1, "again", ""}};
  EXPECT_THROW(validate_migrations(dup, "order"), MigrationError);
  const MigrationFile backwards[] = {{2, "b", ""}, {1, "a", ""}};
  EXPECT_THROW(validate_migrations(backwards, "order"), MigrationError);
  const MigrationFile zero[] = {{0, "zero", ""}};
  EXPECT_THROW(validate_migrations(zero, "order"), MigrationError);
  EXPECT_EQ(migration_id(ok[0]), "0001_init");
}

TEST(DbMigrations, LockKeyIsFixed) {
  static_assert(migration_lock_key() == migration_lock_key());
  EXPECT_NE(migration_lock_key(), 0);
}

}  // namespace
}  // namespace ticketly::db
