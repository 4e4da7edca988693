// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/cscc.h"

#include <absl/strings/str_format.h>

#include "common/protoutil/blockutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/shim/chaincode_stub.h"
#include "peer/query.pb.h"

namespace fabric::scc {

shim::Response Cscc::Invoke(shim::ChaincodeStub& stub) {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.empty()) {
    return shim::Error("Incorrect number of arguments, 0");
  }
  const std::string& fname = args[0];
  if (fname != "GetChannels" && args.size() < 2) {
    return shim::Error(absl::StrFormat("Incorrect number of arguments, %d", args.size()));
  }
  auto sp = stub.GetSignedProposal();
  if (!sp.ok()) {
    return shim::Error(
        absl::StrFormat("Failed getting signed proposal from stub: [%s]", sp.status().message()));
  }
  if (fname == "JoinChain") {
    if (args[1].empty()) {
      return shim::Error("Cannot join the channel <nil> configuration block provided");
    }
    auto block = protoutil::Unmarshal<common::Block>(args[1], "block");
    if (!block.ok()) {
      return shim::Error(
          absl::StrFormat("Failed to reconstruct the genesis block, %s", block.status().message()));
    }
    auto cid = protoutil::ChannelIdFromBlock(*block);
    if (!cid.ok()) {
      return shim::Error(absl::StrFormat(
          "\"JoinChain\" request failed to extract channel id from the block due to [%s]",
          cid.status().message()));
    }
    Status s = acl_.CheckLocal(AclProvider::LocalRole::kAdmin, *sp);
    if (!s.ok()) {
      return shim::Error(
          absl::StrFormat("access denied for [%s][%s]: [%s]", fname, *cid, s.message()));
    }
    s = channels_.JoinChain(*block);
    if (!s.ok()) {
      return shim::Error(absl::StrFormat("\"JoinChain\" for chainID = %s failed because of %s",
                                         *cid, s.message()));
    }
    return shim::Success();
  }
  if (fname == "GetConfigBlock") {
    Status s = acl_.CheckACL(resources::kCsccGetConfigBlock, args[1], *sp);
    if (!s.ok()) {
      return shim::Error(
          absl::StrFormat("access denied for [%s][%s]: %s", fname, args[1], s.message()));
    }
    auto block = channels_.GetConfigBlock(args[1]);
    if (!block.ok()) {
      return shim::Error(absl::StrFormat("Unknown chain ID, %s", args[1]));
    }
    return shim::Success(protoutil::Marshal(*block));
  }
  if (fname == "GetChannels") {
    Status s = acl_.CheckLocal(AclProvider::LocalRole::kMember, *sp);
    if (!s.ok()) {
      return shim::Error(absl::StrFormat("access denied for [%s]: %s", fname, s.message()));
    }
    protos::ChannelQueryResponse out;
    for (const std::string& id : channels_.Channels()) {
      out.add_channels()->set_channel_id(id);
    }
    return shim::Success(protoutil::Marshal(out));
  }
  return shim::Error(absl::StrFormat("Requested function %s not found.", fname));
}

}  // namespace fabric::scc
