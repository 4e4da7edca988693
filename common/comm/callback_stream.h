// SPDX-License-Identifier: Apache-2.0
//
// CallbackStream: the lifecycle every long-lived bidirectional stream on gRPC's callback API
// shares here (the Deliver services' BlockStream, the orderer's Broadcast stream), so that each
// of them only says what it does with a request:
//   - ownership: the stream owns itself (a shared_ptr gRPC's reference stands for) from Open
//     until OnDone, so work posted to the registry's workers may keep it alive past OnDone;
//   - admission: Open registers the stream with its StreamRegistry, or finishes it at once with
//     the registry's refusal (too many streams, shutting down);
//   - the first-request deadline: the registry's sweeper cancels a stream that has not called
//     NoteRequest in time;
//   - finishing exactly once: End finishes the stream; later calls do nothing.
//
// Thread-safety: gRPC's reactions, the registry's workers and its sweeper call in concurrently;
// the derived class keeps its own state's rules.

#pragma once

#include <memory>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "common/comm/stream_registry.h"

namespace fabric::comm {

template <typename Request, typename Response>
class CallbackStream : public grpc::ServerBidiReactor<Request, Response>, public TrackedStream {
 public:
  void OnDone() override {
    if (registered_) {
      registry_.Remove(this);
    }
    std::shared_ptr<CallbackStream> last = std::move(self_);  // may destroy this on return
  }

  void CancelIfNoRequest() override {
    {
      std::lock_guard<std::mutex> lock(lifecycle_mu_);
      if (got_request_ || finished_) {
        return;
      }
    }
    // Ends the pending read (OnReadDone(false)), which finishes the stream.
    context_->TryCancel();
  }

 protected:
  CallbackStream(grpc::CallbackServerContext* context, StreamRegistry& registry)
      : context_(context), registry_(registry) {}

  // Called once by the derived class's factory with the stream's only owner: takes gRPC's
  // reference and registers the stream. False when the registry refused it: the stream is then
  // finished with the refusal and must not start reading.
  static bool Open(const std::shared_ptr<CallbackStream>& stream) {
    stream->self_ = stream;
    if (!stream->registry_.Add(stream.get(), stream)) {
      stream->registered_ = false;
      stream->End(stream->registry_.Refusal());
      return false;
    }
    return true;
  }

  // The client sent a request: the first-request deadline no longer applies.
  void NoteRequest() {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    got_request_ = true;
  }

  // Finishes the stream with `status` unless it was finished already.
  void End(const grpc::Status& status) {
    {
      std::lock_guard<std::mutex> lock(lifecycle_mu_);
      if (finished_) {
        return;
      }
      finished_ = true;
    }
    this->Finish(status);
  }

  StreamRegistry& registry() const { return registry_; }

 private:
  grpc::CallbackServerContext* const context_;
  StreamRegistry& registry_;
  std::shared_ptr<CallbackStream> self_;  // gRPC's reference, dropped in OnDone
  bool registered_ = true;                // set before gRPC calls in, read in OnDone

  std::mutex lifecycle_mu_;
  // Guarded by lifecycle_mu_:
  bool got_request_ = false;
  bool finished_ = false;
};

}  // namespace fabric::comm
