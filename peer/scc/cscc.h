// SPDX-License-Identifier: Apache-2.0
//
// Cscc: the configuration system chaincode (Fabric 1.4 core/scc/cscc/configure.go).
//   JoinChain <config block>   chainless; local MSP admins; ChannelResources::JoinChain
//   GetConfigBlock <channel>   channel Readers (cscc/GetConfigBlock); the current config block
//   GetChannels                local MSP members; ChannelQueryResponse
// Runs without a TxSimulator. Errors are status-500 responses with Fabric's messages.
//
// Ownership: borrows its dependencies. Thread-safety: Invoke may be called concurrently.

#pragma once

#include "fabric/shim/chaincode.h"
#include "peer/scc/acl.h"
#include "peer/scc/channel_resources.h"

namespace fabric::scc {

class Cscc : public shim::Chaincode {
 public:
  Cscc(ChannelResources& channels, const AclProvider& acl) : channels_(channels), acl_(acl) {}
  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override;

 private:
  ChannelResources& channels_;
  const AclProvider& acl_;
};

}  // namespace fabric::scc
