// SPDX-License-Identifier: Apache-2.0
//
// Test helpers for the orderer's tests: a cryptogen network (OrdererOrg, Org1, Org2) generated
// once per test binary, genesis blocks from configtxgen profiles with test batch settings, an
// orderer config over temporary directories, gRPC client helpers for Broadcast and Deliver, TLS
// settings and credentials, and a config update adding an organisation.
//
// Header-only; included by the orderer's gRPC tests only.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/channelconfig/configtx.h"
#include "common/channelconfig/testing/test_channel.h"
#include "common/comm/tls.h"
#include "common/crypto/file_util.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "orderer/ab.grpc.pb.h"
#include "orderer/config.h"
#include "tools/configtxgen/cli.h"
#include "tools/configtxgen/encoder.h"
#include "tools/configtxgen/profile.h"
#include "tools/cryptogen/config.h"
#include "tools/cryptogen/generator.h"

namespace fabric::orderer::testing {

// cryptogen's default network, every node's TLS certificate also naming 127.0.0.1 and
// localhost, where the tests' servers listen.
inline cryptogen::Config TestCryptoConfig() {
  cryptogen::Config config = cryptogen::DefaultConfig();
  for (auto* orgs : {&config.orderer_orgs, &config.peer_orgs}) {
    for (cryptogen::OrgSpec& org : *orgs) {
      org.node_template.sans = {"127.0.0.1", "localhost"};
      for (cryptogen::NodeSpec& spec : org.specs) {
        spec.sans = {"127.0.0.1", "localhost"};
      }
    }
  }
  return config;
}

// The directory holding crypto-config/; created on first use, removed at exit.
inline const std::string& NetworkDir() {
  static msp::testing::TempDir* tmp = [] {
    auto* dir = new msp::testing::TempDir();
    StatusOr<std::vector<std::string>> written = cryptogen::Generate(
        TestCryptoConfig(), dir->path() + "/crypto-config", cryptogen::GenerateOptions());
    EXPECT_TRUE(written.ok()) << written.status();
    return dir;
  }();
  static std::unique_ptr<msp::testing::TempDir> cleanup(tmp);
  return tmp->path();
}

inline std::string OrdererMspDir() {
  return NetworkDir() +
         "/crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com/msp";
}
inline std::string UserMspDir(int org, const std::string& user) {
  return absl::StrFormat(
      "%s/crypto-config/peerOrganizations/org%d.example.com/users/%s@org%d."
      "example.com/msp",
      NetworkDir(), org, user, org);
}

// A node's or user's tls/ folder: OrdererTlsDir() holds server.crt, server.key and ca.crt,
// UserTlsDir(1, "User1") client.crt, client.key and ca.crt.
inline std::string OrdererTlsDir() {
  return NetworkDir() +
         "/crypto-config/ordererOrganizations/example.com/orderers/orderer.example.com/tls";
}
inline std::string UserTlsDir(int org, const std::string& user) {
  std::string msp = UserMspDir(org, user);
  return msp.substr(0, msp.size() - 3) + "tls";
}

// The orderer's TLS settings from its tls/ folder.
inline TlsConfig OrdererTls(bool client_auth_required) {
  TlsConfig tls;
  tls.enabled = true;
  tls.certificate = OrdererTlsDir() + "/server.crt";
  tls.private_key = OrdererTlsDir() + "/server.key";
  tls.root_cas = {OrdererTlsDir() + "/ca.crt"};
  tls.client_auth_required = client_auth_required;
  return tls;
}

// TLS client credentials trusting the orderer org's TLS CA, presenting the key pair of
// `tls_dir` (client.crt, client.key) unless it is empty.
inline std::shared_ptr<grpc::ChannelCredentials> OrdererClientCredentials(
    const std::string& tls_dir) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = crypto::ReadFile(OrdererTlsDir() + "/ca.crt").value();
  if (!tls_dir.empty()) {
    options.pem_cert_chain = crypto::ReadFile(tls_dir + "/client.crt").value();
    options.pem_private_key = crypto::ReadFile(tls_dir + "/client.key").value();
  }
  return grpc::SslCredentials(options);
}

// What a request bound to the client certificate of `tls_dir` (client.crt) carries in its
// channel header (comm::CertHash); empty when the certificate cannot be read.
inline std::string ClientCertHash(const std::string& tls_dir) {
  StatusOr<std::string> pem = crypto::ReadFile(tls_dir + "/client.crt");
  return pem.ok() ? comm::CertHash({.cert_pem = *pem, .key_pem = ""}) : "";
}

// TLS client credentials trusting the orderer org's TLS CA (or `server_ca_pem` when not empty),
// presenting a fresh TLS certificate issued by `org`'s TLS CA to CN `common_name`.
inline std::shared_ptr<grpc::ChannelCredentials> TlsClientOf(
    const msp::testing::TestOrg& org, const std::string& common_name,
    const std::string& server_ca_pem = "") {
  const auto now = std::chrono::system_clock::now();
  StatusOr<msp::testing::TestIdentity> client = msp::testing::IssueTlsIdentity(
      org.tls_ca, common_name, {}, now - std::chrono::hours(1), now + std::chrono::hours(1));
  EXPECT_TRUE(client.ok()) << client.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs =
      server_ca_pem.empty() ? crypto::ReadFile(OrdererTlsDir() + "/ca.crt").value() : server_ca_pem;
  options.pem_cert_chain = client->cert_pem;
  options.pem_private_key = client->key.ToPem();
  return grpc::SslCredentials(options);
}

inline std::unique_ptr<msp::X509SigningIdentity> LoadUser(int org, const std::string& user) {
  StatusOr<std::unique_ptr<msp::X509SigningIdentity>> id =
      msp::LoadSigningIdentity(UserMspDir(org, user), absl::StrFormat("Org%dMSP", org));
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *std::move(id) : nullptr;
}

inline std::unique_ptr<msp::X509SigningIdentity> LoadOrdererIdentity() {
  StatusOr<std::unique_ptr<msp::X509SigningIdentity>> id =
      msp::LoadSigningIdentity(OrdererMspDir(), "OrdererMSP");
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *std::move(id) : nullptr;
}

inline StatusOr<configtxgen::Profile> LoadTestProfile(const std::string& name) {
  return configtxgen::LoadProfile(configtxgen::DefaultConfigJson(), name, NetworkDir());
}

struct BatchSettings {
  uint32_t max_message_count = 3;
  std::chrono::nanoseconds timeout = std::chrono::milliseconds(300);
  uint32_t absolute_max_bytes = 64 * 1024;
  uint32_t preferred_max_bytes = 32 * 1024;
  // Orderer.MaxChannels of a system channel (0: no limit).
  uint64_t max_channels = 0;
};

// Genesis block of `channel_id` from `profile_name` with `batch` settings.
inline StatusOr<common::Block> MakeGenesis(const std::string& profile_name,
                                           const std::string& channel_id,
                                           const BatchSettings& batch = {}) {
  StatusOr<configtxgen::Profile> profile = LoadTestProfile(profile_name);
  if (!profile.ok()) {
    return profile.status();
  }
  profile->orderer->batch_size.max_message_count = batch.max_message_count;
  profile->orderer->batch_size.absolute_max_bytes = batch.absolute_max_bytes;
  profile->orderer->batch_size.preferred_max_bytes = batch.preferred_max_bytes;
  profile->orderer->batch_timeout = batch.timeout;
  profile->orderer->max_channels = batch.max_channels;
  return configtxgen::MakeGenesisBlock(*profile, channel_id);
}

// Writes `block` to `path`.
inline Status WriteBlock(const std::string& path, const common::Block& block) {
  return crypto::WriteFileAtomic(path, protoutil::Marshal(block), 0644);
}

// An orderer config on 127.0.0.1:0 with ledger under `dir`.
inline OrdererConfig TestConfig(const std::string& dir, std::vector<std::string> bootstrap) {
  OrdererConfig config;
  config.listen_address = "127.0.0.1";
  config.listen_port = 0;
  config.local_msp_dir = OrdererMspDir();
  config.local_msp_id = "OrdererMSP";
  config.file_ledger_location = dir + "/ledger";
  config.bootstrap_files = std::move(bootstrap);
  config.max_threads = 32;
  return config;
}

// An ENDORSER_TRANSACTION envelope signed by `signer` whose data is `size` bytes.
inline common::Envelope MakeTx(const std::string& channel, const msp::SigningIdentity& signer,
                               size_t size = 100) {
  common::BlockData data;
  data.add_data(std::string(size, 'x'));
  StatusOr<common::Envelope> env =
      protoutil::CreateSignedEnvelope(common::ENDORSER_TRANSACTION, channel, signer, data);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *env : common::Envelope();
}

inline ::orderer::SeekPosition Specified(uint64_t n) {
  ::orderer::SeekPosition p;
  p.mutable_specified()->set_number(n);
  return p;
}
inline ::orderer::SeekPosition Oldest() {
  ::orderer::SeekPosition p;
  p.mutable_oldest();
  return p;
}
inline ::orderer::SeekPosition Newest() {
  ::orderer::SeekPosition p;
  p.mutable_newest();
  return p;
}

inline common::Envelope MakeSeek(
    const std::string& channel, const msp::SigningIdentity& signer,
    const ::orderer::SeekPosition& start, const ::orderer::SeekPosition& stop,
    ::orderer::SeekInfo::SeekBehavior behavior = ::orderer::SeekInfo::BLOCK_UNTIL_READY) {
  ::orderer::SeekInfo seek;
  *seek.mutable_start() = start;
  *seek.mutable_stop() = stop;
  seek.set_behavior(behavior);
  StatusOr<common::Envelope> env =
      protoutil::CreateSignedEnvelope(common::DELIVER_SEEK_INFO, channel, signer, seek);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *env : common::Envelope();
}

// A client of one orderer.
class Client {
 public:
  explicit Client(int port, std::shared_ptr<grpc::ChannelCredentials> creds =
                                grpc::InsecureChannelCredentials())
      : channel_(grpc::CreateChannel(absl::StrFormat("127.0.0.1:%d", port), std::move(creds))),
        stub_(::orderer::AtomicBroadcast::NewStub(channel_)) {}

  // Sends `envelopes` on one Broadcast stream; returns one response per envelope.
  std::vector<::orderer::BroadcastResponse> Broadcast(
      const std::vector<common::Envelope>& envelopes) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    auto stream = stub_->Broadcast(&context);
    std::vector<::orderer::BroadcastResponse> responses;
    for (const common::Envelope& env : envelopes) {
      if (!stream->Write(env)) {
        break;
      }
      ::orderer::BroadcastResponse response;
      if (!stream->Read(&response)) {
        break;
      }
      responses.push_back(response);
    }
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return responses;
  }

  common::Status BroadcastOne(const common::Envelope& envelope, std::string* info = nullptr) {
    std::vector<::orderer::BroadcastResponse> r = Broadcast({envelope});
    if (r.empty()) {
      return common::UNKNOWN;
    }
    if (info != nullptr) {
      *info = r[0].info();
    }
    return r[0].status();
  }

  struct DeliverResult {
    std::vector<common::Block> blocks;
    common::Status status = common::UNKNOWN;  // UNKNOWN: no final status before the deadline.
  };

  // Sends one seek request and collects blocks until the final status or `timeout`.
  DeliverResult Deliver(const common::Envelope& seek,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    auto stream = stub_->Deliver(&context);
    DeliverResult result;
    if (!stream->Write(seek)) {
      return result;
    }
    ::orderer::DeliverResponse response;
    while (stream->Read(&response)) {
      if (response.has_block()) {
        result.blocks.push_back(response.block());
      } else {
        result.status = response.status();
        break;
      }
    }
    context.TryCancel();
    return result;
  }

  ::orderer::AtomicBroadcast::Stub& stub() { return *stub_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stub_;
};

// What `peer channel create` does with configtxgen's unsigned channel creation tx: sign the
// ConfigUpdate as `admin` and wrap it in an envelope signed by `admin`.
inline common::Envelope SignCreationTx(const common::Envelope& unsigned_tx,
                                       const msp::SigningIdentity& admin,
                                       bool add_signature = true) {
  std::string channel_id;
  StatusOr<common::ConfigUpdateEnvelope> cue =
      channelconfig::UnwrapConfigUpdate(unsigned_tx, &channel_id);
  EXPECT_TRUE(cue.ok()) << cue.status();
  if (add_signature) {
    common::ConfigSignature* sig = cue->add_signatures();
    sig->set_signature_header(protoutil::Marshal(
        protoutil::MakeSignatureHeader(admin.Serialize(), *protoutil::CreateNonce())));
    sig->set_signature(*admin.Sign(sig->signature_header() + cue->config_update()));
  }
  StatusOr<common::Envelope> env =
      protoutil::CreateSignedEnvelope(common::CONFIG_UPDATE, channel_id, admin, *cue);
  EXPECT_TRUE(env.ok()) << env.status();
  return *env;
}

// Broadcasts through `client` a config update of `channel`, whose config is `current`, adding
// `org` as an application org; signed by Org1's and Org2's admins (the Application group's
// Admins majority). Returns the orderer's status.
inline common::Status AddApplicationOrg(Client& client, const std::string& channel,
                                        const common::Config& current,
                                        const msp::testing::TestOrg& org, std::string* info) {
  common::Config edited = current;
  channelconfig::testing::GroupAt(edited, {"Application", org.msp_id}) =
      channelconfig::testing::OrgGroup(org);
  StatusOr<common::ConfigUpdate> update =
      channelconfig::testing::ComputeUpdate(channel, current, edited);
  EXPECT_TRUE(update.ok()) << update.status();
  auto admin1 = LoadUser(1, "Admin");
  auto admin2 = LoadUser(2, "Admin");
  StatusOr<common::Envelope> env = channelconfig::testing::MakeConfigUpdateEnvelope(
      channel, *update, {admin1.get(), admin2.get()});
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? client.BroadcastOne(*env, info) : common::BAD_REQUEST;
}

}  // namespace fabric::orderer::testing
