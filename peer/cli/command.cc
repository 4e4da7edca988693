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

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

bool EnvBool(const char* name) {
  std::string v = Env(name);
  return v == "true" || v == "TRUE" || v == "True" || v == "1";
}

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

void Command::Info(const std::string& msg) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  err_ << absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d.%03d UTC [%s] INFO %s\n", t.tm_year + 1900,
                          t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                          static_cast<int>(ts.tv_nsec / 1000000), module_, msg);
}

StatusOr<const msp::SigningIdentity*> Command::Signer() {
  if (signer_) {
    return signer_.get();
  }
  std::string cfg = Env("FABRIC_CFG_PATH", ".");
  std::string dir = Env("CORE_PEER_MSPCONFIGPATH", cfg + "/msp");
  std::string msp_id = Env("CORE_PEER_LOCALMSPID", "SampleOrg");
  auto id = msp::LoadSigningIdentity(dir, msp_id);
  if (!id.ok()) {
    return Status(id.status().code(),
                  absl::StrFormat("cannot load the client identity from MSP folder %s (msp id "
                                  "%s; set CORE_PEER_MSPCONFIGPATH and CORE_PEER_LOCALMSPID): %s",
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
  e.root_cert_file = flags_.GetString("cafile");
  if (flags_.GetBool("clientauth")) {
    e.client_cert_file = flags_.GetString("certfile");
    e.client_key_file = flags_.GetString("keyfile");
  }
  e.server_name_override = flags_.GetString("ordererTLSHostnameOverride");
  return e;
}

StatusOr<std::vector<Endpoint>> Command::PeerEndpoints() const {
  bool tls = EnvBool("CORE_PEER_TLS_ENABLED");
  std::vector<std::string> addresses = flags_.GetList("peerAddresses");
  std::vector<std::string> roots = flags_.GetList("tlsRootCertFiles");
  if (addresses.empty()) {
    addresses.push_back(Env("CORE_PEER_ADDRESS", "0.0.0.0:7051"));
    roots = {Env("CORE_PEER_TLS_ROOTCERT_FILE")};
  } else if (tls && roots.size() != addresses.size()) {
    return InvalidArgumentError(absl::StrFormat(
        "number of peer addresses (%d) does not match the number of TLS root cert files (%d)",
        addresses.size(), roots.size()));
  }
  std::vector<Endpoint> peers;
  for (size_t i = 0; i < addresses.size(); ++i) {
    Endpoint e;
    e.address = addresses[i];
    e.tls = tls;
    if (i < roots.size()) {
      e.root_cert_file = roots[i];
    }
    if (EnvBool("CORE_PEER_TLS_CLIENTAUTHREQUIRED")) {
      e.client_cert_file = Env("CORE_PEER_TLS_CLIENTCERT_FILE");
      e.client_key_file = Env("CORE_PEER_TLS_CLIENTKEY_FILE");
    }
    e.server_name_override = Env("CORE_PEER_TLS_SERVERHOSTOVERRIDE");
    peers.push_back(std::move(e));
  }
  return peers;
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
    ASSIGN_OR_RETURN(auto channel, Dial(peer, ConnTimeout()));
    ASSIGN_OR_RETURN(protos::ProposalResponse response,
                     ProcessProposal(channel, peer.address, signed_prop, ProposalTimeout()));
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
         "  chaincode   Operate a chaincode: install|instantiate|invoke|package|query|upgrade|"
         "list.\n"
         "  channel     Operate a channel: create|fetch|join|list|getinfo.\n"
         "  node        Operate a peer node: start.\n"
         "  version     Print fabric peer version.\n";
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    out << Usage();
    return args.empty() ? 1 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "channel") {
    return RunChannel(rest, out, err);
  }
  if (args[0] == "chaincode") {
    return RunChaincode(rest, out, err);
  }
  if (args[0] == "version") {
    out << "peer:\n Version: fabric-cpp 0.1.0 (Fabric 1.4 compatible)\n";
    return 0;
  }
  err << "Error: unknown command \"" << args[0] << "\" for \"peer\"\n" << Usage();
  return 1;
}

int RunSubcommand(const std::string& group, const std::string& module, const char* usage,
                  const std::function<void(FlagSet&)>& add_flags,
                  const std::vector<Subcommand>& subcommands, const std::vector<std::string>& args,
                  std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    out << usage;
    return args.empty() ? 1 : 0;
  }
  auto sub = std::find_if(subcommands.begin(), subcommands.end(),
                          [&](const Subcommand& s) { return args[0] == s.name; });
  if (sub == subcommands.end()) {
    err << "Error: unknown command \"" << args[0] << "\" for \"peer " << group << "\"\n" << usage;
    return 1;
  }
  Command cmd(module, out, err);
  cmd.AddOrdererFlags();
  add_flags(cmd.flags());
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (Status s = cmd.flags().Parse(rest); !s.ok()) {
    err << "Error: " << s.message() << "\n\nFlags:\n" << cmd.flags().Usage();
    return 1;
  }
  if (cmd.flags().help_requested()) {
    out << "Usage:\n  peer " << group << " " << sub->name << " [flags]\n\nFlags:\n"
        << cmd.flags().Usage();
    return 0;
  }
  if (Status s = sub->run(cmd); !s.ok()) {
    err << "Error: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace fabric::cli
