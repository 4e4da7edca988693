// SPDX-License-Identifier: Apache-2.0

#include "common/etcd/testing/etcd_cluster.h"

#include <cstdlib>
#include <random>
#include <thread>

#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include "fabric/base/status_macros.h"
#include "fabric/base/testing/free_port.h"

namespace fabric::etcd::testing {
namespace {

using std::chrono::milliseconds;

StatusOr<std::vector<int>> FreePorts(int count) {
  std::vector<int> ports = fabric::testing::FreeLoopbackPorts(count);
  if (ports.empty()) {
    return InternalError("cannot reserve a free port on 127.0.0.1");
  }
  return ports;
}

}  // namespace

bool EtcdCluster::Available() { return access(kEtcdBinary, X_OK) == 0; }

bool EtcdCluster::Required() {
  const char* v = std::getenv("FABRIC_REQUIRE_ETCD");
  return v != nullptr && std::string(v) == "1";
}

StatusOr<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(const EtcdClusterOptions& options) {
  if (!Available()) {
    return FailedPreconditionError("etcd is not installed at /usr/bin/etcd");
  }
  std::unique_ptr<EtcdCluster> c(new EtcdCluster());
  if (c->dir_.path().empty()) {
    return InternalError("cannot create a temporary directory for etcd");
  }
  c->options_ = options;
  c->token_ = absl::StrFormat("fabric-test-%d", std::random_device()());
  ASSIGN_OR_RETURN(std::vector<int> ports, FreePorts(2 * options.members));
  std::vector<std::string> peers;
  for (int i = 0; i < options.members; ++i) {
    Member m;
    m.name = absl::StrFormat("m%d", i);
    m.client_endpoint = absl::StrFormat("127.0.0.1:%d", ports[2 * i]);
    m.peer_url = absl::StrFormat("http://127.0.0.1:%d", ports[2 * i + 1]);
    m.data_dir = c->dir_.path() + "/" + m.name;
    m.log_file = c->dir_.path() + "/" + m.name + ".log";
    peers.push_back(m.name + "=" + m.peer_url);
    c->members_.push_back(std::move(m));
  }
  c->initial_cluster_ = absl::StrJoin(peers, ",");
  if (options.tls) {
    RETURN_IF_ERROR(c->MakeTls());
  }
  for (int i = 0; i < options.members; ++i) {
    c->Spawn(i);
  }
  for (int i = 0; i < options.members; ++i) {
    RETURN_IF_ERROR(c->WaitReady(i, options.start_timeout));
  }
  return c;
}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < size(); ++i) {
    (void)Kill(i);
  }
}

Status EtcdCluster::MakeTls() {
  using std::chrono::hours;
  const auto now = std::chrono::system_clock::now();
  ASSIGN_OR_RETURN(msp::testing::TestCa ca, msp::testing::MakeCa("tlsca.etcd.test", "etcd.test",
                                                                 now - hours(1), now + hours(24)));
  ASSIGN_OR_RETURN(msp::testing::TestIdentity server,
                   msp::testing::IssueTlsIdentity(ca, "etcd.test", {"127.0.0.1", "localhost"},
                                                  now - hours(1), now + hours(24)));
  ASSIGN_OR_RETURN(msp::testing::TestIdentity client,
                   msp::testing::IssueTlsIdentity(ca, "orderer.etcd.test", {"127.0.0.1"},
                                                  now - hours(1), now + hours(24)));
  const std::string d = dir_.path() + "/tls/";
  client_tls_ = {{d + "ca.pem"}, d + "client.pem", d + "client-key.pem"};
  server_cert_file_ = d + "server.pem";
  server_key_file_ = d + "server-key.pem";
  RETURN_IF_ERROR(msp::testing::WriteTestFile(client_tls_.ca_files[0], ca.cert.ToPem()));
  RETURN_IF_ERROR(msp::testing::WriteTestFile(client_tls_.cert_file, client.cert_pem));
  RETURN_IF_ERROR(msp::testing::WriteTestFile(client_tls_.key_file, client.key.ToPem()));
  RETURN_IF_ERROR(msp::testing::WriteTestFile(server_cert_file_, server.cert_pem));
  return msp::testing::WriteTestFile(server_key_file_, server.key.ToPem());
}

std::vector<std::string> EtcdCluster::Args(int i) const {
  const Member& m = members_[i];
  const std::string scheme = options_.tls ? "https://" : "http://";
  std::vector<std::string> args = {
      kEtcdBinary,
      "--name=" + m.name,
      "--data-dir=" + m.data_dir,
      "--listen-client-urls=" + scheme + m.client_endpoint,
      "--advertise-client-urls=" + scheme + m.client_endpoint,
      "--listen-peer-urls=" + m.peer_url,
      "--initial-advertise-peer-urls=" + m.peer_url,
      "--initial-cluster=" + initial_cluster_,
      "--initial-cluster-token=" + token_,
      "--initial-cluster-state=new",
      // Quick elections: a killed leader is replaced within about a second.
      "--heartbeat-interval=50",
      "--election-timeout=500",
      "--log-level=warn",
  };
  if (options_.tls) {
    args.push_back("--cert-file=" + server_cert_file_);
    args.push_back("--key-file=" + server_key_file_);
    args.push_back("--client-cert-auth");
    args.push_back("--trusted-ca-file=" + client_tls_.ca_files[0]);
  }
  return args;
}

void EtcdCluster::Spawn(int i) {
  std::vector<std::string> args = Args(i);
  Member& m = members_[i];
  m.process = std::make_unique<fabric::testing::ChildProcess>(
      kEtcdBinary, std::vector<std::string>(args.begin() + 1, args.end()),
      std::vector<std::string>{}, m.log_file);
}

Status EtcdCluster::WaitReady(int i, milliseconds timeout) {
  etcd::ClientOptions opts = ClientOptions();
  opts.endpoints = {endpoint(i)};
  ASSIGN_OR_RETURN(std::unique_ptr<Client> client, Client::Open(opts));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Status last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (members_[i].process->Exited()) {
      return InternalError(absl::StrFormat("etcd member %s exited (status %d): %s",
                                           members_[i].name, members_[i].process->Wait(),
                                           LogTail(i)));
    }
    StatusOr<int64_t> rev = client->CurrentRevision(milliseconds(1000));
    if (rev.ok()) {
      return Status::OK();
    }
    last = rev.status();
    std::this_thread::sleep_for(milliseconds(50));
  }
  return InternalError(absl::StrFormat("etcd member %s not ready in %dms: %s; log: %s",
                                       members_[i].name, timeout.count(), last.ToString(),
                                       LogTail(i)));
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const Member& m : members_) {
    out.push_back(m.client_endpoint);
  }
  return out;
}

etcd::ClientOptions EtcdCluster::ClientOptions() const {
  etcd::ClientOptions opts;
  opts.endpoints = endpoints();
  opts.use_tls = options_.tls;
  opts.tls = client_tls_;
  return opts;
}

Status EtcdCluster::Kill(int i) {
  members_[i].process.reset();  // SIGKILL and reap.
  return Status::OK();
}

Status EtcdCluster::Restart(int i) {
  RETURN_IF_ERROR(Kill(i));
  Spawn(i);
  return WaitReady(i, options_.start_timeout);
}

Status EtcdCluster::RestartAll() {
  for (int i = 0; i < size(); ++i) {
    RETURN_IF_ERROR(Kill(i));
  }
  for (int i = 0; i < size(); ++i) {
    Spawn(i);
  }
  for (int i = 0; i < size(); ++i) {
    RETURN_IF_ERROR(WaitReady(i, options_.start_timeout));
  }
  return Status::OK();
}

std::string EtcdCluster::LogTail(int i, size_t bytes) const {
  std::string all = fabric::testing::ReadFileOrEmpty(members_[i].log_file);
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

}  // namespace fabric::etcd::testing
