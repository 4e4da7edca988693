// SPDX-License-Identifier: Apache-2.0
//
// connection.json: how the peer reaches a chaincode that runs as a server (Fabric 2.x
// core/container/externalbuilder/instance.go ChaincodeServerUserData). Fields:
//   address               "host:port", required
//   dial_timeout          a Go duration ("10s", "500ms") or a number of nanoseconds; absent or
//                         zero: 3s (Fabric's default)
//   tls_required          bool (default false)
//   client_auth_required  bool (default false): present client_key/client_cert to the server
//   root_cert             PEM certificate(s) of the CA that signed the server's certificate;
//                         required when tls_required
//   client_key, client_cert  PEM; required when tls_required and client_auth_required
// Fields Fabric does not know are ignored, as Fabric ignores them.
//
// Thread-safety: free functions.

#pragma once

#include <string>
#include <string_view>

#include "fabric/base/status.h"
#include "launcher/launcher.h"

namespace fabric::launcher::external {

// The file name inside an external package, and its place in an external builder's release
// directory.
inline constexpr std::string_view kConnectionFile = "connection.json";
inline constexpr std::string_view kReleaseServerDir = "chaincode/server";

// Parses and checks connection.json text. `origin` names the file in errors ("connection.json
// of mycc:1.0"). InvalidArgument "<origin>: <field> ...: <what to do>" for malformed JSON, a
// field of the wrong type, a missing address, an address that is not host:port, a bad or
// negative dial_timeout, and missing or non-PEM TLS material that the flags require.
StatusOr<ChaincodeServerInfo> ParseConnectionInfo(std::string_view json, std::string_view origin);

// Reads and parses the file at `path`. NotFound when it does not exist.
StatusOr<ChaincodeServerInfo> ReadConnectionInfo(const std::string& path, std::string_view origin);

}  // namespace fabric::launcher::external
