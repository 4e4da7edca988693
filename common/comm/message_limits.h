// SPDX-License-Identifier: Apache-2.0
//
// The gRPC message size limits of every client and server of fabric-cpp: Fabric's
// (core/comm DefaultMaxRecvMsgSize and DefaultMaxSendMsgSize, 100 MiB both ways). gRPC's own
// default receive limit is 4 MiB, so a channel or server left at its default refuses any block
// or transaction above it (RESOURCE_EXHAUSTED) while Fabric's nodes accept it.

#pragma once

#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

namespace fabric::comm {

inline constexpr int kMaxMessageBytes = 100 * 1024 * 1024;

// Channel arguments carrying Fabric's limits; callers may add their own.
inline grpc::ChannelArguments ChannelArgsWithLimits() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  return args;
}

inline void SetMessageLimits(grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
}

// Streams one client connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS;
// gRPC's own default is unlimited). A client past it waits for a stream to end; the services
// bound their open streams over all connections themselves.
inline constexpr int kMaxStreamsPerConnection = 2500;
// A connection without a call for this long is closed (a client's channel reconnects when it
// next calls), so connections opened and left idle do not accumulate.
inline constexpr int kMaxConnectionIdleMs = 5 * 60 * 1000;

inline void SetConnectionLimits(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kMaxStreamsPerConnection);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, kMaxConnectionIdleMs);
}

}  // namespace fabric::comm
