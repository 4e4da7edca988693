// SPDX-License-Identifier: Apache-2.0
//
// Registry: the peer's in-process system chaincodes (Fabric's core/scc: lscc, cscc, qscc, escc,
// vscc), each a shim::Chaincode run by the endorser through an SccStub (scc_stub.h) instead of
// a chaincode stream. Flags as in Fabric 1.4's importsysccs.go:
//   lscc  invokable externally, cc2cc            cscc  invokable externally, no cc2cc
//   qscc  invokable externally, cc2cc            escc, vscc  neither (refused in proposals)
// cscc and qscc run without a TxSimulator (Fabric gives them none, to avoid lock deadlocks).
//
// Ownership: the chaincodes are borrowed; they must outlive the registry.
// Thread-safety: Register during start-up only; lookups may then run concurrently.

#pragma once

#include <map>
#include <string>
#include <vector>

#include "fabric/shim/chaincode.h"

namespace fabric::scc {

inline constexpr char kLscc[] = "lscc";
inline constexpr char kCscc[] = "cscc";
inline constexpr char kQscc[] = "qscc";
inline constexpr char kEscc[] = "escc";
inline constexpr char kVscc[] = "vscc";

struct SystemChaincode {
  std::string name;
  shim::Chaincode* chaincode = nullptr;
  bool invokable_external = false;  // may be the target of a client proposal
  bool invokable_cc2cc = false;     // may be called by a user chaincode
  bool uses_simulator = true;       // false: run without a TxSimulator (cscc, qscc)
};

class Registry {
 public:
  void Register(SystemChaincode scc) { sccs_[scc.name] = scc; }
  // The system chaincode named `name`, or null.
  const SystemChaincode* Lookup(const std::string& name) const {
    auto it = sccs_.find(name);
    return it == sccs_.end() ? nullptr : &it->second;
  }
  bool IsSysCC(const std::string& name) const { return sccs_.count(name) != 0; }
  // Fabric's IsSysCCAndNotInvokableExternal: the endorser refuses proposals to these.
  bool IsSysCCAndNotInvokableExternal(const std::string& name) const {
    const SystemChaincode* scc = Lookup(name);
    return scc != nullptr && !scc->invokable_external;
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& [name, scc] : sccs_) {
      names.push_back(name);
    }
    return names;
  }

 private:
  std::map<std::string, SystemChaincode> sccs_;
};

}  // namespace fabric::scc
