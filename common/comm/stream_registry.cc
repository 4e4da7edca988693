// SPDX-License-Identifier: Apache-2.0
#include "common/comm/stream_registry.h"

#include <vector>

#include "common/logging/logging.h"
#include "common/logging/rate_limit.h"

namespace fabric::comm {
namespace {

logging::Logger logger("comm.streams");

}  // namespace

StreamRegistry::StreamRegistry(std::string service, std::string thread_name, Options options)
    : service_(std::move(service)),
      options_(options),
      pool_(options.workers, options.max_streams, std::move(thread_name)),
      sweeper_([this](std::stop_token stop) { Sweep(stop); }) {}

StreamRegistry::~StreamRegistry() {
  Shutdown();
  sweeper_.request_stop();
  sweeper_ = std::jthread();
  pool_.Shutdown();
}

bool StreamRegistry::Add(TrackedStream* stream, std::weak_ptr<TrackedStream> handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) {
    return false;
  }
  if (static_cast<int>(streams_.size()) >= options_.max_streams) {
    static logging::RateLimit refusals;
    if (uint64_t more = 0; refusals.Allow(&more)) {
      FLOG_ERROR(logger, "%s (%d more refusals since the last line)", LimitMessage(), more);
    }
    return false;
  }
  streams_[stream] = Entry{std::move(handle), std::chrono::steady_clock::now()};
  return true;
}

void StreamRegistry::Remove(TrackedStream* stream) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_.erase(stream);
}

grpc::Status StreamRegistry::Refusal() const {
  if (shutting_down()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down");
  }
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, LimitMessage());
}

std::string StreamRegistry::LimitMessage() const {
  return "too many requests for " + service_ + ", exceeding concurrency limit (" +
         std::to_string(options_.max_streams) + ")";
}

bool StreamRegistry::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

int StreamRegistry::open_streams() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(streams_.size());
}

void StreamRegistry::Shutdown() {
  std::vector<std::shared_ptr<TrackedStream>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) {
      return;
    }
    shutting_down_ = true;
    for (auto& [_, entry] : streams_) {
      if (auto s = entry.handle.lock()) {
        open.push_back(std::move(s));
      }
    }
  }
  cv_.notify_all();
  for (const auto& s : open) {
    s->Wake();
  }
}

void StreamRegistry::Sweep(std::stop_token stop) {
  // Checks a few times per timeout: a stream is cancelled between 1 and 1.25 timeouts old.
  const auto tick = std::max(options_.first_request_timeout / 4, std::chrono::milliseconds(10));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    cv_.wait_for(lock, stop, tick, [] { return false; });
    const auto cutoff = std::chrono::steady_clock::now() - options_.first_request_timeout;
    std::vector<std::shared_ptr<TrackedStream>> old;
    for (auto& [_, entry] : streams_) {
      if (entry.opened < cutoff) {
        if (auto s = entry.handle.lock()) {
          old.push_back(std::move(s));
        }
      }
    }
    lock.unlock();
    for (const auto& s : old) {
      s->CancelIfNoRequest();
    }
    old.clear();  // The last reference may go here: outside the lock, a stream removes itself.
    lock.lock();
  }
}

}  // namespace fabric::comm
