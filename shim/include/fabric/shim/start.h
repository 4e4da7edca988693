// SPDX-License-Identifier: Apache-2.0
//
// Start: the entry point of a chaincode executable. Connects to the peer, registers, and serves
// the peer's INIT and TRANSACTION requests until the stream ends.
//
//   int main(int argc, char** argv) {
//     MyChaincode cc;
//     return fabric::shim::Start(cc, argc, argv);
//   }
//
// Server mode: when CHAINCODE_SERVER_ADDRESS (or CORE_CHAINCODE_ADDRESS) is set, Start serves
// protos.Chaincode/Connect instead of dialing the peer (server.h: LoadServerOptions, Serve).
//
// Configuration, as Fabric's Go and Node shims read it:
//   CORE_CHAINCODE_ID_NAME      "name:version" (1.x) or the package id (2.x); required.
//   -peer.address / --peer.address (as "--peer.address=host:port" or "--peer.address host:port"),
//                               else CORE_PEER_ADDRESS; required. A grpc:// or grpcs:// prefix is
//                               accepted and dropped.
//   CORE_PEER_CHAINCODESOCKET   path of the peer's chaincode unix socket, set by this project's
//                               peer for chaincodes on its own host (process launcher); dialled
//                               first, CORE_PEER_ADDRESS when that fails. Not a Fabric variable.
//   CORE_PEER_TLS_ENABLED       "true"/"false" (unset = false).
//   CORE_PEER_TLS_ROOTCERT_FILE PEM of the peer's (chaincode listener's) CA; required with TLS.
//   CORE_TLS_CLIENT_KEY_PATH, CORE_TLS_CLIENT_CERT_PATH
//                               client key and certificate; the files may hold raw PEM or
//                               base64 of PEM (what Fabric 1.x launchers upload); both work.
//   CORE_CHAINCODE_LOGGING_SHIM debug|info|warning|error for the shim's stderr log (default info).
//   CORE_CHAINCODE_BATCHSCHEDULING
//                               "true"/"false" (unset: what the program chose, off by default):
//                               run the chaincode's threads under SCHED_BATCH (ProcessTuning).
//   CORE_CHAINCODE_EXECUTION    "threads" or "coroutines" (unset: what the program chose,
//                               threads by default); see Threading.
//
// Transport: gRPC keepalive pings every 60 s (timeout 20 s, also without active calls), as the
// Go shim; the peer's chaincode listener must permit them. Max message size 100 MiB both ways.
//
// Threading: the calling thread becomes the stream's only reader. With Execution::kThreads
// (the default) transactions run on a bounded pool of worker threads (StartOptions), one
// transaction per worker; when all workers are busy up to max_queued_transactions wait, beyond
// that the peer gets ERROR "too many concurrent transactions". One thread writes to the stream at
// a time; a thread that finds another writing hands its message over and returns.
//
// With Execution::kCoroutines each transaction runs as a coroutine (its own 4 MiB stack) on the
// reader thread itself: a stub call sends its request and parks the transaction, and the reader
// resumes it when the reply arrives, so no thread wakes another per message. Same limits and
// answers as above (max_concurrent_transactions coroutines at once). Measured on the 2-core
// build machine: less than half the chaincode's CPU per transaction (bench/chaincode,
// bench/endorse). The price: transactions take turns on one thread, so chaincode that blocks
// (sleeps, network calls, long computations) holds up every other transaction, and must not
// hold a lock across a stub call that another transaction takes (it would deadlock the thread).
// A request that times out resumes its transaction on the shim's timer thread. Choose it for
// chaincode that only computes over stub calls, as most chaincode does.
//
// Thread-safety: Start may be called once per process at a time per Chaincode; it blocks.

#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "fabric/base/status.h"
#include "fabric/shim/chaincode.h"

namespace fabric::shim {

// The gRPC metadata key of StartOptions::launch_secret on the Register stream.
inline constexpr std::string_view kLaunchSecretMetadata = "fabric-launch-secret";

struct TlsOptions {
  bool enabled = false;
  std::string root_cert_pem;    // CA that signed the peer's listener certificate.
  std::string client_key_pem;   // Client key (PEM), empty for none.
  std::string client_cert_pem;  // Client certificate chain (PEM), empty for none.
};

struct StartOptions {
  std::string chaincode_id_name;  // Sent in REGISTER as ChaincodeID.name.
  // The secret the peer gave this launch (CORE_CHAINCODE_LAUNCH_SECRET), sent with the Register
  // stream: without TLS, it is what tells the peer that this process is the one it launched.
  std::string launch_secret;
  std::string peer_address;  // host:port of the peer's chaincode listener.
  // Non-empty: the listener's unix socket path, tried before peer_address (a chaincode message
  // costs about a third less CPU over it than over loopback TCP).
  std::string peer_socket;
  TlsOptions tls;
  // Transactions served at once, and how many more may wait for a worker.
  int max_concurrent_transactions = 64;
  int max_queued_transactions = 4096;
  // Deadline for each request to the peer (GET_STATE, ...). Fabric's shims wait forever.
  std::chrono::milliseconds request_timeout{30000};
  // Deadline for connecting to the peer.
  std::chrono::milliseconds dial_timeout{10000};
  std::chrono::milliseconds keepalive_time{60000};
  std::chrono::milliseconds keepalive_timeout{20000};
  // Changes to the whole process that Start makes before it starts any thread. All off by
  // default: the process belongs to the chaincode's author. fabric-cpp's peer and orderer run
  // with all three; a chaincode that only serves its stream gains from them too (less CPU per
  // transaction on a busy host). ProcessTuning::ForServers() turns all on.
  struct ProcessTuning {
    // Every thread under Linux SCHED_BATCH: a woken thread does not preempt the running one, so
    // a request/reply pair costs fewer context switches.
    bool batch_scheduling = false;
    // glibc malloc without fast bins (M_MXFAST 0): small frees are merged once, not again on
    // every larger allocation.
    bool server_malloc = false;
    // Abseil's mutex deadlock detection off (gRPC's locks otherwise feed one global graph).
    bool skip_mutex_deadlock_checks = false;

    static ProcessTuning ForServers() { return {true, true, true}; }
  };
  ProcessTuning tuning;
  // How transactions run (see "Threading" above).
  enum class Execution {
    kThreads,     // one worker thread per transaction (the default)
    kCoroutines,  // every transaction a coroutine on the stream's reader thread
  };
  Execution execution = Execution::kThreads;
};

// Builds StartOptions from the environment and argv as described above (argv may be null),
// starting from `defaults` (what the environment does not set keeps its value there).
// Errors: INVALID_ARGUMENT for a missing name or address or a bad CORE_PEER_TLS_ENABLED or
// CORE_CHAINCODE_EXECUTION value; NOT_FOUND / INVALID_ARGUMENT when a TLS file is missing or
// holds neither PEM nor base64 PEM.
StatusOr<StartOptions> LoadStartOptions(int argc, char** argv,
                                        const StartOptions& defaults = StartOptions());

// Loads options with LoadStartOptions, applies options.tuning, and serves. Returns non-zero: 1 on a
// configuration or connection error (printed to stderr), 2 when the peer stream closed ("peer
// stream closed: ...; chaincode exiting" on stderr). A chaincode process has nothing to do once its
// stream is gone. A chaincode that prefers coroutines says so in `defaults` (the environment still
// decides):
//   fabric::shim::StartOptions defaults;
//   defaults.execution = fabric::shim::StartOptions::Execution::kCoroutines;
//   return fabric::shim::Start(cc, argc, argv, defaults);
int Start(Chaincode& chaincode, int argc = 0, char** argv = nullptr,
          const StartOptions& defaults = StartOptions());

// Same with explicit options.
int Start(Chaincode& chaincode, const StartOptions& options);

}  // namespace fabric::shim
