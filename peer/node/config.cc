// SPDX-License-Identifier: Apache-2.0

#include "peer/node/config.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <absl/strings/ascii.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <nlohmann/json.hpp>

#include "common/channelconfig/go_duration.h"
#include "fabric/base/status_macros.h"

namespace fabric::node {
namespace {

namespace fs = std::filesystem;

// One setting: its core.yaml key path and env name, and how to store it.
struct Key {
  const char* path;  // "peer.tls.enabled"
  std::function<Status(PeerConfig&, const std::string&)> set;
};

std::string EnvName(const std::string& path) {
  std::string name = "CORE_";
  for (char c : path) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

StatusOr<bool> ParseBool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "TRUE" || v == "True" || v == "1") {
    return true;
  }
  if (v == "false" || v == "FALSE" || v == "False" || v == "0" || v.empty()) {
    return false;
  }
  return InvalidArgumentError(absl::StrFormat("%s: \"%s\" is not a boolean", key, v));
}

StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& key, const std::string& v) {
  auto d = channelconfig::ParseGoDuration(v);
  if (!d.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not a duration (e.g. 30s, 5m)", key, v));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

Key Str(const char* path, std::string PeerConfig::*field) {
  return {path, [field](PeerConfig& c, const std::string& v) {
            c.*field = v;
            return Status::OK();
          }};
}

// A list: a JSON array in the file; "[a, b]", "a,b" or "a b" in the environment (the forms
// Fabric's configuration accepts for list-valued variables).
Key List(const char* path, std::vector<std::string> PeerConfig::*field) {
  return {path, [field](PeerConfig& c, const std::string& v) {
            absl::string_view rest = absl::StripAsciiWhitespace(v);
            if (absl::ConsumePrefix(&rest, "[")) {
              absl::ConsumeSuffix(&rest, "]");
            }
            c.*field = absl::StrSplit(rest, absl::ByAnyChar(", \t\n"), absl::SkipEmpty());
            return Status::OK();
          }};
}

Key Bool(const char* path, bool PeerConfig::*field) {
  return {path, [path, field](PeerConfig& c, const std::string& v) -> Status {
            ASSIGN_OR_RETURN(c.*field, ParseBool(path, v));
            return Status::OK();
          }};
}

Key Duration(const char* path, std::chrono::milliseconds PeerConfig::*field) {
  return {path, [path, field](PeerConfig& c, const std::string& v) -> Status {
            ASSIGN_OR_RETURN(c.*field, ParseDuration(path, v));
            return Status::OK();
          }};
}

Key Count(const char* path, int PeerConfig::*field) {
  return {path, [path, field](PeerConfig& c, const std::string& v) -> Status {
            int n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || end != v.data() + v.size() || n < 1) {
              return InvalidArgumentError(
                  absl::StrFormat("%s: \"%s\" is not a positive whole number", path, v));
            }
            c.*field = n;
            return Status::OK();
          }};
}

Status SetLauncher(PeerConfig& c, const std::string& v) {
  if (v == "docker") {
    c.launcher = LauncherKind::kDocker;
  } else if (v == "process") {
    c.launcher = LauncherKind::kProcess;
  } else if (v == "dev") {
    c.launcher = LauncherKind::kDev;
  } else {
    return InvalidArgumentError(absl::StrFormat(
        "chaincode.launcher: unknown launcher \"%s\" (use docker, process or dev)", v));
  }
  return Status::OK();
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      Str("peer.id", &PeerConfig::peer_id),
      Str("peer.networkId", &PeerConfig::network_id),
      Str("peer.address", &PeerConfig::address),
      Str("peer.listenAddress", &PeerConfig::listen_address),
      Str("peer.chaincodeListenAddress", &PeerConfig::chaincode_listen_address),
      Str("peer.chaincodeAddress", &PeerConfig::chaincode_address),
      Str("peer.chaincodeListenSocket", &PeerConfig::chaincode_listen_socket),
      Str("peer.localMspId", &PeerConfig::local_msp_id),
      Str("peer.mspConfigPath", &PeerConfig::msp_config_path),
      Str("peer.fileSystemPath", &PeerConfig::file_system_path),
      Bool("peer.tls.enabled", &PeerConfig::tls_enabled),
      Bool("peer.tls.clientAuthRequired", &PeerConfig::tls_client_auth_required),
      Str("peer.tls.cert.file", &PeerConfig::tls_cert_file),
      Str("peer.tls.key.file", &PeerConfig::tls_key_file),
      Str("peer.tls.rootcert.file", &PeerConfig::tls_root_cert_file),
      List("peer.tls.clientRootCAs.files", &PeerConfig::tls_client_root_ca_files),
      Str("peer.tls.clientCert.file", &PeerConfig::tls_client_cert_file),
      Str("peer.tls.clientKey.file", &PeerConfig::tls_client_key_file),
      Str("peer.deliveryclient.address", &PeerConfig::orderer_address),
      Str("vm.endpoint", &PeerConfig::vm_endpoint),
      {"chaincode.mode",
       [](PeerConfig& c, const std::string& v) {
         if (v == "dev") {
           c.launcher = LauncherKind::kDev;
         }
         return Status::OK();
       }},
      {"chaincode.launcher", SetLauncher},
      Str("chaincode.process.binDir", &PeerConfig::process_bin_dir),
      Duration("chaincode.executetimeout", &PeerConfig::execute_timeout),
      Duration("chaincode.startuptimeout", &PeerConfig::startup_timeout),
      Str("operations.listenAddress", &PeerConfig::operations_listen_address),
      Count("peer.limits.concurrency.endorserService", &PeerConfig::endorser_concurrency),
      Count("peer.limits.concurrency.deliverService", &PeerConfig::deliver_concurrency),
      Bool("peer.batchScheduling", &PeerConfig::batch_scheduling),
      Bool("peer.endorserFibers", &PeerConfig::endorser_fibers),
  };
  return keys;
}

// The JSON value at a dotted path, as a string; nullopt when absent.
std::optional<std::string> JsonAt(const nlohmann::json& doc, const std::string& path) {
  const nlohmann::json* cur = &doc;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '.')) {
    if (!cur->is_object() || !cur->contains(part)) {
      return std::nullopt;
    }
    cur = &(*cur)[part];
  }
  if (cur->is_string()) {
    return cur->get<std::string>();
  }
  if (cur->is_array()) {
    std::string joined;
    for (const nlohmann::json& item : *cur) {
      if (!item.is_string()) {
        return std::nullopt;
      }
      joined += (joined.empty() ? "" : ",") + item.get<std::string>();
    }
    return "[" + joined + "]";
  }
  if (cur->is_null() || cur->is_object()) {
    return std::nullopt;
  }
  return cur->dump();  // numbers and booleans
}

std::string Resolve(const std::string& base, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (fs::path(base) / path).lexically_normal().string();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  };
}

std::string PeerConfig::ChaincodeSocketPath() const {
  if (chaincode_listen_socket == "none") {
    return "";
  }
  if (!chaincode_listen_socket.empty()) {
    return chaincode_listen_socket;
  }
  return launcher == LauncherKind::kProcess ? file_system_path + "/chaincode.sock" : "";
}

StatusOr<PeerConfig> LoadPeerConfig(const EnvLookup& env, bool dev_mode_flag,
                                    const std::string& config_file) {
  PeerConfig config;
  std::string cfg_dir = env("FABRIC_CFG_PATH").value_or(".");
  std::string file = config_file.empty() ? cfg_dir + "/core.json" : config_file;
  std::error_code ec;
  if (!config_file.empty() && !fs::exists(file, ec)) {
    return NotFoundError("config file " + file + " does not exist");
  }
  if (fs::exists(file, ec)) {
    cfg_dir = fs::path(file).parent_path().string();
    std::ifstream in(file);
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return InvalidArgumentError("config file " + file + " is not a JSON object");
    }
    for (const Key& key : Keys()) {
      if (auto v = JsonAt(doc, key.path)) {
        RETURN_IF_ERROR(key.set(config, *v).Annotate(file));
      }
    }
  }
  for (const Key& key : Keys()) {
    std::string name = EnvName(key.path);
    if (auto v = env(name)) {
      RETURN_IF_ERROR(key.set(config, *v).Annotate(name));
    }
  }
  if (dev_mode_flag) {
    config.launcher = LauncherKind::kDev;
  }
  config.msp_config_path = Resolve(cfg_dir, config.msp_config_path);
  config.tls_cert_file = Resolve(cfg_dir, config.tls_cert_file);
  config.tls_key_file = Resolve(cfg_dir, config.tls_key_file);
  config.tls_root_cert_file = Resolve(cfg_dir, config.tls_root_cert_file);
  config.tls_client_cert_file = Resolve(cfg_dir, config.tls_client_cert_file);
  config.tls_client_key_file = Resolve(cfg_dir, config.tls_client_key_file);
  for (std::string& ca : config.tls_client_root_ca_files) {
    ca = Resolve(cfg_dir, ca);
  }
  if (config.execute_timeout < std::chrono::seconds(1)) {
    config.execute_timeout = std::chrono::seconds(30);  // Fabric's rule for values < 1 s
  }
  return config;
}

}  // namespace fabric::node
