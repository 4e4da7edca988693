// SPDX-License-Identifier: Apache-2.0
#include "orderer/config.h"

#include <cctype>
#include <charconv>
#include <filesystem>

#include <absl/strings/str_format.h>

#include "common/channelconfig/go_duration.h"
#include "common/localconfig/config_file.h"
#include "fabric/base/status_macros.h"

namespace fabric::orderer {
namespace {

namespace fs = std::filesystem;
using localconfig::Document;
using localconfig::Report;

// One setting: its orderer.yaml key path (and so its env name), and how to store it.
using Key = localconfig::Setting<OrdererConfig>;

// Where a setting lives in OrdererConfig (fields may be nested, e.g. tls.enabled).
template <typename T>
using Field = T& (*)(OrdererConfig&);

Key Str(const char* path, Field<std::string> field) {
  return {path, [field](OrdererConfig& c, const std::string& v) {
            field(c) = v;
            return Status::OK();
          }};
}

Key Bool(const char* path, Field<bool> field) {
  return {
      path, [path, field](OrdererConfig& c, const std::string& v) -> Status {
        std::optional<bool> b = localconfig::ParseBool(v);
        if (!b.has_value()) {
          return InvalidArgumentError(absl::StrFormat("%s: \"%s\" is not true or false", path, v));
        }
        field(c) = *b;
        return Status::OK();
      }};
}

Key Int(const char* path, Field<int> field) {
  return {
      path, [path, field](OrdererConfig& c, const std::string& v) -> Status {
        int n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
          return InvalidArgumentError(absl::StrFormat("%s: \"%s\" is not a whole number", path, v));
        }
        field(c) = n;
        return Status::OK();
      }};
}

Key Duration(const char* path, Field<std::chrono::nanoseconds> field) {
  return {path, [path, field](OrdererConfig& c, const std::string& v) -> Status {
            StatusOr<std::chrono::nanoseconds> d = channelconfig::ParseGoDuration(v);
            if (!d.ok()) {
              return InvalidArgumentError(
                  absl::StrFormat("%s: \"%s\" is not a duration (e.g. 15m, 30s)", path, v));
            }
            field(c) = *d;
            return Status::OK();
          }};
}

// A list: a sequence in the file; one string is one item there, and "[a, b]", "a,b" or "a b"
// in the environment.
Key List(const char* path, Field<std::vector<std::string>> field, bool from_env) {
  return {path,
          [field, from_env](OrdererConfig& c, const std::string& v) {
            field(c) = from_env ? localconfig::SplitList(v) : std::vector<std::string>{v};
            return Status::OK();
          },
          [field](OrdererConfig& c, const std::vector<std::string>& items) {
            field(c) = items;
            return Status::OK();
          }};
}

// General.BootstrapMethod (and its 1.x name General.GenesisMethod). "provisional" (1.x: a
// genesis block made from a configtx profile) is kept here and turned into "file" with a
// notice by LoadConfig.
Key Method(const char* path) {
  return {path, [path](OrdererConfig& c, const std::string& v) -> Status {
            if (v != "file" && v != "none" && v != "provisional") {
              return InvalidArgumentError(absl::StrFormat(
                  "%s: unknown bootstrap method \"%s\" (use file or none)", path, v));
            }
            c.bootstrap_method = v;
            return Status::OK();
          }};
}

std::vector<Key> MakeKeys(bool from_env) {
  return {
      Str(
          "General.ListenAddress", [](OrdererConfig & c) -> auto& { return c.listen_address; }),
      Int(
          "General.ListenPort", [](OrdererConfig & c) -> auto& { return c.listen_port; }),
      Bool(
          "General.TLS.Enabled", [](OrdererConfig & c) -> auto& { return c.tls.enabled; }),
      Str(
          "General.TLS.PrivateKey", [](OrdererConfig & c) -> auto& { return c.tls.private_key; }),
      Str(
          "General.TLS.Certificate", [](OrdererConfig & c) -> auto& { return c.tls.certificate; }),
      List(
          "General.TLS.RootCAs", [](OrdererConfig & c) -> auto& { return c.tls.root_cas; },
          from_env),
      List(
          "General.TLS.ClientRootCAs",
          [](OrdererConfig & c) -> auto& { return c.tls.client_root_cas; }, from_env),
      Bool(
          "General.TLS.ClientAuthRequired",
          [](OrdererConfig & c) -> auto& { return c.tls.client_auth_required; }),
      Method("General.GenesisMethod"),
      Method("General.BootstrapMethod"),
      // GenesisFile is the 1.x name; BootstrapFile, later in this table, wins when both are set.
      List(
          "General.GenesisFile", [](OrdererConfig & c) -> auto& { return c.bootstrap_files; },
          from_env),
      List(
          "General.BootstrapFile", [](OrdererConfig & c) -> auto& { return c.bootstrap_files; },
          from_env),
      Str(
          "General.LocalMSPDir", [](OrdererConfig & c) -> auto& { return c.local_msp_dir; }),
      Str(
          "General.LocalMSPID", [](OrdererConfig & c) -> auto& { return c.local_msp_id; }),
      Duration(
          "General.Authentication.TimeWindow",
          [](OrdererConfig & c) -> auto& { return c.auth_time_window; }),
      Int(
          "General.MaxThreads", [](OrdererConfig & c) -> auto& { return c.max_threads; }),
      Bool(
          "General.BatchScheduling", [](OrdererConfig & c) -> auto& { return c.batch_scheduling; }),
      Str(
          "FileLedger.Location", [](OrdererConfig & c) -> auto& { return c.file_ledger_location; }),
      Bool(
          "Etcd.TLS.Enabled", [](OrdererConfig & c) -> auto& { return c.etcd.tls_enabled; }),
      Str(
          "Etcd.TLS.PrivateKey", [](OrdererConfig & c) -> auto& { return c.etcd.tls_private_key; }),
      Str(
          "Etcd.TLS.Certificate",
          [](OrdererConfig & c) -> auto& { return c.etcd.tls_certificate; }),
      List(
          "Etcd.TLS.RootCAs", [](OrdererConfig & c) -> auto& { return c.etcd.tls_root_cas; },
          from_env),
      List(
          "Etcd.Endpoints", [](OrdererConfig & c) -> auto& { return c.etcd.endpoints; }, from_env),
      Str(
          "Etcd.KeyPrefix", [](OrdererConfig & c) -> auto& { return c.etcd.key_prefix; }),
      Str(
          "Etcd.NodeID", [](OrdererConfig & c) -> auto& { return c.etcd.node_id; }),
      Duration(
          "Etcd.RequestTimeout", [](OrdererConfig & c) -> auto& { return c.etcd.request_timeout; }),
      Duration(
          "Etcd.CleanupInterval",
          [](OrdererConfig & c) -> auto& { return c.etcd.cleanup_interval; }),
      Duration(
          "Etcd.NodeTTL", [](OrdererConfig & c) -> auto& { return c.etcd.node_ttl; }),
  };
}

const std::vector<Key>& FileKeys() {
  static const std::vector<Key> keys = MakeKeys(/*from_env=*/false);
  return keys;
}

const std::vector<Key>& EnvKeys() {
  static const std::vector<Key> keys = MakeKeys(/*from_env=*/true);
  return keys;
}

// Relative paths, from the file or the environment, against the config file's directory
// (Fabric's TranslatePath); unchanged without a file.
void ResolvePaths(const std::string& base_dir, OrdererConfig* config) {
  config->tls.private_key = localconfig::TranslatePath(base_dir, config->tls.private_key);
  config->tls.certificate = localconfig::TranslatePath(base_dir, config->tls.certificate);
  config->etcd.tls_private_key = localconfig::TranslatePath(base_dir, config->etcd.tls_private_key);
  config->etcd.tls_certificate = localconfig::TranslatePath(base_dir, config->etcd.tls_certificate);
  for (auto* list : {&config->tls.root_cas, &config->tls.client_root_cas, &config->bootstrap_files,
                     &config->etcd.tls_root_cas}) {
    for (std::string& path : *list) {
      path = localconfig::TranslatePath(base_dir, path);
    }
  }
  config->local_msp_dir = localconfig::TranslatePath(base_dir, config->local_msp_dir);
  config->file_ledger_location = localconfig::TranslatePath(base_dir, config->file_ledger_location);
}

// The file's settings, what fabric-cpp does one way only, and the keys no setting read.
Status ApplyDocument(Document& doc, OrdererConfig* config, Report* report) {
  RETURN_IF_ERROR(localconfig::ApplySettings(doc, FileKeys(), *config));
  localconfig::ExpectValue(doc, "General.LedgerType", "file",
                           "fabric-cpp keeps the orderer's ledger in files (file)", report);
  localconfig::ExpectValue(doc, "General.BCCSP.Default", "SW",
                           "fabric-cpp signs with software keys (SW)", report);
  if (report != nullptr) {
    report->file = doc.file();
    report->ignored = doc.Unused();
  }
  return Status::OK();
}

// What the bootstrap method asks: "none" reads no genesis block; "provisional" is not
// implemented and reads the bootstrap file, as "file" does.
void ApplyBootstrapMethod(OrdererConfig* config, Report* report) {
  if (config->bootstrap_method == "none") {
    config->bootstrap_files.clear();
  } else if (config->bootstrap_method == "provisional") {
    report->notices.push_back(
        "General.GenesisMethod is \"provisional\" (a genesis block made from "
        "General.GenesisProfile), which fabric-cpp does not implement; the genesis block is read "
        "from General.BootstrapFile (ORDERER_GENERAL_BOOTSTRAPFILE) or General.GenesisFile, as "
        "with \"file\"");
    config->bootstrap_method = "file";
  }
}

// The file `orderer start` reads: `config_file` when given (NotFound when missing), else
// orderer.yaml (or .yml, or .json) in $ORDERER_CFG_PATH or $FABRIC_CFG_PATH, or in the current
// directory when neither is set; "" when there is none. A directory's other files of those names
// are named in `notices`.
StatusOr<std::string> FindConfigFile(const std::string& config_file, const EnvLookup& env,
                                     std::vector<std::string>* notices) {
  std::error_code ec;
  if (!config_file.empty()) {
    if (!fs::exists(config_file, ec)) {
      return NotFoundError(absl::StrFormat("orderer config %s does not exist", config_file));
    }
    return config_file;
  }
  std::vector<std::string> dirs;
  for (const char* var : {"ORDERER_CFG_PATH", "FABRIC_CFG_PATH"}) {
    const char* dir = env ? env(var) : nullptr;
    if (dir != nullptr && *dir != '\0') {
      dirs.emplace_back(dir);
    }
  }
  if (dirs.empty()) {
    dirs.emplace_back(".");
  }
  for (const std::string& dir : dirs) {
    if (std::string file = localconfig::FindConfigFile(dir, "orderer", notices); !file.empty()) {
      return file;
    }
  }
  return std::string();
}

}  // namespace

StatusOr<OrdererConfig> ParseConfig(std::string_view text, const std::string& base_dir,
                                    Report* report) {
  ASSIGN_OR_RETURN(Document doc, Document::Parse(text, "orderer config"));
  OrdererConfig config;
  RETURN_IF_ERROR(ApplyDocument(doc, &config, report));
  ResolvePaths(base_dir, &config);
  return config;
}

Status ApplyEnvOverrides(const EnvLookup& env, OrdererConfig* config) {
  if (!env) {
    return Status::OK();
  }
  for (const Key& key : EnvKeys()) {
    std::string name = "ORDERER_";
    for (const char* p = key.path; *p != '\0'; ++p) {
      name += *p == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    }
    if (const char* v = env(name.c_str())) {
      RETURN_IF_ERROR(key.set(*config, v).Annotate(name));
    }
  }
  return Status::OK();
}

Status Validate(const OrdererConfig& config) {
  if (config.local_msp_dir.empty()) {
    return InvalidArgumentError(
        "no local MSP folder: set General.LocalMSPDir or ORDERER_GENERAL_LOCALMSPDIR");
  }
  if (config.local_msp_id.empty()) {
    return InvalidArgumentError(
        "no local MSP id: set General.LocalMSPID or ORDERER_GENERAL_LOCALMSPID");
  }
  if (config.file_ledger_location.empty()) {
    return InvalidArgumentError(
        "no ledger location: set FileLedger.Location or ORDERER_FILELEDGER_LOCATION");
  }
  if (config.listen_port < 0 || config.listen_port > 65535) {
    return InvalidArgumentError(absl::StrFormat(
        "listen port %d out of range (ORDERER_GENERAL_LISTENPORT)", config.listen_port));
  }
  if (config.max_threads < 2) {
    return InvalidArgumentError("General.MaxThreads must be at least 2");
  }
  if (config.tls.enabled && (config.tls.private_key.empty() || config.tls.certificate.empty())) {
    return InvalidArgumentError(
        "TLS enabled without key and certificate: set ORDERER_GENERAL_TLS_PRIVATEKEY and "
        "ORDERER_GENERAL_TLS_CERTIFICATE");
  }
  if (config.etcd.tls_enabled &&
      (config.etcd.tls_private_key.empty() || config.etcd.tls_certificate.empty() ||
       config.etcd.tls_root_cas.empty())) {
    return InvalidArgumentError(
        "TLS to etcd enabled without key, certificate and root CAs: set "
        "ORDERER_ETCD_TLS_PRIVATEKEY, ORDERER_ETCD_TLS_CERTIFICATE and ORDERER_ETCD_TLS_ROOTCAS");
  }
  if (config.etcd.request_timeout <= std::chrono::nanoseconds::zero()) {
    return InvalidArgumentError(
        "Etcd.RequestTimeout must be positive (ORDERER_ETCD_REQUESTTIMEOUT)");
  }
  if (config.etcd.cleanup_interval < std::chrono::nanoseconds::zero()) {
    return InvalidArgumentError(
        "Etcd.CleanupInterval must not be negative (ORDERER_ETCD_CLEANUPINTERVAL)");
  }
  // etcd leases count whole seconds.
  if (config.etcd.node_ttl < std::chrono::seconds(1)) {
    return InvalidArgumentError(
        "Etcd.NodeTTL must be at least 1s (ORDERER_ETCD_NODETTL): a node down that long stops "
        "holding the deletion of the channel logs' entries back");
  }
  return Status::OK();
}

StatusOr<OrdererConfig> LoadConfig(const std::string& config_file, const EnvLookup& env,
                                   Report* report) {
  Report unused_report;
  report = report == nullptr ? &unused_report : report;
  ASSIGN_OR_RETURN(std::string path, FindConfigFile(config_file, env, &report->notices));
  OrdererConfig config;
  std::string base_dir;
  if (!path.empty()) {
    ASSIGN_OR_RETURN(Document doc, Document::Load(path));
    RETURN_IF_ERROR(ApplyDocument(doc, &config, report));
    base_dir = fs::absolute(path).parent_path().string();
  }
  RETURN_IF_ERROR(ApplyEnvOverrides(env, &config));
  ApplyBootstrapMethod(&config, report);
  ResolvePaths(base_dir, &config);
  RETURN_IF_ERROR(Validate(config));
  return config;
}

}  // namespace fabric::orderer
