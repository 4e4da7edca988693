// SPDX-License-Identifier: Apache-2.0
//
// StreamRegistry: what the streams of one gRPC streaming service on the callback API share (the
// Deliver services' common/deliver/block_stream.h, the orderer's Broadcast): a bound on open
// streams, the small worker pool that runs their requests (no stream holds a thread while it
// waits for a request, a block or a write), the deadline for a stream's first request, and
// shutdown.
//
// A stream that has not sent its first request within Options::first_request_timeout is
// cancelled: before that request nothing about the client is known, so an idle stream is the
// cheapest way to hold a server's memory. Streams past Options::max_streams are refused with
// RESOURCE_EXHAUSTED when they open (as Fabric's peer.limits.concurrency limits).
//
// Thread-safety: all methods may be called from any thread.

#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/support/status.h>

#include "fabric/base/worker_pool.h"

namespace fabric::comm {

// A stream as the registry sees it.
class TrackedStream {
 public:
  virtual ~TrackedStream() = default;
  // Re-examines a stream waiting for something (a block): shutdown or cancellation ends it.
  virtual void Wake() = 0;
  // Cancels the stream if it is still waiting for its first request.
  virtual void CancelIfNoRequest() = 0;
};

class StreamRegistry {
 public:
  struct Options {
    // Threads that check requests and read blocks for all streams.
    int workers = 2;
    // Open streams at most; more are refused.
    int max_streams = 10000;
    std::chrono::milliseconds first_request_timeout{20000};
  };

  // `service` ("/protos.Deliver") names the service in refusals; `thread_name` the workers.
  StreamRegistry(std::string service, std::string thread_name, Options options);
  ~StreamRegistry();
  StreamRegistry(const StreamRegistry&) = delete;
  StreamRegistry& operator=(const StreamRegistry&) = delete;

  // Registers a new stream; false when max_streams are open (or after Shutdown).
  bool Add(TrackedStream* stream, std::weak_ptr<TrackedStream> handle);
  void Remove(TrackedStream* stream);
  // Runs `task` on a worker; false after Shutdown. Never blocks. Each stream has at most one
  // task queued, so the queue is bounded by max_streams.
  bool Run(std::function<void()> task) { return pool_.TrySubmit(std::move(task)); }

  bool shutting_down() const;
  // Refuses new streams and tasks and wakes the waiting ones (they end with
  // SERVICE_UNAVAILABLE). Idempotent. Streams still open finish through gRPC's own shutdown.
  void Shutdown();

  int open_streams() const;
  const Options& options() const { return options_; }
  // Why Add refused a stream: UNAVAILABLE once shut down, else RESOURCE_EXHAUSTED in Fabric's
  // words ("too many requests for /protos.Deliver, exceeding concurrency limit (2500)").
  grpc::Status Refusal() const;

 private:
  struct Entry {
    std::weak_ptr<TrackedStream> handle;
    std::chrono::steady_clock::time_point opened;
  };
  void Sweep(std::stop_token stop);
  std::string LimitMessage() const;

  const std::string service_;
  const Options options_;
  WorkerPool pool_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  // Guarded by mu_:
  std::map<TrackedStream*, Entry> streams_;
  bool shutting_down_ = false;

  std::jthread sweeper_;  // Cancels streams without a first request; last, started last.
};

}  // namespace fabric::comm
