// SPDX-License-Identifier: Apache-2.0
//
// What the committer needs to know about chaincodes: their definitions (Fabric 1.x lscc's
// ChaincodeData, stored in state namespace "lscc" under the chaincode's name) and which names
// are system chaincodes. Both are hooks: the lscc system chaincode and a future lifecycle can
// provide other implementations.
//
// Thread-safety: implementations must be safe to call concurrently (the validator checks the
// transactions of a block in parallel).

#pragma once

#include <set>
#include <string>
#include <string_view>

#include "ccprovider/ccprovider.pb.h"
#include "fabric/base/status.h"
#include "peer/ledger/tx_simulator.h"

namespace fabric::committer {

// lscc's namespace in state.
inline constexpr std::string_view kLsccNamespace = "lscc";

// Looks up chaincode definitions in committed state.
class ChaincodeDefinitionProvider {
 public:
  virtual ~ChaincodeDefinitionProvider() = default;
  // The definition of chaincode `name` as seen by `qe`. NotFound when none is defined;
  // InvalidArgument when the stored definition is malformed; storage errors as
  // QueryExecutor::GetState.
  virtual StatusOr<ccprovider::ChaincodeData> GetChaincodeDefinition(
      ledger::QueryExecutor& qe, const std::string& name) const = 0;
};

// Fabric 1.x: ChaincodeData at lscc/<name>. A definition must carry a vscc name and an
// endorsement policy (Fabric's getCDataForCC), else InvalidArgument.
class LsccDefinitionProvider : public ChaincodeDefinitionProvider {
 public:
  StatusOr<ccprovider::ChaincodeData> GetChaincodeDefinition(
      ledger::QueryExecutor& qe, const std::string& name) const override;
};

// The system chaincode names and their invocation rules (Fabric 1.4
// core/committer/txvalidator vscc_validator.go IsSysCC and friends).
struct SystemChaincodes {
  std::set<std::string, std::less<>> names = {"cscc", "escc", "lscc", "qscc", "vscc"};
  // Cannot be invoked by a proposal: a committed invocation is ILLEGAL_WRITESET.
  std::set<std::string, std::less<>> not_invokable_external = {"escc", "vscc"};
  // Cannot be called chaincode-to-chaincode: writes to their namespace are ILLEGAL_WRITESET.
  std::set<std::string, std::less<>> not_invokable_cc2cc = {"cscc", "escc", "vscc"};

  bool IsSystem(std::string_view name) const { return names.count(name) > 0; }
};

}  // namespace fabric::committer
