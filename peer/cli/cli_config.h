// SPDX-License-Identifier: Apache-2.0
//
// CliConfig: the settings the `peer` CLI reads, as Fabric 1.4's CLI reads them (peer/common
// InitCmd and configFromEnv through Viper): core.yaml (or core.yml, or core.json) in
// $FABRIC_CFG_PATH, or in the current directory when that is unset, with the node's reader
// (common/localconfig), so the CLI and `peer node start` see the same file. A non-empty env
// variable wins over the file:
//   peer.address                    CORE_PEER_ADDRESS                  "0.0.0.0:7051"
//   peer.tls.enabled                CORE_PEER_TLS_ENABLED              false
//   peer.tls.rootcert.file          CORE_PEER_TLS_ROOTCERT_FILE
//   peer.tls.clientAuthRequired     CORE_PEER_TLS_CLIENTAUTHREQUIRED   false
//   peer.tls.clientCert.file        CORE_PEER_TLS_CLIENTCERT_FILE
//   peer.tls.clientKey.file         CORE_PEER_TLS_CLIENTKEY_FILE
//   peer.tls.serverhostoverride     CORE_PEER_TLS_SERVERHOSTOVERRIDE
//   peer.localMspId                 CORE_PEER_LOCALMSPID               "SampleOrg"
//   peer.mspConfigPath              CORE_PEER_MSPCONFIGPATH            "msp"
// With a file, relative paths (from the file and the environment alike) resolve against the
// file's directory (Fabric's config.GetPath); so do the orderer's --cafile, --certfile and
// --keyfile, which Fabric stores as orderer.tls.* keys and reads the same way. Without a file
// (where Fabric's CLI refuses to start) the CLI runs on the environment and the defaults, paths
// as given, the MSP folder in $FABRIC_CFG_PATH/msp. The orderer endpoint comes from the flags
// only: Fabric 1.4's CLI overwrites orderer.* with the flags' values, so CORE_ORDERER_* and the
// file's orderer section have no effect, here as there.
//
// Thread-safety: a value type.

#pragma once

#include <string>

#include "common/localconfig/config_file.h"
#include "fabric/base/status.h"

namespace fabric::cli {

struct CliConfig {
  // `path` as Fabric's config.GetPath reads a path: relative to the directory of the file read;
  // unchanged when no file was read, or when it is absolute or empty.
  std::string TranslatePath(const std::string& path) const;

  std::string file;  // the configuration file read; empty when there was none
  std::string peer_address = "0.0.0.0:7051";
  bool tls_enabled = false;
  std::string tls_root_cert_file;
  bool tls_client_auth_required = false;
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  std::string tls_server_host_override;
  std::string local_msp_id = "SampleOrg";
  std::string msp_config_path;  // resolved; never empty after LoadCliConfig
};

using localconfig::EnvLookup;

// Reads the configuration file (if any) and the environment. Errors, to report after Fabric's
// "Fatal error when initializing core config : ": for the file, "error when reading core config
// file: " and then NotFound when it cannot be read, InvalidArgument "FILE:LINE:COL: ..." for a
// YAML syntax error or "FILE:LINE: key: ..." for a value of the wrong shape or a bad boolean;
// InvalidArgument "CORE_X: key: "v" is not a boolean" for a bad variable.
StatusOr<CliConfig> LoadCliConfig(const EnvLookup& env);

}  // namespace fabric::cli
