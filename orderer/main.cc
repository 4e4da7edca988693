// SPDX-License-Identifier: Apache-2.0
//
// The orderer daemon:
//   orderer [start] [--config FILE] [-genesisBlock FILE]...   serve until SIGINT / SIGTERM
//   orderer version
// Configuration: node.h / config.h (orderer.json + ORDERER_* environment). Bad configuration
// prints one "orderer: error: ..." line and exits 1; bad usage exits 2.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/logging/logging.h"
#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "orderer/config.h"
#include "orderer/node.h"

namespace {

constexpr const char* kUsage =
    "usage: orderer [start] [--config FILE] [-genesisBlock FILE]...\n"
    "       orderer version\n"
    "Configuration: orderer.json (--config, $ORDERER_CFG_PATH or $FABRIC_CFG_PATH) and\n"
    "ORDERER_GENERAL_* / ORDERER_FILELEDGER_LOCATION environment variables.\n";

int Fail(const std::string& message) {
  std::cerr << "orderer: error: " << message << "\n";
  return 1;
}

bool TakeValue(const std::vector<std::string>& args, size_t* i, const std::string& flag,
               std::string* value) {
  const std::string& arg = args[*i];
  for (const std::string& name : {"-" + flag, "--" + flag}) {
    if (arg == name && *i + 1 < args.size()) {
      *value = args[++*i];
      return true;
    }
    if (arg.rfind(name + "=", 0) == 0) {
      *value = arg.substr(name.size() + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  fabric::SkipMutexDeadlockChecks();
  fabric::TuneMallocForServers();
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t i = 0;
  if (!args.empty() && args[0] == "version") {
    std::cout << "orderer (fabric-cpp) 0.1.0\n";
    return 0;
  }
  if (!args.empty() && (args[0] == "help" || args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.empty() && args[0] == "start") {
    i = 1;
  }
  std::string config_file;
  std::vector<std::string> genesis_files;
  for (; i < args.size(); ++i) {
    std::string value;
    if (TakeValue(args, &i, "config", &value)) {
      config_file = value;
    } else if (TakeValue(args, &i, "genesisBlock", &value)) {
      genesis_files.push_back(value);
    } else {
      std::cerr << "orderer: unknown argument \"" << args[i] << "\"\n" << kUsage;
      return 2;
    }
  }
  fabric::logging::InitFromEnv();
  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  fabric::StatusOr<fabric::orderer::OrdererConfig> config =
      fabric::orderer::LoadConfig(config_file, env);
  if (!config.ok()) {
    return Fail(std::string(config.status().message()));
  }
  if (!genesis_files.empty()) {
    config->bootstrap_files = genesis_files;
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
      fabric::orderer::Orderer::Start(*config);
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
