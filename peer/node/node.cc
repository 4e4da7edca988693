// SPDX-License-Identifier: Apache-2.0

#include "peer/node/node.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>

#include "common/comm/message_limits.h"
#include "common/comm/tls.h"
#include "common/crypto/ecdsa.h"
#include "common/flags/flags.h"
#include "common/logging/logging.h"
#include "common/msp/config_builder.h"
#include "common/msp/msp.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/sched_batch.h"
#include "fabric/base/status_macros.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/lazy_docker_launcher.h"
#include "launcher/external/external_launcher.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/committer/committer.h"
#include "peer/deliver/deliver_service.h"
#include "peer/deliverclient/deliver_client.h"
#include "peer/endorser/endorser.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/node/admin_service.h"
#include "peer/node/node_parts.h"
#include "peer/node/operations.h"
#include "peer/scc/lscc.h"
#include "peer/scc/scc_stub.h"
#include "peer/scc/system_chaincodes.h"

namespace fabric::node {
namespace {

logging::Logger logger("peer.node");

// Keeps PeerChannels' view of a channel's config current, counts blocks, and stops the runtimes
// of a chaincode's other versions when an upgrade commits (their containers go).
class ChannelObserver : public committer::CommitObserver {
 public:
  // `on_config` runs after a committed config block was applied to PeerChannels.
  ChannelObserver(scc::PeerChannels& channels, PeerMetrics& metrics,
                  const scc::PackageStore& packages, launcher::Launcher& launcher,
                  std::function<void(const std::string& channel_id)> on_config)
      : channels_(channels),
        metrics_(metrics),
        packages_(packages),
        launcher_(launcher),
        on_config_(std::move(on_config)) {}
  void OnChaincodeDeployed(const std::string& channel_id,
                           const committer::ChaincodeDeployment& d) override {
    if (!d.upgrade) {
      return;
    }
    for (const scc::InstalledPackage& p : packages_.List()) {
      const auto& cd = p.chaincode_data;
      if (cd.name() != d.definition.name() || cd.version() == d.definition.version()) {
        continue;
      }
      std::string ccid = cd.name() + ":" + cd.version();
      if (!launcher_.IsRunning(ccid)) {
        continue;
      }
      FLOG_INFO(logger, "[%s] %s upgraded to %s: stopping %s", channel_id, cd.name(),
                d.definition.version(), ccid);
      if (Status s = launcher_.Stop(ccid); !s.ok()) {
        FLOG_WARN(logger, "stop %s after upgrade: %s", ccid, s.ToString());
      }
    }
  }
  void OnBlockCommitted(const std::string& channel_id, const common::Block& block) override {
    metrics_.blocks_committed.Inc();
    if (protoutil::IsConfigBlock(block)) {
      if (Status s = channels_.UpdateConfig(block); !s.ok()) {
        FLOG_ERROR(logger, "channel %s: config block %d not applied: %s", channel_id,
                   block.header().number(), s.ToString());
      } else {
        on_config_(channel_id);
      }
    }
  }

 private:
  scc::PeerChannels& channels_;
  PeerMetrics& metrics_;
  const scc::PackageStore& packages_;
  launcher::Launcher& launcher_;
  const std::function<void(const std::string& channel_id)> on_config_;
};

struct ChannelRuntime {
  std::unique_ptr<committer::Committer> committer;
  std::unique_ptr<deliverclient::DeliverClient> deliver_client;
};

// "host" of "host:port" ("" for "").
std::string HostOf(const std::string& address) { return address.substr(0, address.rfind(':')); }

// The key pair the peer presents when it dials with TLS: peer.tls.clientCert.file and
// clientKey.file, both or neither; neither means the server's (Fabric's GetClientCertificate).
StatusOr<comm::KeyPair> LoadClientIdentity(const PeerConfig& c) {
  const bool cert = !c.tls_client_cert_file.empty();
  const bool key = !c.tls_client_key_file.empty();
  if (cert != key) {
    return InvalidArgumentError(
        "peer.tls.clientKey.file and peer.tls.clientCert.file must both be set or must both be "
        "empty (CORE_PEER_TLS_CLIENTKEY_FILE, CORE_PEER_TLS_CLIENTCERT_FILE)");
  }
  if (cert) {
    return comm::LoadKeyPair(c.tls_client_cert_file, c.tls_client_key_file,
                             "CORE_PEER_TLS_CLIENTCERT_FILE, CORE_PEER_TLS_CLIENTKEY_FILE");
  }
  return comm::LoadKeyPair(c.tls_cert_file, c.tls_key_file,
                           "CORE_PEER_TLS_CERT_FILE, CORE_PEER_TLS_KEY_FILE");
}

// peer.tls.rootcert.file as a list (empty when unset).
StatusOr<std::vector<crypto::Certificate>> LoadRootCert(const PeerConfig& c) {
  if (c.tls_root_cert_file.empty()) {
    return std::vector<crypto::Certificate>{};
  }
  return comm::LoadCertificateFiles({c.tls_root_cert_file},
                                    "peer.tls.rootcert.file (CORE_PEER_TLS_ROOTCERT_FILE)");
}

}  // namespace

struct PeerNode::Impl {
  PeerConfig config;
  MetricsRegistry metrics_registry;
  std::unique_ptr<PeerMetrics> metrics;
  std::unique_ptr<msp::Msp> local_msp;
  std::unique_ptr<msp::SigningIdentity> signer;
  // With peer.tls.enabled: the server's key pair, the one presented to orderers, and
  // peer.tls.rootcert.file.
  std::optional<comm::KeyPair> tls_identity;
  std::optional<comm::KeyPair> tls_client_identity;
  std::vector<crypto::Certificate> tls_root_cas;
  // With peer.tls.clientAuthRequired: the CAs trusted for client certificates (Fabric's
  // updateTrustedRoots: the channels' application orgs, clientRootCAs and rootcert.file).
  std::shared_ptr<comm::TrustPool> client_cas;
  std::unique_ptr<ledger::LedgerManager> ledgers;
  std::unique_ptr<scc::PeerChannels> channels;
  std::unique_ptr<scc::PackageStore> packages;
  std::unique_ptr<scc::AclProvider> acl;
  scc::Registry registry;
  std::unique_ptr<scc::SystemChaincodes> sccs;
  std::unique_ptr<launcher::Launcher> launcher;
  std::unique_ptr<NodePackageProvider> package_provider;
  std::unique_ptr<LedgerQueryExecutors> query_executors;
  // With peer.tls.enabled: the ephemeral chaincode CA (Fabric 1.4 accesscontrol).
  std::unique_ptr<chaincode::Authenticator> chaincode_ca;
  std::unique_ptr<chaincode::ChaincodeSupport> support;
  std::unique_ptr<chaincode::ChaincodeServer> chaincode_server;
  std::unique_ptr<MeteredChaincodeExecutor> executor;
  std::unique_ptr<endorser::Endorser> endorser;
  std::unique_ptr<endorser::EndorserService> endorser_service;
  std::unique_ptr<ChannelObserver> observer;
  deliver::CommitterChannels committer_channels;
  std::unique_ptr<deliver::DeliverService> deliver_service;
  std::unique_ptr<AdminService> admin_service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::unique_ptr<OperationsServer> operations;

  std::mutex mu;
  // Guarded by mu:
  std::map<std::string, ChannelRuntime> runtimes;
  bool stopped = false;

  Status LoadIdentity();
  Status LoadTls();
  // Trusts the TLS CAs of `bundle`'s channel for client certificates (with client auth).
  void UpdateClientCas(const channelconfig::Bundle& bundle);
  Status OpenLedgers();
  // The launcher, ChaincodeSupport with its listener, and the endorser.
  Status StartChaincodeSupport();
  void CreateLauncher();
  Status AddExternalLauncher();
  // Creates chaincode_ca when TLS is on.
  StatusOr<chaincode::ChaincodeSupportOptions> SupportOptions();
  // A chaincode-to-chaincode call of a system chaincode, run in process.
  StatusOr<protos::Response> InvokeSystemChaincode(const chaincode::TxParams& p,
                                                   const std::string& name,
                                                   const protos::ChaincodeInput& input);
  Status StartChaincodeServer();
  void StartEndorser();
  Status StartChannel(const std::string& channel_id);
  Status StartServer();
  Status StartOperations();
  void Stop();
};

Status PeerNode::Impl::LoadIdentity() {
  auto msp_config = msp::LoadMspConfigFromDir(config.msp_config_path, config.local_msp_id);
  if (!msp_config.ok()) {
    return msp_config.status().Annotate(
        absl::StrFormat("load local MSP %s from %s (CORE_PEER_MSPCONFIGPATH, CORE_PEER_LOCALMSPID)",
                        config.local_msp_id, config.msp_config_path));
  }
  ASSIGN_OR_RETURN(local_msp, msp::Msp::Create(*msp_config));
  auto id = msp::LoadSigningIdentity(config.msp_config_path, config.local_msp_id);
  if (!id.ok()) {
    return id.status().Annotate("load the peer's signing identity");
  }
  signer = std::move(*id);
  return Status::OK();
}

Status PeerNode::Impl::LoadTls() {
  if (!config.tls_enabled) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(tls_identity,
                   comm::LoadKeyPair(config.tls_cert_file, config.tls_key_file,
                                     "CORE_PEER_TLS_CERT_FILE, CORE_PEER_TLS_KEY_FILE"));
  ASSIGN_OR_RETURN(tls_client_identity, LoadClientIdentity(config));
  ASSIGN_OR_RETURN(tls_root_cas, LoadRootCert(config));
  if (!config.tls_client_auth_required) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                   comm::LoadCertificateFiles(
                       config.tls_client_root_ca_files,
                       "peer.tls.clientRootCAs.files (CORE_PEER_TLS_CLIENTROOTCAS_FILES)"));
  cas.insert(cas.end(), tls_root_cas.begin(), tls_root_cas.end());
  client_cas = std::make_shared<comm::TrustPool>();
  client_cas->Set(comm::TrustPool::kStaticSource, std::move(cas));
  return Status::OK();
}

void PeerNode::Impl::UpdateClientCas(const channelconfig::Bundle& bundle) {
  if (client_cas == nullptr) {
    return;
  }
  comm::TrustChannelClientCas(*client_cas, bundle.channel_id(), comm::PeerClientCas(bundle),
                              "its application orgs");
}

Status PeerNode::Impl::OpenLedgers() {
  ledger::LedgerManager::Options lopts;
  lopts.root_dir = config.file_system_path + "/ledgersData";
  std::error_code ec;
  std::filesystem::create_directories(lopts.root_dir, ec);
  if (ec) {
    return InternalError(
        absl::StrFormat("create %s (CORE_PEER_FILESYSTEMPATH): %s", lopts.root_dir, ec.message()));
  }
  ASSIGN_OR_RETURN(ledgers, ledger::LedgerManager::Open(lopts));
  ASSIGN_OR_RETURN(channels, scc::PeerChannels::Open(*ledgers));
  packages = std::make_unique<scc::PackageStore>(config.file_system_path);
  acl = std::make_unique<scc::AclProvider>(*channels, *local_msp);
  sccs = std::make_unique<scc::SystemChaincodes>(
      scc::SystemChaincodes::Deps{*channels, *packages, *acl, *signer}, registry);
  return Status::OK();
}

// Chaincode servers (EXTERNAL packages) and external builders go before the configured
// launcher, as Fabric 2.x tries its external builders before Docker.
Status PeerNode::Impl::AddExternalLauncher() {
  if (config.launcher == LauncherKind::kDev) {
    return Status::OK();
  }
  launcher::external::ExternalLauncherOptions options;
  options.builders = config.external_builders;
  options.durable_path = config.file_system_path + "/externalbuilder/builds";
  options.mspid = config.local_msp_id;
  ASSIGN_OR_RETURN(launcher, launcher::external::ExternalLauncher::Create(std::move(options),
                                                                          std::move(launcher)));
  return Status::OK();
}

Status PeerNode::Impl::StartChaincodeSupport() {
  CreateLauncher();
  RETURN_IF_ERROR(AddExternalLauncher());
  package_provider = std::make_unique<NodePackageProvider>(
      *packages, config.process_bin_dir, config.file_system_path + "/chaincodes/bin",
      /*need_executable=*/config.launcher == LauncherKind::kProcess);
  query_executors = std::make_unique<LedgerQueryExecutors>(*channels);
  ASSIGN_OR_RETURN(chaincode::ChaincodeSupportOptions copts, SupportOptions());
  support = std::make_unique<chaincode::ChaincodeSupport>(copts, *launcher, *package_provider);
  RETURN_IF_ERROR(StartChaincodeServer());
  StartEndorser();
  return Status::OK();
}

void PeerNode::Impl::CreateLauncher() {
  switch (config.launcher) {
    case LauncherKind::kDev:
      launcher = std::make_unique<launcher::DevModeLauncher>();
      break;
    case LauncherKind::kProcess:
      launcher = std::make_unique<launcher::ProcessLauncher>();
      break;
    case LauncherKind::kDocker: {
      launcher::docker::DockerLauncherOptions opts;
      opts.client.endpoint = config.vm_endpoint;
      opts.peer_id = config.peer_id;
      opts.network_id = config.network_id;
      opts.network_mode = config.docker_network_mode;
      opts.memory_bytes = config.docker_memory_bytes;
      opts.pids_limit = config.docker_pids_limit;
      opts.chaincode_user = config.docker_chaincode_user;
      opts.ccenv_image = config.chaincode_builder;
      opts.baseos_image = config.chaincode_cpp_runtime;
      opts.goenv_image = config.chaincode_golang_builder;
      opts.node.builder_image = config.chaincode_node_builder;
      opts.node.runtime_image = config.chaincode_node_runtime;
      opts.node.npmrc_file = config.chaincode_node_npmrc;
      opts.node.ca_file = config.chaincode_node_cafile;
      opts.node.WithHostDefaults(std::getenv);
      // The peer also starts while the engine is down: it commits and serves what runs, and
      // launches once the engine is back (/healthz reports it meanwhile).
      launcher = std::make_unique<launcher::docker::LazyDockerLauncher>(opts);
      break;
    }
  }
}

StatusOr<chaincode::ChaincodeSupportOptions> PeerNode::Impl::SupportOptions() {
  chaincode::ChaincodeSupportOptions copts;
  copts.startup_timeout = config.startup_timeout;
  copts.execute_timeout = config.execute_timeout;
  copts.tls_enabled = config.tls_enabled;
  if (config.tls_enabled) {
    ASSIGN_OR_RETURN(chaincode_ca, chaincode::Authenticator::Create());
    copts.authenticator = chaincode_ca.get();
  }
  copts.extra_env = {"CORE_PEER_LOCALMSPID=" + config.local_msp_id};
  copts.channel_ledgers = query_executors.get();
  copts.is_system_chaincode = [this](const std::string& name) { return registry.IsSysCC(name); };
  copts.invoke_system_chaincode = [this](const chaincode::TxParams& p, const std::string& name,
                                         const protos::ChaincodeInput& input) {
    return InvokeSystemChaincode(p, name, input);
  };
  copts.handler.key_level_endorsement = [this](const std::string& channel_id) {
    std::shared_ptr<const channelconfig::Bundle> bundle = channels->GetBundle(channel_id);
    return bundle != nullptr && bundle->KeyLevelEndorsement();
  };
  copts.resolve_version = [](const std::string&, const std::string& name,
                             ledger::QueryExecutor& qe) -> StatusOr<std::string> {
    ASSIGN_OR_RETURN(auto cd, scc::GetChaincodeData(qe, name));
    return cd.version();
  };
  return copts;
}

StatusOr<protos::Response> PeerNode::Impl::InvokeSystemChaincode(
    const chaincode::TxParams& p, const std::string& name, const protos::ChaincodeInput& input) {
  const scc::SystemChaincode* system = registry.Lookup(name);
  if (system == nullptr || !system->invokable_cc2cc) {
    return PermissionDeniedError(
        absl::StrFormat("system chaincode %s cannot be invoked with a cc2cc invocation", name));
  }
  scc::SccContext ctx{p.channel_id,   p.tx_id,          p.signed_proposal,       p.proposal,
                      p.tx_simulator, p.query_executor, p.history_query_executor};
  scc::SccResult r = scc::InvokeInProcess(*system, ctx, input);
  protos::Response out;
  out.set_status(r.response.status);
  out.set_message(r.response.message);
  out.set_payload(r.response.payload);
  return out;
}

Status PeerNode::Impl::StartChaincodeServer() {
  chaincode::ChaincodeServer::Options sopts;
  sopts.listen_address = config.chaincode_listen_address;
  sopts.authenticator = chaincode_ca.get();
  sopts.tls_hosts = {HostOf(config.chaincode_address), HostOf(config.address)};
  sopts.local_socket = config.ChaincodeSocketPath();
  if (config.chaincode_listen_socket.empty() &&
      sopts.local_socket.size() > chaincode::ChaincodeServer::kMaxLocalSocketPath) {
    FLOG_WARN(logger,
              "no chaincode socket: %s is too long for a unix socket path; chaincodes dial TCP "
              "(set CORE_PEER_CHAINCODELISTENSOCKET to a shorter path to have one)",
              sopts.local_socket);
    sopts.local_socket.clear();
  }
  auto server_or = chaincode::ChaincodeServer::Start(sopts, *support);
  if (!server_or.ok()) {
    return server_or.status().Annotate("chaincode listener (CORE_PEER_CHAINCODELISTENADDRESS)");
  }
  chaincode_server = std::move(*server_or);
  std::string cc_address =
      config.chaincode_address.empty() ? chaincode_server->address() : config.chaincode_address;
  support->SetPeerAddress(cc_address);
  support->SetLocalSocket(chaincode_server->local_socket());
  FLOG_INFO(logger, "chaincode listener on %s; chaincodes dial %s; launcher %s",
            config.chaincode_listen_address, cc_address,
            config.launcher == LauncherKind::kDocker    ? "docker"
            : config.launcher == LauncherKind::kProcess ? "process"
                                                        : "dev mode");
  if (chaincode_ca != nullptr && config.launcher == LauncherKind::kDev) {
    // Fabric 1.4 does the same: the listener trusts only certificates the peer mints at launch.
    FLOG_WARN(logger,
              "dev mode with TLS: the chaincode listener requires client certificates issued by "
              "the peer at launch, so chaincodes started by hand cannot register; run dev mode "
              "with CORE_PEER_TLS_ENABLED=false");
  }
  return Status::OK();
}

void PeerNode::Impl::StartEndorser() {
  executor = std::make_unique<MeteredChaincodeExecutor>(*support, *metrics);
  endorser = std::make_unique<endorser::Endorser>(
      endorser::Endorser::Options{}, endorser::Endorser::Deps{*channels, registry, *acl, *packages,
                                                              *local_msp, *signer, *executor});
  endorser::EndorserService::Options eopts;
  eopts.workers = std::min(eopts.workers, config.endorser_concurrency);
  eopts.max_queued = config.endorser_concurrency - eopts.workers;
  eopts.fibers = config.endorser_fibers;
  endorser_service =
      std::make_unique<endorser::EndorserService>(*endorser, eopts, ProposalMetrics(*metrics));
}

Status PeerNode::Impl::StartChannel(const std::string& channel_id) {
  ledger::KvLedger* l = channels->GetLedger(channel_id);
  if (l == nullptr) {
    return NotFoundError("channel " + channel_id + " is not joined");
  }
  // The committer's own view of the config: Fabric's MSP rule without expiry checks, so that a
  // block validates the same on every peer whenever it is committed.
  ASSIGN_OR_RETURN(std::shared_ptr<const channelconfig::Bundle> bundle,
                   committer::LoadChannelConfig(*l));
  UpdateClientCas(*bundle);
  std::lock_guard<std::mutex> lock(mu);
  if (stopped || runtimes.count(channel_id) != 0) {
    return Status::OK();
  }
  committer::TxValidator::Options vopts;
  vopts.channel_id = channel_id;
  vopts.parallelism = 2;
  ChannelRuntime rt;
  rt.committer = std::make_unique<committer::Committer>(vopts, *l, bundle);
  rt.committer->AddObserver(observer.get());
  committer_channels.Add(rt.committer.get());
  deliverclient::DeliverClient::Options dopts;
  if (!config.orderer_address.empty()) {
    dopts.addresses = {config.orderer_address};
  }
  dopts.tls.enabled = config.tls_enabled;
  dopts.tls.client_identity = tls_client_identity;
  if (config.deliveryclient_static_roots_enabled) {
    dopts.tls.static_cas = tls_root_cas;
  }
  rt.deliver_client = std::make_unique<deliverclient::DeliverClient>(dopts, *rt.committer, *signer);
  rt.deliver_client->Start();
  FLOG_INFO(logger, "channel %s: committer and deliver client started at height %d", channel_id,
            rt.committer->Height());
  runtimes.emplace(channel_id, std::move(rt));
  return Status::OK();
}

Status PeerNode::Impl::StartServer() {
  deliver::DeliverService::Options dopts;
  dopts.streams.max_streams = config.deliver_concurrency;
  dopts.mutual_tls = config.tls_enabled && config.tls_client_auth_required;
  deliver_service = std::make_unique<deliver::DeliverService>(committer_channels, dopts);
  ASSIGN_OR_RETURN(admin_service, AdminService::Create(*local_msp));
  std::shared_ptr<grpc::ServerCredentials> creds =
      config.tls_enabled ? comm::ServerCredentials(*tls_identity, client_cas)
                         : grpc::InsecureServerCredentials();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen_address, creds, &port);
  builder.RegisterService(endorser_service.get());
  builder.RegisterService(deliver_service.get());
  builder.RegisterService(admin_service.get());
  comm::SetMessageLimits(builder);
  comm::SetConnectionLimits(builder);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return UnavailableError(
        absl::StrFormat("listen on %s failed (CORE_PEER_LISTENADDRESS; is another peer running?)",
                        config.listen_address));
  }
  FLOG_INFO(logger, "peer %s (%s) serving Endorser, Deliver and Admin on %s (port %d)%s",
            config.peer_id, config.local_msp_id, config.listen_address, port,
            !config.tls_enabled               ? ""
            : config.tls_client_auth_required ? " with mutual TLS"
                                              : " with TLS");
  return Status::OK();
}

Status PeerNode::Impl::StartOperations() {
  OperationsServer::Options ops;
  ops.version = FABRIC_VERSION;
  operations = std::make_unique<OperationsServer>(metrics_registry, std::move(ops));
  operations->AddHealthCheck("ledger", [this]() {
    for (const std::string& id : channels->Channels()) {
      ledger::KvLedger* l = channels->GetLedger(id);
      if (l != nullptr) {
        RETURN_IF_ERROR(l->CommitHealth());
      }
    }
    return Status::OK();
  });
  if (config.launcher == LauncherKind::kDocker) {
    std::string endpoint = config.vm_endpoint;
    operations->AddHealthCheck("docker", [endpoint]() {
      launcher::docker::DockerClientOptions o;
      o.endpoint = endpoint;
      o.request_timeout = std::chrono::seconds(2);
      return launcher::docker::PingDockerEngine(o);
    });
  }
  RETURN_IF_ERROR(operations->Start(config.operations_listen_address)
                      .Annotate("CORE_OPERATIONS_LISTENADDRESS"));
  FLOG_INFO(logger, "operations endpoint (/healthz, /metrics, /logspec, /version) on port %d",
            operations->port());
  return Status::OK();
}

void PeerNode::Impl::Stop() {
  std::map<std::string, ChannelRuntime> to_stop;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) {
      return;
    }
    stopped = true;
    to_stop.swap(runtimes);
  }
  FLOG_INFO(logger, "stopping peer %s", config.peer_id);
  if (launcher) {
    launcher->Shutdown();  // builds in progress must not hold the shutdown
  }
  if (operations) {
    operations->Stop();
  }
  if (deliver_service) {
    deliver_service->Shutdown();
  }
  if (server) {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  for (auto& [id, rt] : to_stop) {
    rt.deliver_client->Stop();
  }
  if (chaincode_server) {
    chaincode_server->Shutdown();
  }
  support.reset();   // ends chaincode streams
  launcher.reset();  // stops running chaincodes (process children / containers)
  for (auto& [id, rt] : to_stop) {
    rt.committer->RemoveObserver(observer.get());
  }
  to_stop.clear();
  server.reset();
  FLOG_INFO(logger, "peer %s stopped", config.peer_id);
}

PeerNode::PeerNode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PeerNode::~PeerNode() { Stop(); }

void PeerNode::Stop() { impl_->Stop(); }
int PeerNode::port() const { return impl_->port; }
int PeerNode::chaincode_port() const { return impl_->chaincode_server->port(); }
int PeerNode::operations_port() const { return impl_->operations->port(); }
MetricsRegistry& PeerNode::metrics() { return impl_->metrics_registry; }

StatusOr<std::unique_ptr<PeerNode>> PeerNode::Start(const PeerConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->metrics = std::make_unique<PeerMetrics>(impl->metrics_registry);
  RETURN_IF_ERROR(impl->LoadIdentity());
  RETURN_IF_ERROR(impl->LoadTls());
  RETURN_IF_ERROR(impl->OpenLedgers());
  RETURN_IF_ERROR(impl->StartChaincodeSupport());
  Impl* raw = impl.get();
  impl->observer = std::make_unique<ChannelObserver>(
      *impl->channels, *impl->metrics, *impl->packages, *impl->launcher,
      [raw](const std::string& channel_id) {
        if (std::shared_ptr<const channelconfig::Bundle> b = raw->channels->GetBundle(channel_id)) {
          raw->UpdateClientCas(*b);
        }
      });
  for (const std::string& ch : impl->channels->Channels()) {
    RETURN_IF_ERROR(impl->StartChannel(ch).Annotate("start channel " + ch));
  }
  impl->channels->SetJoinHook([raw](const std::string& channel_id) {
    if (Status s = raw->StartChannel(channel_id); !s.ok()) {
      FLOG_ERROR(logger, "joined channel %s but could not start it: %s", channel_id, s.ToString());
    }
  });
  RETURN_IF_ERROR(impl->StartServer());
  std::unique_ptr<PeerNode> node(new PeerNode(std::move(impl)));
  RETURN_IF_ERROR(node->impl_->StartOperations());
  return node;
}

namespace {

constexpr char kNodeUsage[] = "Usage:\n  peer node start [flags]\n\nFlags:\n";

// Parses `peer node start`'s flags (`args` after "start") into *dev. Returns the exit status
// when the command ends here (--help, a bad flag).
std::optional<int> ParseStartFlags(const std::vector<std::string>& args, bool* dev) {
  flags::FlagSet flags;
  flags.Bool("peer-chaincodedev", 0,
             "start peer in chaincode development mode (also CORE_CHAINCODE_MODE=dev)");
  Status s = flags.Parse(args);
  if (s.ok() && flags.help_requested()) {
    std::cout << kNodeUsage << flags.Usage();
    return 0;
  }
  if (s.ok() && !flags.positionals().empty()) {
    s = InvalidArgumentError("unknown command \"" + flags.positionals()[0] +
                             "\" for \"peer node start\"");
  }
  if (!s.ok()) {
    std::cerr << "Error: " << s.message() << "\n\n" << kNodeUsage << flags.Usage();
    return 1;
  }
  *dev = flags.GetBool("peer-chaincodedev");
  return std::nullopt;
}

}  // namespace

int RunNodeCommand(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "start") {
    std::cerr << "Usage:\n  peer node start [--peer-chaincodedev]\n";
    return args.empty() ? 1 : (args[0] == "--help" || args[0] == "-h" ? 0 : 1);
  }
  bool dev = false;
  if (std::optional<int> done = ParseStartFlags({args.begin() + 1, args.end()}, &dev)) {
    return *done;
  }
  // Block the stop signals in every thread; this one waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  localconfig::Report report;
  auto config = LoadPeerConfig(ProcessEnv(), dev, "", &report);
  if (!config.ok()) {
    std::cerr << "Error: peer config: " << config.status().message() << "\n";
    return 1;
  }
  if (std::string ignored = report.IgnoredLine(); !ignored.empty()) {
    FLOG_INFO(logger, "%s", ignored);
  }
  for (const std::string& notice : report.notices) {
    FLOG_WARN(logger, "%s", notice);
  }
  if (config->batch_scheduling) {
    // Before any thread starts, so that all inherit it (fabric/base/sched_batch.h says why).
    if (Status s = UseBatchScheduling(); !s.ok()) {
      FLOG_WARN(logger, "%s; running with the default scheduling policy", s.message());
    }
  }
  // The peer validates blocks that carry its own endorsements: let it recognise what it signed
  // instead of verifying it again (common/crypto/ecdsa.h).
  crypto::RememberOwnSignatures(true);
  auto node = PeerNode::Start(*config);
  if (!node.ok()) {
    std::cerr << "Error: peer node start: " << node.status().message() << "\n";
    return 1;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  FLOG_INFO(logger, "received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*node)->Stop();
  node->reset();
  return 0;
}

}  // namespace fabric::node
