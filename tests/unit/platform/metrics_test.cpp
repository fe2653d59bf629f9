#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "platform/metrics/process_metrics.h"
#include "platform/metrics/registry.h"

namespace ticketly::metrics {
namespace {

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The value of the sample line that starts with `series` ("name" or "name{...}").
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  ADD_FAILURE() << "no sample " << series << " in:\n" << text;
  return std::nan("");
}

// --- recording ----------------------------------------------------------------------

TEST(Counter, StartsAtZeroAndIncrementsByOneOrN) {
  Counter c;
  EXPECT_EQ(c.value(), 0u);
  c.inc();
  c.inc(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(Counter, CountsExactlyUnderConcurrentIncrements) {
  Registry r;
  Counter& c = r.counter("requests_total", "Requests.").with({});
  auto work = [&c] {
    for (int i = 0; i < 1'000'000; ++i) c.inc();
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(c.value(), 2'000'000u);
  EXPECT_EQ(sample(r.render(), "requests_total"), 2'000'000);
}

TEST(Gauge, SetsAndAddsIncludingNegativeDeltas) {
  Gauge g;
  g.set(10);
  g.add(2.5);
  g.add(-5);
  EXPECT_DOUBLE_EQ(g.value(), 7.5);
}

TEST(Gauge, AddsAtomicallyAcrossThreads) {
  Gauge g;
  auto work = [&g] {
    for (int i = 0; i < 200'000; ++i) g.add(1);
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(g.value(), 400'000);
}

TEST(Histogram, CountsBoundaryValueInItsOwnBucket) {
  Histogram h({1, 2});
  h.observe(1);  // le is inclusive
  h.observe(1.5);
  h.observe(3);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_DOUBLE_EQ(h.sum(), 5.5);
}

TEST(Histogram, PutsNaNOnlyInTheInfBucket) {
  Histogram h({1});
  h.observe(std::nan(""));
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{0, 1}));
}

TEST(Histogram, ObservesExactlyUnderConcurrency) {
  Histogram h(default_latency_buckets());
  auto work = [&h] {
    for (int i = 0; i < 200'000; ++i) h.observe(0.003);
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(h.count(), 400'000u);
  EXPECT_NEAR(h.sum(), 1200, 1e-6);
}

TEST(Histogram, RejectsUnsortedDuplicateOrNonFiniteBounds) {
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({std::nan("")}), std::invalid_argument);
  EXPECT_THROW(Histogram({-std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
}

TEST(Histogram, DropsATrailingInfBound) {
  Histogram h({1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.bounds(), std::vector<double>{1});
}

TEST(DefaultLatencyBuckets, RunFromHalfAMillisecondToTenSecondsIncreasing) {
  const auto b = default_latency_buckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.0005);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_NO_THROW(Histogram{b});
}

// --- families and registration ------------------------------------------------------

TEST(Family, WithReturnsTheSameSeriesForTheSameLabels) {
  Registry r;
  auto& f = r.counter("hits_total", "Hits.", {"route"});
  Counter& a = f.with({"/a"});
  f.with({"/b"});
  EXPECT_EQ(&a, &f.with({"/a"}));
  EXPECT_NE(&a, &f.with({"/b"}));
}

TEST(Family, WithRejectsWrongNumberOfLabelValues) {
  Registry r;
  auto& f = r.counter("hits_total", "Hits.", {"route", "method"});
  EXPECT_THROW(f.with({"/a"}), std::invalid_argument);
  EXPECT_THROW(f.with({"/a", "GET", "x"}), std::invalid_argument);
  EXPECT_THROW(r.counter("plain_total", "Plain.").with({"x"}), std::invalid_argument);
}

TEST(Family, ConcurrentFirstUseCreatesOneSeries) {
  Registry r;
  auto& f = r.counter("hits_total", "Hits.", {"route"});
  std::vector<std::thread> threads;
  std::vector<Counter*> seen(8);
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        seen[t] = &f.with({"/same"});
        seen[t]->inc();
        f.with({"/other" + std::to_string(i % 10)}).inc();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (Counter* c : seen) EXPECT_EQ(c, seen[0]);
  EXPECT_EQ(seen[0]->value(), 8000u);
}

TEST(Registry, ReturnsTheSameFamilyForTheSameNameAndType) {
  Registry r;
  auto& a = r.counter("jobs_total", "Jobs.", {"kind"});
  auto& b = r.counter("jobs_total", "Other help is ignored.", {"kind"});
  EXPECT_EQ(&a, &b);
  auto& h1 = r.histogram("latency_seconds", "L.", {}, {0.1, 1});
  auto& h2 = r.histogram("latency_seconds", "L.", {}, {0.1, 1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(&h1, &h2);
}

TEST(Registry, RejectsTheSameNameWithAnotherType) {
  Registry r;
  r.counter("x_total", "X.");
  EXPECT_THROW(r.gauge("x_total", "X."), std::invalid_argument);
  EXPECT_THROW(r.histogram("x_total", "X.", {}, {1}), std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("x_total", "X.", {}, [] { return 1.0; }), std::invalid_argument);
  r.gauge("g", "G.");
  EXPECT_THROW(r.gauge_callback("g", "G.", {}, [] { return 1.0; }), std::invalid_argument);
}

TEST(Registry, RejectsTheSameNameWithOtherLabelNamesOrBuckets) {
  Registry r;
  r.counter("x_total", "X.", {"a"});
  EXPECT_THROW(r.counter("x_total", "X.", {"b"}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "X."), std::invalid_argument);
  r.histogram("h", "H.", {}, {1, 2});
  EXPECT_THROW(r.histogram("h", "H.", {}, {1, 3}), std::invalid_argument);
}

TEST(Registry, RejectsInvalidMetricNames) {
  Registry r;
  for (const char* bad : {"", "1abc", "a-b", "a b", "é", "a.b"}) {
    EXPECT_THROW(r.counter(bad, "."), std::invalid_argument) << bad;
  }
  EXPECT_NO_THROW(r.counter("_a:b_c9", "."));
  EXPECT_NO_THROW(r.gauge(":colon", "."));
}

TEST(Registry, RejectsInvalidReservedOrDuplicateLabelNames) {
  Registry r;
  EXPECT_THROW(r.counter("a", ".", {""}), std::invalid_argument);
  EXPECT_THROW(r.counter("b", ".", {"1x"}), std::invalid_argument);
  EXPECT_THROW(r.counter("c", ".", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(r.counter("d", ".", {"__name"}), std::invalid_argument);
  EXPECT_THROW(r.counter("e", ".", {"x", "x"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("f", ".", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("g", ".", {{"bad-name", "v"}}, [] { return 1.0; }), std::invalid_argument);
  EXPECT_NO_THROW(r.counter("h", ".", {"le", "_x"}));  // le is only reserved in histograms
}

TEST(Registry, RejectsNamesThatClashWithHistogramSeries) {
  Registry r;
  r.histogram("rpc_seconds", "R.", {}, {1});
  EXPECT_THROW(r.counter("rpc_seconds_count", "."), std::invalid_argument);
  EXPECT_THROW(r.gauge("rpc_seconds_sum", "."), std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("rpc_seconds_bucket", ".", {}, [] { return 1.0; }), std::invalid_argument);
  r.counter("db_seconds_count", ".");
  EXPECT_THROW(r.histogram("db_seconds", ".", {}, {1}), std::invalid_argument);
}

TEST(Registry, RejectsInvalidHistogramBuckets) {
  Registry r;
  EXPECT_THROW(r.histogram("h", ".", {}, {1, 0.5}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", ".", {}, {std::nan("")}), std::invalid_argument);
}

// --- exposition format --------------------------------------------------------------

TEST(Render, WritesHelpAndTypeBeforeSamples) {
  Registry r;
  r.counter("orders_total", "Orders placed.").with({}).inc(3);
  r.gauge("queue_depth", "Queued jobs.").with({}).set(7);
  EXPECT_EQ(r.render(),
            "# HELP orders_total Orders placed.\n"
            "# TYPE orders_total counter\n"
            "orders_total 3\n"
            "# HELP queue_depth Queued jobs.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 7\n");
}

TEST(Render, SortsFamiliesByNameAndSeriesByLabelValues) {
  Registry r;
  auto& z = r.counter("zeta_total", "Z.", {"k"});
  z.with({"b"}).inc();
  z.with({"a"}).inc();
  r.counter("alpha_total", "A.");
  r.gauge("mid", "M.");
  const std::string text = r.render();
  const auto alpha = text.find("# HELP alpha_total");
  const auto mid = text.find("# HELP mid");
  const auto zeta = text.find("# HELP zeta_total");
  ASSERT_NE(zeta, std::string::npos);
  EXPECT_LT(alpha, mid);
  EXPECT_LT(mid, zeta);
  EXPECT_LT(text.find("zeta_total{k=\"a\"}"), text.find("zeta_total{k=\"b\"}"));
}

TEST(Render, ExposesUnlabelledSeriesAsZeroBeforeFirstUse) {
  Registry r;
  r.counter("boots_total", "Boots.");
  EXPECT_TRUE(contains(r.render(), "\nboots_total 0\n"));
}

TEST(Render, OmitsLabelledFamilyWithoutSeries) {
  Registry r;
  r.counter("by_route_total", "By route.", {"route"});
  EXPECT_EQ(r.render(), "");
}

TEST(Render, EscapesLabelValuesAndHelpText) {
  Registry r;
  r.counter("esc_total", "Back\\slash and\nnewline \"quoted\".", {"v"}).with({"a\\b\"c\nd"}).inc();
  const std::string text = r.render();
  EXPECT_TRUE(contains(text, "# HELP esc_total Back\\\\slash and\\nnewline \"quoted\".\n")) << text;
  EXPECT_TRUE(contains(text, "esc_total{v=\"a\\\\b\\\"c\\nd\"} 1\n")) << text;
}

TEST(Render, WritesLabelsInDeclaredOrder) {
  Registry r;
  r.counter("http_total", "H.", {"method", "code"}).with({"GET", "200"}).inc();
  EXPECT_TRUE(contains(r.render(), "http_total{method=\"GET\",code=\"200\"} 1\n"));
}

TEST(Render, RendersHistogramBucketsCumulatively) {
  Registry r;
  auto& h = r.histogram("req_seconds", "Latency.", {"route"}, {0.25, 0.5, 1});
  Histogram& s = h.with({"/e"});
  for (double v : {0.125, 0.25, 0.375, 0.75, 2.0}) s.observe(v);  // exact binary fractions
  EXPECT_EQ(r.render(),
            "# HELP req_seconds Latency.\n"
            "# TYPE req_seconds histogram\n"
            "req_seconds_bucket{route=\"/e\",le=\"0.25\"} 2\n"
            "req_seconds_bucket{route=\"/e\",le=\"0.5\"} 3\n"
            "req_seconds_bucket{route=\"/e\",le=\"1\"} 4\n"
            "req_seconds_bucket{route=\"/e\",le=\"+Inf\"} 5\n"
            "req_seconds_sum{route=\"/e\"} 3.5\n"
            "req_seconds_count{route=\"/e\"} 5\n");
}

TEST(Render, RendersUnlabelledHistogramWithOnlyTheLeLabel) {
  Registry r;
  r.histogram("db_seconds", "DB.", {}, {1}).with({}).observe(0.5);
  const std::string text = r.render();
  EXPECT_TRUE(contains(text, "db_seconds_bucket{le=\"1\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "db_seconds_bucket{le=\"+Inf\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "db_seconds_sum 0.5\n")) << text;
  EXPECT_TRUE(contains(text, "db_seconds_count 1\n")) << text;
}

TEST(Render, FormatsBucketBoundsLikeGoClients) {
  Registry r;
  r.histogram("b", ".", {}, {0.00001, 0.0005, 0.25, 100000, 1e6});
  const std::string text = r.render();
  for (const char* le : {"1e-05", "0.0005", "0.25", "100000", "1e+06"}) {
    EXPECT_TRUE(contains(text, std::string("le=\"") + le + "\"")) << le << "\n" << text;
  }
}

TEST(Render, FormatsSpecialGaugeValues) {
  Registry r;
  auto& g = r.gauge("g", ".", {"k"});
  g.with({"inf"}).set(std::numeric_limits<double>::infinity());
  g.with({"minf"}).set(-std::numeric_limits<double>::infinity());
  g.with({"nan"}).set(std::nan(""));
  g.with({"neg"}).set(-1.5);
  const std::string text = r.render();
  EXPECT_TRUE(contains(text, "g{k=\"inf\"} +Inf\n"));
  EXPECT_TRUE(contains(text, "g{k=\"minf\"} -Inf\n"));
  EXPECT_TRUE(contains(text, "g{k=\"nan\"} NaN\n"));
  EXPECT_TRUE(contains(text, "g{k=\"neg\"} -1.5\n"));
}

TEST(Render, WritesLargeCountersExactly) {
  Registry r;
  r.counter("big_total", ".").with({}).inc(9'007'199'254'740'993u);  // 2^53 + 1
  EXPECT_TRUE(contains(r.render(), "big_total 9007199254740993\n"));
}

TEST(Render, StaysConsistentWhileWorkersRecord) {
  Registry r;
  auto& h = r.histogram("h_seconds", ".", {"w"}, default_latency_buckets());
  std::atomic<bool> stop{false};
  auto work = [&](std::string w) {
    Histogram& s = h.with({w});
    while (!stop.load()) s.observe(0.01);
  };
  std::thread a(work, "a"), b(work, "b");
  for (int i = 0; i < 50; ++i) {
    const std::string text = r.render();
    for (const char* w : {"a", "b"}) {
      const std::string labels = std::string("{w=\"") + w + "\"";
      if (!contains(text, "h_seconds_count" + labels)) continue;
      // _count is derived from the buckets, so it always equals the +Inf bucket.
      EXPECT_EQ(sample(text, "h_seconds_bucket" + labels + ",le=\"+Inf\"}"),
                sample(text, "h_seconds_count" + labels + "}"));
    }
  }
  stop = true;
  a.join();
  b.join();
}

// --- callbacks ----------------------------------------------------------------------

TEST(GaugeCallback, IsReadAtScrapeTime) {
  Registry r;
  double idle = 3;
  r.gauge_callback("db_pool_idle", "Idle connections.", {{"pool", "orders"}}, [&] { return idle; });
  EXPECT_EQ(sample(r.render(), "db_pool_idle{pool=\"orders\"}"), 3);
  idle = 5;
  EXPECT_EQ(sample(r.render(), "db_pool_idle{pool=\"orders\"}"), 5);
  EXPECT_TRUE(contains(r.render(), "# TYPE db_pool_idle gauge\n"));
}

TEST(GaugeCallback, ReplacesTheSeriesWithTheSameLabels) {
  Registry r;
  r.gauge_callback("pool", ".", {{"db", "a"}}, [] { return 1.0; });
  r.gauge_callback("pool", ".", {{"db", "a"}}, [] { return 2.0; });
  const std::string text = r.render();
  EXPECT_EQ(sample(text, "pool{db=\"a\"}"), 2);
  EXPECT_EQ(text.find("pool{db=\"a\"}"), text.rfind("pool{db=\"a\"}"));
}

TEST(GaugeCallback, AddsASeriesForOtherLabelValuesInAnyLabelOrder) {
  Registry r;
  r.gauge_callback("pool", ".", {{"db", "a"}, {"kind", "idle"}}, [] { return 1.0; });
  r.gauge_callback("pool", ".", {{"kind", "busy"}, {"db", "b"}}, [] { return 2.0; });
  const std::string text = r.render();
  EXPECT_EQ(sample(text, "pool{db=\"a\",kind=\"idle\"}"), 1);
  EXPECT_EQ(sample(text, "pool{db=\"b\",kind=\"busy\"}"), 2);
}

TEST(GaugeCallback, RejectsOtherLabelNamesForTheSameName) {
  Registry r;
  r.gauge_callback("pool", ".", {{"db", "a"}}, [] { return 1.0; });
  EXPECT_THROW(r.gauge_callback("pool", ".", {{"database", "a"}}, [] { return 1.0; }), std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("pool", ".", {}, [] { return 1.0; }), std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("other", ".", {}, nullptr), std::invalid_argument);
}

TEST(GaugeCallback, LeavesOutASeriesWhoseCallbackThrows) {
  Registry r;
  r.gauge_callback("broken", ".", {}, []() -> double { throw std::runtime_error("down"); });
  r.gauge_callback("fine", ".", {}, [] { return 1.0; });
  EXPECT_EQ(r.render(),
            "# HELP fine .\n"
            "# TYPE fine gauge\n"
            "fine 1\n");
}

TEST(GaugeCallback, MayRegisterMetricsFromInsideTheCallback) {
  Registry r;
  r.gauge_callback("reentrant", ".", {}, [&r] {
    r.counter("registered_during_scrape_total", ".");
    return 1.0;
  });
  EXPECT_EQ(sample(r.render(), "reentrant"), 1);
}

TEST(CounterCallback, RendersWithCounterType) {
  Registry r;
  r.counter_callback("cb_total", "CB.", {}, [] { return 12.0; });
  EXPECT_TRUE(contains(r.render(), "# TYPE cb_total counter\ncb_total 12\n"));
}

// --- process metrics ----------------------------------------------------------------

TEST(ProcessMetrics, RegistersEveryStandardMetric) {
  Registry r;
  register_process_metrics(r);
  register_process_metrics(r);  // idempotent
  const std::string text = r.render();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                           "process_open_fds", "process_max_fds", "process_start_time_seconds", "process_threads"}) {
    EXPECT_TRUE(contains(text, std::string("\n") + name + " ")) << name << "\n" << text;
    EXPECT_EQ(text.find(std::string("# HELP ") + name + " "), text.rfind(std::string("# HELP ") + name + " "));
  }
  EXPECT_TRUE(contains(text, "# TYPE process_cpu_seconds_total counter\n"));
}

TEST(ProcessMetrics, ReportsSaneValues) {
  Registry r;
  register_process_metrics(r);
  std::atomic<bool> stop{false};
  std::thread extra([&] {
    while (!stop) std::this_thread::yield();
  });
  const std::string text = r.render();
  stop = true;
  extra.join();

  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GE(sample(text, "process_cpu_seconds_total"), 0);
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GE(sample(text, "process_virtual_memory_bytes"), sample(text, "process_resident_memory_bytes"));
  EXPECT_GE(sample(text, "process_open_fds"), 3);  // stdin, stdout, stderr
  EXPECT_LE(sample(text, "process_open_fds"), sample(text, "process_max_fds"));
  EXPECT_GE(sample(text, "process_threads"), 2);  // main + `extra`
  EXPECT_LE(sample(text, "process_start_time_seconds"), now + 1);
  EXPECT_GT(sample(text, "process_start_time_seconds"), now - 24 * 3600);
}

}  // namespace
}  // namespace ticketly::metrics
