#pragma once
// Metrics: counters, gauges and histograms, exposed in the Prometheus text format 0.0.4.
//
// Recording is a relaxed atomic operation with no lock, because every worker records on
// every request. Finding or creating a labelled series (`Family::with`) takes a short
// reader lock; hot paths should look a series up once and keep the reference, which
// stays valid for the registry's lifetime.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ticketly::metrics {

// The Content-Type a /metrics handler answers with.
inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing count.
class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  // One cache line per series: series bumped by different workers must not false-share.
  alignas(64) std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<double> value_{0.0};
};

// Observations counted into buckets with upper bounds `le` (inclusive), rendered
// cumulatively with an implicit +Inf bucket, `_sum` and `_count`.
class Histogram {
 public:
  // Bounds must be strictly increasing and finite; a trailing +Inf is accepted and dropped.
  // Throws std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> bounds);

  void observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // bounds().size() + 1 cumulative counts; the last one is the +Inf bucket.
  std::vector<std::uint64_t> cumulative_counts() const;
  std::uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  // Per-bucket (not cumulative) counts, so observe() touches one bucket. There is no
  // separate count: _count is derived from the buckets, so a scrape racing with
  // observe() still shows _count equal to the +Inf bucket.
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0.0};
};

// Seconds, 0.5 ms .. 10 s: request and query latencies.
std::vector<double> default_latency_buckets();

namespace detail {

enum class Kind { counter, gauge, histogram, callback_counter, callback_gauge };

// What the registry needs from every family: identity, and how to render itself.
class FamilyBase {
 public:
  FamilyBase(Kind kind, std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends HELP, TYPE and every series; appends nothing when the family has no series.
  virtual void render(std::string& out) const = 0;

 protected:
  void render_header(std::string& out) const;

 private:
  Kind kind_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

}  // namespace detail

class Registry;

// One metric name with fixed label names; one series per distinct set of label values.
template <class Metric>
class Family final : public detail::FamilyBase {
 public:
  // The series for these label values (in label-name order), created on first use.
  // Throws std::invalid_argument when the number of values differs from the label names.
  Metric& with(const std::vector<std::string>& label_values);

  // Histogram families only: the normalised bucket bounds every series uses.
  const std::vector<double>& buckets() const { return buckets_; }

  void render(std::string& out) const override;

 private:
  friend class Registry;
  Family(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets);

  std::vector<double> buckets_;
  mutable std::shared_mutex mu_;
  // std::map: series render sorted by label values, and nodes never move.
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// All families of one process. Registering is idempotent: the same name with the same
// type and label names returns the existing family (the first help text wins). Invalid
// names, a type or label-name mismatch, or a clash with a histogram's `_bucket`/`_sum`/
// `_count` series throw std::invalid_argument.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  // `buckets` must also match when the histogram already exists.
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                               std::vector<double> buckets);

  // A series whose value `read` computes at scrape time (pool sizes, /proc readings).
  // Series of one name form one family: every call must use the same label names (in any
  // order). A call with label values already registered REPLACES that series' callback,
  // so a component rebuilt at runtime can re-register without duplicating it. A name used
  // by gauge() cannot take callbacks and vice versa. `read` runs without registry locks
  // held; if it throws, that series is left out of the scrape.
  void gauge_callback(std::string name, std::string help, std::vector<std::pair<std::string, std::string>> labels,
                      std::function<double()> read);
  // Same, rendered with TYPE counter (e.g. process_cpu_seconds_total).
  void counter_callback(std::string name, std::string help, std::vector<std::pair<std::string, std::string>> labels,
                        std::function<double()> read);

  // The full exposition: families sorted by name, each with HELP and TYPE lines.
  std::string render() const;

 private:
  void add_callback(detail::Kind kind, std::string name, std::string help,
                    std::vector<std::pair<std::string, std::string>> labels, std::function<double()> read);
  // The existing family called `name` after checking it has type `kind`, or nullptr after
  // checking no histogram series would clash with `name`. Requires mu_ held.
  detail::FamilyBase* find_compatible(detail::Kind kind, const std::string& name) const;
  template <class Metric>
  Family<Metric>& get_or_create(detail::Kind kind, std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> buckets);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<detail::FamilyBase>, std::less<>> families_;
};

}  // namespace ticketly::metrics
