// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/qscc.h"

#include <charconv>

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/shim/chaincode_stub.h"

namespace fabric::scc {
namespace {

template <typename T>
shim::Response Reply(const StatusOr<T>& value, const std::string& what) {
  if (!value.ok()) {
    // Fabric's block index answers every missing entry with this text; clients compare it.
    const std::string why = value.status().IsNotFound() ? std::string("Entry not found in index")
                                                        : std::string(value.status().message());
    return shim::Error(absl::StrFormat("%s, error %s", what, why));
  }
  return shim::Success(protoutil::Marshal(*value));
}

}  // namespace

shim::Response Qscc::Invoke(shim::ChaincodeStub& stub) {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.size() < 2) {
    return shim::Error(absl::StrFormat("Incorrect number of arguments, %d", args.size()));
  }
  const std::string& fname = args[0];
  const std::string& cid = args[1];
  if (fname != "GetChainInfo" && args.size() < 3) {
    return shim::Error(absl::StrFormat("missing 3rd argument for %s", fname));
  }
  ledger::KvLedger* ledger = channels_.GetLedger(cid);
  if (ledger == nullptr) {
    return shim::Error(absl::StrFormat("Invalid chain ID, %s", cid));
  }
  auto sp = stub.GetSignedProposal();
  if (!sp.ok()) {
    return shim::Error(absl::StrFormat("Failed getting signed proposal from stub, %s: %s", cid,
                                       sp.status().message()));
  }
  const char* resource = nullptr;
  if (fname == "GetChainInfo") {
    resource = resources::kQsccGetChainInfo;
  } else if (fname == "GetBlockByNumber") {
    resource = resources::kQsccGetBlockByNumber;
  } else if (fname == "GetBlockByHash") {
    resource = resources::kQsccGetBlockByHash;
  } else if (fname == "GetTransactionByID") {
    resource = resources::kQsccGetTransactionByID;
  } else if (fname == "GetBlockByTxID") {
    resource = resources::kQsccGetBlockByTxID;
  } else {
    return shim::Error(absl::StrFormat("Requested function %s not found.", fname));
  }
  Status s = acl_.CheckACL(resource, cid, *sp);
  if (!s.ok()) {
    return shim::Error(
        absl::StrFormat("access denied for [%s][%s]: [%s]", fname, cid, s.message()));
  }
  if (fname == "GetChainInfo") {
    return shim::Success(protoutil::Marshal(ledger->GetBlockchainInfo()));
  }
  const std::string& arg = args[2];
  if (fname == "GetBlockByNumber") {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (arg.empty() || ec != std::errc() || ptr != arg.data() + arg.size()) {
      return shim::Error(absl::StrFormat(
          "Failed to parse block number with error strconv.ParseUint: parsing \"%s\": invalid "
          "syntax",
          arg));
    }
    return Reply(ledger->GetBlockByNumber(n), absl::StrFormat("Failed to get block number %d", n));
  }
  if (fname == "GetBlockByHash") {
    return Reply(ledger->GetBlockByHash(arg),
                 absl::StrFormat("Failed to get block hash %s", crypto::HexEncode(arg)));
  }
  if (fname == "GetTransactionByID") {
    return Reply(ledger->GetTransactionByID(arg),
                 absl::StrFormat("Failed to get transaction with id %s", arg));
  }
  return Reply(ledger->GetBlockByTxId(arg),
               absl::StrFormat("Failed to get block for txID %s", arg));
}

}  // namespace fabric::scc
