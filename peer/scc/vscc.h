// SPDX-License-Identifier: Apache-2.0
//
// VSCC: the endorsement-policy check of an endorser transaction (Fabric 1.x's vscc
// "validator_onevalidsignature" / DefaultValidation): every action's endorsements, as
// SignedData{proposal_response_payload || endorser, endorser, signature}, must satisfy the
// chaincode's endorsement policy (a marshalled SignaturePolicyEnvelope, ChaincodeData.policy),
// evaluated against the channel's MSPs. Repeated endorsers count once.
//
// ValidateEndorsements is what a committer calls per transaction. Vscc is the SCC form (not
// invokable externally): args [fn, Envelope, policy] on the stub's channel.
//
// Thread-safety: stateless.

#pragma once

#include <string_view>

#include "common/common.pb.h"
#include "common/msp/identity.h"
#include "fabric/base/status.h"
#include "fabric/shim/chaincode.h"
#include "peer/scc/channel_resources.h"

namespace fabric::scc {

// OK when the transaction in `envelope` carries at least one action and the endorsements of
// each satisfy `policy`. InvalidArgument for a malformed envelope or policy;
// PermissionDenied "VSCC error: endorsement policy failure, err: ..." when not satisfied.
Status ValidateEndorsements(const common::Envelope& envelope, std::string_view policy,
                            const msp::IdentityDeserializer& deserializer);

class Vscc : public shim::Chaincode {
 public:
  explicit Vscc(const ChannelResources& channels) : channels_(channels) {}
  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override;

 private:
  const ChannelResources& channels_;
};

}  // namespace fabric::scc
