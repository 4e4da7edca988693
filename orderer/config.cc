// SPDX-License-Identifier: Apache-2.0
#include "orderer/config.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>

#include <absl/strings/str_format.h>
#include <nlohmann/json.hpp>

#include "common/channelconfig/go_duration.h"
#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"

namespace fabric::orderer {
namespace {

using Json = nlohmann::json;

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) {
    return path;
  }
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

Status CheckKeys(const Json& object, const std::string& where, const std::set<std::string>& known) {
  if (!object.is_object()) {
    return InvalidArgumentError(absl::StrFormat("orderer config %s: expected an object", where));
  }
  for (const auto& [key, unused] : object.items()) {
    if (known.count(key) == 0) {
      return InvalidArgumentError(
          absl::StrFormat("orderer config %s: unknown field \"%s\"", where, key));
    }
  }
  return Status::OK();
}

Status GetString(const Json& object, const char* key, const std::string& where, std::string* out) {
  if (!object.contains(key)) {
    return Status::OK();
  }
  if (!object[key].is_string()) {
    return InvalidArgumentError(
        absl::StrFormat("orderer config %s.%s: expected a string", where, key));
  }
  *out = object[key].get<std::string>();
  return Status::OK();
}

Status GetBool(const Json& object, const char* key, const std::string& where, bool* out) {
  if (!object.contains(key)) {
    return Status::OK();
  }
  if (!object[key].is_boolean()) {
    return InvalidArgumentError(
        absl::StrFormat("orderer config %s.%s: expected true or false", where, key));
  }
  *out = object[key].get<bool>();
  return Status::OK();
}

Status GetInt(const Json& object, const char* key, const std::string& where, int* out) {
  if (!object.contains(key)) {
    return Status::OK();
  }
  if (!object[key].is_number_integer()) {
    return InvalidArgumentError(
        absl::StrFormat("orderer config %s.%s: expected an integer", where, key));
  }
  *out = object[key].get<int>();
  return Status::OK();
}

// A string or a list of strings.
Status GetStringList(const Json& object, const char* key, const std::string& where,
                     std::vector<std::string>* out) {
  if (!object.contains(key)) {
    return Status::OK();
  }
  const Json& value = object[key];
  out->clear();
  if (value.is_string()) {
    out->push_back(value.get<std::string>());
    return Status::OK();
  }
  if (!value.is_array()) {
    return InvalidArgumentError(
        absl::StrFormat("orderer config %s.%s: expected a string or a list", where, key));
  }
  for (const Json& item : value) {
    if (!item.is_string()) {
      return InvalidArgumentError(
          absl::StrFormat("orderer config %s.%s: expected a list of strings", where, key));
    }
    out->push_back(item.get<std::string>());
  }
  return Status::OK();
}

Status ParseTls(const Json& tls, const std::string& base_dir, TlsConfig* out) {
  const std::string where = "General.TLS";
  RETURN_IF_ERROR(CheckKeys(
      tls, where,
      {"Enabled", "PrivateKey", "Certificate", "RootCAs", "ClientAuthRequired", "ClientRootCAs"}));
  RETURN_IF_ERROR(GetBool(tls, "Enabled", where, &out->enabled));
  RETURN_IF_ERROR(GetString(tls, "PrivateKey", where, &out->private_key));
  RETURN_IF_ERROR(GetString(tls, "Certificate", where, &out->certificate));
  RETURN_IF_ERROR(GetStringList(tls, "RootCAs", where, &out->root_cas));
  RETURN_IF_ERROR(GetStringList(tls, "ClientRootCAs", where, &out->client_root_cas));
  RETURN_IF_ERROR(GetBool(tls, "ClientAuthRequired", where, &out->client_auth_required));
  out->private_key = Resolve(base_dir, out->private_key);
  out->certificate = Resolve(base_dir, out->certificate);
  for (std::string& root : out->root_cas) {
    root = Resolve(base_dir, root);
  }
  for (std::string& root : out->client_root_cas) {
    root = Resolve(base_dir, root);
  }
  return Status::OK();
}

Status ParseGeneral(const Json& general, const std::string& base_dir, OrdererConfig* out) {
  const std::string where = "General";
  RETURN_IF_ERROR(CheckKeys(general, where,
                            {"ListenAddress", "ListenPort", "TLS", "BootstrapFile", "GenesisFile",
                             "BootstrapMethod", "LocalMSPDir", "LocalMSPID", "Authentication",
                             "MaxThreads", "Keepalive", "BatchScheduling"}));
  RETURN_IF_ERROR(GetString(general, "ListenAddress", where, &out->listen_address));
  RETURN_IF_ERROR(GetInt(general, "ListenPort", where, &out->listen_port));
  RETURN_IF_ERROR(GetStringList(general, "GenesisFile", where, &out->bootstrap_files));
  RETURN_IF_ERROR(GetStringList(general, "BootstrapFile", where, &out->bootstrap_files));
  for (std::string& file : out->bootstrap_files) {
    file = Resolve(base_dir, file);
  }
  RETURN_IF_ERROR(GetString(general, "LocalMSPDir", where, &out->local_msp_dir));
  out->local_msp_dir = Resolve(base_dir, out->local_msp_dir);
  RETURN_IF_ERROR(GetString(general, "LocalMSPID", where, &out->local_msp_id));
  RETURN_IF_ERROR(GetInt(general, "MaxThreads", where, &out->max_threads));
  RETURN_IF_ERROR(GetBool(general, "BatchScheduling", where, &out->batch_scheduling));
  if (general.contains("TLS")) {
    RETURN_IF_ERROR(ParseTls(general["TLS"], base_dir, &out->tls));
  }
  if (general.contains("Authentication")) {
    const Json& auth = general["Authentication"];
    RETURN_IF_ERROR(CheckKeys(auth, "General.Authentication", {"TimeWindow"}));
    std::string window;
    RETURN_IF_ERROR(GetString(auth, "TimeWindow", "General.Authentication", &window));
    if (!window.empty()) {
      StatusOr<std::chrono::nanoseconds> parsed = channelconfig::ParseGoDuration(window);
      if (!parsed.ok()) {
        return InvalidArgumentError(absl::StrFormat(
            "orderer config General.Authentication.TimeWindow: bad duration \"%s\"", window));
      }
      out->auth_time_window = *parsed;
    }
  }
  return Status::OK();
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) {
    return "";
  }
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

StatusOr<bool> ParseBool(const char* name, std::string_view text) {
  std::string lower = Trim(text);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lower == "true" || lower == "1" || lower == "yes") {
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no" || lower.empty()) {
    return false;
  }
  return InvalidArgumentError(absl::StrFormat("%s=%s: expected true or false", name, text));
}

StatusOr<int> ParseInt(const char* name, std::string_view text) {
  std::string trimmed = Trim(text);
  int value = 0;
  auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (trimmed.empty() || ec != std::errc() || ptr != trimmed.data() + trimmed.size()) {
    return InvalidArgumentError(absl::StrFormat("%s=%s: expected an integer", name, text));
  }
  return value;
}

// "a,b", "[a, b]" or "a".
std::vector<std::string> ParseList(std::string_view text) {
  std::string trimmed = Trim(text);
  std::string_view rest = trimmed;
  if (!rest.empty() && rest.front() == '[') {
    rest.remove_prefix(1);
  }
  if (!rest.empty() && rest.back() == ']') {
    rest.remove_suffix(1);
  }
  std::vector<std::string> out;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string part = Trim(rest.substr(0, comma));
    if (!part.empty()) {
      out.push_back(part);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

StatusOr<OrdererConfig> ParseConfig(std::string_view json_text, const std::string& base_dir) {
  Json root = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return InvalidArgumentError("orderer config: not valid JSON");
  }
  RETURN_IF_ERROR(CheckKeys(root, "(root)", {"General", "FileLedger", "Operations", "Metrics"}));
  OrdererConfig config;
  if (root.contains("General")) {
    RETURN_IF_ERROR(ParseGeneral(root["General"], base_dir, &config));
  }
  if (root.contains("FileLedger")) {
    const Json& ledger = root["FileLedger"];
    RETURN_IF_ERROR(CheckKeys(ledger, "FileLedger", {"Location", "Prefix"}));
    RETURN_IF_ERROR(GetString(ledger, "Location", "FileLedger", &config.file_ledger_location));
    config.file_ledger_location = Resolve(base_dir, config.file_ledger_location);
  }
  return config;
}

Status ApplyEnvOverrides(const EnvLookup& env, OrdererConfig* config) {
  auto get = [&](const char* name) -> const char* { return env ? env(name) : nullptr; };
  if (const char* v = get("ORDERER_GENERAL_LISTENADDRESS")) {
    config->listen_address = v;
  }
  if (const char* v = get("ORDERER_GENERAL_LISTENPORT")) {
    ASSIGN_OR_RETURN(config->listen_port, ParseInt("ORDERER_GENERAL_LISTENPORT", v));
  }
  if (const char* v = get("ORDERER_GENERAL_LOCALMSPDIR")) {
    config->local_msp_dir = v;
  }
  if (const char* v = get("ORDERER_GENERAL_LOCALMSPID")) {
    config->local_msp_id = v;
  }
  if (const char* v = get("ORDERER_GENERAL_GENESISFILE")) {
    config->bootstrap_files = ParseList(v);
  }
  if (const char* v = get("ORDERER_GENERAL_BOOTSTRAPFILE")) {
    config->bootstrap_files = ParseList(v);
  }
  if (const char* v = get("ORDERER_GENERAL_TLS_ENABLED")) {
    ASSIGN_OR_RETURN(config->tls.enabled, ParseBool("ORDERER_GENERAL_TLS_ENABLED", v));
  }
  if (const char* v = get("ORDERER_GENERAL_TLS_PRIVATEKEY")) {
    config->tls.private_key = v;
  }
  if (const char* v = get("ORDERER_GENERAL_TLS_CERTIFICATE")) {
    config->tls.certificate = v;
  }
  if (const char* v = get("ORDERER_GENERAL_TLS_ROOTCAS")) {
    config->tls.root_cas = ParseList(v);
  }
  if (const char* v = get("ORDERER_GENERAL_TLS_CLIENTROOTCAS")) {
    config->tls.client_root_cas = ParseList(v);
  }
  if (const char* v = get("ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED")) {
    ASSIGN_OR_RETURN(config->tls.client_auth_required,
                     ParseBool("ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED", v));
  }
  if (const char* v = get("ORDERER_GENERAL_AUTHENTICATION_TIMEWINDOW")) {
    StatusOr<std::chrono::nanoseconds> window = channelconfig::ParseGoDuration(v);
    if (!window.ok()) {
      return InvalidArgumentError(absl::StrFormat(
          "ORDERER_GENERAL_AUTHENTICATION_TIMEWINDOW=%s: expected a duration like 15m", v));
    }
    config->auth_time_window = *window;
  }
  if (const char* v = get("ORDERER_GENERAL_BATCHSCHEDULING")) {
    ASSIGN_OR_RETURN(config->batch_scheduling, ParseBool("ORDERER_GENERAL_BATCHSCHEDULING", v));
  }
  if (const char* v = get("ORDERER_GENERAL_MAXTHREADS")) {
    ASSIGN_OR_RETURN(config->max_threads, ParseInt("ORDERER_GENERAL_MAXTHREADS", v));
  }
  if (const char* v = get("ORDERER_FILELEDGER_LOCATION")) {
    config->file_ledger_location = v;
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
  return Status::OK();
}

StatusOr<OrdererConfig> LoadConfig(const std::string& config_file, const EnvLookup& env) {
  std::string path = config_file;
  if (path.empty()) {
    for (const char* var : {"ORDERER_CFG_PATH", "FABRIC_CFG_PATH"}) {
      const char* dir = env ? env(var) : nullptr;
      if (dir != nullptr && *dir != '\0' &&
          std::filesystem::exists(std::filesystem::path(dir) / "orderer.json")) {
        path = (std::filesystem::path(dir) / "orderer.json").string();
        break;
      }
    }
  }
  OrdererConfig config;
  if (!path.empty()) {
    StatusOr<std::string> text = crypto::ReadFile(path);
    if (!text.ok()) {
      return NotFoundError(
          absl::StrFormat("read orderer config %s: %s", path, text.status().message()));
    }
    std::string base_dir = std::filesystem::absolute(path).parent_path().string();
    StatusOr<OrdererConfig> parsed = ParseConfig(*text, base_dir);
    if (!parsed.ok()) {
      return parsed.status().Annotate(path);
    }
    config = *std::move(parsed);
  }
  RETURN_IF_ERROR(ApplyEnvOverrides(env, &config));
  RETURN_IF_ERROR(Validate(config));
  return config;
}

}  // namespace fabric::orderer
