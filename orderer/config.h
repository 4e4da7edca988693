// SPDX-License-Identifier: Apache-2.0
//
// The orderer's local configuration: Fabric's orderer.yaml as JSON (orderer.json), with the
// same section and field names, overridden by ORDERER_* environment variables (Go:
// orderer/common/localconfig/config.go). Only the settings this orderer uses exist:
//
//   {"General": {"ListenAddress": "127.0.0.1", "ListenPort": 7050,
//                "TLS": {"Enabled": false, "PrivateKey": "tls/server.key",
//                        "Certificate": "tls/server.crt", "RootCAs": ["tls/ca.crt"],
//                        "ClientAuthRequired": false},
//                "BootstrapFile": "genesis.block",      // or a list of files
//                "LocalMSPDir": "msp", "LocalMSPID": "OrdererMSP",
//                "Authentication": {"TimeWindow": "15m"},
//                "MaxThreads": 64},
//    "FileLedger": {"Location": "/var/hyperledger/production/orderer"}}
//
// Environment overrides (they win over the file): ORDERER_GENERAL_LISTENADDRESS,
// ORDERER_GENERAL_LISTENPORT, ORDERER_GENERAL_LOCALMSPDIR, ORDERER_GENERAL_LOCALMSPID,
// ORDERER_GENERAL_BOOTSTRAPFILE (comma-separated list; ORDERER_GENERAL_GENESISFILE is the 1.x
// alias), ORDERER_GENERAL_TLS_ENABLED, ORDERER_GENERAL_TLS_PRIVATEKEY,
// ORDERER_GENERAL_TLS_CERTIFICATE, ORDERER_GENERAL_TLS_ROOTCAS ("a,b" or "[a, b]"),
// ORDERER_GENERAL_TLS_CLIENTROOTCAS (same forms), ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED,
// ORDERER_GENERAL_AUTHENTICATION_TIMEWINDOW, ORDERER_GENERAL_MAXTHREADS,
// ORDERER_FILELEDGER_LOCATION.
//
// Relative paths in the file are resolved against the file's directory, relative paths from
// the environment against the current directory (as Fabric does).
//
// Plain values; no thread-safety concerns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::orderer {

struct TlsConfig {
  bool enabled = false;
  std::string private_key;            // PEM file.
  std::string certificate;            // PEM file.
  std::vector<std::string> root_cas;  // PEM files (General.TLS.RootCAs).
  // PEM files trusted for client certificates beside the channels' organisations' TLS CAs
  // (General.TLS.ClientRootCAs).
  std::vector<std::string> client_root_cas;
  bool client_auth_required = false;
};

struct OrdererConfig {
  std::string listen_address = "127.0.0.1";
  int listen_port = 7050;  // 0 picks a free port (tests).
  TlsConfig tls;
  std::vector<std::string> bootstrap_files;  // Genesis blocks; may be empty on restart.
  std::string local_msp_dir;
  std::string local_msp_id;
  std::chrono::nanoseconds auth_time_window = std::chrono::minutes(15);
  // Threads that process Broadcast envelopes (General.MaxThreads, ORDERER_GENERAL_MAXTHREADS;
  // not a Fabric key). Started on demand; an open stream holds none.
  int max_threads = 64;
  // Run the orderer's threads under Linux SCHED_BATCH, as the peer does (fabric/base/sched_batch.h;
  // General.BatchScheduling, ORDERER_GENERAL_BATCHSCHEDULING; not a Fabric key).
  bool batch_scheduling = true;
  std::string file_ledger_location = "/var/hyperledger/production/orderer";
};

// Environment lookup, injectable for tests; returns nullptr when unset (like getenv).
using EnvLookup = std::function<const char*(const char* name)>;

// Parses orderer.json text. `base_dir` resolves relative paths. InvalidArgument naming the
// field for malformed JSON, unknown fields, wrong types or a bad duration.
StatusOr<OrdererConfig> ParseConfig(std::string_view json_text, const std::string& base_dir);

// Applies the ORDERER_* overrides read through `env`. InvalidArgument naming the variable for
// a malformed number, boolean or duration.
Status ApplyEnvOverrides(const EnvLookup& env, OrdererConfig* config);

// Checks that the settings needed to start are present: MSP dir and id, ledger location, a
// port in [0, 65535], TLS key and certificate when TLS is enabled. InvalidArgument naming the
// first missing setting (with its environment variable).
Status Validate(const OrdererConfig& config);

// Loads the config as `orderer start` does: `config_file` if non-empty, else orderer.json in
// $ORDERER_CFG_PATH or $FABRIC_CFG_PATH if one is set and the file exists, else defaults; then
// the environment overrides; then Validate. NotFound when an explicitly named file is missing.
StatusOr<OrdererConfig> LoadConfig(const std::string& config_file, const EnvLookup& env);

}  // namespace fabric::orderer
