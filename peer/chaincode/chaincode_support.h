// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeSupport: launches chaincodes and executes transactions on them (Fabric's
// core/chaincode/chaincode_support.go + runtime_launcher.go).
//
//   launcher::DevModeLauncher launcher;            // or ProcessLauncher, later Docker
//   ChaincodeSupport support(options, launcher, packages);
//   auto server = ChaincodeServer::Start({"127.0.0.1:0"}, support);
//   support.SetPeerAddress(server.value()->address());
//   auto completed = support.Execute(params, "mycc:1.0", input, ExecuteType::kTransaction);
//
// Launch(ccid): reuses a registered chaincode; otherwise the first caller starts its runtime
// through the Launcher (env CORE_CHAINCODE_ID_NAME, CORE_PEER_ADDRESS, CORE_PEER_TLS_ENABLED,
// with TLS a per-launch client certificate, see ChaincodeSupportOptions::tls_enabled, and
// CORE_PEER_CHAINCODESOCKET when a local socket is set and the launcher shares the peer's file
// system, see SetLocalSocket)
// and every concurrent caller waits for the same REGISTER, up to the startup timeout. A
// chaincode that does not register in time is stopped.
//
// Ownership: the launcher, package provider and optional ChannelLedgers are borrowed and must
// outlive this object; the ChaincodeServer serving it must be shut down before it is destroyed.
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fabric/base/status.h"
#include "launcher/launcher.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/backpressure_pool.h"
#include "peer/chaincode/chaincode_stream.h"
#include "peer/chaincode/extcc.h"
#include "peer/chaincode/handler.h"
#include "peer/chaincode/handler_registry.h"
#include "peer/chaincode/transaction_context.h"

namespace fabric::chaincode {

enum class ExecuteType { kInit, kTransaction };

// Read-only access to other channels' ledgers, for cross-channel INVOKE_CHAINCODE.
class ChannelLedgers {
 public:
  virtual ~ChannelLedgers() = default;
  // NotFound when the peer has no ledger for `channel_id`.
  virtual StatusOr<std::unique_ptr<ledger::QueryExecutor>> NewQueryExecutor(
      const std::string& channel_id) = 0;
};

struct ChaincodeSupportOptions {
  // The chaincode listener address given to chaincodes (CORE_PEER_ADDRESS); may be set later
  // with SetPeerAddress.
  std::string peer_address;
  // peer.tls.enabled: each launch gets a fresh client certificate from `authenticator` (which
  // must then be set, and is borrowed): env CORE_PEER_TLS_ENABLED=true,
  // CORE_TLS_CLIENT_KEY_PATH, CORE_TLS_CLIENT_CERT_PATH (base64 of PEM, as Fabric 1.4 writes
  // them), CORE_PEER_TLS_ROOTCERT_FILE (the chaincode CA, PEM), as StartRequest.files at
  // /etc/hyperledger/fabric/{client.key,client.crt,peer.crt}.
  bool tls_enabled = false;
  Authenticator* authenticator = nullptr;
  // More "KEY=value" entries for launched chaincodes (CORE_PEER_LOCALMSPID, ...).
  std::vector<std::string> extra_env;
  // chaincode.startuptimeout, chaincode.executetimeout (Fabric: values < 1 s mean 30 s).
  std::chrono::milliseconds startup_timeout{300000};
  std::chrono::milliseconds execute_timeout{30000};
  // chaincode.keepalive: application-level KEEPALIVE every interval; 0 (default) = off, since
  // Fabric's Node shim exits on KEEPALIVE.
  std::chrono::milliseconds keepalive_interval{0};
  // Worker threads for chaincode requests and for INVOKE_CHAINCODE, and their queue bound.
  int request_workers = 4;
  int invoke_workers = 16;
  size_t queue_capacity = 16384;
  HandlerOptions handler;
  // cc2cc hooks. The version of a callee, read from its definition through `qe`: the caller's
  // TxSimulator when the callee is on the caller's channel, so that the read is in the
  // transaction's read set as in Fabric (a version in the callee's name is ignored, as Fabric
  // ignores it); unset: cc2cc calls fail with NotFound.
  std::function<StatusOr<std::string>(const std::string& channel_id, const std::string& name,
                                      ledger::QueryExecutor& qe)>
      resolve_version;
  // System chaincodes: a callee for which is_system_chaincode is true runs in process through
  // invoke_system_chaincode, against `params` as for a user callee (the caller's simulator on
  // its channel), and has no definition to read; PermissionDenied from the hook for one that
  // cannot be called cc2cc. Unset: such calls are refused.
  std::function<bool(const std::string& name)> is_system_chaincode;
  std::function<StatusOr<protos::Response>(const TxParams& params, const std::string& name,
                                           const protos::ChaincodeInput& input)>
      invoke_system_chaincode;
  ChannelLedgers* channel_ledgers = nullptr;
};

class ChaincodeSupport : public ChaincodeInvoker {
 public:
  ChaincodeSupport(ChaincodeSupportOptions options, launcher::Launcher& launcher,
                   const launcher::PackageProvider& packages);
  ~ChaincodeSupport() override;
  ChaincodeSupport(const ChaincodeSupport&) = delete;
  ChaincodeSupport& operator=(const ChaincodeSupport&) = delete;

  void SetPeerAddress(const std::string& address);
  // The chaincode listener's unix socket path (ChaincodeServer::local_socket()), given to
  // chaincodes launched from now on as CORE_PEER_CHAINCODESOCKET when the launcher's runtimes
  // share the peer's file system; empty: none. Shims that know the variable (this project's)
  // dial it first; others ignore it and dial CORE_PEER_ADDRESS.
  void SetLocalSocket(const std::string& path);

  // Serves one chaincode's Register stream until it ends (see Handler::ProcessStream).
  Status HandleChaincodeStream(ChaincodeStream& stream);

  // Makes sure `ccid` ("name:version") is running and registered. Errors: NotFound for an
  // unknown package; the launcher's start error; Unavailable "chaincode mycc:1.0 exited with
  // code N before registering"; DeadlineExceeded "chaincode mycc:1.0 did not register within
  // 30s" (its runtime is then stopped).
  Status Launch(const std::string& ccid);

  // Launches `ccid` if needed, sends INIT or TRANSACTION with `input` and the proposal, and
  // returns the chaincode's COMPLETED message (payload = marshalled protos::Response; the
  // chaincode event, if any, with chaincode_id and tx_id set by the peer). Errors: Launch's;
  // Unknown "transaction returned with failure: <text>" for an ERROR reply; "failed to execute
  // transaction <txid>: ..." wrapping Handler::Execute's errors (timeout, stream terminated,
  // txid exists). `timeout` <= 0 means the configured execute timeout.
  StatusOr<protos::ChaincodeMessage> Execute(const TxParams& params, const std::string& ccid,
                                             const protos::ChaincodeInput& input, ExecuteType type,
                                             std::chrono::milliseconds timeout = {});

  // ChaincodeInvoker (INVOKE_CHAINCODE from a chaincode).
  StatusOr<protos::ChaincodeMessage> InvokeChaincode(const TransactionContext& caller,
                                                     const protos::ChaincodeSpec& spec) override;
  // A cc2cc call into a system chaincode: run in process through the options' hook.
  StatusOr<protos::ChaincodeMessage> InvokeSystemChaincode(const TxParams& params,
                                                           const std::string& name,
                                                           const protos::ChaincodeInput& input);

  // The registered handler of `ccid`, or null.
  std::shared_ptr<Handler> GetHandler(const std::string& ccid) const {
    return registry_->Get(ccid);
  }
  const ChaincodeSupportOptions& options() const { return options_; }

 private:
  Status StartRuntime(const std::string& ccid, const std::shared_ptr<LaunchState>& state,
                      std::chrono::steady_clock::time_point deadline);
  // Adds the TLS env and files of one launch of `ccid` to `request`.
  Status AddTlsMaterial(const std::string& ccid, launcher::StartRequest& request);
  void KeepaliveLoop(std::stop_token stop);
  // Stops what a failed launch of `ccid` started: its runtime, or its chaincode server stream.
  void StopRuntime(const std::string& ccid);

  const ChaincodeSupportOptions options_;
  launcher::Launcher& launcher_;
  const launcher::PackageProvider& packages_;
  // Shared with launcher exit callbacks, which may run after this object is gone.
  const std::shared_ptr<HandlerRegistry> registry_;
  // INVOKE_CHAINCODE fibers (HandlerOptions::invoke_stacks): their stacks, and the pool they
  // move to before blocking. Declared before the pools whose tasks use them.
  FiberStacks invoke_stacks_;
  std::unique_ptr<fabric::WorkerPool> invoke_blocking_;
  std::unique_ptr<BackpressurePool> request_pool_;
  std::unique_ptr<BackpressurePool> invoke_pool_;
  // Streams to chaincode servers (launcher::StartRequest::connect); destroyed first, since its
  // threads run handlers on the pools above.
  std::unique_ptr<ExternalChaincodeRuntime> extcc_;

  mutable std::mutex mu_;
  std::condition_variable_any keepalive_cv_;
  // Guarded by mu_:
  std::string peer_address_;
  std::string local_socket_;
  std::jthread keepalive_thread_;  // last: stopped and joined first
};

}  // namespace fabric::chaincode
