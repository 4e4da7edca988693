// SPDX-License-Identifier: Apache-2.0
//
// PeerConfig: what `peer node start` runs with. Read from Fabric's core.yaml, unchanged (1.4 and
// 2.2 sample files load as they are): `config_file` when given, else core.yaml (or core.yml, or
// core.json: the same keys as JSON) in $FABRIC_CFG_PATH, or in the current directory when that
// is unset. Keys match case-insensitively, a null value is unset; keys fabric-cpp does not use
// are listed in the Report (logged once at start-up), never an error. Env variables win over the
// file, with Fabric's names (CORE_ + upper-cased key path with '.' -> '_'):
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
//   peer.mspConfigPath           CORE_PEER_MSPCONFIGPATH          "msp"
//   peer.fileSystemPath          CORE_PEER_FILESYSTEMPATH         "/var/hyperledger/production"
//   peer.tls.enabled|cert.file|key.file|rootcert.file|clientAuthRequired
//                                CORE_PEER_TLS_ENABLED, _CERT_FILE, _KEY_FILE, _ROOTCERT_FILE,
//                                _CLIENTAUTHREQUIRED
//   peer.tls.clientRootCAs.files CORE_PEER_TLS_CLIENTROOTCAS_FILES a list ("[a, b]", "a,b" or
//                                                                  "a b" in the environment)
//   peer.tls.clientCert.file|clientKey.file
//                                CORE_PEER_TLS_CLIENTCERT_FILE, _CLIENTKEY_FILE
//   vm.endpoint                  CORE_VM_ENDPOINT                 "unix:///var/run/docker.sock"
//   vm.docker.hostConfig.NetworkMode|Memory|PidsLimit
//                                CORE_VM_DOCKER_HOSTCONFIG_NETWORKMODE, _MEMORY, _PIDSLIMIT
//                                                                 "host", 2 GiB, 1024
//   vm.docker.chaincodeUser      CORE_VM_DOCKER_CHAINCODEUSER     "65534:65534" (fabric-cpp's)
//   chaincode.builder            CORE_CHAINCODE_BUILDER           "fabric-cpp/ccenv:latest";
//                                Fabric's own value (its Go image, "$(DOCKER_NS)/fabric-ccenv:
//                                $(TWO_DIGIT_VERSION)") is ignored with a notice
//   chaincode.cpp.runtime        CORE_CHAINCODE_CPP_RUNTIME       "fabric-cpp/baseos:latest"
//   chaincode.mode               CORE_CHAINCODE_MODE              "net" ("dev" = dev mode;
//                                                                  also --peer-chaincodedev)
//   chaincode.launcher           CORE_CHAINCODE_LAUNCHER          "docker" | "process" | "dev"
//   chaincode.process.binDir     CORE_CHAINCODE_PROCESS_BINDIR    prebuilt chaincode binaries
//   chaincode.externalBuilders   (file only) a list of {name, path, propagateEnvironment}
//                                (environmentWhitelist, Fabric 2.0's name, also read); see
//                                launcher/external/external_launcher.h
//   chaincode.executetimeout     CORE_CHAINCODE_EXECUTETIMEOUT    "30s"
//   chaincode.startuptimeout     CORE_CHAINCODE_STARTUPTIMEOUT    "300s"
//   operations.listenAddress     CORE_OPERATIONS_LISTENADDRESS    "127.0.0.1:9443"
//   peer.deliveryclient.address  CORE_PEER_DELIVERYCLIENT_ADDRESS orderer override (else the
//                                                                  channel config's orderers)
//   peer.limits.concurrency.endorserService|deliverService, peer.batchScheduling,
//   peer.endorserFibers          (see the fields below)
//   logging spec                 FABRIC_LOGGING_SPEC (read by the logging library)
// Relative paths (mspConfigPath, the TLS files) resolve against the config file's directory
// (Fabric's TranslatePath), from the file and the environment alike. sampleconfig/core.yaml
// holds every key with its default.
//
// Thread-safety: a value type.

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/localconfig/config_file.h"
#include "common/localconfig/document.h"
#include "fabric/base/status.h"
#include "launcher/external/builder.h"

namespace fabric::node {

enum class LauncherKind { kDocker, kProcess, kDev };

struct PeerConfig {
  // The chaincode listener's unix socket path this configuration asks for; empty for none.
  std::string ChaincodeSocketPath() const;
  bool operator==(const PeerConfig&) const = default;

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
  // Chaincode containers (launcher/docker/docker_launcher.h: DockerLauncherOptions).
  std::string docker_network_mode = "host";
  int64_t docker_memory_bytes = 2147483648;
  int64_t docker_pids_limit = 1024;
  std::string docker_chaincode_user = "65534:65534";
  std::string chaincode_builder = "fabric-cpp/ccenv:latest";
  std::string chaincode_cpp_runtime = "fabric-cpp/baseos:latest";
  // The Go chaincode builder (not a Fabric key: Fabric builds Go in chaincode.builder).
  std::string chaincode_golang_builder = "fabric-cpp/goenv:latest";
  // Node.js chaincode (launcher/docker/node_build.h: NodeBuildOptions). npmrc/cafile empty:
  // the peer's own npm settings and CA bundle, found through its environment.
  std::string chaincode_node_builder = "fabric-cpp/nodeenv:latest";
  std::string chaincode_node_runtime = "fabric-cpp/node-runtime:latest";
  std::string chaincode_node_npmrc;
  std::string chaincode_node_cafile;
  LauncherKind launcher = LauncherKind::kDocker;
  // chaincode.externalBuilders, in order (Fabric 2.x); tried before `launcher` (not in dev
  // mode).
  std::vector<launcher::external::BuilderConfig> external_builders;
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
using localconfig::EnvLookup;
// The process environment.
using localconfig::ProcessEnv;

// Builds the config: defaults, then the config file (`config_file` when not empty, else as
// above), then env overrides; `dev_mode_flag` is --peer-chaincodedev. Fills `report` (when
// given) with the file read, its keys fabric-cpp does not use and notices about values it
// handles differently. InvalidArgument naming the file, line and key (or the env variable) for
// a YAML syntax error, a wrong type (a section or list where a value belongs), a bad
// boolean/number/duration, or an unknown launcher; NotFound when an explicitly named config
// file does not exist.
StatusOr<PeerConfig> LoadPeerConfig(const EnvLookup& env, bool dev_mode_flag,
                                    const std::string& config_file = "",
                                    localconfig::Report* report = nullptr);

}  // namespace fabric::node
