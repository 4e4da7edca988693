// SPDX-License-Identifier: Apache-2.0

#include "peer/node/config.h"

#include <charconv>
#include <filesystem>

#include <absl/strings/str_format.h>

#include "common/channelconfig/go_duration.h"
#include "common/localconfig/config_file.h"
#include "fabric/base/status_macros.h"

namespace fabric::node {
namespace {

namespace fs = std::filesystem;

using localconfig::Document;
using localconfig::Report;

// One setting: its core.yaml key path (and so its env name), and how to store it.
using Key = localconfig::Setting<PeerConfig>;

StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& key, const std::string& v) {
  auto d = channelconfig::ParseGoDuration(v);
  if (!d.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not a duration (e.g. 30s, 5m)", key, v));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

constexpr auto Str = &localconfig::TextSetting<PeerConfig>;
constexpr auto Bool = &localconfig::BoolSetting<PeerConfig>;

// A list: a sequence in the file; "[a, b]", "a,b" or "a b" in the environment (the forms
// Fabric's configuration accepts for list-valued variables).
Key List(const char* path, std::vector<std::string> PeerConfig::*field) {
  return {path,
          [field](PeerConfig& c, const std::string& v) {
            c.*field = localconfig::SplitList(v);
            return Status::OK();
          },
          [field](PeerConfig& c, const std::vector<std::string>& items) {
            c.*field = items;
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

// A whole number of bytes or processes (Docker's HostConfig Memory, PidsLimit); 0 or -1: none.
Key Int64(const char* path, int64_t PeerConfig::*field) {
  return {
      path, [path, field](PeerConfig& c, const std::string& v) -> Status {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || end != v.data() + v.size() || n < -1) {
          return InvalidArgumentError(absl::StrFormat("%s: \"%s\" is not a whole number", path, v));
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
      Bool("peer.deliveryclient.staticRootsEnabled",
           &PeerConfig::deliveryclient_static_roots_enabled),
      Str("vm.endpoint", &PeerConfig::vm_endpoint),
      Str("vm.docker.hostConfig.NetworkMode", &PeerConfig::docker_network_mode),
      Int64("vm.docker.hostConfig.Memory", &PeerConfig::docker_memory_bytes),
      Int64("vm.docker.hostConfig.PidsLimit", &PeerConfig::docker_pids_limit),
      Str("vm.docker.chaincodeUser", &PeerConfig::docker_chaincode_user),
      Str("chaincode.builder", &PeerConfig::chaincode_builder),
      Str("chaincode.cpp.runtime", &PeerConfig::chaincode_cpp_runtime),
      Str("chaincode.golang.builder", &PeerConfig::chaincode_golang_builder),
      Str("chaincode.node.builder", &PeerConfig::chaincode_node_builder),
      Str("chaincode.node.runtime", &PeerConfig::chaincode_node_runtime),
      Str("chaincode.node.npmrc", &PeerConfig::chaincode_node_npmrc),
      Str("chaincode.node.cafile", &PeerConfig::chaincode_node_cafile),
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

// The file to read: `config_file` when given (NotFound when missing), else core.yaml (or
// core.yml, or core.json) in `dir`; "" when there is none.
StatusOr<std::string> FindConfigFile(const std::string& dir, const std::string& config_file,
                                     Report* report) {
  std::error_code ec;
  if (!config_file.empty()) {
    if (!fs::exists(config_file, ec)) {
      return NotFoundError("config file " + config_file + " does not exist");
    }
    return config_file;
  }
  return localconfig::FindConfigFile(dir, "core", &report->notices);
}

// chaincode.externalBuilders: a list of sections {name, path, propagateEnvironment}.
Status ReadExternalBuilders(Document& doc, PeerConfig& config) {
  std::optional<localconfig::Value> value = doc.Get("chaincode.externalBuilders");
  if (!value.has_value()) {
    return Status::OK();
  }
  if (value->kind != localconfig::Value::Kind::kList || !value->items.empty()) {
    return InvalidArgumentError(absl::StrFormat(
        "%s: chaincode.externalBuilders: expected a list of builders, each with a name and a "
        "path",
        doc.Location(*value)));
  }
  auto first = [](const std::map<std::string, std::vector<std::string>>& record, const char* key) {
    auto it = record.find(key);
    return it == record.end() || it->second.empty() ? std::string() : it->second.front();
  };
  for (const auto& record : value->records) {
    launcher::external::BuilderConfig builder;
    builder.name = first(record, "name");
    builder.path = first(record, "path");
    for (const char* key : {"propagateenvironment", "environmentwhitelist"}) {
      if (auto it = record.find(key); it != record.end()) {
        builder.propagate_environment.insert(builder.propagate_environment.end(),
                                             it->second.begin(), it->second.end());
      }
    }
    config.external_builders.push_back(std::move(builder));
  }
  return launcher::external::ValidateBuilders(config.external_builders)
      .Annotate(doc.Location(*value));
}

// The settings of the file, then what Fabric's keys ask that fabric-cpp does in one way only,
// then the keys no setting read (report->ignored).
Status ApplyFile(Document& doc, PeerConfig& config, Report* report) {
  report->file = doc.file();
  RETURN_IF_ERROR(localconfig::ApplySettings(doc, Keys(), config));
  RETURN_IF_ERROR(ReadExternalBuilders(doc, config));
  localconfig::ExpectValue(doc, "peer.localMspType", "bccsp",
                           "fabric-cpp's local MSP is an X.509 (bccsp) MSP", report);
  localconfig::ExpectValue(doc, "peer.BCCSP.Default", "SW",
                           "fabric-cpp signs with software keys (SW)", report);
  localconfig::ExpectValue(doc, "ledger.state.stateDatabase", "goleveldb",
                           "fabric-cpp keeps the world state in LevelDB (goleveldb)", report);
  report->ignored = doc.Unused();
  return Status::OK();
}

void ResolvePaths(const std::string& cfg_dir, PeerConfig& config) {
  config.msp_config_path = localconfig::TranslatePath(cfg_dir, config.msp_config_path);
  config.tls_cert_file = localconfig::TranslatePath(cfg_dir, config.tls_cert_file);
  config.tls_key_file = localconfig::TranslatePath(cfg_dir, config.tls_key_file);
  config.tls_root_cert_file = localconfig::TranslatePath(cfg_dir, config.tls_root_cert_file);
  config.tls_client_cert_file = localconfig::TranslatePath(cfg_dir, config.tls_client_cert_file);
  config.tls_client_key_file = localconfig::TranslatePath(cfg_dir, config.tls_client_key_file);
  for (std::string& ca : config.tls_client_root_ca_files) {
    ca = localconfig::TranslatePath(cfg_dir, ca);
  }
  config.chaincode_node_npmrc = localconfig::TranslatePath(cfg_dir, config.chaincode_node_npmrc);
  config.chaincode_node_cafile = localconfig::TranslatePath(cfg_dir, config.chaincode_node_cafile);
}

// Fabric's core.yaml names its own images, with Makefile variables
// ("$(DOCKER_NS)/fabric-ccenv:$(TWO_DIGIT_VERSION)"); fabric-cpp's chaincodes build and run in
// fabric-cpp's images, so such a value of `key` keeps the default, with a notice.
void KeepOwnImage(std::string& image, const std::string& own, const char* key,
                  std::initializer_list<const char*> fabric_repositories, const char* what,
                  Report* report) {
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  const bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  const std::string repository = tagged ? image.substr(0, colon) : image;
  bool fabric = image.find("$(") != std::string::npos;
  for (const char* fabric_repository : fabric_repositories) {
    fabric = fabric || repository.ends_with(fabric_repository);
  }
  if (!fabric) {
    return;
  }
  report->notices.push_back(
      absl::StrFormat("%s \"%s\" is Fabric's %s, which fabric-cpp does not use; ignored "
                      "(fabric-cpp uses %s)",
                      key, image, what, own));
  image = own;
}

void KeepOwnImages(PeerConfig& config, Report* report) {
  const PeerConfig defaults;
  KeepOwnImage(config.chaincode_builder, defaults.chaincode_builder, "chaincode.builder",
               {"fabric-ccenv"}, "Go chaincode build image", report);
  KeepOwnImage(config.chaincode_node_runtime, defaults.chaincode_node_runtime,
               "chaincode.node.runtime", {"fabric-baseimage", "fabric-nodeenv"},
               "Node.js chaincode image", report);
}

}  // namespace

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
                                    const std::string& config_file, Report* report) {
  Report unused_report;
  report = report == nullptr ? &unused_report : report;
  PeerConfig config;
  std::string cfg_dir = env("FABRIC_CFG_PATH").value_or(".");
  ASSIGN_OR_RETURN(std::string file, FindConfigFile(cfg_dir, config_file, report));
  if (!file.empty()) {
    cfg_dir = fs::path(file).parent_path().string();
    ASSIGN_OR_RETURN(Document doc, Document::Load(file));
    RETURN_IF_ERROR(ApplyFile(doc, config, report));
  }
  for (const Key& key : Keys()) {
    std::string name = localconfig::EnvName("CORE", key.path);
    if (auto v = env(name)) {
      RETURN_IF_ERROR(key.set(config, *v).Annotate(name));
    }
  }
  if (dev_mode_flag) {
    config.launcher = LauncherKind::kDev;
  }
  ResolvePaths(cfg_dir, config);
  KeepOwnImages(config, report);
  if (config.execute_timeout < std::chrono::seconds(1)) {
    config.execute_timeout = std::chrono::seconds(30);  // Fabric's rule for values < 1 s
  }
  return config;
}

}  // namespace fabric::node
