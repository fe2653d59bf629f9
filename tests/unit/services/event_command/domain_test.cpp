// Pure event-command rules: seat layouts, session lifecycle, discounts, money, tier limits.
#include <gtest/gtest.h>

#include "platform/errors.h"
#include "services/event_command/domain/discounts.h"
#include "services/event_command/domain/layout.h"
#include "services/event_command/domain/money.h"
#include "services/event_command/domain/overview.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/domain/tier_limits.h"

namespace ticketly::event_command {
namespace {

using namespace std::chrono_literals;

std::string error_of(const std::function<void()>& f, int* status = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (status) *status = e.status();
    return e.what();
  }
  return "";
}

TEST(EventCommandLayout, RowLabelsAreBijectiveBase26) {
  EXPECT_EQ(row_label(0), "A");
  EXPECT_EQ(row_label(25), "Z");
  EXPECT_EQ(row_label(26), "AA");
  EXPECT_EQ(row_label(27), "AB");
  EXPECT_EQ(row_label(51), "AZ");
  EXPECT_EQ(row_label(52), "BA");
  EXPECT_EQ(row_label(701), "ZZ");
  for (std::size_t i = 0; i < 702; ++i) EXPECT_EQ(row_index(row_label(i)), i);
  EXPECT_FALSE(row_index("a"));
  EXPECT_FALSE(row_index(""));
  EXPECT_FALSE(row_index("A1"));
}

struct EventCommandLayoutRules : ::testing::Test {
  Uuid vip = Uuid::random();
  LayoutRules rules() const { return LayoutRules{{vip}, 100, SessionType::Physical}; }
  Json wrap(Json blocks) const { return {{"name", "Hall"}, {"layout", {{"blocks", std::move(blocks)}}}}; }
};

TEST_F(EventCommandLayoutRules, ExpandsTemplateGridsIntoLabelledSeats) {
  Json grid = {{"id", "x"}, {"name", "Stalls"}, {"type", "seated_grid"}, {"position", {{"x", 0}, {"y", 0}}},
               {"rows", 28}, {"columns", 3}, {"tierId", vip.str()}};
  auto out = normalize_session_layout(wrap({grid}), rules());
  EXPECT_EQ(out.seat_count, 84u);
  EXPECT_EQ(out.sellable_seats, 84u);
  const auto& rows = out.data["layout"]["blocks"][0]["rows"];
  ASSERT_EQ(rows.size(), 28u);
  EXPECT_EQ(rows[0]["label"], "A");
  EXPECT_EQ(rows[26]["label"], "AA");
  EXPECT_EQ(rows[27]["seats"][2]["label"], "3AB");
  EXPECT_EQ(rows[0]["seats"][0]["label"], "1A");
  EXPECT_EQ(rows[0]["seats"][0]["tierId"], vip.str());
  EXPECT_EQ(rows[0]["seats"][0]["status"], "AVAILABLE");
  // The block got a real id, the client's "x" was not a UUID.
  EXPECT_TRUE(Uuid::parse(out.data["layout"]["blocks"][0]["id"].get<std::string>()));
  EXPECT_EQ(out.tier_ids, std::vector<Uuid>{vip});
}

TEST_F(EventCommandLayoutRules, MaterializesStandingCapacityAsSlots) {
  Json pit = {{"name", "Pit"}, {"type", "standing_capacity"}, {"position", {{"x", 0}, {"y", 0}}},
              {"capacity", 3}, {"tierId", vip.str()}, {"width", 10}, {"height", 20}};
  auto out = normalize_session_layout(wrap({pit}), rules());
  const auto& seats = out.data["layout"]["blocks"][0]["seats"];
  ASSERT_EQ(seats.size(), 3u);
  EXPECT_EQ(seats[0]["label"], "Slot 1");
  EXPECT_EQ(seats[2]["label"], "Slot 3");
  EXPECT_EQ(out.data["layout"]["blocks"][0]["capacity"], 3);
}

TEST_F(EventCommandLayoutRules, KeepsReservedSeatsWithoutTierAndRefusesUntieredSellableOnes) {
  Json row = {{"label", "A"},
              {"seats",
               {{{"label", "1A"}, {"tierId", vip.str()}, {"status", "AVAILABLE"}},
                {{"label", "2A"}, {"tierId", nullptr}, {"status", "RESERVED"}}}}};
  Json grid = {{"name", "G"}, {"type", "seated_grid"}, {"position", {{"x", 0}, {"y", 0}}}, {"rows", {row}}};
  auto out = normalize_session_layout(wrap({grid}), rules());
  EXPECT_EQ(out.seat_count, 2u);
  EXPECT_EQ(out.sellable_seats, 1u);

  Json all_reserved = grid;
  all_reserved["rows"][0]["seats"][0] = {{"label", "1A"}, {"tierId", nullptr}, {"status", "RESERVED"}};
  EXPECT_NE(error_of([&] { normalize_session_layout(wrap({all_reserved}), rules()); }).find("no sellable seat"),
            std::string::npos);

  grid["rows"][0]["seats"][1]["status"] = "AVAILABLE";
  int status = 0;
  auto message = error_of([&] { normalize_session_layout(wrap({grid}), rules()); }, &status);
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("has no tier"), std::string::npos) << message;

  grid["rows"][0]["seats"][1]["tierId"] = Uuid::random().str();
  message = error_of([&] { normalize_session_layout(wrap({grid}), rules()); });
  EXPECT_NE(message.find("not a tier of this event"), std::string::npos) << message;
}

TEST_F(EventCommandLayoutRules, RefusesRepeatedIdsAndTooManySeats) {
  const std::string id = Uuid::random().str();
  Json row = {{"label", "A"},
              {"seats",
               {{{"id", id}, {"tierId", vip.str()}, {"status", "AVAILABLE"}},
                {{"id", id}, {"tierId", vip.str()}, {"status", "AVAILABLE"}}}}};
  Json grid = {{"name", "G"}, {"type", "seated_grid"}, {"position", {{"x", 0}, {"y", 0}}}, {"rows", {row}}};
  EXPECT_NE(error_of([&] { normalize_session_layout(wrap({grid}), rules()); }).find("repeats the id"), std::string::npos);

  Json big = {{"name", "Big"}, {"type", "seated_grid"}, {"position", {{"x", 0}, {"y", 0}}},
              {"rows", 11}, {"columns", 10}, {"tierId", vip.str()}};
  EXPECT_NE(error_of([&] { normalize_session_layout(wrap({big}), rules()); }).find("at most 100 seats"), std::string::npos);
  Json unknown = {{"name", "U"}, {"type", "balcony"}, {"position", {{"x", 0}, {"y", 0}}}};
  EXPECT_NE(error_of([&] { normalize_session_layout(wrap({unknown}), rules()); }), "");
  const auto empty = error_of([&] { normalize_session_layout(wrap(Json::array()), rules()); });
  EXPECT_NE(empty.find("at least one block"), std::string::npos) << empty;
}

TEST_F(EventCommandLayoutRules, OnlineSessionsAreOneStandingBlock) {
  LayoutRules online = rules();
  online.session_type = SessionType::Online;
  Json pit = {{"name", "Online Attendees"}, {"type", "standing_capacity"}, {"position", {{"x", 0}, {"y", 0}}},
              {"capacity", 2}, {"tierId", vip.str()}};
  EXPECT_EQ(normalize_session_layout(wrap({pit}), online).seat_count, 2u);
  Json stage = {{"name", "Stage"}, {"type", "non_sellable"}, {"position", {{"x", 0}, {"y", 0}}}};
  EXPECT_NE(error_of([&] { normalize_session_layout(wrap({pit, stage}), online); }), "");
}

TEST_F(EventCommandLayoutRules, TemplatesAreShiftedToTheGapAndTrimmed) {
  Json grid = {{"id", "a"}, {"name", "G"}, {"type", "seated_grid"}, {"position", {{"x", 200}, {"y", 400}}},
               {"rows", 2}, {"columns", 3}, {"capacity", 7}, {"width", 9}};
  Json stage = {{"id", "b"}, {"name", "S"}, {"type", "non_sellable"}, {"position", {{"x", 300}, {"y", 100}}},
                {"width", 50}, {"height", 20}, {"rows", 4}};
  auto out = normalize_template_layout(wrap({grid, stage}), 1000);
  const auto& blocks = out["layout"]["blocks"];
  EXPECT_EQ(blocks[0]["position"]["x"], 25);
  EXPECT_EQ(blocks[0]["position"]["y"], 325);
  EXPECT_EQ(blocks[1]["position"]["x"], 125);
  EXPECT_EQ(blocks[1]["position"]["y"], 25);
  EXPECT_EQ(blocks[0]["rows"], 2);
  EXPECT_EQ(blocks[0]["columns"], 3);
  EXPECT_FALSE(blocks[0].contains("capacity"));
  EXPECT_FALSE(blocks[1].contains("rows"));
  EXPECT_EQ(blocks[1]["width"], 50);
}

Schedule schedule(Timestamp now, std::chrono::minutes start, std::chrono::minutes length, std::chrono::minutes sales) {
  return Schedule{now + start, now + start + length, now + sales};
}

TEST(EventCommandSessionRules, ScheduleLimits) {
  const Timestamp now = Clock::now();
  EXPECT_EQ(error_of([&] { validate_schedule(schedule(now, 60min, 30min, 0min), now, "s"); }), "");
  EXPECT_EQ(error_of([&] { validate_schedule(schedule(now, 60min, 12h, 0min), now, "s"); }), "");
  EXPECT_NE(error_of([&] { validate_schedule(schedule(now, 60min, 29min, 0min), now, "s"); }).find("at least 30 minutes"),
            std::string::npos);
  EXPECT_NE(error_of([&] { validate_schedule(schedule(now, 60min, 12h + 1min, 0min), now, "s"); }).find("at most 12 hours"),
            std::string::npos);
  EXPECT_NE(error_of([&] { validate_schedule(schedule(now, 60min, 60min, 60min), now, "s"); }).find("salesStartTime"),
            std::string::npos);
  EXPECT_NE(error_of([&] { validate_schedule(schedule(now, -1min, 60min, -90min), now, "s"); }).find("future"),
            std::string::npos);
}

TEST(EventCommandSessionRules, Transitions) {
  using S = SessionStatus;
  EXPECT_TRUE(can_transition(S::Scheduled, S::OnSale));
  EXPECT_TRUE(can_transition(S::Scheduled, S::Cancelled));
  EXPECT_FALSE(can_transition(S::Scheduled, S::Closed));
  EXPECT_FALSE(can_transition(S::Scheduled, S::SoldOut));
  EXPECT_TRUE(can_transition(S::OnSale, S::Closed));
  EXPECT_TRUE(can_transition(S::OnSale, S::Cancelled));
  EXPECT_TRUE(can_transition(S::OnSale, S::SoldOut));
  EXPECT_FALSE(can_transition(S::OnSale, S::Scheduled));
  EXPECT_TRUE(can_transition(S::SoldOut, S::OnSale));
  EXPECT_TRUE(can_transition(S::SoldOut, S::Closed));
  EXPECT_FALSE(can_transition(S::SoldOut, S::Cancelled));
  for (S to : kAllSessionStatuses) {
    EXPECT_FALSE(can_transition(S::Closed, to));
    EXPECT_FALSE(can_transition(S::Cancelled, to));
  }
  int status = 0;
  error_of([&] { check_transition(S::Closed, S::OnSale); }, &status);
  EXPECT_EQ(status, 409);
  EXPECT_EQ(parse_session_status("PENDING"), S::Scheduled);
  EXPECT_EQ(parse_session_status("CANCELED"), S::Cancelled);
  EXPECT_FALSE(parse_session_status("on_sale"));
}

TEST(EventCommandSessionRules, ApprovalAndCompletion) {
  const Timestamp now = Clock::now();
  EXPECT_EQ(status_on_approval(schedule(now, 60min, 60min, -1min), now), SessionStatus::OnSale);
  EXPECT_EQ(status_on_approval(schedule(now, 60min, 60min, 30min), now), SessionStatus::Scheduled);
  EXPECT_EQ(status_on_approval(schedule(now, -10min, 60min, -60min), now), SessionStatus::Cancelled);
  const SessionStatus finished[] = {SessionStatus::Closed, SessionStatus::Cancelled};
  const SessionStatus mixed[] = {SessionStatus::Closed, SessionStatus::OnSale};
  EXPECT_TRUE(completes_event(EventStatus::Approved, finished));
  EXPECT_FALSE(completes_event(EventStatus::Approved, mixed));
  EXPECT_FALSE(completes_event(EventStatus::Pending, finished));
  EXPECT_FALSE(completes_event(EventStatus::Approved, std::span<const SessionStatus>{}));
}

TEST(EventCommandDiscounts, ParametersAndCodes) {
  EXPECT_TRUE(valid_discount_code("SUMMER-10_x"));
  EXPECT_FALSE(valid_discount_code("ab"));
  EXPECT_FALSE(valid_discount_code("with space"));
  auto p = read_parameters({{"type", "PERCENTAGE"}, {"percentage", 12.5}, {"maxDiscount", 500}}, "parameters");
  EXPECT_EQ(p.type, DiscountType::Percentage);
  EXPECT_EQ(p.max_discount, 50000);
  auto wire = parameters_to_json(p);
  EXPECT_EQ(wire["percentage"], 12.5);
  EXPECT_TRUE(wire["minSpend"].is_null());
  EXPECT_EQ(wire["maxDiscount"], 500);
  auto flat = read_parameters({{"type", "FLAT_OFF"}, {"amount", 99.99}, {"currency", "LKR"}}, "parameters");
  EXPECT_EQ(flat.amount, 9999);
  EXPECT_EQ(parameters_to_json(flat)["currency"], "LKR");
  auto bogo = read_parameters({{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", 2}, {"getQuantity", 1}}, "parameters");
  EXPECT_EQ(bogo.buy_quantity, 2);
  EXPECT_NE(error_of([] { read_parameters({{"type", "PERCENTAGE"}, {"percentage", 101}}, "parameters"); }), "");
  EXPECT_NE(error_of([] { read_parameters({{"type", "FLAT_OFF"}, {"amount", -1}}, "parameters"); }), "");
  EXPECT_NE(error_of([] { read_parameters({{"type", "FLAT_OFF"}, {"amount", 1}, {"currency", "USD"}}, "parameters"); }), "");
  EXPECT_NE(error_of([] { read_parameters({{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", 0}, {"getQuantity", 1}}, "p"); }), "");
  EXPECT_NE(error_of([] { read_parameters({{"type", "NOPE"}}, "parameters"); }).find("parameters"), std::string::npos);
}

TEST(EventCommandDiscounts, ReferencesMustBeTheEventsOwn) {
  Discount d;
  d.code = "SUMMER10";
  const Uuid tier = Uuid::random(), session = Uuid::random();
  d.applicable_tier_ids = {tier};
  d.applicable_session_ids = {session};
  EXPECT_EQ(error_of([&] { validate_discount(d, {tier}, {session}, "discounts[0]"); }), "");
  EXPECT_NE(error_of([&] { validate_discount(d, {}, {session}, "discounts[0]"); }), "");
  EXPECT_NE(error_of([&] { validate_discount(d, {tier}, {}, "discounts[0]"); }), "");
  d.active_from = Clock::now();
  d.expires_at = *d.active_from - 1min;
  EXPECT_NE(error_of([&] { validate_discount(d, {tier}, {session}, "discounts[0]"); }), "");
}

TEST(EventCommandMoney, CentsWithAtMostTwoDecimals) {
  EXPECT_EQ(to_cents(5000.5), 500050);
  EXPECT_EQ(to_cents(0), 0);
  EXPECT_EQ(to_cents(0.1 + 0.2), 30);
  EXPECT_FALSE(to_cents(1.005));
  EXPECT_FALSE(to_cents(-0.01));
  EXPECT_FALSE(to_cents(kMaxMoney + 1));
  EXPECT_DOUBLE_EQ(to_major(500050), 5000.5);
}

TEST(EventCommandTierLimits, PlansFromTheContract) {
  EXPECT_EQ(limits_for("FREE").max_organizations_per_user, 3);
  EXPECT_EQ(limits_for("FREE").max_seating_layouts_per_org, 5);
  EXPECT_EQ(limits_for("FREE").max_active_events, 1);
  EXPECT_EQ(limits_for("FREE").max_sessions_per_event, 5);
  EXPECT_EQ(limits_for("PRO").max_sessions_per_event, 52);
  EXPECT_EQ(limits_for("ENTERPRISE").max_active_events, 1000);
  EXPECT_EQ(limits_for("unknown").max_organizations_per_user, 3);
}

TEST(EventCommandOverview, DraftIsDeterministicMarkdownFromTheFields) {
  OverviewRequest r{"Bring friends", "Jazz Night", "Blue Note", "An evening of jazz", "Music"};
  auto md = draft_overview(r);
  EXPECT_EQ(md, draft_overview(r));
  EXPECT_NE(md.find("Jazz Night"), std::string::npos);
  EXPECT_NE(md.find("Blue Note"), std::string::npos);
  EXPECT_NE(md.find("An evening of jazz"), std::string::npos);
  EXPECT_NE(md.find('#'), std::string::npos);
}

}  // namespace
}  // namespace ticketly::event_command
