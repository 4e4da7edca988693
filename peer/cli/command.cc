// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/command.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include <absl/strings/str_format.h>

#include "common/channelconfig/go_duration.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/go_text.h"
#include "common/protoutil/proputils.h"
#include "fabric/base/status_macros.h"
#include "peer/cli/cli.h"

namespace fabric::cli {

void Command::AddOrdererFlags() {
  flags_.String("orderer", 'o', "", "Ordering service endpoint");
  flags_.Bool("tls", 0, "Use TLS when communicating with the orderer endpoint");
  flags_.String("cafile", 0, "",
                "Path to file containing PEM-encoded trusted certificate(s) for the ordering "
                "endpoint");
  flags_.String("certfile", 0, "",
                "Path to file containing PEM-encoded X509 public key to use "
                "for mutual TLS communication with the orderer endpoint");
  flags_.String("keyfile", 0, "",
                "Path to file containing PEM-encoded private key to use for "
                "mutual TLS communication with the orderer endpoint");
  flags_.Bool("clientauth", 0, "Use mutual TLS when communicating with the orderer endpoint");
  flags_.String("ordererTLSHostnameOverride", 0, "",
                "The hostname override to use when validating the TLS connection to the orderer");
  flags_.String("connTimeout", 0, "3s", "Timeout for client to connect");
}

namespace {

// "<time> UTC [<module>] <LEVEL> <msg>", as Fabric's CLI logs.
void LogLine(std::ostream& err, const std::string& module, const char* level,
             const std::string& msg) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  err << absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d.%03d UTC [%s] %s %s\n", t.tm_year + 1900,
                         t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                         static_cast<int>(ts.tv_nsec / 1000000), module, level, msg);
}

}  // namespace

void Command::Info(const std::string& msg) { LogLine(err_, module_, "INFO", msg); }
void Command::Warn(const std::string& msg) { LogLine(err_, module_, "WARN", msg); }

StatusOr<const msp::SigningIdentity*> Command::Signer() {
  if (signer_) {
    return signer_.get();
  }
  const std::string& dir = config_.msp_config_path;
  const std::string& msp_id = config_.local_msp_id;
  auto id = msp::LoadSigningIdentity(dir, msp_id);
  if (!id.ok()) {
    return Status(id.status().code(),
                  absl::StrFormat("cannot load the client identity from MSP folder %s (msp id "
                                  "%s; set peer.mspConfigPath and peer.localMspId in core.yaml, or "
                                  "CORE_PEER_MSPCONFIGPATH and CORE_PEER_LOCALMSPID): %s",
                                  dir, msp_id, id.status().message()));
  }
  signer_ = std::move(*id);
  return signer_.get();
}

Endpoint Command::OrdererEndpoint() const {
  Endpoint e;
  e.role = "orderer";
  e.address = flags_.GetString("orderer");
  e.tls = flags_.GetBool("tls");
  // Fabric stores the flags as orderer.tls.* keys and reads them with config.GetPath.
  e.root_cert_file = config_.TranslatePath(flags_.GetString("cafile"));
  if (flags_.GetBool("clientauth")) {
    e.client_cert_file = config_.TranslatePath(flags_.GetString("certfile"));
    e.client_key_file = config_.TranslatePath(flags_.GetString("keyfile"));
  }
  e.server_name_override = flags_.GetString("ordererTLSHostnameOverride");
  return e;
}

Endpoint Command::DefaultPeerEndpoint() const {
  Endpoint e;
  e.address = config_.peer_address;
  e.tls = config_.tls_enabled;
  e.root_cert_file = config_.tls_root_cert_file;
  if (config_.tls_client_auth_required) {
    e.client_cert_file = config_.tls_client_cert_file;
    e.client_key_file = config_.tls_client_key_file;
  }
  e.server_name_override = config_.tls_server_host_override;
  return e;
}

StatusOr<std::vector<Endpoint>> Command::PeerEndpoints() const {
  std::vector<std::string> addresses = flags_.GetList("peerAddresses");
  std::vector<std::string> roots = flags_.GetList("tlsRootCertFiles");
  if (addresses.empty()) {
    return std::vector<Endpoint>{DefaultPeerEndpoint()};
  }
  Endpoint base = DefaultPeerEndpoint();
  if (base.tls && roots.size() != addresses.size()) {
    return InvalidArgumentError(absl::StrFormat(
        "number of peer addresses (%d) does not match the number of TLS root cert files (%d)",
        addresses.size(), roots.size()));
  }
  std::vector<Endpoint> peers;
  for (size_t i = 0; i < addresses.size(); ++i) {
    Endpoint e = base;
    e.address = addresses[i];
    e.root_cert_file = i < roots.size() ? roots[i] : "";
    peers.push_back(std::move(e));
  }
  return peers;
}

Status Command::EndorserClientError(const Status& dial_error) const {
  return dial_error.Annotate("error getting endorser client for " + name_);
}

StatusOr<std::chrono::milliseconds> Command::DurationFlag(const std::string& name) const {
  auto d = channelconfig::ParseGoDuration(flags_.GetString(name));
  if (!d.ok() || d->count() <= 0) {
    return InvalidArgumentError(absl::StrFormat(
        "invalid duration \"%s\" for --%s (e.g. 3s, 500ms, 1m)", flags_.GetString(name), name));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

std::chrono::milliseconds Command::ConnTimeout() const {
  auto d = DurationFlag("connTimeout");
  return d.ok() ? *d : std::chrono::milliseconds(3000);
}

StatusOr<Command::Sent> Command::Endorse(common::HeaderType type, const std::string& channel_id,
                                         const protos::ChaincodeSpec& spec,
                                         const std::vector<Endpoint>& peers) {
  ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, Signer());
  protos::ChaincodeInvocationSpec cis;
  *cis.mutable_chaincode_spec() = spec;
  ASSIGN_OR_RETURN(protoutil::ProposalWithTxId prop,
                   protoutil::CreateChaincodeProposal(type, channel_id, cis, signer->Serialize()));
  ASSIGN_OR_RETURN(protos::SignedProposal signed_prop,
                   protoutil::SignProposal(prop.proposal, *signer));
  Sent sent{prop.proposal, prop.tx_id, {}};
  for (const Endpoint& peer : peers) {
    auto channel = Dial(peer, ConnTimeout());
    if (!channel.ok()) {
      return EndorserClientError(channel.status());
    }
    ASSIGN_OR_RETURN(protos::ProposalResponse response,
                     ProcessProposal(*channel, peer.address, signed_prop, ProposalTimeout()));
    sent.responses.push_back(std::move(response));
  }
  return sent;
}

protos::ChaincodeSpec SystemSpec(const std::string& name, const std::vector<std::string>& args) {
  protos::ChaincodeSpec spec;
  spec.set_type(protos::ChaincodeSpec::GOLANG);
  spec.mutable_chaincode_id()->set_name(name);
  for (const auto& a : args) {
    spec.mutable_input()->add_args(a);
  }
  return spec;
}

std::string FormatResponse(const protos::Response& response) {
  std::string s = absl::StrFormat("status:%d", response.status());
  if (!response.message().empty()) {
    s += " message:" + protoutil::GoTextQuote(response.message());
  }
  if (!response.payload().empty()) {
    s += " payload:" + protoutil::GoTextQuote(response.payload());
  }
  return s;
}

std::string Usage() {
  return "Usage:\n"
         "  peer [command]\n\n"
         "Available Commands:\n"
         "  chaincode   Operate a chaincode: "
         "install|instantiate|invoke|package|query|signpackage|upgrade|list.\n"
         "  channel     Operate a channel: create|fetch|join|list|getinfo.\n"
         "  help        Help about any command\n"
         "  logging     Logging configuration: "
         "getlevel|setlevel|getlogspec|setlogspec|revertlevels.\n"
         "  node        Operate a peer node: start|status.\n"
         "  version     Print fabric peer version.\n\n"
         "Flags:\n"
         "  -h, --help   help for peer\n\n"
         "Use \"peer [command] --help\" for more information about a command.\n";
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // cobra: `peer`, `peer help` and `peer --help` print the usage and succeed.
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    out << Usage();
    return 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "channel") {
    return RunChannel(rest, out, err);
  }
  if (args[0] == "chaincode") {
    return RunChaincode(rest, out, err);
  }
  if (args[0] == "logging") {
    return RunLogging(rest, out, err);
  }
  if (args[0] == "node") {
    return RunNode(rest, out, err);
  }
  if (args[0] == "version") {
    out << "peer:\n Version: fabric-cpp 0.1.0 (Fabric 1.4 compatible)\n";
    return 0;
  }
  if (args[0].starts_with("-")) {
    err << "Error: unknown flag: " << args[0] << "\n" << Usage();
    return 1;
  }
  err << "Error: unknown command \"" << args[0] << "\" for \"peer\"\n"
      << "Run 'peer --help' for usage.\n";
  return 1;
}

namespace {

// The usage of one subcommand: its flags, then (as cobra's "Global Flags") none.
void SubcommandUsage(std::ostream& out, const std::string& group, const Subcommand& sub,
                     const FlagSet& flags) {
  out << "Usage:\n  peer " << group << " " << sub.name << (sub.args ? sub.args : "")
      << " [flags]\n\nFlags:\n"
      << flags.Usage();
}

}  // namespace

int RunSubcommand(const std::string& group, const std::string& module, const char* usage,
                  const std::function<void(FlagSet&)>& add_flags,
                  const std::vector<Subcommand>& subcommands, const std::vector<std::string>& args,
                  std::ostream& out, std::ostream& err, bool orderer_flags) {
  if (!args.empty() && args[0].starts_with("-") && args[0] != "--help" && args[0] != "-h") {
    err << "Error: unknown flag: " << args[0] << "\n" << usage;
    return 1;
  }
  auto sub = args.empty() ? subcommands.end()
                          : std::find_if(subcommands.begin(), subcommands.end(),
                                         [&](const Subcommand& s) { return args[0] == s.name; });
  if (sub == subcommands.end()) {
    out << usage;
    return 0;
  }
  Command cmd(module, out, err);
  cmd.set_name(group == "channel" ? group : sub->name);
  if (orderer_flags) {
    cmd.AddOrdererFlags();
  }
  add_flags(cmd.flags());
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (Status s = cmd.flags().Parse(rest); !s.ok()) {
    err << "Error: " << s.message() << "\n";
    SubcommandUsage(err, group, *sub, cmd.flags());
    return 1;
  }
  if (cmd.flags().help_requested()) {
    SubcommandUsage(out, group, *sub, cmd.flags());
    return 0;
  }
  StatusOr<CliConfig> config = LoadCliConfig(localconfig::ProcessEnv());
  if (!config.ok()) {
    LogLine(
        err, "main", "ERRO",
        "Fatal error when initializing core config : " + std::string(config.status().message()));
    return 1;
  }
  cmd.set_config(std::move(*config));
  if (Status s = sub->run(cmd); !s.ok()) {
    err << "Error: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace fabric::cli
