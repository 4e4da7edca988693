// SPDX-License-Identifier: Apache-2.0
#include "peer/endorser/endorser_service.h"

#include <memory>
#include <string>

namespace fabric::endorser {
namespace {

// One proposal handed to the pool. Answers exactly once: when run, with the endorser's result;
// when destroyed unrun (the pool shut down), with UNAVAILABLE.
class PendingProposal {
 public:
  PendingProposal(grpc::ServerUnaryReactor* reactor, const protos::SignedProposal* request,
                  protos::ProposalResponse* response)
      : reactor_(reactor), request_(request), response_(response) {}
  ~PendingProposal() {
    if (!answered_) {
      reactor_->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "peer is shutting down"));
    }
  }
  PendingProposal(const PendingProposal&) = delete;
  PendingProposal& operator=(const PendingProposal&) = delete;

  void Refuse(const grpc::Status& status) {
    answered_ = true;
    reactor_->Finish(status);
  }

  void Run(Endorser& endorser, const EndorserService::Observer& observer) {
    grpc::Status status = grpc::Status::OK;
    auto result = endorser.ProcessProposal(*request_);
    if (result.ok()) {
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
  const std::chrono::steady_clock::time_point arrived_ = std::chrono::steady_clock::now();
  bool answered_ = false;
};

}  // namespace

EndorserService::EndorserService(Endorser& endorser, Options options, Observer observer)
    : endorser_(endorser),
      options_(options),
      observer_(std::move(observer)),
      pool_(options.workers, options.max_queued) {}

EndorserService::~EndorserService() { Shutdown(); }

void EndorserService::Shutdown() {
  shutting_down_ = true;
  pool_.Shutdown();
}

grpc::ServerUnaryReactor* EndorserService::ProcessProposal(grpc::CallbackServerContext* context,
                                                           const protos::SignedProposal* request,
                                                           protos::ProposalResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto pending = std::make_shared<PendingProposal>(reactor, request, response);
  if (!pool_.TrySubmit([this, pending] { pending->Run(endorser_, observer_); })) {
    grpc::Status refused =
        shutting_down_.load()
            ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "peer is shutting down")
            : grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                           "too many requests for /protos.Endorser, exceeding concurrency limit (" +
                               std::to_string(options_.workers + options_.max_queued) + ")");
    if (observer_) {
      observer_(refused, *response, std::chrono::steady_clock::duration::zero());
    }
    pending->Refuse(refused);
  }
  return reactor;
}

}  // namespace fabric::endorser
