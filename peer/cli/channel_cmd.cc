// SPDX-License-Identifier: Apache-2.0
//
// `peer channel create|join|list|fetch|getinfo` (Fabric 1.4 peer/channel/*.go).

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <absl/strings/escaping.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>

#include "common/channelconfig/configtx.h"
#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/crypto/file_util.h"
#include "common/ledger.pb.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/cli/command.h"
#include "peer/query.pb.h"

namespace fabric::cli {
namespace {

Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) {
    return InternalError("cannot write " + path);
  }
  return Status::OK();
}

StatusOr<std::string> ReadInputFile(const std::string& path, std::string_view what) {
  auto data = crypto::ReadFile(path);
  if (!data.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("error reading %s %s: %s", what, path, data.status().message()));
  }
  return *data;
}

Status RequireChannel(const Command& cmd) {
  if (cmd.flags().GetString("channelID").empty()) {
    return InvalidArgumentError("must supply channel ID (-c/--channelID)");
  }
  return Status::OK();
}

// Adds the admin's signature to a CONFIG_UPDATE envelope from configtxgen and re-wraps it
// signed (Fabric's sanityCheckAndSignConfigTx).
StatusOr<common::Envelope> SignConfigTx(const std::string& tx_bytes, const std::string& channel,
                                        const msp::SigningIdentity& signer) {
  ASSIGN_OR_RETURN(auto env, protoutil::Unmarshal<common::Envelope>(tx_bytes, "channel tx"));
  // configtxgen's envelope is unsigned (empty signature header): parse only what we need.
  ASSIGN_OR_RETURN(auto payload, protoutil::Unmarshal<common::Payload>(env.payload(), "payload"));
  ASSIGN_OR_RETURN(auto ch, protoutil::Unmarshal<common::ChannelHeader>(
                                payload.header().channel_header(), "channel header"));
  if (ch.type() != common::CONFIG_UPDATE) {
    return InvalidArgumentError(
        "bad transaction type in the channel tx file: expected CONFIG_UPDATE (make it with "
        "configtxgen -outputCreateChannelTx)");
  }
  if (ch.channel_id() != channel) {
    return InvalidArgumentError(
        absl::StrFormat("mismatched channel ID %s != %s", ch.channel_id(), channel));
  }
  ASSIGN_OR_RETURN(auto update, protoutil::Unmarshal<common::ConfigUpdateEnvelope>(
                                    payload.data(), "config update envelope"));
  RETURN_IF_ERROR(channelconfig::AddConfigSignature(signer, &update));
  return protoutil::CreateSignedEnvelope(common::CONFIG_UPDATE, channel, signer, update);
}

Status Create(Command& cmd) {
  RETURN_IF_ERROR(RequireChannel(cmd));
  const std::string channel = cmd.flags().GetString("channelID");
  if (cmd.flags().GetString("file").empty()) {
    return InvalidArgumentError(
        "must supply the channel creation transaction (-f channel.tx from configtxgen "
        "-outputCreateChannelTx)");
  }
  ASSIGN_OR_RETURN(std::string tx, ReadInputFile(cmd.flags().GetString("file"), "channel tx"));
  ASSIGN_OR_RETURN(auto timeout, cmd.DurationFlag("timeout"));
  ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, cmd.Signer());
  ASSIGN_OR_RETURN(common::Envelope env, SignConfigTx(tx, channel, *signer));
  Endpoint orderer = cmd.OrdererEndpoint();
  ASSIGN_OR_RETURN(auto conn, Dial(orderer, cmd.ConnTimeout()));
  RETURN_IF_ERROR(Broadcast(conn, orderer.address, env, timeout)
                      .Annotate("error broadcasting the channel creation transaction"));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto block = DeliverBlock(conn, orderer, channel, {SeekTarget::Kind::kNumber, 0}, *signer,
                              std::max(left, std::chrono::milliseconds(100)));
    if (block.ok()) {
      std::string file = cmd.flags().GetString("outputBlock");
      if (file.empty()) {
        file = channel + ".block";
      }
      RETURN_IF_ERROR(WriteFile(file, protoutil::Marshal(*block)));
      cmd.Info("Received block: 0");
      return Status::OK();
    }
    if (!block.status().IsNotFound() || std::chrono::steady_clock::now() >= deadline) {
      return block.status().Annotate("timeout waiting for the genesis block of channel " + channel);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Status Join(Command& cmd) {
  std::string path = cmd.flags().GetString("blockpath");
  if (path.empty()) {
    return InvalidArgumentError("Must supply genesis block path (-b/--blockpath)");
  }
  ASSIGN_OR_RETURN(std::string block, ReadInputFile(path, "genesis block file"));
  if (!protoutil::Unmarshal<common::Block>(block, "block").ok()) {
    return InvalidArgumentError(path +
                                " is not a block (use the file of peer channel create or "
                                "peer channel fetch)");
  }
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  ASSIGN_OR_RETURN(auto sent, cmd.Endorse(common::CONFIG, "",
                                          SystemSpec("cscc", {"JoinChain", block}), {peers[0]}));
  const protos::Response& r = sent.responses[0].response();
  if (r.status() != 200) {
    return FailedPreconditionError(absl::StrFormat(
        "proposal failed (err: bad proposal response %d: %s)", r.status(), r.message()));
  }
  cmd.Info("Successfully submitted proposal to join channel");
  return Status::OK();
}

Status List(Command& cmd) {
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  ASSIGN_OR_RETURN(auto sent, cmd.Endorse(common::ENDORSER_TRANSACTION, "",
                                          SystemSpec("cscc", {"GetChannels"}), {peers[0]}));
  const protos::Response& r = sent.responses[0].response();
  if (r.status() != 200) {
    return FailedPreconditionError(
        absl::StrFormat("bad response: %d - %s", r.status(), r.message()));
  }
  ASSIGN_OR_RETURN(auto channels,
                   protoutil::Unmarshal<protos::ChannelQueryResponse>(r.payload(), "channels"));
  cmd.out() << "Channels peers has joined: \n";
  for (const auto& c : channels.channels()) {
    cmd.out() << c.channel_id() << "\n";
  }
  return Status::OK();
}

Status GetInfo(Command& cmd) {
  RETURN_IF_ERROR(RequireChannel(cmd));
  const std::string channel = cmd.flags().GetString("channelID");
  ASSIGN_OR_RETURN(auto peers, cmd.PeerEndpoints());
  ASSIGN_OR_RETURN(auto sent,
                   cmd.Endorse(common::ENDORSER_TRANSACTION, "",
                               SystemSpec("qscc", {"GetChainInfo", channel}), {peers[0]}));
  const protos::Response& r = sent.responses[0].response();
  if (r.status() != 200) {
    return FailedPreconditionError(
        absl::StrFormat("received bad response, status %d: %s", r.status(), r.message()));
  }
  ASSIGN_OR_RETURN(auto info,
                   protoutil::Unmarshal<common::BlockchainInfo>(r.payload(), "chain info"));
  cmd.out() << absl::StrFormat(
      "Blockchain info: {\"height\":%d,\"currentBlockHash\":\"%s\",\"previousBlockHash\":\"%s\"}\n",
      info.height(), absl::Base64Escape(info.currentblockhash()),
      absl::Base64Escape(info.previousblockhash()));
  return Status::OK();
}

// The newest config block number a block points to.
StatusOr<uint64_t> LastConfigIndex(const common::Block& block) {
  const auto& md = block.metadata().metadata();
  if (md.size() > common::SIGNATURES && !md[common::SIGNATURES].empty()) {
    auto m = protoutil::Unmarshal<common::Metadata>(md[common::SIGNATURES], "metadata");
    if (m.ok() && !m->value().empty()) {
      auto obm = protoutil::Unmarshal<common::OrdererBlockMetadata>(m->value(), "metadata");
      if (obm.ok() && obm->has_last_config()) {
        return obm->last_config().index();
      }
    }
  }
  // common::LAST_CONFIG (deprecated in the proto, still written by 1.x orderers).
  constexpr int kLastConfig = 1;
  if (md.size() > kLastConfig && !md[kLastConfig].empty()) {
    ASSIGN_OR_RETURN(auto m, protoutil::Unmarshal<common::Metadata>(md[kLastConfig], "metadata"));
    ASSIGN_OR_RETURN(auto lc, protoutil::Unmarshal<common::LastConfig>(m.value(), "last config"));
    return lc.index();
  }
  return InvalidArgumentError("the newest block carries no last config index");
}

Status Fetch(Command& cmd) {
  RETURN_IF_ERROR(RequireChannel(cmd));
  const std::string channel = cmd.flags().GetString("channelID");
  const auto& pos = cmd.flags().positionals();
  if (pos.empty() || pos.size() > 2) {
    return InvalidArgumentError(
        "fetch target required: peer channel fetch newest|oldest|config|<number> [outputfile]");
  }
  SeekTarget target;
  const std::string& what = pos[0];
  if (what == "oldest") {
    target.kind = SeekTarget::Kind::kOldest;
  } else if (what != "newest" && what != "config") {
    target.kind = SeekTarget::Kind::kNumber;
    if (!absl::SimpleAtoi(what, &target.number)) {
      return InvalidArgumentError("fetch target illegal: " + what +
                                  " (use newest, oldest, config or a block number)");
    }
  }
  ASSIGN_OR_RETURN(auto timeout, cmd.DurationFlag("timeout"));
  ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, cmd.Signer());
  Endpoint orderer = cmd.OrdererEndpoint();
  ASSIGN_OR_RETURN(auto conn, Dial(orderer, cmd.ConnTimeout()));
  ASSIGN_OR_RETURN(common::Block block,
                   DeliverBlock(conn, orderer, channel, target, *signer, timeout));
  if (what == "config") {
    ASSIGN_OR_RETURN(uint64_t index, LastConfigIndex(block));
    cmd.Info(absl::StrFormat("Retrieving last config block: %d", index));
    ASSIGN_OR_RETURN(block, DeliverBlock(conn, orderer, channel, {SeekTarget::Kind::kNumber, index},
                                         *signer, timeout));
  }
  std::string file = pos.size() == 2 ? pos[1] : channel + "_" + what + ".block";
  RETURN_IF_ERROR(WriteFile(file, protoutil::Marshal(block)));
  cmd.Info(absl::StrFormat("Received block: %d", block.header().number()));
  return Status::OK();
}

void AddChannelFlags(FlagSet& f) {
  f.String("channelID", 'c', "", "In case of a newChain command, the channel ID to create.");
  f.String("file", 'f', "",
           "Configuration transaction file generated by a tool such as "
           "configtxgen for submitting to orderer");
  f.String("blockpath", 'b', "", "Path to file containing genesis block");
  f.String("outputBlock", 0, "",
           "The path to write the genesis block for the channel. "
           "(default ./<channelID>.block)");
  f.String("timeout", 't', "10s", "Channel creation / fetch timeout");
}

const char kChannelUsage[] =
    "Operate a channel: create|fetch|join|list|getinfo.\n\n"
    "Usage:\n  peer channel [command]\n\nAvailable Commands:\n"
    "  create      Create a channel\n"
    "  fetch       Fetch a block: newest|oldest|config|<number> [outputfile]\n"
    "  getinfo     Get blockchain information of a specified channel.\n"
    "  join        Joins the peer to a channel.\n"
    "  list        List of channels peer has joined.\n\n"
    "Use \"peer channel [command] --help\" for more information about a command.\n";

}  // namespace

int RunChannel(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::vector<Subcommand> kSubcommands = {
      {"create", Create}, {"join", Join}, {"list", List}, {"fetch", Fetch}, {"getinfo", GetInfo},
  };
  return RunSubcommand("channel", "channelCmd", kChannelUsage, AddChannelFlags, kSubcommands, args,
                       out, err);
}

}  // namespace fabric::cli
