// SPDX-License-Identifier: Apache-2.0
//
// `peer node status` and `peer logging getlevel|setlevel|revertlevels|getlogspec|setlogspec`
// (Fabric 1.4 peer/node/status.go, peer/clilogging): clients of the peer's Admin service at
// CORE_PEER_ADDRESS, each request an Envelope of type PEER_ADMIN_OPERATION signed by the local
// MSP identity (which the peer requires to be one of its MSP's admins).

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/status_macros.h"
#include "peer/admin.grpc.pb.h"
#include "peer/cli/command.h"

namespace fabric::cli {
namespace {

// How long one Admin call may take once connected.
constexpr std::chrono::seconds kAdminCallTimeout(30);

class AdminClient {
 public:
  // Connects to the local peer's Admin service. Unavailable "admin client failed to connect to
  // <address>: ..." when it cannot.
  static StatusOr<AdminClient> Connect(Command& cmd) {
    Endpoint peer = cmd.DefaultPeerEndpoint();
    peer.role = "admin";
    ASSIGN_OR_RETURN(auto channel, Dial(peer, std::chrono::seconds(3)));
    return AdminClient(cmd, protos::Admin::NewStub(channel));
  }

  // Calls `method` with `op` wrapped in a signed envelope. The gRPC error in grpc-go's words
  // ("rpc error: code = Unknown desc = access denied").
  template <typename Response, typename Method>
  StatusOr<Response> Call(Method method, const protos::AdminOperation& op) {
    ASSIGN_OR_RETURN(const msp::SigningIdentity* signer, cmd_->Signer());
    ASSIGN_OR_RETURN(common::Envelope env, protoutil::CreateSignedEnvelope(
                                               common::PEER_ADMIN_OPERATION, "", *signer, op));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kAdminCallTimeout);
    Response response;
    grpc::Status s = ((*stub_).*method)(&ctx, env, &response);
    if (!s.ok()) {
      return UnknownError(GoRpcError(s));
    }
    return response;
  }

 private:
  AdminClient(Command& cmd, std::unique_ptr<protos::Admin::Stub> stub)
      : cmd_(&cmd), stub_(std::move(stub)) {}
  Command* cmd_;
  std::unique_ptr<protos::Admin::Stub> stub_;
};

// Fabric's checkLoggingCmdParams.
Status CheckArgs(const Command& cmd, size_t want) {
  size_t got = cmd.flags().positionals().size();
  if (want == 0) {
    if (got > 0) {
      return InvalidArgumentError(absl::StrFormat(
          "more parameters than necessary were provided. Expected 0, received %d", got));
    }
    return Status::OK();
  }
  if (got == 0) {
    return InvalidArgumentError("no parameters provided");
  }
  if (want == 2) {
    if (got == 1) {
      return InvalidArgumentError("no log level provided");
    }
    if (!logging::ParseLevel(cmd.flags().positionals()[1]).ok()) {
      return InvalidArgumentError("invalid log level provided - " + cmd.flags().positionals()[1]);
    }
  }
  return Status::OK();
}

protos::AdminOperation LevelRequest(const Command& cmd) {
  protos::AdminOperation op;
  const auto& pos = cmd.flags().positionals();
  op.mutable_logreq()->set_log_module(pos[0]);
  if (pos.size() > 1) {
    op.mutable_logreq()->set_log_level(pos[1]);
  }
  return op;
}

Status GetLevel(Command& cmd) {
  RETURN_IF_ERROR(CheckArgs(cmd, 1));
  ASSIGN_OR_RETURN(AdminClient client, AdminClient::Connect(cmd));
  ASSIGN_OR_RETURN(auto r, client.Call<protos::LogLevelResponse>(
                               &protos::Admin::Stub::GetModuleLogLevel, LevelRequest(cmd)));
  cmd.Info(absl::StrFormat("Current log level for logger '%s': %s", r.log_module(), r.log_level()));
  return Status::OK();
}

Status SetLevel(Command& cmd) {
  RETURN_IF_ERROR(CheckArgs(cmd, 2));
  ASSIGN_OR_RETURN(AdminClient client, AdminClient::Connect(cmd));
  ASSIGN_OR_RETURN(auto r, client.Call<protos::LogLevelResponse>(
                               &protos::Admin::Stub::SetModuleLogLevel, LevelRequest(cmd)));
  cmd.Info(absl::StrFormat("Log level set for logger name/prefix '%s': %s", r.log_module(),
                           r.log_level()));
  return Status::OK();
}

Status RevertLevels(Command& cmd) {
  RETURN_IF_ERROR(CheckArgs(cmd, 0));
  ASSIGN_OR_RETURN(AdminClient client, AdminClient::Connect(cmd));
  RETURN_IF_ERROR(
      client.Call<google::protobuf::Empty>(&protos::Admin::Stub::RevertLogLevels, {}).status());
  cmd.Info("Logging spec reverted to the peer's spec at startup.");
  return Status::OK();
}

Status GetLogSpec(Command& cmd) {
  RETURN_IF_ERROR(CheckArgs(cmd, 0));
  ASSIGN_OR_RETURN(AdminClient client, AdminClient::Connect(cmd));
  ASSIGN_OR_RETURN(auto r,
                   client.Call<protos::LogSpecResponse>(&protos::Admin::Stub::GetLogSpec, {}));
  cmd.Info("Current logging spec: " + r.log_spec());
  return Status::OK();
}

Status SetLogSpec(Command& cmd) {
  RETURN_IF_ERROR(CheckArgs(cmd, 1));
  ASSIGN_OR_RETURN(AdminClient client, AdminClient::Connect(cmd));
  protos::AdminOperation op;
  op.mutable_logspecreq()->set_log_spec(cmd.flags().positionals()[0]);
  ASSIGN_OR_RETURN(auto r,
                   client.Call<protos::LogSpecResponse>(&protos::Admin::Stub::SetLogSpec, op));
  if (!r.error().empty()) {
    return InvalidArgumentError(r.error());
  }
  cmd.Info("Current logging spec set to: " + r.log_spec());
  return Status::OK();
}

// Fabric prints the status message with Go's proto.CompactTextString: "status:STARTED ".
std::string StatusText(protos::ServerStatus::StatusCode code) {
  return "status:" + protos::ServerStatus::StatusCode_Name(code) + " \n";
}

Status NodeStatus(Command& cmd) {
  if (!cmd.flags().positionals().empty()) {
    std::string trailing;
    for (const auto& a : cmd.flags().positionals()) {
      trailing += (trailing.empty() ? "" : " ") + a;
    }
    return InvalidArgumentError("trailing args detected: [" + trailing + "]");
  }
  auto client = AdminClient::Connect(cmd);
  if (!client.ok()) {
    cmd.Warn(std::string(client.status().message()));
    cmd.out() << StatusText(protos::ServerStatus::UNKNOWN);
    return client.status();
  }
  auto status = client->Call<protos::ServerStatus>(&protos::Admin::Stub::GetStatus, {});
  if (!status.ok()) {
    cmd.out() << StatusText(protos::ServerStatus::UNKNOWN);
    return status.status().Annotate("Error trying to connect to local peer");
  }
  cmd.out() << StatusText(status->status());
  return Status::OK();
}

const char kLoggingUsage[] =
    "Logging configuration: getlevel|setlevel|getlogspec|setlogspec|revertlevels.\n\n"
    "Usage:\n  peer logging [command]\n\nAvailable Commands:\n"
    "  getlevel     Returns the logging level of the requested logger.\n"
    "  getlogspec   Returns the active log spec.\n"
    "  revertlevels Reverts the logging spec to the peer's spec at startup.\n"
    "  setlevel     Adds the logger and log level to the current logging spec.\n"
    "  setlogspec   Sets the logging spec.\n\n"
    "Flags:\n  -h, --help   help for logging\n\n"
    "Use \"peer logging [command] --help\" for more information about a command.\n";

const char kNodeUsage[] =
    "Operate a peer node: start|status.\n\n"
    "Usage:\n  peer node [command]\n\nAvailable Commands:\n"
    "  start       Starts the node.\n"
    "  status      Returns status of the node.\n\n"
    "Flags:\n  -h, --help   help for node\n\n"
    "Use \"peer node [command] --help\" for more information about a command.\n";

}  // namespace

int RunLogging(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::vector<Subcommand> kSubcommands = {
      {"getlevel", GetLevel, " <logger>"}, {"setlevel", SetLevel, " <logger> <log level>"},
      {"revertlevels", RevertLevels},      {"getlogspec", GetLogSpec},
      {"setlogspec", SetLogSpec},
  };
  return RunSubcommand(
      "logging", "cli.logging", kLoggingUsage, [](FlagSet&) {}, kSubcommands, args, out, err,
      /*orderer_flags=*/false);
}

int RunNode(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::vector<Subcommand> kSubcommands = {{"status", NodeStatus}};
  return RunSubcommand(
      "node", "nodeCmd", kNodeUsage, [](FlagSet&) {}, kSubcommands, args, out, err,
      /*orderer_flags=*/false);
}

}  // namespace fabric::cli
