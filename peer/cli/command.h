// SPDX-License-Identifier: Apache-2.0
//
// Internal to the CLI: what every `peer channel ...` / `peer chaincode ...` command shares —
// its flags, output streams, its configuration (core.yaml, then CORE_* variables: CliConfig), the
// client identity (peer.mspConfigPath + peer.localMspId), the orderer endpoint (-o, --tls,
// --cafile, ...) and the endorsing peers (--peerAddresses/--tlsRootCertFiles, else peer.address
// and peer.tls.*).
//
// Thread-safety: one Command per invocation, used by one thread.

#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "common/flags/flags.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"
#include "peer/cli/cli_config.h"
#include "peer/cli/client.h"
#include "peer/proposal_response.pb.h"

namespace fabric::cli {

using flags::FlagSet;

class Command {
 public:
  Command(std::string module, std::ostream& out, std::ostream& err)
      : module_(std::move(module)), out_(out), err_(err) {}

  // The name Fabric's errors use for the command ("invoke", "list"; "channel" for every
  // `peer channel` command), e.g. "error getting endorser client for invoke: ...".
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& name() const { return name_; }

  FlagSet& flags() { return flags_; }
  const FlagSet& flags() const { return flags_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  const CliConfig& config() const { return config_; }
  void set_config(CliConfig config) { config_ = std::move(config); }

  // Adds the orderer flags of Fabric's channel and chaincode commands.
  void AddOrdererFlags();
  // A log line on stderr the way Fabric's CLI logs: "<time> UTC [<module>] INFO <msg>".
  void Info(const std::string& msg);
  void Warn(const std::string& msg);

  // Loads the client identity once. NotFound/InvalidArgument naming the MSP folder and the env
  // variables to set.
  StatusOr<const msp::SigningIdentity*> Signer();

  // The orderer of the flags; relative TLS file paths resolve as CliConfig::TranslatePath says.
  Endpoint OrdererEndpoint() const;
  // The peer of peer.address with the peer.tls.* settings.
  Endpoint DefaultPeerEndpoint() const;
  // The peers to send proposals to. InvalidArgument when TLS is on and the number of
  // --tlsRootCertFiles does not match --peerAddresses.
  StatusOr<std::vector<Endpoint>> PeerEndpoints() const;
  // The dial error of an endorsing peer as Fabric prefixes it.
  Status EndorserClientError(const Status& dial_error) const;
  std::chrono::milliseconds ConnTimeout() const;
  // The client-side deadline of one proposal (Fabric's SDKs: 45 s; we use the same).
  std::chrono::milliseconds ProposalTimeout() const { return std::chrono::seconds(45); }
  // Parses a Go duration flag ("30s", "1m"). InvalidArgument naming the flag.
  StatusOr<std::chrono::milliseconds> DurationFlag(const std::string& name) const;

  // Builds, signs and sends a proposal invoking `spec` on `channel_id` to one peer; returns the
  // response and the proposal (for CreateSignedTx). `type` is ENDORSER_TRANSACTION or CONFIG.
  struct Sent {
    protos::Proposal proposal;
    std::string tx_id;
    std::vector<protos::ProposalResponse> responses;  // one per peer, in order
  };
  StatusOr<Sent> Endorse(common::HeaderType type, const std::string& channel_id,
                         const protos::ChaincodeSpec& spec, const std::vector<Endpoint>& peers);

 private:
  const std::string module_;
  std::string name_;
  std::ostream& out_;
  std::ostream& err_;
  FlagSet flags_;
  CliConfig config_;
  std::unique_ptr<msp::SigningIdentity> signer_;
};

// A system chaincode spec (cscc, qscc, lscc) with string args.
protos::ChaincodeSpec SystemSpec(const std::string& name, const std::vector<std::string>& args);

// Go's compact text form of a Response as Fabric's CLI prints it:
//   status:200 payload:"90"       status:500 message:"..."
std::string FormatResponse(const protos::Response& response);

// The commands. `args` are the words after "peer channel" / "peer chaincode".
int RunChannel(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunChaincode(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunLogging(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `peer node status` and the `peer node` usage; `peer node start` is the daemon (peer/node).
int RunNode(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// One subcommand of a command group ("install" of `peer chaincode`) and what runs it.
struct Subcommand {
  const char* name;
  std::function<Status(Command&)> run;
  const char* args = nullptr;  // positional arguments for the usage line, e.g. " <logger>"
};

// Runs `peer <group> <subcommand> [flags]` as cobra does for Fabric: no arguments, --help or an
// unknown subcommand print `usage` on stdout (exit 0); an unknown flag before the subcommand is
// an error. Parses the orderer flags (when `orderer_flags`) and those `add_flags` adds (pflag
// syntax; -h or --help among them prints the subcommand's flags, exit 0), runs the subcommand
// named by args[0] and prints "Error: <message>" when it fails. Before running it, loads the
// configuration (LoadCliConfig), and on failure logs Fabric's "Fatal error when initializing core
// config : <why>" and returns 1. Returns the exit code.
int RunSubcommand(const std::string& group, const std::string& module, const char* usage,
                  const std::function<void(FlagSet&)>& add_flags,
                  const std::vector<Subcommand>& subcommands, const std::vector<std::string>& args,
                  std::ostream& out, std::ostream& err, bool orderer_flags = true);

}  // namespace fabric::cli
