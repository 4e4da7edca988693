// SPDX-License-Identifier: Apache-2.0
//
// The per-envelope logic of orderer.AtomicBroadcast/Broadcast (Fabric's
// orderer/common/broadcast/broadcast.go ProcessMessage), without gRPC:
//  1. the payload, header and channel header parse, else BAD_REQUEST;
//  2. CONFIG and ORDERER_TRANSACTION (and unknown header types) cannot be sent: BAD_REQUEST;
//  3. the channel exists, else NOT_FOUND — except a CONFIG_UPDATE for an unknown channel, which
//     goes to the system channel as a channel creation request (NOT_FOUND without one);
//  4. normal messages: empty / AbsoluteMaxBytes checks (BAD_REQUEST), signature against
//     /Channel/Writers (FORBIDDEN), then queued for ordering;
//     config updates: validated and turned into a config transaction (BAD_REQUEST / FORBIDDEN),
//     then queued;
//  5. SERVICE_UNAVAILABLE when the orderer is shutting down or the chain halted.
// The answer is BroadcastResponse{status, info}; info carries the reason of a rejection.
//
// Streams run on gRPC's callback API: an open stream holds no thread while it waits for the
// client; envelopes are processed on the handler's workers (Options::streams). A stream reads
// ahead while earlier envelopes are being ordered and answers them in the order they came (see
// Stream in broadcast.cc). Streams beyond max_streams are refused with RESOURCE_EXHAUSTED; one
// that sends nothing within first_request_timeout is cancelled.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <atomic>

#include <grpcpp/grpcpp.h>

#include "common/comm/stream_registry.h"
#include "common/common.pb.h"
#include "orderer/ab.pb.h"
#include "orderer/registrar.h"

namespace fabric::orderer {

// common.Status for a Status code: InvalidArgument -> BAD_REQUEST, PermissionDenied ->
// FORBIDDEN, NotFound -> NOT_FOUND, Unavailable -> SERVICE_UNAVAILABLE, ResourceExhausted /
// AlreadyExists / FailedPrecondition -> BAD_REQUEST, others -> INTERNAL_SERVER_ERROR.
common::Status ToCommonStatus(const Status& status);

class BroadcastHandler {
 public:
  struct Options {
    comm::StreamRegistry::Options streams;
  };
  // `registrar` must outlive the handler.
  BroadcastHandler(Registrar& registrar, Options options);

  // A Broadcast stream; gRPC owns it until OnDone.
  grpc::ServerBidiReactor<common::Envelope, ::orderer::BroadcastResponse>* Start(
      grpc::CallbackServerContext* context);

  // After this, every envelope gets SERVICE_UNAVAILABLE and new streams are refused.
  void Shutdown() {
    shutting_down_.store(true);
    streams_.Shutdown();
  }

  int open_streams() const { return streams_.open_streams(); }

 private:
  class Stream;
  // Where the checks sent an envelope: a normal message goes to `chain` to be ordered;
  // otherwise (rejected, or a config update already handed over) `outcome` is the answer.
  struct Admission {
    Admission(Status status) : outcome(std::move(status)) {}  // NOLINT: RETURN_IF_ERROR's
    Admission(ChainSupport* to, uint64_t seq) : chain(to), config_seq(seq) {}
    Status outcome;
    ChainSupport* chain = nullptr;
    uint64_t config_seq = 0;
  };
  Admission Admit(const common::Envelope& envelope);
  // Checks `envelope` and hands it on; `done` gets the outcome (see Chain::OrderAsync).
  void Process(common::Envelope envelope, Chain::Done done);

  Registrar& registrar_;
  std::atomic<bool> shutting_down_{false};
  comm::StreamRegistry streams_;
};

}  // namespace fabric::orderer
