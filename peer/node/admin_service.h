// SPDX-License-Identifier: Apache-2.0
//
// AdminService: Fabric 1.4's peer Admin gRPC service (core/admin), served on the peer's main
// listener for `peer node status` and `peer logging ...`:
//   GetStatus, StartServer   ServerStatus{STARTED}
//   GetModuleLogLevel        the level in force for a logger ("INFO")
//   SetModuleLogLevel        appends "<logger>=<level>" to the active spec
//   RevertLogLevels          restores the spec in force when the service was built
//   GetLogSpec, SetLogSpec   the active spec (common/logging), Fabric's canonical form
//
// Access (Fabric's validator): the request is an Envelope of type PEER_ADMIN_OPERATION carrying
// an AdminOperation, with a channel header timestamp within 15 minutes of the peer's clock and
// signed by an admin of the local MSP. A malformed envelope is refused with "bad request: ...",
// a missing timestamp with "empty timestamp", everything else with "access denied" (the reason
// goes to the peer's log only), as gRPC status UNKNOWN.
//
// Ownership: borrows the local MSP, which must outlive the service. Thread-safety: the RPCs may
// run concurrently.

#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/msp/msp.h"
#include "common/policies/signature_policy.h"
#include "fabric/base/status.h"
#include "peer/admin.grpc.pb.h"

namespace fabric::node {

class AdminService final : public protos::Admin::Service {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Compiles "any admin of `local_msp`". `clock` defaults to the system clock.
  static StatusOr<std::unique_ptr<AdminService>> Create(const msp::Msp& local_msp,
                                                        Clock clock = {});

  grpc::Status GetStatus(grpc::ServerContext* ctx, const common::Envelope* env,
                         protos::ServerStatus* out) override;
  grpc::Status StartServer(grpc::ServerContext* ctx, const common::Envelope* env,
                           protos::ServerStatus* out) override;
  grpc::Status GetModuleLogLevel(grpc::ServerContext* ctx, const common::Envelope* env,
                                 protos::LogLevelResponse* out) override;
  grpc::Status SetModuleLogLevel(grpc::ServerContext* ctx, const common::Envelope* env,
                                 protos::LogLevelResponse* out) override;
  grpc::Status RevertLogLevels(grpc::ServerContext* ctx, const common::Envelope* env,
                               google::protobuf::Empty* out) override;
  grpc::Status GetLogSpec(grpc::ServerContext* ctx, const common::Envelope* env,
                          protos::LogSpecResponse* out) override;
  grpc::Status SetLogSpec(grpc::ServerContext* ctx, const common::Envelope* env,
                          protos::LogSpecResponse* out) override;

 private:
  AdminService(std::unique_ptr<policies::SignaturePolicy> admins, Clock clock);
  // The request's AdminOperation when the access rule above holds; the gRPC error otherwise.
  StatusOr<protos::AdminOperation> Validate(grpc::ServerContext* ctx,
                                            const common::Envelope& env) const;
  // Validate, then the operation's LogLevelRequest; "request is nil" when it has none.
  StatusOr<protos::LogLevelRequest> ValidateLevelRequest(grpc::ServerContext* ctx,
                                                         const common::Envelope& env) const;

  const std::unique_ptr<policies::SignaturePolicy> admins_;
  const Clock clock_;
  const std::string spec_at_startup_;
};

}  // namespace fabric::node
