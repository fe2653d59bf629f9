#include "platform/http/router.h"

#include <gtest/gtest.h>

namespace ticketly::http {
namespace {

Handler noop() {
  return [](Request&) -> boost::asio::awaitable<Response> { co_return Response::no_content(); };
}

TEST(Router, MatchesLiteralPath) {
  Router r;
  r.get("/api/order/tickets/count", noop());
  auto m = r.match(Verb::get, "/api/order/tickets/count");
  ASSERT_EQ(m.kind, RouteMatch::Kind::Found);
  EXPECT_EQ(m.route->pattern, "/api/order/tickets/count");
}

TEST(Router, CapturesTypedParameters) {
  Router r;
  r.get("/v1/events/{id:uuid}/sessions/{n:int}", noop());
  auto m = r.match(Verb::get, "/v1/events/0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f/sessions/42");
  ASSERT_EQ(m.kind, RouteMatch::Kind::Found);
  EXPECT_EQ(m.params.get("id"), "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
  EXPECT_EQ(m.params.uuid("id").str(), "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
  EXPECT_EQ(m.params.integer("n"), 42);
}

TEST(Router, LiteralWinsOverParameter) {
  Router r;
  r.get("/v1/events/{id}", noop());
  r.get("/v1/events/search", noop());
  EXPECT_EQ(r.match(Verb::get, "/v1/events/search").route->pattern, "/v1/events/search");
  EXPECT_EQ(r.match(Verb::get, "/v1/events/other").route->pattern, "/v1/events/{id}");
}

TEST(Router, TypedParameterWinsOverPlainOne) {
  Router r;
  r.get("/x/{name}", noop());
  r.get("/x/{id:uuid}", noop());
  EXPECT_EQ(r.match(Verb::get, "/x/0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f").route->pattern, "/x/{id:uuid}");
  EXPECT_EQ(r.match(Verb::get, "/x/hello").route->pattern, "/x/{name}");
}

TEST(Router, UnknownPathIsNotFound) {
  Router r;
  r.get("/a/b", noop());
  EXPECT_EQ(r.match(Verb::get, "/a/c").kind, RouteMatch::Kind::NotFound);
  EXPECT_EQ(r.match(Verb::get, "/a/b/c").kind, RouteMatch::Kind::NotFound);
  EXPECT_EQ(r.match(Verb::get, "/a").kind, RouteMatch::Kind::NotFound);
}

TEST(Router, OtherMethodIsMethodNotAllowedWithAllow) {
  Router r;
  r.get("/a/{id:uuid}", noop());
  r.del("/a/{id:uuid}", noop());
  auto m = r.match(Verb::post, "/a/0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
  ASSERT_EQ(m.kind, RouteMatch::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allow, "DELETE, GET, HEAD, OPTIONS");
}

TEST(Router, MalformedUuidIsBadParameterNotNotFound) {
  Router r;
  r.get("/orders/{id:uuid}", noop());
  auto m = r.match(Verb::get, "/orders/not-a-uuid");
  ASSERT_EQ(m.kind, RouteMatch::Kind::BadParameter);
  EXPECT_NE(m.error.find("'id' must be a valid UUID"), std::string::npos) << m.error;
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  r.get("/health", noop());
  EXPECT_EQ(r.match(Verb::head, "/health").kind, RouteMatch::Kind::Found);
}

TEST(Router, TrailingSlashAndDoubleSlashesAreIgnored) {
  Router r;
  r.post("/api/order", noop());
  EXPECT_EQ(r.match(Verb::post, "/api/order/").kind, RouteMatch::Kind::Found);
  EXPECT_EQ(r.match(Verb::post, "//api//order").kind, RouteMatch::Kind::Found);
}

TEST(Router, DecodesPercentEncodedParameters) {
  Router r;
  r.get("/discounts/code/{code}", noop());
  auto m = r.match(Verb::get, "/discounts/code/SUMMER%2050");
  ASSERT_EQ(m.kind, RouteMatch::Kind::Found);
  EXPECT_EQ(m.params.get("code"), "SUMMER 50");
  EXPECT_EQ(r.match(Verb::get, "/discounts/code/%zz").kind, RouteMatch::Kind::BadParameter);
}

TEST(Router, PercentEncodedNulInThePathIsBadParameter) {
  Router r;
  r.get("/discounts/code/{code}", noop());
  auto m = r.match(Verb::get, "/discounts/code/A%00B");
  ASSERT_EQ(m.kind, RouteMatch::Kind::BadParameter);
  EXPECT_EQ(m.error, "The path must not contain a NUL character (%00)");
}

TEST(Router, RestParameterTakesTheRemainder) {
  Router r;
  r.get("/files/{path:*}", noop());
  auto m = r.match(Verb::get, "/files/a/b/c.png");
  ASSERT_EQ(m.kind, RouteMatch::Kind::Found);
  EXPECT_EQ(m.params.get("path"), "a/b/c.png");
}

TEST(Router, PrefersAnyCandidateThatHasTheMethod) {
  Router r;
  r.get("/v1/events/search", noop());
  r.del("/v1/events/{id}", noop());
  auto m = r.match(Verb::delete_, "/v1/events/search");
  ASSERT_EQ(m.kind, RouteMatch::Kind::Found);
  EXPECT_EQ(m.route->pattern, "/v1/events/{id}");
}

TEST(Router, RejectsDuplicateAndMalformedPatterns) {
  Router r;
  r.get("/a/{id}", noop());
  EXPECT_THROW(r.get("/a/{id}", noop()), std::invalid_argument);
  EXPECT_THROW(r.get("no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(r.get("/a/{x:float}", noop()), std::invalid_argument);
  EXPECT_THROW(r.get("/a/{rest:*}/more", noop()), std::invalid_argument);
  EXPECT_THROW(r.get("/a/{unterminated", noop()), std::invalid_argument);
}

}  // namespace
}  // namespace ticketly::http
