// SPDX-License-Identifier: Apache-2.0
#include "peer/endorser/endorser_service.h"

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace fabric::endorser {
namespace {

// One proposal handed to the pool. Answers exactly once: when run, with the endorser's result;
// when destroyed unrun (the pool shut down), with UNAVAILABLE. `answered` runs after the answer.
class PendingProposal {
 public:
  PendingProposal(grpc::ServerUnaryReactor* reactor, const protos::SignedProposal* request,
                  protos::ProposalResponse* response, std::function<void()> answered)
      : reactor_(reactor),
        request_(request),
        response_(response),
        answered_cb_(std::move(answered)) {}
  ~PendingProposal() {
    if (!answered_) {
      reactor_->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "peer is shutting down"));
    }
    answered_cb_();
  }
  PendingProposal(const PendingProposal&) = delete;
  PendingProposal& operator=(const PendingProposal&) = delete;

  void Refuse(const grpc::Status& status) {
    answered_ = true;
    reactor_->Finish(status);
  }

  void Run(Endorser& endorser, const EndorserService::Observer& observer) {
    grpc::Status status = grpc::Status::OK;
    StatusOr<protos::ProposalResponse> result = InternalError("");
    try {
      result = endorser.ProcessProposal(*request_);
    } catch (const std::exception& e) {
      // Out of a resource (a thread, memory): this proposal fails, the peer goes on.
      result = ResourceExhaustedError(std::string("peer is out of resources: ") + e.what());
    }
    const FiberTask* task = FiberTask::Current();
    if (task != nullptr && task->refused()) {
      // It could not move to a worker: the pool shut down under it.
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "peer is shutting down");
    } else if (result.ok()) {
      *response_ = std::move(result).value();
    } else {
      status = grpc::Status(grpc::StatusCode::UNKNOWN, std::string(result.status().message()));
    }
    if (observer) {
      observer(status, *response_, std::chrono::steady_clock::now() - arrived_);
    }
    answered_ = true;
    reactor_->Finish(status);
  }

 private:
  grpc::ServerUnaryReactor* const reactor_;
  const protos::SignedProposal* const request_;
  protos::ProposalResponse* const response_;
  const std::function<void()> answered_cb_;
  const std::chrono::steady_clock::time_point arrived_ = std::chrono::steady_clock::now();
  bool answered_ = false;
};

}  // namespace

EndorserService::EndorserService(Endorser& endorser, Options options, Observer observer)
    : endorser_(endorser),
      options_(options),
      observer_(std::move(observer)),
      // The service counts what it admits (parked proposals hold no worker), so the pool may
      // queue all of it and refuses only once shut down.
      pool_(options.workers, options.workers + options.max_queued, "endorse") {}

EndorserService::~EndorserService() { Shutdown(); }

void EndorserService::Shutdown() {
  shutting_down_ = true;
  pool_.Shutdown();
  std::unique_lock<std::mutex> lock(idle_mu_);
  idle_cv_.wait(lock, [this] { return in_flight_.load() == 0; });
}

void EndorserService::Release() {
  // Under the lock: Shutdown must not see 0 and destroy the service before we are done here.
  std::lock_guard<std::mutex> lock(idle_mu_);
  if (in_flight_.fetch_sub(1) == 1) {
    idle_cv_.notify_all();
  }
}

grpc::ServerUnaryReactor* EndorserService::ProcessProposal(grpc::CallbackServerContext* context,
                                                           const protos::SignedProposal* request,
                                                           protos::ProposalResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const int limit = options_.workers + options_.max_queued;
  if (in_flight_.fetch_add(1) >= limit) {
    Release();
    grpc::Status refused(grpc::StatusCode::RESOURCE_EXHAUSTED,
                         "too many requests for /protos.Endorser, exceeding concurrency limit (" +
                             std::to_string(limit) + ")");
    if (observer_) {
      observer_(refused, *response, std::chrono::steady_clock::duration::zero());
    }
    reactor->Finish(refused);
    return reactor;
  }
  auto pending =
      std::make_shared<PendingProposal>(reactor, request, response, [this] { Release(); });
  auto run = [this, pending] { pending->Run(endorser_, observer_); };
  if (options_.fibers && FiberTask::Start(run, stacks_, &pool_)) {
    return reactor;  // Ran here until it parked or moved to the pool, or until it answered.
  }
  if (!pool_.TrySubmit(std::move(run))) {
    // Only once shut down: the pool's own bound is the service's limit.
    grpc::Status down(grpc::StatusCode::UNAVAILABLE, "peer is shutting down");
    if (observer_) {
      observer_(down, *response, std::chrono::steady_clock::duration::zero());
    }
    pending->Refuse(down);
  }
  return reactor;
}

}  // namespace fabric::endorser
