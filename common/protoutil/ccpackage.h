// SPDX-License-Identifier: Apache-2.0
//
// Signed chaincode packages (Fabric 1.4 core/common/ccpackage): the `peer chaincode package -s`
// file and what lscc install accepts besides a bare ChaincodeDeploymentSpec.
//
//   Envelope{payload = Payload{header{channel_header = ChannelHeader{type CHAINCODE_PACKAGE,
//            version 0, channel "", epoch 0, timestamp (whole seconds)}},
//            data = SignedChaincodeDeploymentSpec{chaincode_deployment_spec, instantiation_policy,
//                                                 owner_endorsements}}}
// The envelope itself is not signed. Each owner endorsement signs
// chaincode_deployment_spec || instantiation_policy || endorser (the owner's serialized
// identity).
//
// All functions are stateless and thread-safe.

#pragma once

#include <string>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "common/policies.pb.h"
#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"
#include "peer/signed_cc_dep_spec.pb.h"

namespace fabric::protoutil {

// The package envelope for `cds` with `instantiation_policy`, endorsed by `owner` when it is not
// null (`peer chaincode package -s [-S]`). Internal when signing fails.
StatusOr<common::Envelope> CreateSignedCCDepSpec(
    const protos::ChaincodeDeploymentSpec& cds,
    const common::SignaturePolicyEnvelope& instantiation_policy, const msp::SigningIdentity* owner);

// The layers of a package envelope.
struct SignedCCDepSpec {
  common::ChannelHeader channel_header;
  protos::SignedChaincodeDeploymentSpec signed_cds;
};

// Parses a package envelope without checking its header type (Fabric's
// ExtractSignedCCDepSpec). InvalidArgument "channel header cannot be nil" when the payload has no
// header; InvalidArgument naming the layer for bytes that do not parse.
StatusOr<SignedCCDepSpec> ExtractSignedCCDepSpec(const common::Envelope& envelope);

// `envelope` with `owner`'s endorsement appended (`peer chaincode signpackage`). InvalidArgument
// "invalid signed deployment spec" when the package has no deployment spec, no instantiation
// policy or no endorsements yet (Fabric only adds to packages created with -S); errors of
// ExtractSignedCCDepSpec otherwise.
StatusOr<common::Envelope> SignExistingPackage(const common::Envelope& envelope,
                                               const msp::SigningIdentity& owner);

}  // namespace fabric::protoutil
