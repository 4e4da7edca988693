// SPDX-License-Identifier: Apache-2.0
//
// Lscc: Fabric 1.x's lifecycle system chaincode (core/scc/lscc/lscc.go), in-process.
//
//   install <CDS|signed package envelope>   chainless; local MSP admins; stores the package in
//                                           the PackageStore; returns "OK"
//   deploy|upgrade <channel> <CDS> [policy] [escc] [vscc] [collections]
//                                           writes ChaincodeData (ccprovider.ChaincodeData) at
//                                           key <name> in namespace "lscc"; returns it marshalled.
//                                           The endorser then runs the chaincode's Init.
//   getid|ChaincodeExists, getdepspec|GetDeploymentSpec, getccdata|GetChaincodeData
//                       <channel> <name>    channel Readers
//   getchaincodes|GetChaincodes             channel Readers; ChaincodeQueryResponse
//   getinstalledchaincodes|GetInstalledChaincodes
//                                           local MSP admins; ChaincodeQueryResponse
// Defaults: endorsement policy SignedByAnyMember(application org MSP ids of the channel),
// instantiation policy the signed package's or SignedByAnyAdmin(same ids), escc "escc", vscc
// "vscc". Names must match ^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$, versions ^[A-Za-z0-9_.+-]+$.
// Errors are responses with status 500 and Fabric's messages.
//
// Ownership: borrows its dependencies. Thread-safety: stateless apart from them; Invoke may be
// called concurrently.

#pragma once

#include <string>

#include "ccprovider/ccprovider.pb.h"
#include "common/common.pb.h"
#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/scc/acl.h"
#include "peer/scc/channel_resources.h"
#include "peer/scc/package_store.h"
#include "peer/scc/registry.h"

namespace fabric::scc {

bool IsValidChaincodeName(std::string_view name);
bool IsValidChaincodeVersion(std::string_view version);

// The ChaincodeData lscc stored for `name`, read through `reader` (a TxSimulator records the
// read). NotFound "could not find chaincode with name '<name>'"; InvalidArgument when the
// stored bytes do not parse.
StatusOr<ccprovider::ChaincodeData> GetChaincodeData(ledger::QueryExecutor& reader,
                                                     const std::string& name);

// Fabric's ccprovider.CheckInstantiationPolicy at invoke time: the chaincode must be installed
// on this peer ("cannot retrieve package for chaincode <name>/<version>, error ...: install it
// on this peer"), and a signed package's instantiation policy must equal the ledger's
// ("Instantiation policy mismatch for cc <name>/<version>").
Status CheckInstalledInstantiationPolicy(const PackageStore& packages,
                                         const ccprovider::ChaincodeData& cd);

class Lscc : public shim::Chaincode {
 public:
  Lscc(const ChannelResources& channels, PackageStore& packages, const AclProvider& acl,
       const Registry& sccs)
      : channels_(channels), packages_(packages), acl_(acl), sccs_(sccs) {}

  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override;

 private:
  shim::Response Install(const std::string& package_bytes);
  shim::Response DeployOrUpgrade(shim::ChaincodeStub& stub, const protos::SignedProposal& sp,
                                 const std::vector<std::string>& args, bool upgrade);
  StatusOr<ccprovider::ChaincodeData> ExecuteDeployOrUpgrade(
      shim::ChaincodeStub& stub, const protos::SignedProposal& sp,
      const channelconfig::Bundle& bundle, const protos::ChaincodeDeploymentSpec& cds,
      const std::string& policy, const std::string& escc, const std::string& vscc, bool upgrade);
  shim::Response Query(shim::ChaincodeStub& stub, const protos::SignedProposal& sp,
                       const std::string& function, const std::vector<std::string>& args);
  shim::Response GetChaincodes(shim::ChaincodeStub& stub);
  shim::Response GetInstalledChaincodes();
  // Evaluates an instantiation policy (marshalled SignaturePolicyEnvelope) over the proposal.
  Status CheckInstantiationPolicy(const protos::SignedProposal& sp,
                                  const channelconfig::Bundle& bundle,
                                  const std::string& policy) const;

  const ChannelResources& channels_;
  PackageStore& packages_;
  const AclProvider& acl_;
  const Registry& sccs_;
};

}  // namespace fabric::scc
