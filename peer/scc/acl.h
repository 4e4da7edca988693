// SPDX-License-Identifier: Apache-2.0
//
// AclProvider: access control of proposals, Fabric 1.4's aclmgmt default provider plus the
// channel-less policy checker (core/aclmgmt/defaultaclprovider.go, core/policy/policy.go).
//
// CheckACL(resource, channel, proposal) evaluates the policy the resource maps to on the
// channel over the proposal's signature {proposal_bytes, creator, signature}. The policy is
// the channel config's Application ACLs entry for the resource when there is one, else
// Fabric's default: peer/Propose -> /Channel/Application/Writers; lscc, qscc and
// cscc/GetConfigBlock reads -> /Channel/Application/Readers.
// CheckLocal(role, proposal) checks the creator against the peer's local MSP (Admins: an admin
// of the local MSP; Members: any valid member), as lscc install and cscc JoinChain require.
//
// Errors are PermissionDenied with Fabric's texts, e.g.
//   "Failed evaluating policy on signed data during check policy on channel [ch] with policy
//    [/Channel/Application/Writers]: [signature set did not satisfy policy ...]".
//
// Ownership: borrows the channels and the local MSP; both must outlive the provider.
// Thread-safety: immutable; safe to call concurrently.

#pragma once

#include <string>
#include <string_view>

#include "common/msp/msp.h"
#include "common/protoutil/signed_data.h"
#include "fabric/base/status.h"
#include "peer/proposal.pb.h"
#include "peer/scc/channel_resources.h"

namespace fabric::scc {

// Fabric's ACL resource names (core/aclmgmt/resources/resources.go).
namespace resources {
inline constexpr char kPeerPropose[] = "peer/Propose";
inline constexpr char kLsccChaincodeExists[] = "lscc/ChaincodeExists";
inline constexpr char kLsccGetDeploymentSpec[] = "lscc/GetDeploymentSpec";
inline constexpr char kLsccGetChaincodeData[] = "lscc/GetChaincodeData";
inline constexpr char kLsccGetInstantiatedChaincodes[] = "lscc/GetInstantiatedChaincodes";
inline constexpr char kQsccGetChainInfo[] = "qscc/GetChainInfo";
inline constexpr char kQsccGetBlockByNumber[] = "qscc/GetBlockByNumber";
inline constexpr char kQsccGetBlockByHash[] = "qscc/GetBlockByHash";
inline constexpr char kQsccGetTransactionByID[] = "qscc/GetTransactionByID";
inline constexpr char kQsccGetBlockByTxID[] = "qscc/GetBlockByTxID";
inline constexpr char kCsccGetConfigBlock[] = "cscc/GetConfigBlock";
}  // namespace resources

class AclProvider {
 public:
  enum class LocalRole { kAdmin, kMember };

  AclProvider(const ChannelResources& channels, const msp::Msp& local_msp)
      : channels_(channels), local_msp_(local_msp) {}

  // The policy path `resource` maps to on `channel_id` (channel ACLs, else the default).
  // NotFound for a resource without a default.
  StatusOr<std::string> PolicyFor(std::string_view resource, const std::string& channel_id) const;

  // OK when the proposal satisfies the resource's policy on the channel. PermissionDenied with
  // the reason; NotFound "unknown channel <ch>"; InvalidArgument for a malformed proposal.
  Status CheckACL(std::string_view resource, const std::string& channel_id,
                  const protos::SignedProposal& signed_proposal) const;

  // The same for a proposal already taken apart: `proposal_signature` is {proposal_bytes,
  // creator, signature}. The endorser passes it with signature_verified set, having verified
  // that signature itself (protoutil/signed_data.h), so the policy does not verify it again.
  Status CheckACL(std::string_view resource, const std::string& channel_id,
                  const protoutil::SignedData& proposal_signature) const;

  // OK when the proposal's creator is valid for the local MSP, signed the proposal, and (for
  // kAdmin) is an admin of the local MSP. PermissionDenied otherwise.
  Status CheckLocal(LocalRole role, const protos::SignedProposal& signed_proposal) const;

  const msp::Msp& local_msp() const { return local_msp_; }

 private:
  const ChannelResources& channels_;
  const msp::Msp& local_msp_;
};

// The creator (SignatureHeader.creator) of a signed proposal. InvalidArgument when malformed.
StatusOr<std::string> ProposalCreator(const protos::SignedProposal& signed_proposal);

}  // namespace fabric::scc
