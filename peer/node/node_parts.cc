// SPDX-License-Identifier: Apache-2.0

#include "peer/node/node_parts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <absl/strings/str_format.h>

#include "common/archive/archive.h"
#include "common/logging/logging.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/platforms/code_package.h"

namespace fabric::node {
namespace {

namespace fs = std::filesystem;
logging::Logger logger("peer.node");

// A short reason label for a failed proposal, from its error or response message.
std::string FailureReason(std::string_view message) {
  if (message.find("access denied") != std::string_view::npos) {
    return "access_denied";
  }
  if (message.find("duplicate transaction") != std::string_view::npos) {
    return "duplicate_txid";
  }
  if (message.find("timeout") != std::string_view::npos ||
      message.find("timed out") != std::string_view::npos) {
    return "timeout";
  }
  if (message.find("not installed") != std::string_view::npos ||
      message.find("cannot retrieve package") != std::string_view::npos ||
      message.find("could not find chaincode") != std::string_view::npos) {
    return "chaincode_not_found";
  }
  return "other";
}

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

PeerMetrics::PeerMetrics(MetricsRegistry& r)
    : proposals_received(
          r.NewCounter("endorser_proposals_received", "The number of proposals received.")),
      successful_proposals(r.NewCounter("endorser_successful_proposals",
                                        "The number of successful proposals (endorsed).")),
      failed_proposals(r.NewCounterVec("endorser_proposals_failed",
                                       "The number of failed proposals by reason.", "reason")),
      proposal_duration(r.NewHistogram("endorser_proposal_duration",
                                       "The time to complete a proposal, in seconds.",
                                       DefaultLatencyBuckets())),
      chaincode_launches(r.NewCounter("chaincode_launches",
                                      "The number of executions that launched a chaincode.")),
      chaincode_launch_failures(r.NewCounterVec("chaincode_launch_failures",
                                                "The number of chaincode launches that failed.",
                                                "chaincode")),
      execute_duration(r.NewHistogram("chaincode_execute_duration",
                                      "The time to execute a chaincode, in seconds.",
                                      DefaultLatencyBuckets())),
      execute_timeouts(r.NewCounterVec("chaincode_execute_timeouts",
                                       "The number of chaincode executions that timed out.",
                                       "chaincode")),
      blocks_committed(r.NewCounter("ledger_blocks_committed",
                                    "The number of blocks committed by this peer.")) {}

StatusOr<endorser::ExecuteResult> MeteredChaincodeExecutor::Execute(
    const endorser::ExecuteParams& params, const std::string& ccid,
    const protos::ChaincodeInput& input, bool init) {
  if (support_.GetHandler(ccid) == nullptr) {
    metrics_.chaincode_launches.Inc();
  }
  auto start = std::chrono::steady_clock::now();
  StatusOr<endorser::ExecuteResult> result = inner_.Execute(params, ccid, input, init);
  metrics_.execute_duration.ObserveDuration(std::chrono::steady_clock::now() - start);
  if (!result.ok()) {
    if (result.status().IsDeadlineExceeded()) {
      metrics_.execute_timeouts.With(ccid).Inc();
    }
    if (support_.GetHandler(ccid) == nullptr) {
      metrics_.chaincode_launch_failures.With(ccid).Inc();
    }
  }
  return result;
}

StatusOr<std::string> NodePackageProvider::FindExecutable(
    const std::string& name, const std::string& version,
    const scc::InstalledPackage* installed) const {
  if (!bin_dir_.empty()) {
    for (const std::string& candidate :
         {bin_dir_ + "/" + name + "-" + version, bin_dir_ + "/" + name}) {
      if (IsExecutable(candidate)) {
        return fs::absolute(candidate).string();
      }
    }
  }
  if (installed != nullptr && !installed->cds.code_package().empty()) {
    // Install bounded the package (platforms::InstallLimits): read it within the same limits.
    auto files =
        archive::Read(installed->cds.code_package(), platforms::InstallLimits{}.AsReadLimits());
    if (files.ok()) {
      for (const archive::Entry& e : *files) {
        if ((e.path == "chaincode" || e.path == "src/chaincode") &&
            e.type == archive::EntryType::kFile && (e.mode & 0100) != 0) {
          std::string dir = extract_dir_ + "/" + name + "." + version;
          std::error_code ec;
          fs::create_directories(dir, ec);
          std::string path = dir + "/chaincode";
          std::ofstream(path, std::ios::binary | std::ios::trunc) << e.content;
          fs::permissions(path, fs::perms::owner_all, ec);
          return path;
        }
      }
    }
  }
  return NotFoundError(absl::StrFormat(
      "no executable for chaincode %s:%s: the process launcher runs %s/%s-%s or %s/%s "
      "(chaincode.process.binDir, CORE_CHAINCODE_PROCESS_BINDIR), or an executable named "
      "'chaincode' in the installed package",
      name, version, bin_dir_, name, version, bin_dir_, name));
}

StatusOr<launcher::ChaincodePackage> NodePackageProvider::GetPackage(
    const std::string& ccid) const {
  size_t colon = ccid.find(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("bad chaincode id " + ccid + " (want name:version)");
  }
  std::string name = ccid.substr(0, colon);
  std::string version = ccid.substr(colon + 1);
  launcher::ChaincodePackage pkg;
  pkg.ccid = ccid;
  auto installed = store_.Get(name, version);
  if (installed.ok()) {
    // Install checks a package; one installed by an older peer is checked here, before a
    // launcher expands it.
    RETURN_IF_ERROR(platforms::ValidateInstallPackage(installed->cds.chaincode_spec().type(),
                                                      installed->cds.code_package())
                        .Annotate("installed package of " + ccid));
    pkg.code_package = installed->cds.code_package();
    pkg.type = protos::ChaincodeSpec::Type_Name(installed->cds.chaincode_spec().type());
    pkg.path = installed->cds.chaincode_spec().chaincode_id().path();
  }
  // A chaincode server has no executable: the external launcher dials it.
  const bool external =
      installed.ok() && installed->cds.chaincode_spec().type() == protos::ChaincodeSpec::EXTERNAL;
  if (need_executable_ && !external) {
    ASSIGN_OR_RETURN(pkg.executable,
                     FindExecutable(name, version, installed.ok() ? &*installed : nullptr));
  } else if (!installed.ok()) {
    return NotFoundError(absl::StrFormat(
        "chaincode package %s not found: install it on this peer (peer chaincode install)", ccid));
  }
  return pkg;
}

StatusOr<std::unique_ptr<ledger::QueryExecutor>> LedgerQueryExecutors::NewQueryExecutor(
    const std::string& channel_id) {
  ledger::KvLedger* l = channels_.GetLedger(channel_id);
  if (l == nullptr) {
    // Fabric's cc2cc fails first on the ACL check of the unknown channel, with this text.
    return NotFoundError("Failed to get policy manager for channel [" + channel_id + "]");
  }
  return l->NewQueryExecutor();
}

endorser::EndorserService::Observer ProposalMetrics(PeerMetrics& metrics) {
  return [&metrics](const grpc::Status& s, const protos::ProposalResponse& response,
                    std::chrono::steady_clock::duration elapsed) {
    metrics.proposals_received.Inc();
    metrics.proposal_duration.ObserveDuration(elapsed);
    if (!s.ok()) {
      metrics.failed_proposals
          .With(s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED
                    ? "too_many_requests"
                    : FailureReason(s.error_message()))
          .Inc();
    } else if (response.response().status() >= 400) {
      metrics.failed_proposals
          .With(response.response().status() >= 500 ? "chaincode_error" : "chaincode_rejected")
          .Inc();
    } else {
      metrics.successful_proposals.Inc();
    }
  };
}

}  // namespace fabric::node
