// SPDX-License-Identifier: Apache-2.0
//
// LoadStartOptions: environment and flags as Fabric's Go and Node shims read them.

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "fabric/base/status_macros.h"
#include "fabric/shim/server.h"
#include "fabric/shim/start.h"
#include "src/base64.h"

namespace fabric::shim {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Value of -peer.address / --peer.address in argv ("--peer.address=X" or "--peer.address X").
std::string PeerAddressFlag(int argc, char** argv) {
  std::string found;
  for (int i = 1; argv != nullptr && i < argc; ++i) {
    std::string_view a = argv[i] ? argv[i] : "";
    for (std::string_view flag : {"--peer.address", "-peer.address"}) {
      if (a == flag && i + 1 < argc && argv[i + 1] != nullptr) {
        found = argv[++i];
        break;
      }
      if (a.size() > flag.size() && a.substr(0, flag.size()) == flag && a[flag.size()] == '=') {
        found = std::string(a.substr(flag.size() + 1));
        break;
      }
    }
  }
  return found;
}

std::string StripScheme(std::string address) {
  for (std::string_view scheme : {"grpcs://", "grpc://"}) {
    if (address.rfind(scheme, 0) == 0) {
      return address.substr(scheme.size());
    }
  }
  return address;
}

StatusOr<bool> ParseBool(const std::string& name, std::string v) {
  for (char& c : v) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (v.empty() || v == "false" || v == "0" || v == "f") {
    return false;
  }
  if (v == "true" || v == "1" || v == "t") {
    return true;
  }
  return InvalidArgumentError("'" + name + "' must be set to 'true' or 'false'");
}

StatusOr<std::string> ReadFile(const std::string& what, const std::string& path) {
  if (path.empty()) {
    return InvalidArgumentError(what + " file not provided");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("failed to read " + what + " file " + path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Fabric 1.x launchers upload the client key and cert as base64 of PEM, 2.x also as raw PEM:
// accept both.
StatusOr<std::string> ReadPemFile(const std::string& what, const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadFile(what, path));
  if (data.find("-----BEGIN") != std::string::npos) {
    return data;
  }
  std::optional<std::string> decoded = internal::Base64Decode(data);
  if (!decoded || decoded->find("-----BEGIN") == std::string::npos) {
    return InvalidArgumentError(what + " file " + path + " holds neither PEM nor base64 PEM");
  }
  return *decoded;
}

StatusOr<TlsOptions> LoadTls() {
  TlsOptions tls;
  ASSIGN_OR_RETURN(tls.enabled, ParseBool("CORE_PEER_TLS_ENABLED", Env("CORE_PEER_TLS_ENABLED")));
  if (!tls.enabled) {
    return tls;
  }
  ASSIGN_OR_RETURN(tls.root_cert_pem, ReadPemFile("root cert", Env("CORE_PEER_TLS_ROOTCERT_FILE")));
  std::string key_path = Env("CORE_TLS_CLIENT_KEY_PATH");
  std::string cert_path = Env("CORE_TLS_CLIENT_CERT_PATH");
  if (!key_path.empty() || !cert_path.empty()) {
    ASSIGN_OR_RETURN(tls.client_key_pem, ReadPemFile("client key", key_path));
    ASSIGN_OR_RETURN(tls.client_cert_pem, ReadPemFile("client cert", cert_path));
  }
  return tls;
}

// CORE_CHAINCODE_BATCHSCHEDULING and CORE_CHAINCODE_EXECUTION, when set, over `options`.
Status LoadExecution(StartOptions& options) {
  const std::string batch = Env("CORE_CHAINCODE_BATCHSCHEDULING");
  if (!batch.empty()) {
    ASSIGN_OR_RETURN(options.tuning.batch_scheduling,
                     ParseBool("CORE_CHAINCODE_BATCHSCHEDULING", batch));
  }
  const std::string execution = Env("CORE_CHAINCODE_EXECUTION");
  if (execution == "threads") {
    options.execution = StartOptions::Execution::kThreads;
  } else if (execution == "coroutines") {
    options.execution = StartOptions::Execution::kCoroutines;
  } else if (!execution.empty()) {
    return InvalidArgumentError(
        "'CORE_CHAINCODE_EXECUTION' must be \"threads\" or \"coroutines\", not \"" + execution +
        "\"");
  }
  return Status::OK();
}

// A TLS file of server mode: `file_var` names a PEM file, `path_var` a base64 PEM one (both
// read by ReadPemFile, which takes either). "" when neither is set.
StatusOr<std::string> ServerTlsFile(const std::string& what, const char* file_var,
                                    const char* path_var) {
  for (const char* var : {file_var, path_var}) {
    if (const std::string path = Env(var); !path.empty()) {
      return ReadPemFile(what + " (" + var + ")", path);
    }
  }
  return std::string();
}

std::string FirstSet(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (std::string v = Env(name); !v.empty()) {
      return v;
    }
  }
  return "";
}

}  // namespace

StatusOr<StartOptions> LoadStartOptions(int argc, char** argv, const StartOptions& defaults) {
  StartOptions options = defaults;
  options.chaincode_id_name = Env("CORE_CHAINCODE_ID_NAME");
  if (options.chaincode_id_name.empty()) {
    return InvalidArgumentError("'CORE_CHAINCODE_ID_NAME' must be set");
  }
  options.launch_secret = Env("CORE_CHAINCODE_LAUNCH_SECRET");
  RETURN_IF_ERROR(LoadExecution(options));
  options.peer_address = PeerAddressFlag(argc, argv);
  if (options.peer_address.empty()) {
    options.peer_address = Env("CORE_PEER_ADDRESS");
  }
  options.peer_address = StripScheme(options.peer_address);
  if (options.peer_address.empty()) {
    return InvalidArgumentError("flag 'peer.address' or 'CORE_PEER_ADDRESS' must be set");
  }
  options.peer_socket = Env("CORE_PEER_CHAINCODESOCKET");
  ASSIGN_OR_RETURN(options.tls, LoadTls());
  return options;
}

bool ServerModeRequested() {
  return !FirstSet({"CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"}).empty();
}

StatusOr<ServerOptions> LoadServerOptions(const StartOptions& defaults) {
  ServerOptions options;
  options.connection = defaults;
  RETURN_IF_ERROR(LoadExecution(options.connection));
  options.address = StripScheme(FirstSet({"CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS"}));
  if (options.address.empty()) {
    return InvalidArgumentError("'CHAINCODE_SERVER_ADDRESS' must be set in server mode");
  }
  options.chaincode_id = FirstSet({"CORE_CHAINCODE_ID", "CHAINCODE_ID", "CORE_CHAINCODE_ID_NAME"});
  if (options.chaincode_id.empty()) {
    return InvalidArgumentError(
        "'CORE_CHAINCODE_ID' must be set in server mode: the chaincode id the peer launches "
        "(name:version, or the package id on Fabric 2.x)");
  }
  ServerTlsOptions& tls = options.tls;
  ASSIGN_OR_RETURN(tls.cert_pem, ServerTlsFile("TLS certificate", "CORE_CHAINCODE_TLS_CERT_FILE",
                                               "CORE_CHAINCODE_TLS_CERT_PATH"));
  ASSIGN_OR_RETURN(tls.key_pem, ServerTlsFile("TLS key", "CORE_CHAINCODE_TLS_KEY_FILE",
                                              "CORE_CHAINCODE_TLS_KEY_PATH"));
  ASSIGN_OR_RETURN(tls.client_ca_pem,
                   ServerTlsFile("TLS client CA", "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE",
                                 "CORE_CHAINCODE_TLS_CLIENT_CACERT_PATH"));
  if (tls.cert_pem.empty() != tls.key_pem.empty()) {
    return InvalidArgumentError(
        "server mode TLS needs both CORE_CHAINCODE_TLS_CERT_FILE and CORE_CHAINCODE_TLS_KEY_FILE");
  }
  if (tls.cert_pem.empty() && !tls.client_ca_pem.empty()) {
    return InvalidArgumentError(
        "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE needs TLS: set CORE_CHAINCODE_TLS_CERT_FILE and "
        "CORE_CHAINCODE_TLS_KEY_FILE too");
  }
  tls.enabled = !tls.cert_pem.empty();
  return options;
}

}  // namespace fabric::shim
