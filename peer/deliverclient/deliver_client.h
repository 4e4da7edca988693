// SPDX-License-Identifier: Apache-2.0
//
// DeliverClient: pulls one channel's blocks from the ordering service and hands them to the
// committer in order (Fabric 1.4 core/deliverservice). One thread per channel:
//   1. pick an orderer address (Options::addresses, else the channel config's orderer
//      addresses; round robin, moving on after each failed or ended stream);
//   2. open orderer.AtomicBroadcast/Deliver and send a SeekInfo envelope signed by the peer's
//      identity: start = the ledger height, stop = max, BLOCK_UNTIL_READY;
//   3. for each block: VerifyBlock (number, hash chain, data hash, BlockValidation policy of
//      the current config), then Committer::CommitBlock; a block that fails either, a status
//      message or a broken stream ends the stream;
//   4. wait before reconnecting: initial_backoff doubling per attempt without progress up to
//      max_backoff, +-25% jitter; reset once a stream delivered a block or stayed open for
//      healthy_stream.
// Stop() cancels the stream and the wait, and joins the thread.
//
// Transport: plaintext gRPC, or with Options::tls.enabled (the peer's peer.tls.enabled) TLS as
// Fabric 1.4's deliver service dials it: the orderer's certificate must chain to a TLS root or
// intermediate CA of the channel's orderer organisations (those whose Endpoints list the
// address, else all of them), taken from the current channel config at each connection, so a
// new orderer org or a rotated CA is trusted from the next reconnection; plus
// Options::tls.static_cas. The peer presents Options::tls.client_identity when the orderer asks
// for a client certificate, and binds its requests to it: with TLS the SeekInfo envelope's
// channel header carries the SHA-256 of that certificate (Fabric's TlsCertHash), which an
// orderer requiring client certificates checks.
//
// Thread-safety: Start/Stop may be called from any thread; the accessors are thread-safe.

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/comm/tls.h"
#include "common/crypto/x509.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "peer/committer/committer.h"

namespace fabric::deliverclient {

class DeliverClient {
 public:
  struct Options {
    // host:port of orderers; empty means the channel config's orderer addresses.
    std::vector<std::string> addresses;
    // Fabric's blocksprovider: 100 ms doubling up to 10 s.
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{std::chrono::seconds(10)};
    // A stream open at least this long was healthy (the orderer accepted the request and
    // served it, if only by waiting for blocks): its end resets the backoff like a delivered
    // block, so a restarted orderer is rejoined within initial_backoff.
    std::chrono::milliseconds healthy_stream{std::chrono::seconds(2)};

    struct Tls {
      bool enabled = false;
      // The key pair presented to orderers that require client certificates
      // (peer.tls.clientCert.file / clientKey.file, else the peer's server key pair).
      std::optional<comm::KeyPair> client_identity;
      // CAs trusted beside the channel's orderer orgs' (peer.tls.rootcert.file, when
      // peer.deliveryclient.staticRootsEnabled is set).
      std::vector<crypto::Certificate> static_cas;
    };
    Tls tls;
  };

  // `committer` and `signer` (the peer's identity) must outlive the client.
  DeliverClient(Options options, committer::Committer& committer,
                const msp::SigningIdentity& signer);
  ~DeliverClient();  // Stop()s.
  DeliverClient(const DeliverClient&) = delete;
  DeliverClient& operator=(const DeliverClient&) = delete;

  // Starts the delivery thread. Idempotent.
  void Start();
  // Cancels the current stream or wait and joins the thread. Idempotent.
  void Stop();

  // Streams opened so far (for tests and metrics).
  uint64_t connection_attempts() const { return attempts_.load(); }
  // Blocks verified and committed so far.
  uint64_t blocks_committed() const { return committed_.load(); }
  // Why the last stream ended.
  Status last_error() const;

 private:
  void Run(std::stop_token stop);
  // One stream to `address`; returns why it ended. Sets *progress when a block was committed.
  Status RunStream(const std::string& address, bool* progress);
  // Plaintext, or TLS trusting the orderer org CAs of the current config for `address`.
  StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const std::string& address);
  Status HandleBlock(common::Block block);
  std::vector<std::string> Addresses() const;
  std::chrono::milliseconds Backoff(int failures);

  const Options options_;
  // SHA-256 of options_.tls.client_identity's certificate (DER); empty without one.
  const std::string tls_cert_hash_;
  committer::Committer& committer_;
  const msp::SigningIdentity& signer_;

  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> committed_{0};

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  // Guarded by mu_:
  bool stopping_ = false;
  grpc::ClientContext* stream_context_ = nullptr;  // the live stream, to cancel on Stop
  Status last_error_;

  std::jthread thread_;  // last: joined first
};

}  // namespace fabric::deliverclient
