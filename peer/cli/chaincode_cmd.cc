// SPDX-License-Identifier: Apache-2.0
//
// `peer chaincode package|install|instantiate|upgrade|invoke|query|list` (Fabric 1.4
// peer/chaincode/*.go).

#include <fstream>
#include <iostream>

#include <absl/strings/str_format.h>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "common/policies/policyparser.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/cli/command.h"
#include "peer/cli/ctor.h"
#include "peer/cli/package.h"
#include "peer/cli/package_cmd.h"
#include "peer/query.pb.h"

namespace fabric::cli {
namespace {

// The missing-flag errors in Fabric's words (peer/chaincode/common.go, invoke.go, ...).
Status RequireFlags(const Command& cmd, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (!cmd.flags().GetString(n).empty()) {
      continue;
    }
    if (n == "channelID") {
      return InvalidArgumentError(
          "The required parameter 'channelID' is empty. Rerun the command with -C flag");
    }
    if (n == "version") {
      return InvalidArgumentError("chaincode version is not provided for " + cmd.name());
    }
    return InvalidArgumentError("must supply value for chaincode " + n + " parameter");
  }
  return Status::OK();
}

StatusOr<protos::ChaincodeInput> Ctor(const Command& cmd) {
  return ParseCtor(cmd.flags().GetString("ctor"));
}

// The ChaincodeSpec from -n -v -p -l -c.
StatusOr<protos::ChaincodeSpec> Spec(const Command& cmd) {
  protos::ChaincodeSpec spec;
  ASSIGN_OR_RETURN(auto type, ParseLanguage(cmd.flags().GetString("lang")));
  spec.set_type(type);
  spec.mutable_chaincode_id()->set_name(cmd.flags().GetString("name"));
  spec.mutable_chaincode_id()->set_version(cmd.flags().GetString("version"));
  spec.mutable_chaincode_id()->set_path(cmd.flags().GetString("path"));
  ASSIGN_OR_RETURN(*spec.mutable_input(), Ctor(cmd));
  return spec;
}

Status Install(Command& cmd) {
  std::string package;
  const auto& pos = cmd.flags().positionals();
  if (pos.size() == 1) {
    ASSIGN_OR_RETURN(InstallPackage pkg, ReadInstallPackage(cmd, pos[0]));
    package = std::move(pkg.bytes);
  } else {
    for (const char* name : {"name", "path", "version"}) {
      if (cmd.flags().GetString(name).empty()) {
        return InvalidArgumentError(
            "Must supply value for chaincode name, path and version parameters.");
      }
    }
    ASSIGN_OR_RETURN(auto cds, DeploymentSpec(cmd));
    package = protoutil::Marshal(cds);
  }
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  for (const Endpoint& peer : peers) {
    ASSIGN_OR_RETURN(auto sent, cmd.Endorse(common::ENDORSER_TRANSACTION, "",
                                            SystemSpec("lscc", {"install", package}), {peer}));
    const protos::Response& r = sent.responses[0].response();
    if (r.status() != 200) {
      return FailedPreconditionError(
          absl::StrFormat("Bad response: %d - %s", r.status(), r.message()));
    }
    // Fabric 1.4 prints the ProposalResponse in Go's text form; scripts grep for it.
    cmd.Info(
        absl::StrFormat("Installed remotely response:<%s > (%s)", FormatResponse(r), peer.address));
  }
  return Status::OK();
}

// Endorses `spec` on every peer, checks the responses, broadcasts the transaction and, with
// --waitForEvent, waits for every peer to commit it. Returns the first peer's response.
StatusOr<protos::Response> EndorseAndSubmit(Command& cmd, const std::string& what,
                                            const std::string& channel,
                                            const protos::ChaincodeSpec& spec) {
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  ASSIGN_OR_RETURN(auto sent, cmd.Endorse(common::ENDORSER_TRANSACTION, channel, spec, peers));
  for (size_t i = 0; i < sent.responses.size(); ++i) {
    const auto& r = sent.responses[i];
    if (r.response().status() < 200 || r.response().status() >= 400) {
      return FailedPreconditionError(absl::StrFormat("endorsement failure during %s. response: %s",
                                                     what, FormatResponse(r.response())));
    }
    if (!r.has_endorsement()) {
      return FailedPreconditionError(
          absl::StrFormat("peer %s returned a response without an endorsement", peers[i].address));
    }
    if (r.payload() != sent.responses[0].payload()) {
      return FailedPreconditionError(absl::StrFormat(
          "ProposalResponsePayloads do not match: the response of peer %s differs from peer "
          "%s's (is the chaincode non-deterministic, or do the peers' states differ?)",
          peers[i].address, peers[0].address));
    }
  }
  ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, cmd.Signer());
  ASSIGN_OR_RETURN(common::Envelope tx,
                   protoutil::CreateSignedTx(sent.proposal, *signer, sent.responses));
  std::vector<std::unique_ptr<TxCommitWaiter>> waiters;
  if (cmd.flags().GetBool("waitForEvent")) {
    ASSIGN_OR_RETURN(auto wait_timeout, cmd.DurationFlag("waitForEventTimeout"));
    for (const Endpoint& peer : peers) {
      ASSIGN_OR_RETURN(auto conn, Dial(peer, cmd.ConnTimeout()));
      ASSIGN_OR_RETURN(auto w, TxCommitWaiter::Open(conn, peer, channel, *signer, wait_timeout));
      waiters.push_back(std::move(w));
    }
  }
  Endpoint orderer = cmd.OrdererEndpoint();
  ASSIGN_OR_RETURN(auto conn, Dial(orderer, cmd.ConnTimeout()));
  RETURN_IF_ERROR(Broadcast(conn, orderer.address, tx, std::chrono::seconds(30))
                      .Annotate("error sending transaction for " + what));
  for (size_t i = 0; i < waiters.size(); ++i) {
    ASSIGN_OR_RETURN(TxCommit c, waiters[i]->Wait(sent.tx_id));
    std::string code = protos::TxValidationCode_Name(c.code);
    if (c.code != protos::TxValidationCode::VALID) {
      return FailedPreconditionError(absl::StrFormat(
          "transaction invalidated with status (%s) on peer %s", code, peers[i].address));
    }
    cmd.Info(absl::StrFormat("txid [%s] committed with status (%s) at %s", sent.tx_id, code,
                             peers[i].address));
  }
  return sent.responses[0].response();
}

Status Deploy(Command& cmd, bool upgrade) {
  const std::string what = upgrade ? "upgrade" : "instantiate";
  RETURN_IF_ERROR(RequireFlags(cmd, {"channelID", "name", "version"}));
  if (cmd.flags().Changed("collections-config")) {
    return UnimplementedError("private data collections (--collections-config) are not supported");
  }
  protos::ChaincodeDeploymentSpec cds;
  ASSIGN_OR_RETURN(*cds.mutable_chaincode_spec(), Spec(cmd));
  std::string policy;
  if (!cmd.flags().GetString("policy").empty()) {
    auto env = policies::FromString(cmd.flags().GetString("policy"));
    if (!env.ok()) {
      return InvalidArgumentError("invalid policy " + cmd.flags().GetString("policy") + ": " +
                                  std::string(env.status().message()));
    }
    policy = protoutil::Marshal(*env);
  }
  const std::string channel = cmd.flags().GetString("channelID");
  std::string escc = cmd.flags().GetString("escc");
  std::string vscc = cmd.flags().GetString("vscc");
  if (escc.empty()) {
    cmd.Info("Using default escc");
    escc = "escc";
  }
  if (vscc.empty()) {
    cmd.Info("Using default vscc");
    vscc = "vscc";
  }
  protos::ChaincodeSpec lscc = SystemSpec("lscc", {upgrade ? "upgrade" : "deploy", channel,
                                                   protoutil::Marshal(cds), policy, escc, vscc});
  return EndorseAndSubmit(cmd, what, channel, lscc).status();
}

// Fabric's ccInfo.String(): the non-empty fields as "Name: x, Version: y, ..." (Id in hex).
std::string ChaincodeInfoString(const protos::ChaincodeInfo& c) {
  std::vector<std::pair<std::string, std::string>> fields = {{"Name", c.name()},
                                                             {"Version", c.version()},
                                                             {"Path", c.path()},
                                                             {"Input", c.input()},
                                                             {"Escc", c.escc()},
                                                             {"Vscc", c.vscc()},
                                                             {"Id", crypto::HexEncode(c.id())}};
  std::string s;
  for (const auto& [k, v] : fields) {
    if (!v.empty()) {
      s += (s.empty() ? "" : ", ") + k + ": " + v;
    }
  }
  return s;
}

Status List(Command& cmd) {
  bool installed = cmd.flags().GetBool("installed");
  bool instantiated = cmd.flags().GetBool("instantiated");
  if (installed == instantiated) {
    return InvalidArgumentError("Must explicitly specify \"--installed\" or \"--instantiated\"");
  }
  std::string channel = cmd.flags().GetString("channelID");
  if (instantiated) {
    RETURN_IF_ERROR(RequireFlags(cmd, {"channelID"}));
  }
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  auto spec = SystemSpec("lscc", {installed ? "getinstalledchaincodes" : "getchaincodes"});
  ASSIGN_OR_RETURN(auto sent, cmd.Endorse(common::ENDORSER_TRANSACTION, installed ? "" : channel,
                                          spec, {peers[0]}));
  const protos::Response& r = sent.responses[0].response();
  if (r.status() != 200) {
    return FailedPreconditionError(
        absl::StrFormat("Bad response: %d - %s", r.status(), r.message()));
  }
  ASSIGN_OR_RETURN(auto list,
                   protoutil::Unmarshal<protos::ChaincodeQueryResponse>(r.payload(), "list"));
  cmd.out() << (installed ? "Get installed chaincodes on peer:\n"
                          : "Get instantiated chaincodes on channel " + channel + ":\n");
  for (const auto& c : list.chaincodes()) {
    cmd.out() << ChaincodeInfoString(c) << "\n";
  }
  return Status::OK();
}

StatusOr<protos::ChaincodeSpec> InvokeSpec(const Command& cmd) {
  RETURN_IF_ERROR(RequireFlags(cmd, {"channelID", "name"}));
  protos::ChaincodeSpec spec;
  ASSIGN_OR_RETURN(auto type, ParseLanguage(cmd.flags().GetString("lang")));
  spec.set_type(type);
  spec.mutable_chaincode_id()->set_name(cmd.flags().GetString("name"));
  ASSIGN_OR_RETURN(*spec.mutable_input(), Ctor(cmd));
  return spec;
}

Status Invoke(Command& cmd) {
  ASSIGN_OR_RETURN(auto spec, InvokeSpec(cmd));
  ASSIGN_OR_RETURN(protos::Response r,
                   EndorseAndSubmit(cmd, "invoke", cmd.flags().GetString("channelID"), spec));
  cmd.Info("Chaincode invoke successful. result: " + FormatResponse(r));
  return Status::OK();
}

Status Query(Command& cmd) {
  ASSIGN_OR_RETURN(auto spec, InvokeSpec(cmd));
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  ASSIGN_OR_RETURN(auto sent, cmd.Endorse(common::ENDORSER_TRANSACTION,
                                          cmd.flags().GetString("channelID"), spec, {peers[0]}));
  const protos::Response& r = sent.responses[0].response();
  if (r.status() < 200 || r.status() >= 400) {
    return FailedPreconditionError("endorsement failure during query. response: " +
                                   FormatResponse(r));
  }
  if (cmd.flags().GetBool("hex")) {
    cmd.out() << crypto::HexEncode(r.payload()) << "\n";
  } else {
    cmd.out() << r.payload() << "\n";
  }
  return Status::OK();
}

// Fabric's flags and descriptions (peer/chaincode/chaincode.go resetFlags, package.go, list.go,
// query.go). -l also takes cpp here.
void AddChaincodeFlags(FlagSet& f) {
  f.String("channelID", 'C', "", "The channel on which this command should be executed");
  f.String("name", 'n', "", "Name of the chaincode");
  f.String("version", 'v', "",
           "Version of the chaincode specified in install/instantiate/upgrade commands");
  f.String("path", 'p', "", "Path to chaincode");
  f.String("lang", 'l', "golang", "Language the chaincode is written in");
  f.String("ctor", 'c', "{}", "Constructor message for the chaincode in JSON format");
  f.String("policy", 'P', "", "The endorsement policy associated to this chaincode");
  f.String("escc", 'E', "",
           "The name of the endorsement system chaincode to be used for this chaincode");
  f.String("vscc", 'V', "",
           "The name of the verification system chaincode to be used for this chaincode");
  f.StringList("peerAddresses", 0, "The addresses of the peers to connect to");
  f.StringList("tlsRootCertFiles", 0,
               "If TLS is enabled, the paths to the TLS root cert files of the peers to connect "
               "to. The order and number of certs specified should match the --peerAddresses "
               "flag");
  f.Bool("waitForEvent", 0,
         "Whether to wait for the event from each peer's deliver filtered service signifying "
         "that the 'invoke' transaction has been committed successfully");
  f.String("waitForEventTimeout", 0, "30s",
           "Time to wait for the event from each peer's deliver filtered service signifying that "
           "the 'invoke' transaction has been committed successfully");
  f.Bool("installed", 0, "Get the installed chaincodes on a peer");
  f.Bool("instantiated", 0, "Get the instantiated chaincodes on a channel");
  f.Bool("raw", 'r', "If true, output the query value as raw bytes");
  f.Bool("hex", 'x', "If true, output the query value byte array in hexadecimal");
  f.String("transient", 0, "", "Transient map of arguments in JSON encoding");
  f.String("collections-config", 0, "",
           "The fully qualified path to the collection JSON file including the file name");
  f.Bool("cc-package", 's',
         "create CC deployment spec for owner endorsements instead of raw CC deployment spec");
  f.Bool("sign", 'S',
         "if creating CC deployment spec package for owner endorsements, also sign it with "
         "local MSP");
  f.String("instantiate-policy", 'i', "", "instantiation policy for the chaincode");
}

const char kChaincodeUsage[] =
    "Operate a chaincode: install|instantiate|invoke|package|query|signpackage|upgrade|list.\n\n"
    "Usage:\n  peer chaincode [command]\n\nAvailable Commands:\n"
    "  install     Package the specified chaincode into a deployment spec and save it on the "
    "peer's path.\n"
    "  instantiate Deploy the specified chaincode to the network.\n"
    "  invoke      Invoke the specified chaincode.\n"
    "  list        Get the instantiated chaincodes on a channel or installed chaincodes on a "
    "peer.\n"
    "  package     Package the specified chaincode into a deployment spec.\n"
    "  query       Query using the specified chaincode.\n"
    "  signpackage Sign the specified chaincode package\n"
    "  upgrade     Upgrade chaincode.\n\n"
    "Use \"peer chaincode [command] --help\" for more information about a command.\n";

}  // namespace

int RunChaincode(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::vector<Subcommand> kSubcommands = {
      {"package", Package},
      {"install", Install},
      {"signpackage", SignPackage},
      {"instantiate", [](Command& cmd) { return Deploy(cmd, false); }},
      {"upgrade", [](Command& cmd) { return Deploy(cmd, true); }},
      {"invoke", Invoke},
      {"query", Query},
      {"list", List},
  };
  return RunSubcommand("chaincode", "chaincodeCmd", kChaincodeUsage, AddChaincodeFlags,
                       kSubcommands, args, out, err);
}

}  // namespace fabric::cli
