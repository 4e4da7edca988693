// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeServer: the chaincode as an external service (Fabric 2.x chaincode-as-a-service, the
// Go shim's shim.ChaincodeServer). Instead of dialing the peer, the chaincode listens on an
// address and serves protos.Chaincode/Connect; the peer dials it (the address it finds in the
// package's connection.json) and the stream then runs as a Register stream does: the chaincode
// sends REGISTER with its chaincode id, the peer answers REGISTERED and READY, and transactions
// follow.
//
//   MyChaincode cc;
//   fabric::shim::ServerOptions options;
//   options.address = "0.0.0.0:9999";
//   options.chaincode_id = "mycc:1.0";   // the peer's ccid: name:version, or 2.x's package id
//   auto server = fabric::shim::ChaincodeServer::Start(cc, options);
//   if (!server.ok()) { ... }
//   (*server)->Wait();
//
// fabric::shim::Start (start.h) runs in server mode by itself when the environment asks for it
// (LoadServerOptions), so one chaincode binary serves both ways:
//   CHAINCODE_SERVER_ADDRESS    listen address, host:port (fabric-shim's CORE_CHAINCODE_ADDRESS
//                               also works); setting it selects server mode
//   CORE_CHAINCODE_ID           chaincode id to register (else CHAINCODE_ID, else
//                               CORE_CHAINCODE_ID_NAME); required
//   CORE_CHAINCODE_TLS_CERT_FILE, CORE_CHAINCODE_TLS_KEY_FILE
//                               server certificate and key (PEM); both or neither: TLS
//   CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE
//                               PEM of the CA(s) whose client certificates are accepted; set:
//                               the peer must present a certificate that chains to them
//   The *_PATH variants of the three (CORE_CHAINCODE_TLS_CERT_PATH, ...) hold base64 of PEM, as
//   in fabric-shim 2.x's server command; the same concurrency and execution variables as
//   Start's apply to each connection.
//
// Each peer connection is served on a gRPC server thread with ServeStream; connections are
// independent (two peers may connect at once). Keepalive pings from peers are permitted down to
// every 30 s.
//
// Thread-safety: Shutdown and Wait may be called from any thread.

#pragma once

#include <memory>
#include <string>

#include "fabric/base/status.h"
#include "fabric/shim/chaincode.h"
#include "fabric/shim/start.h"

namespace fabric::shim {

struct ServerTlsOptions {
  bool enabled = false;
  std::string cert_pem;  // server certificate chain
  std::string key_pem;   // its private key
  // Non-empty: require client certificates issued by these CAs (mutual TLS).
  std::string client_ca_pem;
};

struct ServerOptions {
  std::string address;       // listen address; port 0 picks a free port
  std::string chaincode_id;  // sent in REGISTER
  ServerTlsOptions tls;
  // Concurrency, request timeout and execution for each connection (the dial fields are not
  // used).
  StartOptions connection;
};

// True when the environment selects server mode (CHAINCODE_SERVER_ADDRESS or
// CORE_CHAINCODE_ADDRESS is set).
bool ServerModeRequested();

// Builds ServerOptions from the environment as described above; `defaults` gives the
// per-connection options. INVALID_ARGUMENT for a missing address or chaincode id, or a TLS
// certificate without a key (or the reverse); NOT_FOUND / INVALID_ARGUMENT for a TLS file that
// is missing or does not hold PEM (base64 PEM for *_PATH).
StatusOr<ServerOptions> LoadServerOptions(const StartOptions& defaults = StartOptions());

class ChaincodeServer {
 public:
  // Starts listening and serving `chaincode` (borrowed; must outlive the server). UNAVAILABLE
  // "cannot listen on <address>" when the address cannot be bound; INVALID_ARGUMENT for an
  // empty chaincode id or TLS without certificate and key.
  static StatusOr<std::unique_ptr<ChaincodeServer>> Start(Chaincode& chaincode,
                                                          const ServerOptions& options);
  ~ChaincodeServer();  // Shutdown()
  ChaincodeServer(const ChaincodeServer&) = delete;
  ChaincodeServer& operator=(const ChaincodeServer&) = delete;

  // The bound port.
  int port() const;
  // Blocks until Shutdown.
  void Wait();
  // Stops listening and ends every connection (their running transactions finish first).
  // Idempotent.
  void Shutdown();

 private:
  struct Impl;
  explicit ChaincodeServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Loads nothing: starts a server with `options`, prints "chaincode server listening on
// <host:port>" to stderr and serves until the process ends. Returns 1 (after printing why) when
// the server cannot start.
int Serve(Chaincode& chaincode, const ServerOptions& options);

}  // namespace fabric::shim
