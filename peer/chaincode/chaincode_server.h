// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeServer: the chaincode listener (Fabric's peer.chaincodeListenAddress, 7052) serving
// protos.ChaincodeSupport/Register for a ChaincodeSupport. Each Register stream is read by the
// gRPC sync server's thread for that call, which runs the stream's Handler.
//
// Keepalive: chaincode shims ping every 60-110 s without other traffic; the server permits
// pings without calls and down to `min_client_ping_interval` (gRPC's default policy would
// answer such pings with GOAWAY too_many_pings).
//
// TLS (peer.tls.enabled): with an Authenticator, the listener serves a server certificate
// issued by the peer's ephemeral chaincode CA (SANs: the listen host, `tls_hosts`, localhost,
// 127.0.0.1; Fabric 1.4 peer/node/start.go createChaincodeServer does the same) and requires
// client certificates issued by that CA. The first message of each stream must be REGISTER
// whose ChaincodeID the stream's client certificate was generated for (Fabric's
// accesscontrol interceptor); otherwise the chaincode gets ERROR ("TLS client certificate does
// not belong to chaincode mycc:1.0") and the stream ends with PERMISSION_DENIED.
//
// Local socket (an addition to Fabric, whose listener is TCP only): with `local_socket` set, the
// same service also listens on that unix socket path. ChaincodeSupport offers it to chaincodes
// whose launcher shares the peer's file system (the process launcher) as
// CORE_PEER_CHAINCODESOCKET; this project's shim dials it before CORE_PEER_ADDRESS. Same
// credentials, same checks; a chaincode message costs about a third less CPU than over
// loopback TCP (bench/grpc: grpc_stream_uds_cpu_us). A stale socket at the path (left by a
// crash) is replaced, any other file there is refused; Shutdown removes the socket file.
//
// Bounds: each stream holds a thread of gRPC's sync server while open; Options::max_streams
// bounds them (more are refused with RESOURCE_EXHAUSTED), and a stream that sends nothing within
// Options::first_message_timeout is cancelled.
//
// Thread-safety: Shutdown may be called from any thread; it is idempotent.

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/chaincode_support.h"

namespace fabric::chaincode {

// The gRPC metadata key under which a launched runtime presents its launch secret on the Register
// stream (the C++ shim's fabric::shim::kLaunchSecretMetadata; the peer defines its own copy so
// that it does not include the SDK).
inline constexpr std::string_view kLaunchSecretMetadata = "fabric-launch-secret";

class ChaincodeServer {
 public:
  // Longest unix socket path Linux binds (sockaddr_un::sun_path less its NUL).
  static constexpr size_t kMaxLocalSocketPath = 107;
  struct Options {
    std::string listen_address = "0.0.0.0:7052";  // "127.0.0.1:0" picks a free port
    std::chrono::milliseconds min_client_ping_interval{30000};
    // Server pings (Fabric: every 2 h, 20 s timeout).
    std::chrono::milliseconds keepalive_time{7200000};
    std::chrono::milliseconds keepalive_timeout{20000};
    int max_message_size = 100 * 1024 * 1024;
    // Non-null: serve TLS as described above. Borrowed; must outlive the server.
    const Authenticator* authenticator = nullptr;
    // More host names or IPs for the server certificate (the chaincode address's host).
    std::vector<std::string> tls_hosts;
    // Non-empty: also listen on this unix socket path (at most kMaxLocalSocketPath bytes).
    std::string local_socket;
    // A stream must send its first message (REGISTER) within this, or it is cancelled: until
    // then nothing says who holds it, and each open stream holds a thread.
    std::chrono::milliseconds first_message_timeout{20000};
    // Streams served at once (one thread each); more are refused with RESOURCE_EXHAUSTED.
    int max_streams = 1024;
  };

  // Starts serving. Unavailable "listen on <address> failed" when the address (or the local
  // socket) cannot be bound; InvalidArgument for a local socket path that is too long,
  // FailedPrecondition when a file that is not a socket is at that path; Internal
  // when the TLS server certificate cannot be issued.
  static StatusOr<std::unique_ptr<ChaincodeServer>> Start(const Options& options,
                                                          ChaincodeSupport& support);
  ~ChaincodeServer();
  ChaincodeServer(const ChaincodeServer&) = delete;
  ChaincodeServer& operator=(const ChaincodeServer&) = delete;

  int port() const { return port_; }
  // "host:port" with the bound port (0.0.0.0 replaced by 127.0.0.1), for CORE_PEER_ADDRESS.
  std::string address() const;
  // The unix socket path also listened on; empty when none.
  const std::string& local_socket() const { return local_socket_; }
  // Ends every stream (their in-flight transactions fail) and stops the listener.
  void Shutdown();

 private:
  class Service;
  struct Impl;
  ChaincodeServer(std::unique_ptr<Impl> impl, int port, std::string host, std::string local_socket);

  std::unique_ptr<Impl> impl_;
  const int port_;
  const std::string host_;
  const std::string local_socket_;
};

}  // namespace fabric::chaincode
