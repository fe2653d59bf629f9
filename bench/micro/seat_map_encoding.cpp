// What a cached 10,000-seat map costs to make, once per change (every seat change during an
// on-sale rush invalidates it): the view, its gzip copy at levels 1 / 6 / 9, and its ETag.
//
//   BM_SeatMapView      views::seating_map + json::dump: the plain body (~1.8 MB)
//   BM_SeatMapGzip/L    gzip level L of that body; counters: compressed bytes, ratio
//   BM_SeatMapETag      the validator: SHA-256 of the body (make_cached_body, no gzip)
//
// The map has the API's shape (a tier object per seat), random UUIDs for ids — the part
// that compresses worst — and a mix of live statuses.
#include <benchmark/benchmark.h>

#include <map>
#include <random>
#include <string>

#include "platform/json/json.h"
#include "platform/types/uuid.h"
#include "services/event_query/live/gzip.h"
#include "services/event_query/live/response_cache.h"
#include "services/event_query/model/views.h"

namespace {

using namespace ticketly;
using json::Json;

struct SeatMapFixture {
  Json doc;
  Json session;
  std::map<std::string, std::string> live;
  std::string body;

  SeatMapFixture() {
    const char* names[] = {"VIP", "Gold", "Silver", "Balcony"};
    const char* colors[] = {"#D4AF37", "#C0C0C0", "#8B4513", "#1E90FF"};
    Json tiers = Json::array();
    for (int t = 0; t < 4; ++t) {
      tiers.push_back(Json{{"id", Uuid::random().str()}, {"name", names[t]}, {"color", colors[t]}, {"price", 2500 * (4 - t)}});
    }
    doc = Json{{"tiers", tiers}};
    std::mt19937 rng(42);
    Json blocks = Json::array();
    for (int b = 0; b < 4; ++b) {  // 4 blocks × 25 rows × 100 seats
      Json rows = Json::array();
      for (int r = 0; r < 25; ++r) {
        const std::string row_label(1, static_cast<char>('A' + r));
        Json seats = Json::array();
        for (int s = 1; s <= 100; ++s) {
          const std::string id = Uuid::random().str();
          seats.push_back(Json{{"id", id},
                               {"label", std::to_string(s) + row_label},
                               {"tierId", tiers[static_cast<std::size_t>(b)]["id"]},
                               {"status", "AVAILABLE"}});
          const auto roll = rng() % 100;
          if (roll < 15) live[id] = "BOOKED";
          else if (roll < 20) live[id] = "LOCKED";
        }
        rows.push_back(Json{{"id", Uuid::random().str()}, {"label", row_label}, {"seats", seats}});
      }
      blocks.push_back(Json{{"id", Uuid::random().str()},
                            {"name", std::string("Block ") + static_cast<char>('1' + b)},
                            {"type", "seated_grid"},
                            {"position", Json{{"x", 25 + 300 * b}, {"y", 140}}},
                            {"rows", rows}});
    }
    session = Json{{"layoutData", Json{{"name", "Arena"}, {"layout", Json{{"blocks", blocks}}}}}};
    body = json::dump(event_query::views::seating_map(doc, session, live));
  }
};

const SeatMapFixture& fixture() {
  static const SeatMapFixture f;
  return f;
}

void BM_SeatMapView(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    auto text = json::dump(event_query::views::seating_map(f.doc, f.session, f.live));
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(f.body.size());
}
BENCHMARK(BM_SeatMapView)->Unit(benchmark::kMillisecond);

void BM_SeatMapGzip(benchmark::State& state) {
  const auto& f = fixture();
  const int level = static_cast<int>(state.range(0));
  std::size_t out = 0;
  for (auto _ : state) {
    auto packed = event_query::gzip(f.body, level);
    out = packed.size();
    benchmark::DoNotOptimize(packed);
  }
  state.counters["bytes"] = static_cast<double>(out);
  state.counters["ratio"] = static_cast<double>(f.body.size()) / static_cast<double>(out);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.body.size()));
}
BENCHMARK(BM_SeatMapGzip)->Arg(1)->Arg(6)->Arg(9)->Unit(benchmark::kMillisecond);

void BM_SeatMapETag(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    auto cached = event_query::make_cached_body(f.body);
    benchmark::DoNotOptimize(cached);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.body.size()));
}
BENCHMARK(BM_SeatMapETag)->Unit(benchmark::kMillisecond);

}  // namespace
