// SPDX-License-Identifier: Apache-2.0
//
// What client.cc and watcher.cc share: the gRPC channel to one member, status and message
// conversions. Not part of the client's API.

#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include "common/etcd/client.h"
#include "etcd/kv.pb.h"
#include "fabric/base/status.h"

namespace fabric::etcd {

struct Client::Endpoint {
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
};

namespace internal {

// Keeps the members' connections moving. gRPC's synchronous API makes progress on a connection
// only while some thread polls the channel; a call that fails fast (the member was down) leaves
// the reconnection unpolled, and it times out instead of succeeding once the member is back.
// Connector polls every channel's connectivity on its own thread, so that a member that comes
// back is READY for the next call. Shared by the Client and its Watchers.
class Connector {
 public:
  explicit Connector(std::vector<std::shared_ptr<grpc::Channel>> channels);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

 private:
  void Run();

  const std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::atomic<bool> stop_{false};
  std::jthread thread_;
};

inline Status FromGrpc(const grpc::Status& s) {
  return Status(static_cast<StatusCode>(s.error_code()), s.error_message());
}

// Codes after which the same call may succeed at another member: it is unreachable, has no
// leader or quorum, or did not answer in time.
inline bool IsMemberFailure(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

inline KeyValue FromProto(const mvccpb::KeyValue& kv) {
  KeyValue out;
  out.key = kv.key();
  out.value = kv.value();
  out.create_revision = kv.create_revision();
  out.mod_revision = kv.mod_revision();
  out.version = kv.version();
  return out;
}

}  // namespace internal
}  // namespace fabric::etcd
