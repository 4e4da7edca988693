// SPDX-License-Identifier: Apache-2.0

#include "common/protoutil/ccpackage.h"

#include <absl/strings/str_format.h>

#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::protoutil {
namespace {

// Fabric's createSignedCCDepSpec: the unsigned envelope around a SignedChaincodeDeploymentSpec.
common::Envelope PackageEnvelope(protos::SignedChaincodeDeploymentSpec signed_cds) {
  common::ChannelHeader header = MakeChannelHeader(common::CHAINCODE_PACKAGE, 0, "", 0);
  // Fabric stamps whole seconds here (utils.MakeChannelHeader).
  header.mutable_timestamp()->set_nanos(0);
  common::Payload payload;
  payload.mutable_header()->set_channel_header(Marshal(header));
  payload.set_data(Marshal(signed_cds));
  common::Envelope envelope;
  envelope.set_payload(Marshal(payload));
  return envelope;
}

// An owner endorsement over cds || policy || endorser.
StatusOr<protos::Endorsement> Endorse(const protos::SignedChaincodeDeploymentSpec& signed_cds,
                                      const msp::SigningIdentity& owner) {
  protos::Endorsement e;
  e.set_endorser(owner.Serialize());
  std::string message =
      signed_cds.chaincode_deployment_spec() + signed_cds.instantiation_policy() + e.endorser();
  auto signature = owner.Sign(message);
  if (!signature.ok()) {
    return InternalError(
        absl::StrFormat("Could not sign the ccpackage, err %s", signature.status().message()));
  }
  e.set_signature(std::move(signature).value());
  return e;
}

}  // namespace

StatusOr<common::Envelope> CreateSignedCCDepSpec(
    const protos::ChaincodeDeploymentSpec& cds,
    const common::SignaturePolicyEnvelope& instantiation_policy,
    const msp::SigningIdentity* owner) {
  protos::SignedChaincodeDeploymentSpec signed_cds;
  signed_cds.set_chaincode_deployment_spec(Marshal(cds));
  signed_cds.set_instantiation_policy(Marshal(instantiation_policy));
  if (owner != nullptr) {
    ASSIGN_OR_RETURN(*signed_cds.add_owner_endorsements(), Endorse(signed_cds, *owner));
  }
  return PackageEnvelope(std::move(signed_cds));
}

StatusOr<SignedCCDepSpec> ExtractSignedCCDepSpec(const common::Envelope& envelope) {
  ASSIGN_OR_RETURN(auto payload, Unmarshal<common::Payload>(envelope.payload(), "payload"));
  if (!payload.has_header()) {
    return InvalidArgumentError("channel header cannot be nil");
  }
  SignedCCDepSpec out;
  ASSIGN_OR_RETURN(out.channel_header, Unmarshal<common::ChannelHeader>(
                                           payload.header().channel_header(), "channel header"));
  ASSIGN_OR_RETURN(out.signed_cds, Unmarshal<protos::SignedChaincodeDeploymentSpec>(
                                       payload.data(), "signed chaincode deployment spec"));
  return out;
}

StatusOr<common::Envelope> SignExistingPackage(const common::Envelope& envelope,
                                               const msp::SigningIdentity& owner) {
  ASSIGN_OR_RETURN(SignedCCDepSpec package, ExtractSignedCCDepSpec(envelope));
  protos::SignedChaincodeDeploymentSpec& signed_cds = package.signed_cds;
  if (signed_cds.chaincode_deployment_spec().empty() || signed_cds.instantiation_policy().empty() ||
      signed_cds.owner_endorsements().empty()) {
    return InvalidArgumentError("invalid signed deployment spec");
  }
  ASSIGN_OR_RETURN(protos::Endorsement e, Endorse(signed_cds, owner));
  *signed_cds.add_owner_endorsements() = std::move(e);
  return PackageEnvelope(std::move(signed_cds));
}

}  // namespace fabric::protoutil
