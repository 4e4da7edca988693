// SPDX-License-Identifier: Apache-2.0
//
// EtcdCluster: real etcd members (/usr/bin/etcd, child processes) on 127.0.0.1 for tests, each
// with free client and peer ports and a data directory under a temporary directory. With TLS,
// the members serve clients over TLS with certificates from a test CA and require client
// certificates (--client-cert-auth); peers talk plain HTTP.
//
//   TEST(Foo, Bar) {
//     FABRIC_SKIP_WITHOUT_ETCD();
//     ASSERT_OK_AND_ASSIGN(auto cluster, EtcdCluster::Start({.members = 3}));
//     ASSERT_OK_AND_ASSIGN(auto client, Client::Open(cluster->ClientOptions()));
//     ASSERT_OK(cluster->Kill(0));
//   }
//
// The destructor kills every member (SIGKILL) and removes the directory.
//
// Thread-safety: not thread-safe; one test thread drives it.

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/etcd/client.h"
#include "common/msp/testing/test_org.h"
#include "fabric/base/status.h"
#include "fabric/base/testing/child_process.h"

namespace fabric::etcd::testing {

struct EtcdClusterOptions {
  int members = 1;
  bool tls = false;
  // Time to wait for the members to elect a leader and answer.
  std::chrono::milliseconds start_timeout{30000};
};

class EtcdCluster {
 public:
  static constexpr char kEtcdBinary[] = "/usr/bin/etcd";

  // Whether kEtcdBinary exists.
  static bool Available();
  // Whether the environment demands etcd tests run (FABRIC_REQUIRE_ETCD=1).
  static bool Required();

  // Starts the members and waits until each answers a linearizable read. Internal with the
  // member's log tail when one exits or does not answer within start_timeout.
  static StatusOr<std::unique_ptr<EtcdCluster>> Start(const EtcdClusterOptions& options);
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  // Member i's client endpoint, "127.0.0.1:<port>".
  const std::string& endpoint(int i) const { return members_[i].client_endpoint; }
  std::vector<std::string> endpoints() const;

  // Options for a client of every member; with TLS, presenting the test client certificate.
  etcd::ClientOptions ClientOptions() const;
  // With TLS: the CA file and the client's certificate and key files.
  const TlsFiles& client_tls() const { return client_tls_; }

  // SIGKILLs member i and reaps it.
  Status Kill(int i);
  // Starts member i again on its data directory and ports; waits until it answers (which needs
  // a quorum of members running).
  Status Restart(int i);
  // SIGKILLs every member, then starts them all again and waits until each answers (the whole
  // cluster's loss and return).
  Status RestartAll();
  bool running(int i) const { return members_[i].process != nullptr; }

  // The last `bytes` of member i's output, for failure messages.
  std::string LogTail(int i, size_t bytes = 2000) const;

 private:
  struct Member {
    std::string name;
    std::string client_endpoint;
    std::string peer_url;
    std::string data_dir;
    std::string log_file;
    std::unique_ptr<fabric::testing::ChildProcess> process;  // Null while killed.
  };

  EtcdCluster() = default;
  Status MakeTls();
  std::vector<std::string> Args(int i) const;
  void Spawn(int i);
  Status WaitReady(int i, std::chrono::milliseconds timeout);

  msp::testing::TempDir dir_;
  EtcdClusterOptions options_;
  std::string initial_cluster_;
  std::string token_;
  std::vector<Member> members_;
  // With TLS:
  std::string server_cert_file_;
  std::string server_key_file_;
  TlsFiles client_tls_;
};

}  // namespace fabric::etcd::testing

// In a test body: skips the test when etcd is not installed, or fails it when
// FABRIC_REQUIRE_ETCD=1 (CI machines that must run it).
#define FABRIC_SKIP_WITHOUT_ETCD()                                                        \
  do {                                                                                    \
    if (!::fabric::etcd::testing::EtcdCluster::Available()) {                             \
      if (::fabric::etcd::testing::EtcdCluster::Required()) {                             \
        FAIL() << "FABRIC_REQUIRE_ETCD=1 but /usr/bin/etcd is missing: apt-get install "  \
                  "etcd-server";                                                          \
      }                                                                                   \
      GTEST_SKIP() << "/usr/bin/etcd is missing (apt-get install etcd-server); skipping"; \
    }                                                                                     \
  } while (false)
