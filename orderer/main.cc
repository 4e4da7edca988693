// SPDX-License-Identifier: Apache-2.0
//
// The orderer daemon:
//   orderer [start] [-config FILE] [-genesisBlock FILE]...   serve until SIGINT / SIGTERM
//   orderer version
// Flags in Go's flag-package syntax (common/flags/flags.h): "-config FILE", "--config=FILE".
// Configuration: node.h / config.h (orderer.yaml or orderer.json + ORDERER_* environment); the
// keys of the file it does not use are logged once. Bad configuration prints one
// "orderer: error: ..." line and exits 1; bad usage exits 2.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/flags/flags.h"
#include "common/logging/logging.h"
#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "orderer/cluster/etcd_channel_log.h"
#include "orderer/config.h"
#include "orderer/node.h"

namespace {

constexpr const char* kUsage =
    "usage: orderer [start] [flags]\n"
    "       orderer version\n"
    "Configuration: orderer.yaml or orderer.json (-config, $ORDERER_CFG_PATH or\n"
    "$FABRIC_CFG_PATH, else the current directory) and ORDERER_<SECTION>_<KEY> environment\n"
    "variables (ORDERER_GENERAL_LISTENPORT, ORDERER_FILELEDGER_LOCATION, ...).\n"
    "Flags (-flag or --flag, value after a space or \"=\"):\n";

// Channels of consensus type etcd open their logs on the etcd cluster their config names (or on
// Etcd.Endpoints), reached as the Etcd section says (docs/cluster.md).
fabric::orderer::Orderer::Cluster EtcdCluster(const fabric::orderer::OrdererConfig& config) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  fabric::orderer::cluster::EtcdChannelLogOptions local;
  local.endpoints = config.etcd.endpoints;
  local.use_tls = config.etcd.tls_enabled;
  local.tls = {config.etcd.tls_root_cas, config.etcd.tls_certificate, config.etcd.tls_private_key};
  local.key_prefix = config.etcd.key_prefix;
  local.node_id = !config.etcd.node_id.empty() ? config.etcd.node_id
                                               : config.local_msp_id + "@" + config.listen_address +
                                                     ":" + std::to_string(config.listen_port);
  local.call_timeout = duration_cast<milliseconds>(config.etcd.request_timeout);
  local.cleanup_interval = duration_cast<milliseconds>(config.etcd.cleanup_interval);
  local.node_ttl = std::chrono::ceil<std::chrono::seconds>(config.etcd.node_ttl);
  fabric::orderer::Orderer::Cluster cluster;
  cluster.make_channel_logs = [local](const fabric::orderer::cluster::EtcdConfigMetadata& etcd) {
    return fabric::orderer::cluster::MakeEtcdChannelLogFactory(
        {etcd.endpoints().begin(), etcd.endpoints().end()}, etcd.tls(), local);
  };
  cluster.chain.append_timeout = local.call_timeout;
  return cluster;
}

int Fail(const std::string& message) {
  std::cerr << "orderer: error: " << message << "\n";
  return 1;
}

struct CommandLine {
  std::string config_file;
  std::vector<std::string> genesis_files;
};

// Parses the arguments after the program name. Returns the exit status when the program ends
// here (version, help, bad usage).
std::optional<int> ParseCommandLine(std::vector<std::string> args, CommandLine* line) {
  fabric::flags::FlagSet flags(fabric::flags::Syntax::kGo);
  flags.String("config", 0, "", "read `FILE` instead of orderer.yaml in the config path");
  flags.StringList("genesisBlock", 0,
                   "bootstrap a channel from the genesis block in `FILE` (repeatable; replaces "
                   "ORDERER_GENERAL_BOOTSTRAPFILE)");
  const std::string command = args.empty() ? "" : args[0];
  if (command == "version") {
    std::cout << "orderer (fabric-cpp) 0.1.0\n";
    return 0;
  }
  if (command == "start") {
    args.erase(args.begin());
  }
  fabric::Status s = command == "help" ? fabric::Status::OK() : flags.Parse(args);
  if (s.ok() && !flags.positionals().empty()) {
    s = fabric::InvalidArgumentError("unknown argument \"" + flags.positionals()[0] + "\"");
  }
  if (!s.ok()) {
    std::cerr << "orderer: " << s.message() << "\n" << kUsage << flags.Usage();
    return 2;
  }
  if (command == "help" || flags.help_requested()) {
    std::cout << kUsage << flags.Usage();
    return 0;
  }
  line->config_file = flags.GetString("config");
  line->genesis_files = flags.GetList("genesisBlock");
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  fabric::SkipMutexDeadlockChecks();
  fabric::TuneMallocForServers();
  CommandLine line;
  if (std::optional<int> done = ParseCommandLine({argv + 1, argv + argc}, &line)) {
    return *done;
  }
  fabric::logging::InitFromEnv();
  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  fabric::localconfig::Report report;
  fabric::StatusOr<fabric::orderer::OrdererConfig> config =
      fabric::orderer::LoadConfig(line.config_file, env, &report);
  if (!config.ok()) {
    return Fail(std::string(config.status().message()));
  }
  static const fabric::logging::Logger logger("orderer.common.server");
  if (std::string ignored = report.IgnoredLine(); !ignored.empty()) {
    FLOG_INFO(logger, "%s", ignored);
  }
  for (const std::string& notice : report.notices) {
    FLOG_WARN(logger, "%s", notice);
  }
  if (!line.genesis_files.empty()) {
    config->bootstrap_files = line.genesis_files;
  }

  if (config->batch_scheduling) {
    // Before any thread starts, so that all inherit it (fabric/base/sched_batch.h says why).
    if (fabric::Status s = fabric::UseBatchScheduling(); !s.ok()) {
      std::fprintf(stderr, "orderer: %s; running with the default scheduling policy\n",
                   std::string(s.message()).c_str());
    }
  }
  // Block the stop signals in every thread; this one waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  fabric::StatusOr<std::unique_ptr<fabric::orderer::Orderer>> orderer =
      fabric::orderer::Orderer::Start(*config, EtcdCluster(*config));
  if (!orderer.ok()) {
    return Fail(std::string(orderer.status().message()));
  }
  std::fprintf(stderr, "orderer: listening on %s:%d\n", config->listen_address.c_str(),
               (*orderer)->port());
  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "orderer: received signal %d, stopping\n", signal);
  (*orderer)->Stop();
  return 0;
}
