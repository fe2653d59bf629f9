#include "services/event_query/model/analytics.h"

#include <cmath>
#include <set>

#include "platform/text/ascii.h"
#include "services/event_query/model/event_snapshot.h"
#include "services/event_query/model/json_fields.h"
#include "services/event_query/model/views.h"

namespace ticketly::event_query::analytics {

namespace {

using json::Json;

double round2(double v) { return std::round(v * 100.0) / 100.0; }
double percent(double part, double whole) { return whole > 0 ? round2(100.0 * part / whole) : 0.0; }
Json money_of(double cents) { return fields::money(std::llround(cents)); }

// One sold ticket with what was paid for it (minor units, fractional until summed).
struct Sale {
  std::string session_id;
  std::string seat_id;
  std::string tier_id;
  double paid_cents = 0;
};

std::vector<Sale> sales_of(const std::vector<StoredOrder>& orders, const std::string& session_filter = "") {
  std::vector<Sale> out;
  for (const auto& o : orders) {
    if (o.status != "completed") continue;
    if (!session_filter.empty() && !text::iequals_ascii(o.session_id, session_filter)) continue;
    if (!o.tickets.is_array() || o.tickets.empty()) continue;
    std::int64_t list_total = 0;
    for (const auto& t : o.tickets) list_total += t.value("price_cents", std::int64_t{0});
    const double n = static_cast<double>(o.tickets.size());
    for (const auto& t : o.tickets) {
      const auto list = static_cast<double>(t.value("price_cents", std::int64_t{0}));
      const double share = list_total > 0 ? list / static_cast<double>(list_total) : 1.0 / n;
      out.push_back(Sale{text::ascii_lower(o.session_id), text::ascii_lower(t.value("seat_id", "")),
                         text::ascii_lower(t.value("tier_id", "")), static_cast<double>(o.price_cents) * share});
    }
  }
  return out;
}

struct TierCapacity {
  std::map<std::string, std::int64_t> by_tier;
  std::int64_t total = 0;
};

// Whether a session's seats are on offer as far as the event's figures go: a cancelled
// session sells nothing more, so its capacity would only understate the sell-out. (A
// removed session is not in the document at all.) Statuses in the stored document are
// canonical (CANCELED is stored as CANCELLED).
bool offered(const Json& session) { return session.value("status", "") != "CANCELLED"; }

// The sellable seats (with a tier of the event, not RESERVED) of one session, or, for the
// event (`only_session` null), of its sessions on offer.
TierCapacity capacity_of(const Json& doc, const Json* only_session) {
  std::set<std::string> tiers;
  for (const auto& t : fields::array(doc, "tiers")) tiers.insert(text::ascii_lower(t.value("id", "")));
  TierCapacity cap;
  for (const auto& s : fields::array(doc, "sessions")) {
    if (only_session ? &s != only_session : !offered(s)) continue;
    const Json* layout = fields::find(s, "layoutData");
    if (!layout) continue;
    for_each_seat(*layout, [&](const Json& seat) {
      const Json* tier = fields::find(seat, "tierId");
      if (!tier || !tier->is_string()) return;
      std::string tier_id = text::ascii_lower(tier->get_ref<const std::string&>());
      if (!tiers.contains(tier_id) || seat.value("status", "AVAILABLE") == "RESERVED") return;
      ++cap.by_tier[std::move(tier_id)];
      ++cap.total;
    });
  }
  return cap;
}

Json sales_by_tier(const Json& doc, const std::vector<Sale>& sales, const TierCapacity& cap) {
  Json out = Json::array();
  const double total_sold = static_cast<double>(sales.size());
  for (const auto& t : fields::array(doc, "tiers")) {
    const std::string id = text::ascii_lower(t.value("id", ""));
    std::int64_t sold = 0;
    double revenue = 0;
    for (const auto& s : sales) {
      if (s.tier_id != id) continue;
      ++sold;
      revenue += s.paid_cents;
    }
    auto c = cap.by_tier.find(id);
    out.push_back(Json{{"tierId", t.value("id", "")},
                       {"tierName", t.value("name", "")},
                       {"tierColor", t.value("color", "")},
                       {"ticketsSold", sold},
                       {"tierCapacity", c == cap.by_tier.end() ? 0 : c->second},
                       {"totalRevenue", money_of(revenue)},
                       {"percentageOfTotalSales", percent(static_cast<double>(sold), total_sold)}});
  }
  return out;
}

double revenue_of(const std::vector<Sale>& sales) {
  double r = 0;
  for (const auto& s : sales) r += s.paid_cents;
  return r;
}

Json session_row(const Json& doc, const Json& session, const std::vector<StoredOrder>& orders) {
  const std::string id = session.value("id", "");
  const auto sales = sales_of(orders, id);
  const auto cap = capacity_of(doc, &session);
  return Json{{"sessionId", id},
              {"eventId", doc.value("id", "")},
              {"eventTitle", doc.value("title", "")},
              {"startTime", session.value("startTime", Json(nullptr))},
              {"endTime", session.value("endTime", Json(nullptr))},
              {"salesStartTime", session.value("salesStartTime", Json(nullptr))},
              {"sessionStatus", session.value("status", Json(nullptr))},
              {"sessionCapacity", cap.total},
              {"ticketsSold", static_cast<std::int64_t>(sales.size())},
              {"sessionRevenue", money_of(revenue_of(sales))},
              {"sellOutPercentage", percent(static_cast<double>(sales.size()), static_cast<double>(cap.total))}};
}

}  // namespace

std::string iso_duration(std::chrono::seconds d) {
  std::string out = d.count() < 0 ? "-PT" : "PT";
  auto s = std::chrono::abs(d).count();
  const auto h = s / 3600;
  const auto m = (s % 3600) / 60;
  s %= 60;
  if (h) out += std::to_string(h) + "H";
  if (m) out += std::to_string(m) + "M";
  if (s || (!h && !m)) out += std::to_string(s) + "S";
  return out;
}

Json event_summary(const Json& doc, const std::vector<StoredOrder>& orders) {
  const auto sales = sales_of(orders);
  const auto cap = capacity_of(doc, nullptr);
  const double revenue = revenue_of(sales);
  Json statuses = Json::object();
  std::set<std::string> on_offer;
  for (const auto& s : fields::array(doc, "sessions")) {
    const std::string st = s.value("status", "SCHEDULED");
    statuses[st] = statuses.value(st, 0) + 1;
    if (offered(s)) on_offer.insert(text::ascii_lower(s.value("id", "")));
  }
  const auto sold = static_cast<std::int64_t>(sales.size());
  // The sell-out compares the capacity on offer with what was sold of it: tickets of a
  // cancelled (or removed) session are still sold and paid for (totals), but they are not
  // part of the capacity they would be measured against.
  std::int64_t sold_on_offer = 0;
  for (const auto& s : sales) sold_on_offer += on_offer.contains(s.session_id) ? 1 : 0;
  const double sell_out = percent(static_cast<double>(sold_on_offer), static_cast<double>(cap.total));
  return Json{{"eventId", doc.value("id", "")},
              {"eventTitle", doc.value("title", "")},
              {"totalRevenue", money_of(revenue)},
              {"averageRevenuePerTicket", sold ? round2(revenue / 100.0 / static_cast<double>(sold)) : 0.0},
              {"totalTicketsSold", sold},
              {"totalEventCapacity", cap.total},
              {"overallSellOutPercentage", sell_out},
              {"sessionStatusBreakdown", std::move(statuses)},
              {"salesByTier", sales_by_tier(doc, sales, cap)}};
}

Json sessions_summary(const Json& doc, const std::vector<StoredOrder>& orders) {
  Json out = Json::array();
  for (const auto& s : fields::array(doc, "sessions")) out.push_back(session_row(doc, s, orders));
  return out;
}

Json session_detail(const Json& doc, const Json& session, const std::vector<StoredOrder>& orders,
                    const std::map<std::string, std::string>& live, Timestamp now) {
  Json out = session_row(doc, session, orders);
  const std::string id = session.value("id", "");
  const auto sales = sales_of(orders, id);
  out["salesByTier"] = sales_by_tier(doc, sales, capacity_of(doc, &session));
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  auto start = fields::opt_time(session, "startTime");
  auto sales_start = fields::opt_time(session, "salesStartTime");
  out["timeUntilStart"] = start ? Json(iso_duration(duration_cast<seconds>(*start - now))) : Json(nullptr);
  out["salesWindowDuration"] =
      start && sales_start ? Json(iso_duration(duration_cast<seconds>(*start - *sales_start))) : Json(nullptr);
  // Seat states as the seating map shows them.
  std::set<std::string> sold_seats;
  for (const auto& s : sales) sold_seats.insert(s.seat_id);
  const Json map = views::seating_map(doc, session, live);
  Json breakdown{{"AVAILABLE", 0}, {"LOCKED", 0}, {"BOOKED", 0}, {"RESERVED", 0}};
  Json blocks = Json::array();
  if (auto layout = map.find("layout"); layout != map.end() && layout->contains("blocks")) {
    for (const auto& block : (*layout)["blocks"]) {
      std::int64_t capacity = 0;
      std::int64_t sold = 0;
      Json copy = Json{{"layout", Json{{"blocks", Json::array({block})}}}};
      for_each_seat(copy, [&](const Json& seat) {
        const std::string st = seat.value("status", "AVAILABLE");
        breakdown[st] = breakdown.value(st, 0) + 1;
        if (seat.value("tier", Json(nullptr)).is_null() || st == "RESERVED") return;
        ++capacity;
        if (sold_seats.contains(text::ascii_lower(seat.value("id", "")))) ++sold;
      });
      blocks.push_back(Json{{"blockId", block.value("id", Json(nullptr))},
                            {"blockName", block.value("name", Json(nullptr))},
                            {"blockType", block.value("type", Json(nullptr))},
                            {"totalCapacity", capacity},
                            {"seatsSold", sold},
                            {"occupancyPercentage", percent(static_cast<double>(sold), static_cast<double>(capacity))}});
    }
  }
  out["seatStatusBreakdown"] = std::move(breakdown);
  out["occupancyByBlock"] = std::move(blocks);
  return out;
}

}  // namespace ticketly::event_query::analytics
