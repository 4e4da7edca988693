// SPDX-License-Identifier: Apache-2.0
//
// Test helpers: MSP folders on disk laid out as cryptogen does, with real P-256 keys, for the
// tests of msp, policies, endorser, tools and anything else that needs identities.
//
//   TempDir tmp;
//   ASSERT_OK_AND_ASSIGN-style: StatusOr<TestOrg> org =
//       MakeTestOrg(tmp.path() + "/org1", "Org1MSP", "org1.example.com");
//   org->msp_dir             the organisation's verifying MSP (what configtxgen reads)
//   org->peer.msp_dir        peers/peer0.org1.example.com/msp, a local MSP with signcerts/keystore
//   org->admin, org->client, org->orderer  likewise (users/Admin@..., users/User1@...,
//                            orderers/orderer.org1.example.com)
//
// Thread-safety: the functions are safe to call concurrently on different directories.

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "fabric/base/status.h"

namespace fabric::msp::testing {

using TimePoint = std::chrono::system_clock::time_point;

// A directory under $TMPDIR (or /tmp), removed with its content by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct TestCa {
  crypto::Certificate cert;
  crypto::PrivateKey key;
};

struct TestIdentity {
  std::string name;     // e.g. "peer0.org1.example.com", "Admin@org1.example.com".
  std::string msp_dir;  // Its local MSP folder; empty until written.
  crypto::Certificate cert;
  crypto::PrivateKey key;
  std::string cert_pem;
};

struct TestOrgOptions {
  bool node_ous = true;              // Write config.yaml with NodeOUs enabled.
  bool intermediate_ca = false;      // Identities are issued by an intermediate CA.
  bool admin_in_admincerts = false;  // Also put the admin certificate in admincerts/ (1.x style).
  // Validity of every certificate; defaults: one hour ago to ten years from now.
  std::optional<TimePoint> not_before;
  std::optional<TimePoint> not_after;
};

struct TestOrg {
  std::string msp_id;
  std::string domain;
  std::string dir;      // The organisation's folder.
  std::string msp_dir;  // dir + "/msp".
  TestCa root_ca;
  std::optional<TestCa> intermediate_ca;
  TestCa tls_ca;
  TestIdentity peer, admin, client, orderer;
  TestOrgOptions options;  // As passed to MakeTestOrg; WriteLocalMsp follows it.

  // The CA that issues the organisation's identities (intermediate if any, else root).
  const TestCa& issuing_ca() const { return intermediate_ca ? *intermediate_ca : root_ca; }
};

// Creates the folders of one organisation under `dir` (created if missing): root CA (CN
// ca.<domain>), optional intermediate CA (ica.<domain>), TLS CA (tlsca.<domain>), and the peer
// (OU peer), admin (OU admin), client (OU client) and orderer (OU orderer) identities, each with
// a local MSP folder. Internal or the crypto error on failure.
StatusOr<TestOrg> MakeTestOrg(const std::string& dir, const std::string& msp_id,
                              const std::string& domain, const TestOrgOptions& options = {});

// A CA certificate and key: self-signed when `parent` is null, else issued by it.
StatusOr<TestCa> MakeCa(const std::string& common_name, const std::string& organization,
                        TimePoint not_before, TimePoint not_after, const TestCa* parent = nullptr);

// A leaf identity issued by `ca` with subject CN `common_name` and OUs `ous`.
StatusOr<TestIdentity> IssueIdentity(const TestCa& ca, const std::string& common_name,
                                     const std::vector<std::string>& ous, TimePoint not_before,
                                     TimePoint not_after);

// A TLS certificate issued by `ca` with subject CN `common_name`, extKeyUsage serverAuth and
// clientAuth (as cryptogen's TLS certificates), and subjectAltNames `hosts` (IP addresses become
// IP SANs, e.g. {"127.0.0.1", "localhost"}).
StatusOr<TestIdentity> IssueTlsIdentity(const TestCa& ca, const std::string& common_name,
                                        const std::vector<std::string>& hosts, TimePoint not_before,
                                        TimePoint not_after);

// Writes `identity`'s local MSP folder at `msp_dir` for `org` (cacerts, intermediatecerts,
// tlscacerts, admincerts, config.yaml as the organisation's, plus signcerts/<name>-cert.pem and
// keystore/priv_sk) and sets identity->msp_dir.
Status WriteLocalMsp(const TestOrg& org, const std::string& msp_dir, TestIdentity* identity);

// Fabric's NodeOUs config.yaml, every OU identifier naming `ca_cert_path` (relative to the MSP
// folder).
std::string NodeOusConfigYaml(const std::string& ca_cert_path);

// A PEM CRL issued by `ca` (with its authority key identifier) revoking `serials` (minimal
// big-endian bytes, as Certificate::SerialNumber).
StatusOr<std::string> MakeCrlPem(const TestCa& ca, const std::vector<std::string>& serials,
                                 TimePoint now);

// Marshalled msp.SerializedIdentity{mspid, id_bytes}.
std::string SerializeIdentity(const std::string& msp_id, const std::string& id_bytes);

// Writes `content` to `path`, creating parent directories.
Status WriteTestFile(const std::string& path, const std::string& content);

}  // namespace fabric::msp::testing
