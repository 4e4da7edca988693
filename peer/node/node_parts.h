// SPDX-License-Identifier: Apache-2.0
//
// Adapters the peer wiring needs between parts:
//   MeteredChaincodeExecutor  endorser::ChaincodeSupportExecutor that also counts
//                             launches-by-execute, launch failures, timeouts and latency
//   NodePackageProvider       launcher::PackageProvider over the lscc PackageStore: the
//                             installed code package (Docker builds it); for the process
//                             launcher an executable from chaincode.process.binDir
//                             (<name>-<version> or <name>) or a prebuilt `chaincode` file in
//                             the package, extracted under <fileSystemPath>/chaincodes/bin
//   LedgerQueryExecutors      chaincode::ChannelLedgers over scc::ChannelResources
//   ProposalMetrics           the EndorserService observer that counts proposals
//
// Ownership: each borrows its dependencies. Thread-safety: all safe for concurrent use.

#pragma once

#include <string>

#include "launcher/launcher.h"
#include "peer/chaincode/chaincode_support.h"
#include "peer/endorser/chaincode_executor.h"
#include "peer/endorser/chaincode_support_executor.h"
#include "peer/endorser/endorser_service.h"
#include "peer/node/metrics.h"
#include "peer/scc/channel_resources.h"
#include "peer/scc/package_store.h"

namespace fabric::node {

struct PeerMetrics {
  explicit PeerMetrics(MetricsRegistry& r);
  Counter& proposals_received;
  Counter& successful_proposals;
  CounterVec& failed_proposals;  // label "reason"
  Histogram& proposal_duration;
  Counter& chaincode_launches;
  CounterVec& chaincode_launch_failures;  // label "chaincode"
  Histogram& execute_duration;
  CounterVec& execute_timeouts;  // label "chaincode"
  Counter& blocks_committed;
};

class MeteredChaincodeExecutor : public endorser::ChaincodeExecutor {
 public:
  MeteredChaincodeExecutor(chaincode::ChaincodeSupport& support, PeerMetrics& metrics)
      : support_(support), inner_(support), metrics_(metrics) {}
  StatusOr<endorser::ExecuteResult> Execute(const endorser::ExecuteParams& params,
                                            const std::string& ccid,
                                            const protos::ChaincodeInput& input,
                                            bool init) override;
  bool ParksWhileExecuting(const std::string& ccid) const override {
    return inner_.ParksWhileExecuting(ccid);
  }

 private:
  chaincode::ChaincodeSupport& support_;
  endorser::ChaincodeSupportExecutor inner_;
  PeerMetrics& metrics_;
};

class NodePackageProvider : public launcher::PackageProvider {
 public:
  // `bin_dir` may be empty; `extract_dir` receives binaries taken out of packages.
  NodePackageProvider(const scc::PackageStore& store, std::string bin_dir, std::string extract_dir,
                      bool need_executable)
      : store_(store),
        bin_dir_(std::move(bin_dir)),
        extract_dir_(std::move(extract_dir)),
        need_executable_(need_executable) {}
  StatusOr<launcher::ChaincodePackage> GetPackage(const std::string& ccid) const override;

 private:
  StatusOr<std::string> FindExecutable(const std::string& name, const std::string& version,
                                       const scc::InstalledPackage* installed) const;
  const scc::PackageStore& store_;
  const std::string bin_dir_;
  const std::string extract_dir_;
  const bool need_executable_;
};

class LedgerQueryExecutors : public chaincode::ChannelLedgers {
 public:
  explicit LedgerQueryExecutors(const scc::ChannelResources& channels) : channels_(channels) {}
  StatusOr<std::unique_ptr<ledger::QueryExecutor>> NewQueryExecutor(
      const std::string& channel_id) override;

 private:
  const scc::ChannelResources& channels_;
};

// Counts each answered proposal in `metrics` (received, duration, endorsed or failed by reason).
endorser::EndorserService::Observer ProposalMetrics(PeerMetrics& metrics);

}  // namespace fabric::node
