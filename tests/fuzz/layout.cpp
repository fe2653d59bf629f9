// Seating layouts of sessions and templates (services/event_command/domain/layout.h), the
// largest structure an organizer sends. Input: the layoutData JSON.
// Properties: refused only with 4xx; the seat counts agree with the limits and with each
// other; a normalized layout is accepted again unchanged (what is stored stays valid).
#include "fuzz_support.h"
#include "platform/json/json.h"
#include "services/event_command/domain/layout.h"

using namespace ticketly;
using namespace ticketly::event_command;

namespace {

// The tiers the seed inputs name.
const std::unordered_set<Uuid>& tiers() {
  static const std::unordered_set<Uuid> ids{*Uuid::parse("11111111-1111-4111-8111-111111111111"),
                                            *Uuid::parse("22222222-2222-4222-8222-222222222222")};
  return ids;
}

void check_session_layout(const json::Json& layout, SessionType type) {
  const LayoutRules rules{tiers(), 2000, type};
  NormalizedLayout n;
  if (!fuzz::accepted([&] { n = normalize_session_layout(layout, rules); })) return;
  fuzz::check(n.seat_count <= rules.max_seats, "more seats than max_seats");
  fuzz::check(n.sellable_seats <= n.seat_count, "more sellable seats than seats");
  for (const auto& id : n.tier_ids) fuzz::check(tiers().contains(id), "a seat of a tier the event does not have");
  NormalizedLayout again;
  fuzz::check(fuzz::accepted([&] { again = normalize_session_layout(n.data, rules); }),
              "a normalized session layout is refused");
  fuzz::check(again.data == n.data && again.seat_count == n.seat_count && again.sellable_seats == n.sellable_seats,
              "normalizing a normalized session layout changes it");
}

void check_template_layout(const json::Json& layout) {
  json::Json n;
  if (!fuzz::accepted([&] { n = normalize_template_layout(layout, 2000); })) return;
  json::Json again;
  fuzz::check(fuzz::accepted([&] { again = normalize_template_layout(n, 2000); }), "a normalized template is refused");
  fuzz::check(again == n, "normalizing a normalized template changes it");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json::Json layout;
  if (!fuzz::accepted([&] { layout = json::parse_body(fuzz::as_text(data, size)); })) return 0;
  check_session_layout(layout, SessionType::Physical);
  check_session_layout(layout, SessionType::Online);
  check_template_layout(layout);
  return 0;
}
