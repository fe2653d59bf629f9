#include "platform/json/json.h"

#include <gtest/gtest.h>

#include "platform/errors.h"
#include "platform/json/reader.h"

namespace ticketly::json {
namespace {

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400);
    return e.what();
  }
  ADD_FAILURE() << "expected a 400";
  return {};
}

TEST(JsonBody, MalformedJsonIs400WithPosition) {
  auto m = message_of([] { parse_body(R"({"a": )"); });
  EXPECT_NE(m.find("Malformed JSON"), std::string::npos);
}

TEST(JsonBody, EmptyBodyIs400) { EXPECT_EQ(message_of([] { parse_body("  "); }), "Request body is required"); }

TEST(JsonBody, DeepNestingIs400) {
  std::string deep(1000, '[');
  EXPECT_NE(message_of([&] { parse_body(deep); }).find("nested too deeply"), std::string::npos);
}

TEST(JsonBody, BracketsInsideStringsAreNotNesting) {
  // 100 '[' and '{' in a description (and an escaped quote before them) are text.
  const std::string text = "\\\"" + std::string(100, '[') + std::string(100, '{');
  const std::string body = R"({"description":")" + text + R"("})";
  EXPECT_EQ(parse_body(body)["description"], "\"" + std::string(100, '[') + std::string(100, '{'));
  // The same brackets outside the string still count.
  EXPECT_NE(message_of([] { parse_body(R"({"a":"[[[[", "b":[[[[[[[[]]]]]]]]})", 4); }).find("nested too deeply"),
            std::string::npos);
  EXPECT_NO_THROW(parse_body(R"({"a":"[[[[", "b":[[]]})", 4));
}

TEST(JsonBody, NulCharacterInAStringOrKeyIs400) {
  for (const char* body : {R"({"name":"\u0000x"})", R"({"a":{"b":["ok","x\u0000"]}})", R"({"k\u0000":1})"}) {
    EXPECT_NE(message_of([&] { parse_body(body); }).find("NUL character"), std::string::npos) << body;
  }
  // An escaped backslash followed by "u0000" is text, not a NUL; other escapes pass.
  EXPECT_EQ(parse_body(R"({"name":"\\u0000 \u0001"})")["name"], "\\u0000 \x01");
}

TEST(JsonBody, ANumberBeyondADoubleIs400) {
  // Well-formed JSON the parser cannot hold: it threw out_of_range, a 500 (tests/fuzz/json_body).
  for (const char* body : {R"({"price":1e400})", R"([-2.5e3011])", R"({"a":{"b":[1,6e2500]}})"}) {
    EXPECT_NE(message_of([&] { parse_body(body); }).find("number is out of range"), std::string::npos) << body;
  }
  EXPECT_EQ(parse_body(R"({"n":1e308,"big":18446744073709551616})")["n"], 1e308);
}

TEST(ErrorEnvelope, HasTheDesignShape) {
  auto body = Json::parse(error_envelope(409, "Seat taken", "/api/order", Timestamp{}));
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body["error"], "Conflict");
  EXPECT_EQ(body["message"], "Seat taken");
  EXPECT_EQ(body["path"], "/api/order");
  EXPECT_EQ(body["timestamp"], "1970-01-01T00:00:00.000Z");
}

TEST(Dump, ReplacesInvalidUtf8InsteadOfThrowing) {
  Json j = {{"name", std::string("bad\xff")}};
  EXPECT_NO_THROW(dump(j));
}

TEST(ObjectReader, RejectsNonObjectBody) {
  Json arr = Json::array();
  EXPECT_EQ(message_of([&] { ObjectReader r(arr); }), "Request body must be a JSON object");
}

TEST(ObjectReader, ReportsMissingAndWrongTypeByFieldName) {
  Json j = {{"name", 5}, {"price", "ten"}};
  ObjectReader r(j);
  EXPECT_EQ(message_of([&] { r.required_string("title"); }), "'title' is required");
  EXPECT_EQ(message_of([&] { r.required_string("name"); }), "'name' must be a string");
  EXPECT_EQ(message_of([&] { r.required_number("price", 0, 1e9); }), "'price' must be a number");
}

TEST(ObjectReader, ChecksStringLengthsInCharacters) {
  Json j = {{"name", "  ab  "}, {"uni", "ééé"}};
  ObjectReader r(j);
  EXPECT_EQ(r.required_string("name", {.min = 2, .max = 2}), "ab");
  EXPECT_EQ(message_of([&] { r.required_string("name", {.min = 3}); }), "'name' must be at least 3 characters");
  EXPECT_EQ(r.required_string("uni", {.max = 3}), "ééé");
}

TEST(ObjectReader, ValidatesUuids) {
  Json j = {{"id", "nope"}, {"empty", ""}, {"ok", "0B4C6A52-2F5E-4B5A-9D7E-2A4B1C3D4E5F"}};
  ObjectReader r(j);
  EXPECT_EQ(message_of([&] { r.required_uuid("id"); }), "'id' must be a valid UUID");
  EXPECT_FALSE(r.optional_uuid("empty").has_value());
  EXPECT_EQ(r.required_uuid("ok").str(), "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
}

TEST(ObjectReader, ValidatesTimestamps) {
  Json j = {{"bad", "tomorrow"}, {"good", "2026-05-01T18:30:00Z"}};
  ObjectReader r(j);
  EXPECT_NE(message_of([&] { r.required_time("bad"); }).find("'bad' must be an ISO-8601 timestamp"), std::string::npos);
  EXPECT_EQ(format_iso8601(r.required_time("good")), "2026-05-01T18:30:00Z");
}

TEST(ObjectReader, ValidatesIntegerRanges) {
  Json j = {{"n", 11}, {"f", 2.5}, {"whole", 3.0}};
  ObjectReader r(j);
  EXPECT_EQ(message_of([&] { r.required_int("n", 1, 10); }), "'n' must be between 1 and 10");
  EXPECT_EQ(message_of([&] { r.required_int("f", 0, 10); }), "'f' must be an integer");
  EXPECT_EQ(r.required_int("whole", 0, 10), 3);
}

TEST(ObjectReader, NamesNestedFieldsWithTheirPath) {
  Json j = {{"venue", {{"latitude", "x"}}}};
  ObjectReader r(j);
  auto venue = r.required_object("venue");
  EXPECT_EQ(message_of([&] { venue.required_number("latitude", -90, 90); }), "'venue.latitude' must be a number");
}

TEST(ObjectReader, BoundsListLengthsAndChecksItems) {
  Json j = {{"ids", {"0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f", "x"}}, {"many", Json::array()}};
  for (int i = 0; i < 11; ++i) j["many"].push_back(i);
  ObjectReader r(j);
  EXPECT_EQ(message_of([&] { r.uuid_list("ids", 10, true); }), "'ids[1]' must be a valid UUID");
  EXPECT_EQ(message_of([&] { r.required_array("many", 10); }), "'many' must have at most 10 items");
}

TEST(ObjectReader, EnumListsTheAllowedValues) {
  Json j = {{"type", "HYBRID"}};
  ObjectReader r(j);
  EXPECT_EQ(message_of([&] { r.required_enum("type", {"PHYSICAL", "ONLINE"}); }),
            "'type' must be one of: PHYSICAL, ONLINE");
}

}  // namespace
}  // namespace ticketly::json
