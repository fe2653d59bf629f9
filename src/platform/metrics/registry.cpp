#include "platform/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace ticketly::metrics {

namespace {

using detail::FamilyBase;
using detail::Kind;

// --- names --------------------------------------------------------------------------

bool is_alpha_or_underscore(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Prometheus data model: [a-zA-Z_:][a-zA-Z0-9_:]*
void check_metric_name(std::string_view name) {
  bool ok = !name.empty() && (is_alpha_or_underscore(name[0]) || name[0] == ':');
  for (char c : name) ok = ok && (is_alpha_or_underscore(c) || is_digit(c) || c == ':');
  if (!ok) throw std::invalid_argument("invalid metric name '" + std::string(name) + "'");
}

// [a-zA-Z_][a-zA-Z0-9_]*, and names starting with "__" are reserved for Prometheus.
void check_label_names(const std::string& metric, const std::vector<std::string>& names, bool histogram) {
  for (const std::string& n : names) {
    bool ok = !n.empty() && is_alpha_or_underscore(n[0]) && !n.starts_with("__");
    for (char c : n) ok = ok && (is_alpha_or_underscore(c) || is_digit(c));
    if (!ok) throw std::invalid_argument("metric '" + metric + "': invalid label name '" + n + "'");
    // `le` would collide with the bucket label.
    if (histogram && n == "le") throw std::invalid_argument("histogram '" + metric + "' cannot use label 'le'");
    if (std::count(names.begin(), names.end(), n) > 1) {
      throw std::invalid_argument("metric '" + metric + "': duplicate label name '" + n + "'");
    }
  }
}

std::vector<double> normalize_buckets(std::vector<double> b) {
  if (!b.empty() && std::isinf(b.back()) && b.back() > 0) b.pop_back();  // +Inf is implicit
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (!std::isfinite(b[i])) throw std::invalid_argument("histogram bucket bounds must be finite");
    if (i > 0 && !(b[i] > b[i - 1])) throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
  }
  return b;
}

constexpr std::string_view kHistogramSuffixes[] = {"_bucket", "_sum", "_count"};

std::string_view type_name(Kind k) {
  switch (k) {
    case Kind::counter:
    case Kind::callback_counter:
      return "counter";
    case Kind::gauge:
    case Kind::callback_gauge:
      return "gauge";
    case Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::callback_counter:
      return "callback counter";
    case Kind::callback_gauge:
      return "callback gauge";
    default:
      return type_name(k);
  }
}

template <class Metric>
constexpr Kind kind_of() {
  if constexpr (std::is_same_v<Metric, Counter>)
    return Kind::counter;
  else if constexpr (std::is_same_v<Metric, Gauge>)
    return Kind::gauge;
  else
    return Kind::histogram;
}

// --- exposition text ----------------------------------------------------------------

void append_escaped(std::string& out, std::string_view s, bool escape_quotes) {
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && escape_quotes)
      out += "\\\"";
    else
      out += c;
  }
}

// Formats like Go's strconv.FormatFloat(v, 'g', -1, 64), which client_golang uses, so
// `le` values and samples read the same as from any Go service ("0.005", "1e+06").
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  // Shortest round-trip digits in scientific form tell us the decimal exponent.
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<std::size_t>(sci.ptr - buf));
  int exponent = 0;
  const auto e = text.find('e');
  const char* exp_begin = text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0);
  std::from_chars(exp_begin, text.data() + text.size(), exponent);
  if (exponent < -4 || exponent >= 6) {
    out += text;
    return;
  }
  auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  out.append(buf, fixed.ptr);
}

// {a="x",b="y"} (plus le="..." for buckets); nothing when there are no labels at all.
void append_labels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                   std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!le.empty()) {
    out += names.empty() ? "le=\"" : ",le=\"";
    out += le;
    out += '"';
  }
  out += "}";
}

void append_sample_start(std::string& out, std::string_view name, std::string_view suffix,
                         const std::vector<std::string>& names, const std::vector<std::string>& values,
                         std::string_view le = {}) {
  out += name;
  out += suffix;
  append_labels(out, names, values, le);
  out += ' ';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values, const Counter& c) {
  append_sample_start(out, f.name(), "", f.label_names(), values);
  out += std::to_string(c.value());  // exact even beyond 2^53
  out += '\n';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values, const Gauge& g) {
  append_sample_start(out, f.name(), "", f.label_names(), values);
  append_double(out, g.value());
  out += '\n';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values, const Histogram& h) {
  const std::vector<std::uint64_t> cumulative = h.cumulative_counts();
  std::string le;
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    le.clear();
    if (i < h.bounds().size())
      append_double(le, h.bounds()[i]);
    else
      le = "+Inf";
    append_sample_start(out, f.name(), "_bucket", f.label_names(), values, le);
    out += std::to_string(cumulative[i]);
    out += '\n';
  }
  append_sample_start(out, f.name(), "_sum", f.label_names(), values);
  append_double(out, h.sum());
  out += '\n';
  append_sample_start(out, f.name(), "_count", f.label_names(), values);
  out += std::to_string(cumulative.back());
  out += '\n';
}

// Series whose values are read by callbacks at scrape time.
class CallbackFamily final : public FamilyBase {
 public:
  using Read = std::shared_ptr<const std::function<double()>>;
  using FamilyBase::FamilyBase;

  void set(std::vector<std::string> values, std::function<double()> read) {
    std::lock_guard lock(mu_);
    series_[std::move(values)] = std::make_shared<const std::function<double()>>(std::move(read));
  }

  void render(std::string& out) const override {
    // Callbacks may be slow or take their own locks (pool stats), so run them on a
    // snapshot instead of under mu_.
    std::vector<std::pair<std::vector<std::string>, Read>> snapshot;
    {
      std::lock_guard lock(mu_);
      snapshot.assign(series_.begin(), series_.end());
    }
    std::string samples;
    for (const auto& [values, read] : snapshot) {
      double v = 0;
      try {
        v = (*read)();
      } catch (...) {
        continue;  // one unreadable source must not fail the whole scrape
      }
      append_sample_start(samples, name(), "", label_names(), values);
      append_double(samples, v);
      samples += '\n';
    }
    if (samples.empty()) return;
    render_header(out);
    out += samples;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, Read> series_;
};

}  // namespace

// --- Histogram ----------------------------------------------------------------------

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(normalize_buckets(std::move(bounds))), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]()) {}

void Histogram::observe(double v) {
  // le is inclusive: the first bound >= v. NaN compares false with everything, so it
  // would land in the first bucket; it belongs only in +Inf.
  const std::size_t i =
      std::isnan(v) ? bounds_.size()
                    : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::uint64_t Histogram::count() const { return cumulative_counts().back(); }

std::vector<double> default_latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

// --- families -----------------------------------------------------------------------

namespace detail {

FamilyBase::FamilyBase(Kind kind, std::string name, std::string help, std::vector<std::string> label_names)
    : kind_(kind), name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void FamilyBase::render_header(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_escaped(out, help_, false);  // HELP escapes only \ and newline
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_name(kind_);
  out += '\n';
}

}  // namespace detail

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> buckets)
    : FamilyBase(kind_of<Metric>(), std::move(name), std::move(help), std::move(label_names)),
      buckets_(std::move(buckets)) {}

template <class Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names().size()) {
    throw std::invalid_argument("metric '" + name() + "' expects " + std::to_string(label_names().size()) +
                                " label values, got " + std::to_string(label_values.size()));
  }
  {
    std::shared_lock lock(mu_);
    if (auto it = series_.find(label_values); it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  if (auto it = series_.find(label_values); it != series_.end()) return *it->second;  // lost a race
  std::unique_ptr<Metric> metric;
  if constexpr (std::is_same_v<Metric, Histogram>)
    metric = std::make_unique<Histogram>(buckets_);
  else
    metric = std::make_unique<Metric>();
  return *series_.emplace(label_values, std::move(metric)).first->second;
}

template <class Metric>
void Family<Metric>::render(std::string& out) const {
  std::shared_lock lock(mu_);
  if (series_.empty()) return;
  render_header(out);
  for (const auto& [values, metric] : series_) render_series(out, *this, values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// --- Registry -----------------------------------------------------------------------

Registry::Registry() = default;
Registry::~Registry() = default;

Family<Counter>& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  return get_or_create<Counter>(Kind::counter, std::move(name), std::move(help), std::move(label_names), {});
}

Family<Gauge>& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return get_or_create<Gauge>(Kind::gauge, std::move(name), std::move(help), std::move(label_names), {});
}

Family<Histogram>& Registry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  return get_or_create<Histogram>(Kind::histogram, std::move(name), std::move(help), std::move(label_names),
                                  normalize_buckets(std::move(buckets)));
}

void Registry::gauge_callback(std::string name, std::string help,
                              std::vector<std::pair<std::string, std::string>> labels, std::function<double()> read) {
  add_callback(Kind::callback_gauge, std::move(name), std::move(help), std::move(labels), std::move(read));
}

void Registry::counter_callback(std::string name, std::string help,
                                std::vector<std::pair<std::string, std::string>> labels, std::function<double()> read) {
  add_callback(Kind::callback_counter, std::move(name), std::move(help), std::move(labels), std::move(read));
}

std::string Registry::render() const {
  // Families are never removed, so the pointers outlive the lock; rendering outside it
  // keeps registration (and callbacks that might register) from waiting on a scrape.
  std::vector<const FamilyBase*> families;
  {
    std::lock_guard lock(mu_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  std::string out;
  for (const FamilyBase* f : families) f->render(out);
  return out;
}

FamilyBase* Registry::find_compatible(Kind kind, const std::string& name) const {
  if (auto it = families_.find(name); it != families_.end()) {
    if (it->second->kind() != kind) {
      throw std::invalid_argument("metric '" + name + "' is already registered as a " +
                                  std::string(kind_name(it->second->kind())));
    }
    return it->second.get();
  }
  // A histogram `x` owns the series names x_bucket, x_sum and x_count.
  for (std::string_view suffix : kHistogramSuffixes) {
    if (kind == Kind::histogram && families_.contains(name + std::string(suffix))) {
      throw std::invalid_argument("histogram '" + name + "' clashes with metric '" + name + std::string(suffix) + "'");
    }
    if (name.ends_with(suffix)) {
      auto stem = families_.find(std::string_view(name).substr(0, name.size() - suffix.size()));
      if (stem != families_.end() && stem->second->kind() == Kind::histogram) {
        throw std::invalid_argument("metric '" + name + "' clashes with histogram '" + stem->first + "'");
      }
    }
  }
  return nullptr;
}

template <class Metric>
Family<Metric>& Registry::get_or_create(Kind kind, std::string name, std::string help,
                                        std::vector<std::string> label_names, std::vector<double> buckets) {
  check_metric_name(name);
  check_label_names(name, label_names, kind == Kind::histogram);
  std::lock_guard lock(mu_);
  if (FamilyBase* existing = find_compatible(kind, name)) {
    auto& family = static_cast<Family<Metric>&>(*existing);
    if (family.label_names() != label_names) {
      throw std::invalid_argument("metric '" + name + "' is already registered with other label names");
    }
    if (family.buckets() != buckets) {
      throw std::invalid_argument("histogram '" + name + "' is already registered with other buckets");
    }
    return family;
  }
  auto family = std::unique_ptr<Family<Metric>>(
      new Family<Metric>(name, std::move(help), std::move(label_names), std::move(buckets)));
  // Like other Prometheus clients, an unlabelled metric is exposed (as zero) from the
  // start, so dashboards see it before the first event.
  if (family->label_names().empty()) family->with({});
  Family<Metric>& ref = *family;
  families_.emplace(std::move(name), std::move(family));
  return ref;
}

void Registry::add_callback(Kind kind, std::string name, std::string help,
                            std::vector<std::pair<std::string, std::string>> labels, std::function<double()> read) {
  if (!read) throw std::invalid_argument("metric '" + name + "': empty callback");
  std::vector<std::string> names;
  for (const auto& label : labels) names.push_back(label.first);
  check_metric_name(name);
  check_label_names(name, names, false);

  std::lock_guard lock(mu_);
  auto* family = static_cast<CallbackFamily*>(find_compatible(kind, name));
  if (family == nullptr) {
    auto created = std::make_unique<CallbackFamily>(kind, name, std::move(help), names);
    family = created.get();
    families_.emplace(name, std::move(created));
  }
  // Same label names in any order: reorder the values to the family's order.
  const std::vector<std::string>& family_names = family->label_names();
  if (family_names.size() != labels.size()) {
    throw std::invalid_argument("metric '" + name + "' is already registered with other label names");
  }
  std::vector<std::string> values;
  values.reserve(labels.size());
  for (const std::string& n : family_names) {
    auto it = std::find_if(labels.begin(), labels.end(), [&](const auto& l) { return l.first == n; });
    if (it == labels.end()) {
      throw std::invalid_argument("metric '" + name + "' is already registered with other label names");
    }
    values.push_back(std::move(it->second));
  }
  family->set(std::move(values), std::move(read));
}

}  // namespace ticketly::metrics
