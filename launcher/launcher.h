// SPDX-License-Identifier: Apache-2.0
//
// Launcher: starts and stops chaincode runtimes (Fabric's container.Runtime / RuntimeLauncher
// pair, core/chaincode/container_runtime.go). Implementations: ProcessLauncher (a local child
// process), DevModeLauncher (launches nothing; chaincodes register by themselves) and, later,
// the Docker launcher.
//
// A chaincode is named by its ccid "name:version" (Fabric 1.x). What to run comes from a
// ChaincodePackage; until lscc install exists, PackageProvider maps ccids to packages.
//
// Thread-safety: every Launcher and PackageProvider method is safe to call concurrently.

#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::launcher {

// What to run for one chaincode.
struct ChaincodePackage {
  std::string ccid;               // "name:version"
  std::string executable;         // process launcher: absolute path of the chaincode binary
  std::vector<std::string> args;  // extra argv entries after argv[0]
  std::string working_dir;        // empty: inherit the peer's
  // Docker launcher: ChaincodeDeploymentSpec.code_package (a gzipped tar of the chaincode's
  // source folder, see launcher/docker/chaincode_package.h) and its type ("CPP"; empty = CPP).
  std::string code_package;
  std::string type;
  // ChaincodeSpec.chaincode_id.path: for GOLANG, the import path of the package to build.
  std::string path;

  // A package the process launcher runs as `executable` with no extra arguments.
  static ChaincodePackage ForExecutable(std::string ccid, std::string executable) {
    ChaincodePackage package;
    package.ccid = std::move(ccid);
    package.executable = std::move(executable);
    return package;
  }
};

// Looks packages up by ccid.
class PackageProvider {
 public:
  virtual ~PackageProvider() = default;
  // NotFound "chaincode package mycc:1.0 not found" when nothing is installed under `ccid`.
  virtual StatusOr<ChaincodePackage> GetPackage(const std::string& ccid) const = 0;
};

// A PackageProvider backed by an in-memory map (tests, and the peer until lscc install).
class MapPackageProvider : public PackageProvider {
 public:
  void Add(ChaincodePackage package);
  StatusOr<ChaincodePackage> GetPackage(const std::string& ccid) const override;

 private:
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, ChaincodePackage> packages_;
};

// How to reach a chaincode that runs as a server (Fabric 2.x chaincode as an external service):
// the connection.json of an external package or of an external builder's release, parsed and
// checked by launcher/external/connection_info.h. The peer dials it and serves the chaincode's
// stream as the gRPC client of protos.Chaincode/Connect.
struct ChaincodeServerInfo {
  std::string address;  // host:port
  std::chrono::milliseconds dial_timeout{3000};
  bool tls_required = false;
  bool client_auth_required = false;
  std::string root_cert;    // PEM: the CA that signed the server's certificate (with TLS)
  std::string client_key;   // PEM: the peer's client key (with client auth)
  std::string client_cert;  // PEM: the peer's client certificate (with client auth)
};

struct StartRequest {
  std::string ccid;
  ChaincodePackage package;
  // "KEY=value" entries added to the runtime's environment (CORE_CHAINCODE_ID_NAME,
  // CORE_PEER_ADDRESS, CORE_PEER_TLS_ENABLED, ...).
  std::vector<std::string> env;
  // Called once, from a launcher thread, when the runtime exits (exit code, or 128+signal).
  // Must not call back into the launcher. May be empty.
  std::function<void(int exit_code)> on_exit;
  // Files to place in the runtime before it starts, by absolute path (TLS material:
  // /etc/hyperledger/fabric/client.key, client.crt, peer.crt), readable only by the chaincode.
  // The Docker launcher uploads them into the container at those paths. The process launcher
  // writes them under a private per-launch directory and rewrites every `env` entry whose value
  // is one of these paths to the written file's path, so env must name them by exactly the
  // keys used here.
  std::map<std::string, std::string> files;
  // When the launch must have finished (the startup timeout): building an image, creating and
  // starting the runtime all give up then with DeadlineExceeded. max(): no limit.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // For a runtime that is a chaincode server (launcher/external): the launcher calls this from
  // Start with the server's connection info instead of starting a process that dials the peer;
  // the caller (ChaincodeSupport) dials the server and serves its stream. Start returns its
  // status. Empty: such packages cannot be launched (FailedPrecondition).
  std::function<Status(const ChaincodeServerInfo& server)> connect;
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Starts the chaincode's runtime; a runtime already running under the same ccid is stopped
  // first (as Fabric's Docker Start does). Returns once the runtime is started, not once the
  // chaincode has registered. Errors: NotFound/InvalidArgument for a bad package, Internal when
  // the runtime cannot be started.
  virtual Status Start(const StartRequest& request) = 0;
  // Stops the runtime (graceful, then forced after a grace period) and waits for it to exit.
  // OK when nothing runs under `ccid`.
  virtual Status Stop(const std::string& ccid) = 0;
  // Waits up to `timeout` for the runtime to exit and returns its exit code. NotFound when
  // nothing was started under `ccid`; DeadlineExceeded when it is still running.
  virtual StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds timeout) = 0;
  virtual bool IsRunning(const std::string& ccid) const = 0;
  // The last lines the runtime of `ccid` printed (also after it stopped, until the next Start),
  // oldest first, for error messages ("did not register ...; its last output: ..."). Empty when
  // the launcher does not keep them.
  virtual std::vector<std::string> LastLogLines(const std::string& ccid) const {
    (void)ccid;
    return {};
  }
  // Abandons launches in progress (Start returns Cancelled within about a second) and refuses
  // new ones: the first step of the peer's shutdown, so that a build that never ends cannot
  // hold it. Stop() still stops running runtimes.
  virtual void Shutdown() {}
  // True for dev mode: nothing is launched and any chaincode may register by itself.
  virtual bool IsDevMode() const { return false; }
  // True when the runtimes this launcher starts see the peer's file system, so that they can
  // dial the chaincode listener's unix socket (ChaincodeSupport offers it to them then).
  virtual bool SharesPeerFileSystem() const { return false; }
};

// Dev mode (`peer node start --peer-chaincodedev`): launches nothing. Start succeeds at once;
// the chaincode is expected to be started by the user with CORE_CHAINCODE_ID_NAME and the
// peer's chaincode address, and to register by itself.
class DevModeLauncher : public Launcher {
 public:
  Status Start(const StartRequest&) override { return Status::OK(); }
  Status Stop(const std::string&) override { return Status::OK(); }
  StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds) override {
    return NotFoundError("dev mode launches nothing: " + ccid);
  }
  bool IsRunning(const std::string&) const override { return false; }
  bool IsDevMode() const override { return true; }
};

}  // namespace fabric::launcher
