// SPDX-License-Identifier: Apache-2.0
#include "peer/cli/cli_config.h"

#include <filesystem>
#include <vector>

#include "common/localconfig/config_file.h"
#include "common/localconfig/document.h"
#include "fabric/base/status_macros.h"

namespace fabric::cli {
namespace {

using Key = localconfig::Setting<CliConfig>;
constexpr auto Str = &localconfig::TextSetting<CliConfig>;
constexpr auto Bool = &localconfig::BoolSetting<CliConfig>;

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      Str("peer.address", &CliConfig::peer_address),
      Bool("peer.tls.enabled", &CliConfig::tls_enabled),
      Str("peer.tls.rootcert.file", &CliConfig::tls_root_cert_file),
      Bool("peer.tls.clientAuthRequired", &CliConfig::tls_client_auth_required),
      Str("peer.tls.clientCert.file", &CliConfig::tls_client_cert_file),
      Str("peer.tls.clientKey.file", &CliConfig::tls_client_key_file),
      Str("peer.tls.serverhostoverride", &CliConfig::tls_server_host_override),
      Str("peer.localMspId", &CliConfig::local_msp_id),
      Str("peer.mspConfigPath", &CliConfig::msp_config_path),
  };
  return keys;
}

// Viper reads an empty variable as unset; so does the CLI.
std::optional<std::string> NonEmpty(const EnvLookup& env, const std::string& name) {
  std::optional<std::string> v = env(name);
  return v.has_value() && !v->empty() ? v : std::nullopt;
}

void ResolvePaths(CliConfig& config) {
  for (std::string* path : {&config.tls_root_cert_file, &config.tls_client_cert_file,
                            &config.tls_client_key_file, &config.msp_config_path}) {
    *path = config.TranslatePath(*path);
  }
}

}  // namespace

std::string CliConfig::TranslatePath(const std::string& path) const {
  if (file.empty()) {
    return path;
  }
  return localconfig::TranslatePath(std::filesystem::path(file).parent_path().string(), path);
}

StatusOr<CliConfig> LoadCliConfig(const EnvLookup& env) {
  const std::string cfg_dir = NonEmpty(env, "FABRIC_CFG_PATH").value_or(".");
  CliConfig config;
  config.file = localconfig::FindConfigFile(cfg_dir, "core", nullptr);
  if (!config.file.empty()) {
    // Fabric's words for a file it cannot read, followed by ours, which name file and line.
    StatusOr<localconfig::Document> doc = localconfig::Document::Load(config.file);
    Status read = doc.ok() ? localconfig::ApplySettings(*doc, Keys(), config) : doc.status();
    RETURN_IF_ERROR(read.Annotate("error when reading core config file"));
  }
  for (const Key& key : Keys()) {
    const std::string name = localconfig::EnvName("CORE", key.path);
    if (std::optional<std::string> v = NonEmpty(env, name)) {
      RETURN_IF_ERROR(key.set(config, *v).Annotate(name));
    }
  }
  ResolvePaths(config);
  if (config.msp_config_path.empty()) {
    config.msp_config_path = cfg_dir + "/msp";
  }
  return config;
}

}  // namespace fabric::cli
