// SPDX-License-Identifier: Apache-2.0
//
// PeerConfig: what `peer node start` runs with. Read from `$FABRIC_CFG_PATH/core.json` (Fabric's
// core.yaml keys, in JSON: {"peer":{"id":"peer0","listenAddress":"0.0.0.0:7051",...}}) when the
// file exists, then overridden by env variables with Fabric's names (CORE_ + upper-cased key
// path with '.' -> '_'):
//   peer.id                      CORE_PEER_ID                     "jdoe"
//   peer.networkId               CORE_PEER_NETWORKID              "dev"
//   peer.address                 CORE_PEER_ADDRESS                "0.0.0.0:7051"
//   peer.listenAddress           CORE_PEER_LISTENADDRESS          "0.0.0.0:7051"
//   peer.chaincodeListenAddress  CORE_PEER_CHAINCODELISTENADDRESS "0.0.0.0:7052"
//   peer.chaincodeAddress        CORE_PEER_CHAINCODEADDRESS       (chaincode listen address)
//   peer.chaincodeListenSocket   CORE_PEER_CHAINCODELISTENSOCKET  "" = <fileSystemPath>/
//                                chaincode.sock with the process launcher; "none" = off (not a
//                                Fabric key: the chaincode listener's unix socket, which
//                                chaincodes on the peer's host dial; ChaincodeServer says more)
//   peer.localMspId              CORE_PEER_LOCALMSPID             "SampleOrg"
//   peer.mspConfigPath           CORE_PEER_MSPCONFIGPATH          "msp" (relative: to
//   FABRIC_CFG_PATH) peer.fileSystemPath          CORE_PEER_FILESYSTEMPATH
//   "/var/hyperledger/production"
//   peer.tls.enabled|cert.file|key.file|rootcert.file|clientAuthRequired
//                                CORE_PEER_TLS_ENABLED, _CERT_FILE, _KEY_FILE, _ROOTCERT_FILE,
//                                _CLIENTAUTHREQUIRED
//   peer.tls.clientRootCAs.files CORE_PEER_TLS_CLIENTROOTCAS_FILES a list ("[a, b]", "a,b" or
//                                                                  "a b" in the environment)
//   peer.tls.clientCert.file|clientKey.file
//                                CORE_PEER_TLS_CLIENTCERT_FILE, _CLIENTKEY_FILE
//   vm.endpoint                  CORE_VM_ENDPOINT                 "unix:///var/run/docker.sock"
//   chaincode.mode               CORE_CHAINCODE_MODE              "net" ("dev" = dev mode;
//                                                                  also --peer-chaincodedev)
//   chaincode.launcher           CORE_CHAINCODE_LAUNCHER          "docker" | "process" | "dev"
//   chaincode.process.binDir     CORE_CHAINCODE_PROCESS_BINDIR    prebuilt chaincode binaries
//   chaincode.executetimeout     CORE_CHAINCODE_EXECUTETIMEOUT    "30s"
//   chaincode.startuptimeout     CORE_CHAINCODE_STARTUPTIMEOUT    "300s"
//   operations.listenAddress     CORE_OPERATIONS_LISTENADDRESS    "127.0.0.1:9443"
//   peer.deliveryclient.address  CORE_PEER_DELIVERYCLIENT_ADDRESS orderer override (else the
//                                                                  channel config's orderers)
//   logging spec                 FABRIC_LOGGING_SPEC (read by the logging library)
//
// Thread-safety: a value type.

#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::node {

enum class LauncherKind { kDocker, kProcess, kDev };

struct PeerConfig {
  // The chaincode listener's unix socket path this configuration asks for; empty for none.
  std::string ChaincodeSocketPath() const;

  std::string peer_id = "jdoe";
  std::string network_id = "dev";
  std::string address = "0.0.0.0:7051";
  std::string listen_address = "0.0.0.0:7051";
  std::string chaincode_listen_address = "0.0.0.0:7052";
  std::string chaincode_address;        // empty: the chaincode listener's bound address
  std::string chaincode_listen_socket;  // empty: derived (see above); "none": no socket
  std::string local_msp_id = "SampleOrg";
  std::string msp_config_path = "msp";
  std::string file_system_path = "/var/hyperledger/production";
  bool tls_enabled = false;
  bool tls_client_auth_required = false;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_root_cert_file;
  // Extra CAs trusted for client certificates, beside the TLS CAs of the channels' organisations
  // (peer.tls.clientRootCAs.files).
  std::vector<std::string> tls_client_root_ca_files;
  // The certificate and key the peer presents when it dials out (to orderers) with TLS;
  // empty: the server's (peer.tls.clientCert.file, peer.tls.clientKey.file).
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  // The deliver client also trusts tls_root_cert_file for orderers, beside the channel's orderer
  // orgs' TLS CAs (peer.deliveryclient.staticRootsEnabled, CORE_PEER_DELIVERYCLIENT_
  // STATICROOTSENABLED; Fabric 1.4 default false).
  bool deliveryclient_static_roots_enabled = false;
  std::string vm_endpoint = "unix:///var/run/docker.sock";
  LauncherKind launcher = LauncherKind::kDocker;
  std::string process_bin_dir;
  std::chrono::milliseconds execute_timeout{30000};
  std::chrono::milliseconds startup_timeout{300000};
  std::string operations_listen_address = "127.0.0.1:9443";
  // Proposals in the endorser at once, running or queued; more are refused with
  // RESOURCE_EXHAUSTED (Fabric 2.x peer.limits.concurrency.endorserService).
  int endorser_concurrency = 2500;
  // Deliver streams (block and event listeners) open at once; more are refused with
  // RESOURCE_EXHAUSTED (Fabric 2.x peer.limits.concurrency.deliverService; 0: no limit).
  int deliver_concurrency = 2500;
  // Run the peer's threads under SCHED_BATCH (fabric/base/sched_batch.h; peer.batchScheduling).
  bool batch_scheduling = true;
  // Proposals park while their chaincode runs and finish on the chaincode stream's reader
  // (EndorserService::Options::fibers); false: each waits on its worker thread.
  bool endorser_fibers = true;
  std::string orderer_address;  // deliver client override
};

// Looks an env variable up; returns nullopt when unset. Tests inject maps.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment.
EnvLookup ProcessEnv();

// Builds the config: defaults, then `$FABRIC_CFG_PATH/core.json` (or `config_file` when not
// empty), then env overrides; `dev_mode_flag` is --peer-chaincodedev. Relative
// mspConfigPath/TLS files resolve against the config directory. InvalidArgument naming the key
// for a malformed file, a bad boolean/duration, or an unknown launcher; NotFound when an
// explicitly named config file does not exist.
StatusOr<PeerConfig> LoadPeerConfig(const EnvLookup& env, bool dev_mode_flag,
                                    const std::string& config_file = "");

}  // namespace fabric::node
