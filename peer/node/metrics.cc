// SPDX-License-Identifier: Apache-2.0

#include "peer/node/metrics.h"

#include <absl/strings/str_format.h>

namespace fabric::node {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Counter& CounterVec::With(const std::string& label_value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& c = counters_[label_value];
  if (!c) {
    c = std::make_unique<Counter>();
  }
  return *c;
}

std::map<std::string, uint64_t> CounterVec::Values() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, uint64_t> out;
  for (const auto& [k, c] : counters_) {
    out[k] = c->Value();
  }
  return out;
}

void Histogram::Observe(double value) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (value <= buckets_[i]) {
      ++counts_[i];
      break;
    }
  }
  ++count_;
  sum_ += value;
}

Histogram::Snapshot Histogram::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot s{buckets_, {}, count_, sum_};
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  return s;
}

Counter& MetricsRegistry::NewCounter(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[name];
  if (!e.counter) {
    e.help = help;
    e.counter = std::make_unique<Counter>();
  }
  return *e.counter;
}

CounterVec& MetricsRegistry::NewCounterVec(const std::string& name, const std::string& help,
                                           const std::string& label) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[name];
  if (!e.vec) {
    e.help = help;
    e.label = label;
    e.vec = std::make_unique<CounterVec>();
  }
  return *e.vec;
}

Histogram& MetricsRegistry::NewHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[name];
  if (!e.histogram) {
    e.help = help;
    e.histogram = std::make_unique<Histogram>(std::move(buckets));
  }
  return *e.histogram;
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, e] : entries_) {
    out += absl::StrFormat("# HELP %s %s\n", name, e.help);
    if (e.counter) {
      out += absl::StrFormat("# TYPE %s counter\n%s %d\n", name, name, e.counter->Value());
    } else if (e.vec) {
      out += absl::StrFormat("# TYPE %s counter\n", name);
      for (const auto& [label, v] : e.vec->Values()) {
        out += absl::StrFormat("%s{%s=\"%s\"} %d\n", name, e.label, EscapeLabel(label), v);
      }
    } else if (e.histogram) {
      Histogram::Snapshot s = e.histogram->Get();
      out += absl::StrFormat("# TYPE %s histogram\n", name);
      for (size_t i = 0; i < s.buckets.size(); ++i) {
        out += absl::StrFormat("%s_bucket{le=\"%g\"} %d\n", name, s.buckets[i], s.cumulative[i]);
      }
      out += absl::StrFormat("%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", name, s.count,
                             name, s.sum, name, s.count);
    }
  }
  return out;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace fabric::node
