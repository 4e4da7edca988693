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

}  // namespace

StatusOr<StartOptions> LoadStartOptions(int argc, char** argv, const StartOptions& defaults) {
  StartOptions options = defaults;
  options.chaincode_id_name = Env("CORE_CHAINCODE_ID_NAME");
  if (options.chaincode_id_name.empty()) {
    return InvalidArgumentError("'CORE_CHAINCODE_ID_NAME' must be set");
  }
  options.launch_secret = Env("CORE_CHAINCODE_LAUNCH_SECRET");
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

}  // namespace fabric::shim
