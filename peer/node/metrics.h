// SPDX-License-Identifier: Apache-2.0
//
// A small metrics registry rendered in Prometheus text format (version 0.0.4) for the peer's
// /metrics endpoint. Counters and histograms are created once (at wiring time) and then
// updated lock-free (counters) or under a per-histogram mutex.
//
//   MetricsRegistry metrics;
//   Counter& received = metrics.NewCounter("endorser_proposals_received", "Proposals received.");
//   received.Inc();
//   CounterVec& failed = metrics.NewCounterVec("endorser_proposals_failed", "...", "reason");
//   failed.With("validation").Inc();
//
// Ownership: the registry owns its metrics; references stay valid for its lifetime.
// Thread-safety: every method is safe to call concurrently.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fabric::node {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Counters keyed by one label's value.
class CounterVec {
 public:
  Counter& With(const std::string& label_value);
  std::map<std::string, uint64_t> Values() const;

 private:
  mutable std::mutex mu_;
  // Guarded by mu_ (the counters themselves are atomic):
  std::map<std::string, std::unique_ptr<Counter>> counters_;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> buckets)
      : buckets_(std::move(buckets)), counts_(buckets_.size(), 0) {}
  void Observe(double value);
  void ObserveDuration(std::chrono::steady_clock::duration d) {
    Observe(std::chrono::duration<double>(d).count());
  }
  struct Snapshot {
    std::vector<double> buckets;
    std::vector<uint64_t> cumulative;  // per bucket, cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Get() const;

 private:
  const std::vector<double> buckets_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

class MetricsRegistry {
 public:
  // Names get no prefix; use Fabric's ("endorser_proposals_received"). Registering a name twice
  // returns the existing metric.
  Counter& NewCounter(const std::string& name, const std::string& help);
  CounterVec& NewCounterVec(const std::string& name, const std::string& help,
                            const std::string& label);
  // Seconds; `buckets` are upper bounds in increasing order.
  Histogram& NewHistogram(const std::string& name, const std::string& help,
                          std::vector<double> buckets);
  // Every metric in Prometheus text format, sorted by name.
  std::string Render() const;

 private:
  struct Entry {
    std::string help;
    std::string label;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<CounterVec> vec;
    std::unique_ptr<Histogram> histogram;
  };
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, Entry> entries_;
};

// The default latency buckets (seconds): 5 ms .. 10 s.
std::vector<double> DefaultLatencyBuckets();

}  // namespace fabric::node
