// SPDX-License-Identifier: Apache-2.0
//
// Catching up from other orderer nodes. When the channel's log no longer holds the entries a
// node has not yet written into blocks (they were compacted away while the node was down), the
// node cannot cut those blocks itself; the other nodes of the channel wrote them, with the same
// header and data, so it pulls them from their Deliver service (as Fabric's Raft followers pull
// from the leader) and appends them as they are.
//
// BlockPuller is the transport: which nodes to ask and a stream of one node's blocks.
// DeliverBlockPuller speaks orderer.AtomicBroadcast/Deliver; tests fake it. PullMissingBlocks
// drives one catch-up round over the sources: verify each block as the peer's deliver client
// does (number, previous hash, data hash, BlockValidation policy of the current config), then
// ChainSupport::AppendPulledBlock (which applies config blocks).
//
// Thread-safety: Pull runs on the chain's consumer thread; Cancel may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/channelconfig/bundle.h"
#include "common/comm/tls.h"
#include "common/common.pb.h"
#include "common/crypto/x509.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/chain.h"

namespace fabric::orderer::cluster {

class BlockPuller {
 public:
  // Gets each pulled block; an error ends the pull (Pull returns it).
  using BlockHandler = std::function<Status(common::Block block)>;

  virtual ~BlockPuller() = default;

  // The other orderer nodes of the channel `config` describes, in the order to try them.
  virtual std::vector<std::string> Sources(const channelconfig::Bundle& config) = 0;

  // Hands `config`'s channel's blocks from number `start` to the newest `source` has, in order,
  // to `on_block`. OK when the source delivered up to its newest block (possibly none);
  // on_block's error; Unavailable when the source cannot be reached, refuses the request or
  // breaks the stream; Cancelled after Cancel().
  virtual Status Pull(const std::string& source, const channelconfig::Bundle& config,
                      uint64_t start, const BlockHandler& on_block) = 0;

  // Ends a Pull in progress and every later one with Cancelled (the chain halts). Idempotent.
  virtual void Cancel() = 0;
};

// Makes the puller of a channel's cluster chain; `support` outlives it.
using BlockPullerMaker = std::function<std::unique_ptr<BlockPuller>(ChainSupport& support)>;

// One catch-up round: tries `puller`'s sources in turn, appending each block they give after
// verifying it, until a source delivered at least one block and then its newest. OK then.
// Otherwise (no source, every source failed, gave a bad block, or had nothing newer)
// Unavailable naming each source's failure; Cancelled once the puller was cancelled. A
// refused block is logged with the source and the reason.
Status PullMissingBlocks(ChainSupport& support, BlockPuller& puller);

class DeliverBlockPuller final : public BlockPuller {
 public:
  struct Options {
    // host:port of the nodes to pull from; empty: the channel config's orderer addresses (the
    // orderer orgs' Endpoints, else OrdererAddresses).
    std::vector<std::string> addresses;
    // This node's own addresses, never pulled from.
    std::vector<std::string> self_addresses;
    // TLS (General.TLS.Enabled): the other node's certificate must chain to a TLS CA of the
    // channel's orderer orgs or to one of static_cas (General.TLS.RootCAs); client_identity
    // (the node's own TLS key pair) is presented as client certificate and bound to the
    // request.
    bool tls = false;
    std::optional<comm::KeyPair> client_identity;
    std::vector<crypto::Certificate> static_cas;
    // Deadline of one Deliver stream; a catch-up round that needs longer resumes in the next.
    std::chrono::milliseconds stream_timeout{std::chrono::seconds(60)};
  };

  // Requests are signed by `signer` (the node's identity), which must outlive the puller.
  DeliverBlockPuller(Options options, const msp::SigningIdentity& signer);

  std::vector<std::string> Sources(const channelconfig::Bundle& config) override;
  Status Pull(const std::string& source, const channelconfig::Bundle& config, uint64_t start,
              const BlockHandler& on_block) override;
  void Cancel() override;

 private:
  StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(
      const std::string& source, const channelconfig::Bundle& config) const;
  Status Stream(const std::string& source, const channelconfig::Bundle& config, uint64_t start,
                const BlockHandler& on_block, grpc::ClientContext& context);
  // `end`'s code and message. When the connection failed and this node presents a TLS client
  // certificate, also names it: a server refusing it closes the connection once the handshake
  // is done (there gRPC checks client certificates), so the client sees only "Socket closed".
  std::string ConnectionError(const grpc::Status& end) const;
  // Registers `context` as the live stream; false once cancelled.
  bool SetLive(grpc::ClientContext* context);

  const Options options_;
  const std::string tls_cert_hash_;  // of options_.client_identity; empty without TLS
  // Subject and issuer of options_.client_identity; empty without TLS
  const std::string client_certificate_;
  const msp::SigningIdentity& signer_;

  std::mutex mu_;
  // Guarded by mu_:
  bool cancelled_ = false;
  grpc::ClientContext* live_ = nullptr;
};

}  // namespace fabric::orderer::cluster
