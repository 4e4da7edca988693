// SPDX-License-Identifier: Apache-2.0
//
// Connects: whether a new gRPC connection to `target` with `creds` becomes READY, i.e. whether
// the TLS handshake and the server's checks of the client succeed. Each call dials anew (its own
// subchannel pool), so the server sees one handshake per call. For the tests of TLS servers.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

namespace fabric::comm::testing {

inline bool Connects(const std::string& target,
                     const std::shared_ptr<grpc::ChannelCredentials>& creds,
                     std::chrono::seconds timeout = std::chrono::seconds(10)) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(target, creds, args);
  const auto deadline = std::chrono::system_clock::now() + timeout;
  grpc_connectivity_state state = channel->GetState(true);
  while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE) {
    if (!channel->WaitForStateChange(state, deadline)) {
      return false;
    }
    state = channel->GetState(true);
  }
  return state == GRPC_CHANNEL_READY;
}

}  // namespace fabric::comm::testing
