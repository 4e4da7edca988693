// SPDX-License-Identifier: Apache-2.0
#include "orderer/node.h"

#include <absl/strings/str_format.h>

#include "common/comm/tls.h"
#include "common/crypto/file_util.h"
#include "common/logging/logging.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::orderer {

StatusOr<common::Block> ReadBlockFile(const std::string& path) {
  StatusOr<std::string> bytes = crypto::ReadFile(path);
  if (!bytes.ok()) {
    return NotFoundError(
        absl::StrFormat("read bootstrap file %s: %s", path, bytes.status().message()));
  }
  StatusOr<common::Block> block = protoutil::Unmarshal<common::Block>(*bytes, "genesis block");
  if (!block.ok() || !block->has_header()) {
    return InvalidArgumentError(absl::StrFormat("bootstrap file %s is not a block", path));
  }
  return block;
}

namespace {

logging::Logger logger("orderer.common.server");

// The client CA pool with General.TLS.ClientRootCAs; the channels add theirs as they open.
StatusOr<std::shared_ptr<comm::TrustPool>> ClientCaPool(const TlsConfig& tls) {
  auto pool = std::make_shared<comm::TrustPool>();
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                   comm::LoadCertificateFiles(tls.client_root_cas, "General.TLS.ClientRootCAs"));
  pool->Set(comm::TrustPool::kStaticSource, std::move(cas));
  return pool;
}

// Etcd channels catch up through the other orderer nodes' Deliver, reached as this node's own
// TLS settings say: its key pair as client certificate, General.TLS.RootCAs besides the
// channels' orderer org CAs.
StatusOr<cluster::BlockPullerMaker> DeliverPullerMaker(const OrdererConfig& config) {
  cluster::DeliverBlockPuller::Options options;
  options.self_addresses = {absl::StrFormat("%s:%d", config.listen_address, config.listen_port)};
  if (config.tls.enabled) {
    options.tls = true;
    ASSIGN_OR_RETURN(options.client_identity,
                     comm::LoadKeyPair(config.tls.certificate, config.tls.private_key,
                                       "General.TLS.Certificate, General.TLS.PrivateKey"));
    ASSIGN_OR_RETURN(options.static_cas,
                     comm::LoadCertificateFiles(config.tls.root_cas, "General.TLS.RootCAs"));
  }
  return [options](ChainSupport& support) -> std::unique_ptr<cluster::BlockPuller> {
    return std::make_unique<cluster::DeliverBlockPuller>(options, support.signer());
  };
}

}  // namespace

StatusOr<std::unique_ptr<Orderer>> Orderer::Start(const OrdererConfig& config, Cluster cluster) {
  std::unique_ptr<Orderer> orderer(new Orderer());
  StatusOr<std::unique_ptr<msp::X509SigningIdentity>> signer =
      msp::LoadSigningIdentity(config.local_msp_dir, config.local_msp_id);
  if (!signer.ok()) {
    return signer.status().Annotate("load local msp dir=" + config.local_msp_dir);
  }
  orderer->signer_ = *std::move(signer);
  std::vector<common::Block> genesis_blocks;
  for (const std::string& file : config.bootstrap_files) {
    ASSIGN_OR_RETURN(genesis_blocks.emplace_back(), ReadBlockFile(file));
  }
  Registrar::Options options;
  options.ledger_dir = config.file_ledger_location;
  options.channel_logs = std::move(cluster.channel_logs);
  options.make_channel_logs = std::move(cluster.make_channel_logs);
  options.cluster = std::move(cluster.chain);
  if (!options.cluster.make_puller) {
    ASSIGN_OR_RETURN(options.cluster.make_puller, DeliverPullerMaker(config));
  }
  if (config.tls.enabled && config.tls.client_auth_required) {
    ASSIGN_OR_RETURN(orderer->client_cas_, ClientCaPool(config.tls));
    options.on_config = [pool = orderer->client_cas_](const channelconfig::Bundle& bundle) {
      comm::TrustChannelClientCas(*pool, bundle.channel_id(), comm::OrdererClientCas(bundle),
                                  "its organisations");
    };
  }
  ASSIGN_OR_RETURN(orderer->registrar_,
                   Registrar::Open(options, genesis_blocks, *orderer->signer_));
  if (orderer->registrar_->ChannelIds().empty()) {
    return FailedPreconditionError(
        "no channels: give a genesis block with ORDERER_GENERAL_BOOTSTRAPFILE or -genesisBlock");
  }
  ASSIGN_OR_RETURN(orderer->server_,
                   OrdererServer::Start(config, *orderer->registrar_, orderer->client_cas_));
  return orderer;
}

Orderer::~Orderer() { Stop(); }

void Orderer::Stop() {
  if (server_ != nullptr) {
    server_->Shutdown();
  }
  if (registrar_ != nullptr) {
    registrar_->Halt();
  }
}

}  // namespace fabric::orderer
