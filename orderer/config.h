// SPDX-License-Identifier: Apache-2.0
//
// The orderer's local configuration: Fabric's orderer.yaml, unchanged (the 1.4 and 2.2 sample
// files load as they are), or the same sections as JSON (orderer.json). `orderer start` reads
// --config FILE, else orderer.yaml (or .yml, or .json) in $ORDERER_CFG_PATH or
// $FABRIC_CFG_PATH, or in the current directory when neither is set (Go:
// orderer/common/localconfig/config.go). Keys match case-insensitively and a null value is
// unset. The settings this orderer uses:
//
//   General:
//     ListenAddress: 127.0.0.1       ListenPort: 7050
//     TLS: {Enabled, PrivateKey, Certificate, RootCAs: [..], ClientRootCAs: [..],
//           ClientAuthRequired}
//     BootstrapMethod: file          "file" reads BootstrapFile; "none" no genesis block;
//                                    GenesisMethod is the 1.x name, and its "provisional"
//                                    (not implemented) reads the file, with a notice
//     BootstrapFile: genesis.block   or a list; GenesisFile is the 1.x name
//     LocalMSPDir: msp               LocalMSPID: SampleOrg
//     Authentication: {TimeWindow: 15m}
//     LedgerType: file               the only one (another value is ignored, with a notice)
//     MaxThreads: 64                 fabric-cpp's: threads for Broadcast envelopes
//     BatchScheduling: true          fabric-cpp's: threads under Linux SCHED_BATCH
//   FileLedger: {Location: /var/hyperledger/production/orderer}
//   Etcd:                          fabric-cpp's, for channels of consensus type etcd
//                                  (docs/cluster.md); unused by solo channels
//     TLS: {Enabled, PrivateKey, Certificate, RootCAs: [..]}   mutual TLS to the members
//     Endpoints: []                  host:port list replacing the channel config's (a node
//                                    that reaches the members by other addresses)
//     KeyPrefix: /fabric-cpp/orderer/   where the channels' logs live in etcd
//     NodeID: ""                     this node's name in the log's progress records; default
//                                    <LocalMSPID>@<ListenAddress>:<ListenPort>
//     RequestTimeout: 5s             an append or read waits this long for a quorum;
//                                    Broadcast then answers SERVICE_UNAVAILABLE
//     CleanupInterval: 5s            at most one deletion of written entries (and etcd
//                                    compaction) per channel per interval; 0: every block
//     NodeTTL: 10m                   a node down this long stops holding deletion back (its
//                                    progress record lives on an etcd lease of this TTL); it
//                                    catches up from other nodes' blocks when it returns
//
// Every other key (Kafka, Consensus, Operations, Metrics, Debug, General.Cluster, ...) is
// listed in the Report, which `orderer start` logs once; none is an error. A value of the
// wrong type for a setting above is, naming file, line and key.
//
// Environment overrides win over the file: ORDERER_ + the key path upper-cased with '.' -> '_'
// (ORDERER_GENERAL_TLS_ENABLED, ORDERER_FILELEDGER_LOCATION, ...); lists as "[a, b]", "a,b" or
// "a b"; ORDERER_GENERAL_GENESISFILE and ORDERER_GENERAL_GENESISMETHOD are the 1.x aliases,
// overridden by ORDERER_GENERAL_BOOTSTRAPFILE and ORDERER_GENERAL_BOOTSTRAPMETHOD.
//
// Relative paths, from the file and the environment alike, resolve against the config file's
// directory (Fabric's TranslatePath); without a file, against the current directory.
// sampleconfig/orderer.yaml holds every setting with its default.
//
// Plain values; no thread-safety concerns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/localconfig/document.h"
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
  bool operator==(const TlsConfig&) const = default;
};

// The Etcd section: how this node reaches the etcd cluster of its etcd channels.
struct EtcdConfig {
  bool tls_enabled = false;
  std::string tls_private_key;            // PEM file.
  std::string tls_certificate;            // PEM file.
  std::vector<std::string> tls_root_cas;  // PEM files.
  std::vector<std::string> endpoints;     // empty: the channel config's
  std::string key_prefix = "/fabric-cpp/orderer/";
  std::string node_id;  // empty: <LocalMSPID>@<ListenAddress>:<ListenPort>
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds cleanup_interval = std::chrono::seconds(5);
  std::chrono::nanoseconds node_ttl = std::chrono::minutes(10);
  bool operator==(const EtcdConfig&) const = default;
};

struct OrdererConfig {
  std::string listen_address = "127.0.0.1";
  int listen_port = 7050;  // 0 picks a free port (tests).
  TlsConfig tls;
  // "file" (read bootstrap_files) or "none" (no genesis block: the ledger has the channels).
  std::string bootstrap_method = "file";
  std::vector<std::string> bootstrap_files;  // Genesis blocks; may be empty on restart.
  std::string local_msp_dir;                 // empty: required (Fabric's sample file says "msp")
  std::string local_msp_id;
  std::chrono::nanoseconds auth_time_window = std::chrono::minutes(15);
  // Threads that process Broadcast envelopes (General.MaxThreads, ORDERER_GENERAL_MAXTHREADS;
  // not a Fabric key). Started on demand; an open stream holds none.
  int max_threads = 64;
  // Run the orderer's threads under Linux SCHED_BATCH, as the peer does (fabric/base/sched_batch.h;
  // General.BatchScheduling, ORDERER_GENERAL_BATCHSCHEDULING; not a Fabric key).
  bool batch_scheduling = true;
  std::string file_ledger_location = "/var/hyperledger/production/orderer";
  EtcdConfig etcd;
  bool operator==(const OrdererConfig&) const = default;
};

// Environment lookup, injectable for tests; returns nullptr when unset (like getenv).
using EnvLookup = std::function<const char*(const char* name)>;

// Parses orderer.yaml (or orderer.json) text. `base_dir` resolves relative paths. Fills
// `report` (when given) with the keys not used and notices. InvalidArgument naming the line and
// key for a YAML syntax error, a wrong type (a section or list where a value belongs, a bad
// number, boolean or duration) or an unknown bootstrap method.
StatusOr<OrdererConfig> ParseConfig(std::string_view text, const std::string& base_dir,
                                    localconfig::Report* report = nullptr);

// Applies the ORDERER_* overrides read through `env` (no path resolution). InvalidArgument
// naming the variable for a malformed number, boolean, duration or bootstrap method.
Status ApplyEnvOverrides(const EnvLookup& env, OrdererConfig* config);

// Checks that the settings needed to start are present: MSP dir and id, ledger location, a
// port in [0, 65535], TLS key and certificate when TLS is enabled. InvalidArgument naming the
// first missing setting (with its environment variable).
Status Validate(const OrdererConfig& config);

// Loads the config as `orderer start` does: the file found as above (defaults when there is
// none), then the environment overrides, the bootstrap method, path resolution, Validate.
// Fills `report` (when given) with the file read, its keys fabric-cpp does not use and notices.
// NotFound when an explicitly named file is missing; ParseConfig's and Validate's errors, the
// former with the file's name.
StatusOr<OrdererConfig> LoadConfig(const std::string& config_file, const EnvLookup& env,
                                   localconfig::Report* report = nullptr);

}  // namespace fabric::orderer
