// SPDX-License-Identifier: Apache-2.0
//
// Registrar: the orderer's channels (Fabric's multichannel.Registrar). Each channel's blocks
// live in `<ledger_dir>/chains/<channel>` (a BlockStore with its index in `.../index`).
//
// Open reopens every chain found on disk (their config comes from their newest config block),
// then bootstraps each given genesis block whose channel is not on disk yet, so a restart with
// the same bootstrap files changes nothing. At most one channel may be an orderer system channel
// (a config with Consortiums and no Application group); channel creation requests go to it and
// it creates the new chain from its ordering thread.
//
// A channel whose config names consensus type "etcd" gets a cluster::ClusterChain over the
// channel's log (Options::channel_logs, or the factory Options::make_channel_logs made for the
// etcd cluster the config names); every other channel is ordered by the solo consenter.
//
// Thread-safety: all methods may be called concurrently. Chains are never removed while the
// registrar lives, so the pointers returned stay valid until it is destroyed. Halt() stops
// every chain's ordering thread (the destructor calls it).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/chain.h"
#include "orderer/cluster/channel_log.h"
#include "orderer/cluster/cluster_chain.h"

namespace fabric::orderer {

class Registrar {
 public:
  struct Options {
    std::string ledger_dir;
    // fsync blocks (tests may turn it off to run faster).
    bool sync = true;
    // Each chain's ChainSupport::Options::on_config.
    std::function<void(const channelconfig::Bundle& bundle)> on_config;
    // Opens the logs of every channel of consensus type "etcd", whatever etcd cluster its
    // config names (tests; a node on one known cluster).
    std::shared_ptr<cluster::ChannelLogFactory> channel_logs;
    // Without channel_logs: makes the factory for the etcd cluster a channel's config names,
    // once per distinct cluster (endpoints and TLS flag). Without either, a channel of type
    // "etcd" fails to open (FailedPrecondition).
    cluster::ChannelLogFactoryMaker make_channel_logs;
    // The cluster chains' settings.
    cluster::ClusterChain::Options cluster;
    // Makes every channel's consenter in place of the one its consensus type names (tests plug
    // in their own Chain); see ChainSupport::Options::consenter.
    std::function<StatusOr<std::unique_ptr<Chain>>(ChainSupport& support)> consenter;
  };

  // Reopens the chains on disk, bootstraps `genesis_blocks` and starts every chain. Errors:
  // InvalidArgument for a genesis block that is not a config block or two system channels;
  // store and config errors naming the channel. `signer` must outlive the registrar.
  static StatusOr<std::unique_ptr<Registrar>> Open(const Options& options,
                                                   const std::vector<common::Block>& genesis_blocks,
                                                   const msp::SigningIdentity& signer);
  ~Registrar();
  Registrar(const Registrar&) = delete;
  Registrar& operator=(const Registrar&) = delete;

  // The chain of `channel_id`, or nullptr.
  ChainSupport* GetChain(std::string_view channel_id) const;
  // The system channel's chain, or nullptr when there is none.
  ChainSupport* system_chain() const;
  std::vector<std::string> ChannelIds() const;

  // Stops every chain. Idempotent.
  void Halt();

 private:
  Registrar(Options options, const msp::SigningIdentity& signer)
      : options_(std::move(options)), signer_(signer) {}

  std::string ChainDir(const std::string& channel_id) const;
  // Opens (and with `genesis`, bootstraps) a chain and registers it, not started.
  StatusOr<ChainSupport*> AddChain(const std::string& channel_id, const common::Block* genesis);
  // The channel's consenter by its config's consensus type; null for solo.
  StatusOr<std::unique_ptr<Chain>> MakeConsenter(ChainSupport& support) const;
  // The factory of the logs on the etcd cluster `bundle` names.
  StatusOr<std::shared_ptr<cluster::ChannelLogFactory>> ChannelLogs(
      const channelconfig::Bundle& bundle) const;
  // The system channel's create_channel callback.
  Status CreateChannel(const common::Envelope& config_envelope);

  const Options options_;
  const msp::SigningIdentity& signer_;

  // Guarded by mu_:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<ChainSupport>, std::less<>> chains_;
  ChainSupport* system_chain_ = nullptr;
  bool halted_ = false;

  // Guarded by factories_mu_: the factories made by make_channel_logs, by the marshalled
  // EtcdConfigMetadata they were made for.
  mutable std::mutex factories_mu_;
  mutable std::map<std::string, std::shared_ptr<cluster::ChannelLogFactory>> factories_;
};

}  // namespace fabric::orderer
