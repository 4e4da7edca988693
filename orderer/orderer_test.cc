// SPDX-License-Identifier: Apache-2.0
//
// The orderer in-process over real gRPC on 127.0.0.1:0, with cryptogen keys, configtxgen
// genesis blocks and block stores in temporary directories.
#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/channelconfig/bundle.h"
#include "common/channelconfig/configtx.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/block_writer.h"
#include "orderer/chain.h"
#include "orderer/deliver.h"
#include "orderer/node.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using msp::testing::TempDir;
using testing::Client;
using testing::MakeSeek;
using testing::MakeTx;
using testing::Newest;
using testing::Oldest;
using testing::SignCreationTx;
using testing::Specified;

constexpr char kChannel[] = "mychannel";

// Checks SIGNATURES and LAST_CONFIG of `block` against the orderer's key.
void ExpectSignedBy(const common::Block& block, const msp::X509SigningIdentity& orderer,
                    uint64_t last_config) {
  for (int index : {0, 1}) {
    ASSERT_GT(block.metadata().metadata_size(), index);
    ASSERT_OK_AND_ASSIGN(auto md, protoutil::Unmarshal<common::Metadata>(
                                      block.metadata().metadata(index), "metadata"));
    ASSERT_EQ(md.signatures_size(), 1) << "metadata index " << index;
    const common::MetadataSignature& sig = md.signatures(0);
    ASSERT_OK_AND_ASSIGN(auto shdr, protoutil::Unmarshal<common::SignatureHeader>(
                                        sig.signature_header(), "signature header"));
    EXPECT_EQ(shdr.creator(), orderer.Serialize());
    EXPECT_EQ(shdr.nonce().size(), 24u);
    EXPECT_OK(orderer.public_key().Verify(
        MetadataSignedBytes(md.value(), sig.signature_header(), block.header()), sig.signature()));
  }
  ASSERT_OK_AND_ASSIGN(uint64_t index, LastConfigIndexFromBlock(block));
  EXPECT_EQ(index, last_config);
}

void ExpectHashChain(const std::vector<common::Block>& blocks) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i].header().data_hash(), protoutil::BlockDataHash(blocks[i].data()));
    if (i > 0) {
      EXPECT_EQ(blocks[i].header().number(), blocks[i - 1].header().number() + 1);
      EXPECT_EQ(blocks[i].header().previous_hash(),
                protoutil::BlockHeaderHash(blocks[i - 1].header()));
    }
  }
}

class OrdererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(common::Block genesis,
                         testing::MakeGenesis("TwoOrgsApplicationGenesis", kChannel));
    genesis_path_ = tmp_.path() + "/genesis.block";
    ASSERT_OK(testing::WriteBlock(genesis_path_, genesis));
    Start();
    user1_ = testing::LoadUser(1, "User1");
    user2_ = testing::LoadUser(2, "User1");
    orderer_id_ = testing::LoadOrdererIdentity();
  }

  void Start() {
    ASSERT_OK_AND_ASSIGN(orderer_,
                         Orderer::Start(testing::TestConfig(tmp_.path(), {genesis_path_})));
    client_ = std::make_unique<Client>(orderer_->port());
  }

  void Restart() {
    client_.reset();
    orderer_.reset();
    Start();
  }

  TempDir tmp_;
  std::string genesis_path_;
  std::unique_ptr<Orderer> orderer_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<msp::X509SigningIdentity> user1_, user2_, orderer_id_;
};

TEST_F(OrdererTest, CutsBlockByCountAndDeliverStreamsSignedHashChainedBlocks) {
  std::vector<common::Envelope> txs = {MakeTx(kChannel, *user1_), MakeTx(kChannel, *user2_),
                                       MakeTx(kChannel, *user1_)};
  for (const auto& r : client_->Broadcast(txs)) {
    EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  }
  Client::DeliverResult result =
      client_->Deliver(MakeSeek(kChannel, *user1_, Oldest(), Specified(1)));
  ASSERT_EQ(result.status, common::SUCCESS);
  ASSERT_EQ(result.blocks.size(), 2u);
  EXPECT_EQ(result.blocks[1].data().data_size(), 3);
  EXPECT_EQ(result.blocks[1].data().data(0), protoutil::Marshal(txs[0]));
  ExpectHashChain(result.blocks);
  ExpectSignedBy(result.blocks[1], *orderer_id_, 0);
}

TEST_F(OrdererTest, CutsBlockOnBatchTimeout) {
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user1_)), common::SUCCESS);
  Client::DeliverResult result =
      client_->Deliver(MakeSeek(kChannel, *user1_, Specified(1), Specified(1)));
  ASSERT_EQ(result.status, common::SUCCESS);
  ASSERT_EQ(result.blocks.size(), 1u);
  EXPECT_EQ(result.blocks[0].data().data_size(), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
}

TEST_F(OrdererTest, MessageAbovePreferredMaxBytesIsCutAlone) {
  std::vector<common::Envelope> txs = {MakeTx(kChannel, *user1_, 100),
                                       MakeTx(kChannel, *user1_, 40 * 1024)};
  for (const auto& r : client_->Broadcast(txs)) {
    EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  }
  Client::DeliverResult result =
      client_->Deliver(MakeSeek(kChannel, *user1_, Specified(1), Specified(2)));
  ASSERT_EQ(result.status, common::SUCCESS);
  ASSERT_EQ(result.blocks.size(), 2u);
  EXPECT_EQ(result.blocks[0].data().data_size(), 1);
  EXPECT_EQ(result.blocks[1].data().data_size(), 1);
}

TEST_F(OrdererTest, BroadcastRejectsBadEnvelopesAndKeepsTheStreamGoing) {
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ASSERT_OK_AND_ASSIGN(auto outsider, msp::LoadSigningIdentity(org3.client.msp_dir, "Org3MSP"));
  common::Envelope unsigned_tx = MakeTx(kChannel, *user1_);
  unsigned_tx.clear_signature();
  common::Envelope wrong_sig = MakeTx(kChannel, *user1_);
  wrong_sig.set_signature(MakeTx(kChannel, *user2_).signature());
  common::Envelope garbage;
  garbage.set_payload("\xff\xff\xff garbage");
  common::Envelope config_type = MakeTx(kChannel, *user1_);
  {
    common::ChannelHeader chdr = protoutil::MakeChannelHeader(common::CONFIG, 0, kChannel, 0);
    common::Payload payload = protoutil::MakePayload(chdr, common::SignatureHeader(), "x");
    config_type.set_payload(protoutil::Marshal(payload));
  }
  std::vector<common::Envelope> envs = {
      MakeTx(kChannel, *outsider),           // non-member
      unsigned_tx,                           // no signature
      wrong_sig,                             // someone else's signature
      MakeTx("nochannel", *user1_),          // unknown channel
      MakeTx(kChannel, *user1_, 70 * 1024),  // > AbsoluteMaxBytes (64 KB)
      garbage,                               // not a payload
      common::Envelope(),                    // empty
      config_type,                           // CONFIG cannot be broadcast
      MakeTx(kChannel, *user1_),             // still accepted after all that
  };
  std::vector<::orderer::BroadcastResponse> r = client_->Broadcast(envs);
  ASSERT_EQ(r.size(), envs.size());
  std::vector<common::Status> want = {common::FORBIDDEN,   common::FORBIDDEN,   common::FORBIDDEN,
                                      common::NOT_FOUND,   common::BAD_REQUEST, common::BAD_REQUEST,
                                      common::BAD_REQUEST, common::BAD_REQUEST, common::SUCCESS};
  for (size_t i = 0; i < envs.size(); ++i) {
    EXPECT_EQ(r[i].status(), want[i]) << "envelope " << i << ": " << r[i].info();
    if (want[i] != common::SUCCESS) {
      EXPECT_FALSE(r[i].info().empty()) << "envelope " << i;
    }
  }
  // Only the last one was ordered.
  Client::DeliverResult result =
      client_->Deliver(MakeSeek(kChannel, *user1_, Specified(1), Specified(1)));
  ASSERT_EQ(result.blocks.size(), 1u);
  EXPECT_EQ(result.blocks[0].data().data_size(), 1);
}

TEST_F(OrdererTest, DeliverSeekVariants) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user1_)), common::SUCCESS);
  }
  // Blocks 1 and 2 hold three transactions each.
  Client::DeliverResult all = client_->Deliver(MakeSeek(kChannel, *user1_, Oldest(), Specified(2)));
  ASSERT_EQ(all.status, common::SUCCESS);
  ASSERT_EQ(all.blocks.size(), 3u);
  ExpectHashChain(all.blocks);

  Client::DeliverResult newest = client_->Deliver(MakeSeek(kChannel, *user1_, Newest(), Newest()));
  ASSERT_EQ(newest.status, common::SUCCESS);
  ASSERT_EQ(newest.blocks.size(), 1u);
  EXPECT_EQ(newest.blocks[0].header().number(), 2u);

  Client::DeliverResult oldest = client_->Deliver(MakeSeek(kChannel, *user1_, Oldest(), Newest()));
  EXPECT_EQ(oldest.status, common::SUCCESS);
  EXPECT_EQ(oldest.blocks.size(), 3u);

  Client::DeliverResult range =
      client_->Deliver(MakeSeek(kChannel, *user2_, Specified(1), Specified(2)));
  EXPECT_EQ(range.status, common::SUCCESS);
  ASSERT_EQ(range.blocks.size(), 2u);
  EXPECT_EQ(range.blocks[0].header().number(), 1u);

  Client::DeliverResult not_ready = client_->Deliver(MakeSeek(
      kChannel, *user1_, Specified(3), Specified(3), ::orderer::SeekInfo::FAIL_IF_NOT_READY));
  EXPECT_EQ(not_ready.status, common::NOT_FOUND);
  EXPECT_TRUE(not_ready.blocks.empty());

  Client::DeliverResult beyond =
      client_->Deliver(MakeSeek(kChannel, *user1_, Specified(10), Specified(10)));
  EXPECT_EQ(beyond.status, common::NOT_FOUND);

  Client::DeliverResult backwards =
      client_->Deliver(MakeSeek(kChannel, *user1_, Specified(2), Specified(1)));
  EXPECT_EQ(backwards.status, common::BAD_REQUEST);

  Client::DeliverResult unknown =
      client_->Deliver(MakeSeek("nochannel", *user1_, Oldest(), Newest()));
  EXPECT_EQ(unknown.status, common::NOT_FOUND);

  common::Envelope garbage;
  garbage.set_payload("garbage");
  EXPECT_EQ(client_->Deliver(garbage).status, common::BAD_REQUEST);
}

TEST_F(OrdererTest, DeliverEnforcesReaders) {
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ASSERT_OK_AND_ASSIGN(auto outsider, msp::LoadSigningIdentity(org3.client.msp_dir, "Org3MSP"));
  EXPECT_EQ(client_->Deliver(MakeSeek(kChannel, *outsider, Oldest(), Newest())).status,
            common::FORBIDDEN);
  common::Envelope unsigned_seek = MakeSeek(kChannel, *user1_, Oldest(), Newest());
  unsigned_seek.clear_signature();
  EXPECT_EQ(client_->Deliver(unsigned_seek).status, common::FORBIDDEN);
  // An orderer-org member is a reader too.
  EXPECT_EQ(client_->Deliver(MakeSeek(kChannel, *orderer_id_, Oldest(), Newest())).status,
            common::SUCCESS);
}

TEST_F(OrdererTest, ConcurrentDeliverClientsFollowNewBlocks) {
  constexpr int kClients = 6;
  std::vector<Client::DeliverResult> results(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Client client(orderer_->port());
      results[i] = client.Deliver(MakeSeek(kChannel, *user1_, Specified(1), Specified(3)),
                                  std::chrono::seconds(20));
    });
  }
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user2_)), common::SUCCESS);
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& r : results) {
    EXPECT_EQ(r.status, common::SUCCESS);
    ASSERT_EQ(r.blocks.size(), 3u);
    EXPECT_EQ(r.blocks[2].header().number(), 3u);
  }
}

TEST_F(OrdererTest, RestartServesOldBlocksAndContinuesTheChain) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user1_)), common::SUCCESS);
  }
  Client::DeliverResult before =
      client_->Deliver(MakeSeek(kChannel, *user1_, Oldest(), Specified(1)));
  ASSERT_EQ(before.blocks.size(), 2u);
  Restart();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user1_)), common::SUCCESS);
  }
  Client::DeliverResult after =
      client_->Deliver(MakeSeek(kChannel, *user1_, Oldest(), Specified(2)));
  ASSERT_EQ(after.status, common::SUCCESS);
  ASSERT_EQ(after.blocks.size(), 3u);
  EXPECT_EQ(after.blocks[1].SerializeAsString(), before.blocks[1].SerializeAsString());
  ExpectHashChain(after.blocks);
  ExpectSignedBy(after.blocks[2], *orderer_id_, 0);
}

TEST_F(OrdererTest, WaitingDeliverEndsWithServiceUnavailableOnShutdown) {
  std::atomic<common::Status> status{common::UNKNOWN};
  std::thread waiter([&] {
    Client client(orderer_->port());
    status = client
                 .Deliver(MakeSeek(kChannel, *user1_, Specified(1), Specified(1)),
                          std::chrono::seconds(20))
                 .status;
  });
  // The request waits for block 1.
  EXPECT_TRUE(WaitUntil(
      [&] { return orderer_->registrar().GetChain(kChannel)->store().waiting_readers() == 1; }));
  orderer_->Stop();
  waiter.join();
  EXPECT_EQ(status.load(), common::SERVICE_UNAVAILABLE);
}

// Open streams hold no thread: 200 idle Broadcast and 200 idle Deliver streams (more than the
// Broadcast workers) leave other clients served, with a few threads more at most.
TEST_F(OrdererTest, IdleStreamsLeaveOtherClientsServed) {
  auto count_threads = [] {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
      ++n;
    }
    return n;
  };
  ASSERT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user1_)), common::SUCCESS);
  const int threads_before = count_threads();
  auto channel = grpc::CreateChannel(absl::StrFormat("127.0.0.1:%d", orderer_->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = ::orderer::AtomicBroadcast::NewStub(channel);
  constexpr int kIdle = 200;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<
      std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, ::orderer::BroadcastResponse>>>
      broadcasts;
  std::vector<
      std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, ::orderer::DeliverResponse>>>
      delivers;
  for (int i = 0; i < kIdle; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    broadcasts.push_back(stub->Broadcast(contexts.back().get()));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    delivers.push_back(stub->Deliver(contexts.back().get()));
  }
  EXPECT_TRUE(WaitUntil([&] { return orderer_->open_streams() == 2 * kIdle; }));
  EXPECT_EQ(client_->BroadcastOne(MakeTx(kChannel, *user1_)), common::SUCCESS);
  // The first transaction's block is cut by its batch timeout.
  EXPECT_TRUE(
      WaitUntil([&] { return orderer_->registrar().GetChain(kChannel)->store().Height() >= 2; }));
  Client::DeliverResult blocks = client_->Deliver(MakeSeek(kChannel, *user1_, Oldest(), Newest()));
  EXPECT_EQ(blocks.status, common::SUCCESS);
  EXPECT_GE(blocks.blocks.size(), 2u);
  // The test's own client lives in this process too: allow gRPC a few threads of its own.
  EXPECT_LT(count_threads(), threads_before + 16);
  for (auto& c : contexts) {
    c->TryCancel();
  }
}

class ChannelCreationTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}, tmp_.path()); }

  // An orderer with its ledger under `dir`, bootstrapped with a system channel.
  void Start(const testing::BatchSettings& settings, const std::string& dir) {
    ASSERT_OK_AND_ASSIGN(common::Block genesis,
                         testing::MakeGenesis("TwoOrgsOrdererGenesis", "syschannel", settings));
    std::filesystem::create_directories(dir);
    std::string path = dir + "/system.block";
    ASSERT_OK(testing::WriteBlock(path, genesis));
    ASSERT_OK_AND_ASSIGN(orderer_, Orderer::Start(testing::TestConfig(dir, {path})));
    client_ = std::make_unique<Client>(orderer_->port());
    ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile, testing::LoadTestProfile("TwoOrgsChannel"));
    ASSERT_OK_AND_ASSIGN(creation_tx_, configtxgen::MakeChannelCreationTx(profile, "newchan"));
    admin1_ = testing::LoadUser(1, "Admin");
    user1_ = testing::LoadUser(1, "User1");
  }

  // Block 0 of `channel`, waiting for the channel to appear.
  Client::DeliverResult FetchGenesis(const std::string& channel) {
    Client::DeliverResult r;
    (void)WaitUntil(
        [&] {
          r = client_->Deliver(MakeSeek(channel, *admin1_, Specified(0), Specified(0)));
          return r.status != common::NOT_FOUND;
        },
        std::chrono::seconds(5));
    return r;
  }

  TempDir tmp_;
  std::unique_ptr<Orderer> orderer_;
  std::unique_ptr<Client> client_;
  common::Envelope creation_tx_;
  std::unique_ptr<msp::X509SigningIdentity> admin1_, user1_;
};

TEST_F(ChannelCreationTest, AdminSignedCreationTxCreatesTheChannel) {
  std::string info;
  ASSERT_EQ(client_->BroadcastOne(SignCreationTx(creation_tx_, *admin1_), &info), common::SUCCESS)
      << info;
  Client::DeliverResult genesis = FetchGenesis("newchan");
  ASSERT_EQ(genesis.status, common::SUCCESS);
  ASSERT_EQ(genesis.blocks.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto bundle, channelconfig::Bundle::FromConfigBlock(genesis.blocks[0]));
  EXPECT_EQ(bundle->channel_id(), "newchan");
  EXPECT_EQ(bundle->sequence(), 1u);
  EXPECT_EQ(bundle->consortium(), "SampleConsortium");
  ASSERT_EQ(bundle->application_orgs().size(), 2u);
  EXPECT_EQ(bundle->application_orgs()[0].msp_id, "Org1MSP");
  EXPECT_EQ(bundle->batch_size().max_message_count, 3u);
  // The system channel recorded the creation in block 1.
  Client::DeliverResult sys = client_->Deliver(
      MakeSeek("syschannel", *testing::LoadOrdererIdentity(), Specified(1), Specified(1)));
  ASSERT_EQ(sys.status, common::SUCCESS);
  // The new channel orders transactions.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_->BroadcastOne(MakeTx("newchan", *user1_)), common::SUCCESS);
  }
  Client::DeliverResult blocks =
      client_->Deliver(MakeSeek("newchan", *user1_, Oldest(), Specified(1)));
  ASSERT_EQ(blocks.status, common::SUCCESS);
  ExpectHashChain(blocks.blocks);
  // A second creation of the same channel is refused.
  EXPECT_NE(client_->BroadcastOne(SignCreationTx(creation_tx_, *admin1_)), common::SUCCESS);
}

// Fabric answers BAD_REQUEST: the creation policy is a mod_policy of the template config.
TEST_F(ChannelCreationTest, CreationWithoutAdminSignatureIsRefused) {
  std::string info;
  EXPECT_EQ(client_->BroadcastOne(SignCreationTx(creation_tx_, *user1_), &info),
            common::BAD_REQUEST)
      << info;
  EXPECT_EQ(client_->BroadcastOne(SignCreationTx(creation_tx_, *admin1_, false), &info),
            common::BAD_REQUEST)
      << info;
  EXPECT_EQ(client_->BroadcastOne(creation_tx_, &info), common::BAD_REQUEST) << info;
  EXPECT_EQ(client_->Deliver(MakeSeek("newchan", *admin1_, Oldest(), Newest())).status,
            common::NOT_FOUND);
}

// Fabric's SystemChainFilter at Broadcast: with MaxChannels 1 the system channel and one
// application channel may exist; the next creation is BAD_REQUEST.
TEST_F(ChannelCreationTest, CreationBeyondMaxChannelsIsBadRequest) {
  client_.reset();
  orderer_.reset();
  testing::BatchSettings settings;
  settings.max_channels = 1;
  Start(settings, tmp_.path() + "/limited");
  std::string info;
  ASSERT_EQ(client_->BroadcastOne(SignCreationTx(creation_tx_, *admin1_), &info), common::SUCCESS)
      << info;
  ASSERT_EQ(FetchGenesis("newchan").status, common::SUCCESS);
  ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile, testing::LoadTestProfile("TwoOrgsChannel"));
  ASSERT_OK_AND_ASSIGN(common::Envelope second,
                       configtxgen::MakeChannelCreationTx(profile, "secondchan"));
  EXPECT_EQ(client_->BroadcastOne(SignCreationTx(second, *admin1_), &info), common::BAD_REQUEST);
  EXPECT_EQ(info, "channel creation would exceed maximimum number of channels: 1");
}

TEST_F(ChannelCreationTest, CreatedChannelSurvivesRestart) {
  ASSERT_EQ(client_->BroadcastOne(SignCreationTx(creation_tx_, *admin1_)), common::SUCCESS);
  ASSERT_EQ(FetchGenesis("newchan").status, common::SUCCESS);
  client_.reset();
  orderer_.reset();
  ASSERT_OK_AND_ASSIGN(orderer_, Orderer::Start(testing::TestConfig(tmp_.path(), {})));
  client_ = std::make_unique<Client>(orderer_->port());
  EXPECT_EQ(client_->Deliver(MakeSeek("newchan", *admin1_, Oldest(), Newest())).status,
            common::SUCCESS);
  EXPECT_EQ(client_->BroadcastOne(MakeTx("newchan", *user1_)), common::SUCCESS);
}

// Fabric's session access control: a Deliver request admitted for a valid client is refused
// FORBIDDEN before the first block after the client's certificate expired.
TEST(DeliverHandlerTest, SessionEndsWhenTheClientCertificateExpires) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(common::Block genesis,
                       testing::MakeGenesis("TwoOrgsOrdererGenesis", "syschannel"));
  std::unique_ptr<msp::X509SigningIdentity> orderer = testing::LoadOrdererIdentity();
  Registrar::Options registrar_options;
  registrar_options.ledger_dir = tmp.path();
  registrar_options.sync = false;
  ASSERT_OK_AND_ASSIGN(auto registrar, Registrar::Open(registrar_options, {genesis}, *orderer));
  auto hours_ahead = std::make_shared<std::atomic<int64_t>>(0);
  DeliverHandler::Options options;
  options.clock = [hours_ahead] {
    return std::chrono::system_clock::now() + std::chrono::hours(hours_ahead->load());
  };
  DeliverHandler handler(*registrar, options);
  common::Status status = common::UNKNOWN;
  auto session = handler.Open(MakeSeek("syschannel", *orderer, Specified(0), Specified(1000)),
                              deliver::Client{"test", ""}, &status);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(status, common::SUCCESS);
  EXPECT_EQ(session->start, 0u);
  EXPECT_EQ(session->stop, 1000u);
  EXPECT_EQ(session->CheckBlock(), common::SUCCESS);
  const auto valid_for = orderer->certificate().NotAfter() - std::chrono::system_clock::now();
  hours_ahead->store(std::chrono::duration_cast<std::chrono::hours>(valid_for).count() + 2);
  EXPECT_EQ(session->CheckBlock(), common::FORBIDDEN);
  // A new request from the expired client gets no block either.
  auto again = handler.Open(MakeSeek("syschannel", *orderer, Specified(0), Specified(0)),
                            deliver::Client{"test", ""}, &status);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->CheckBlock(), common::FORBIDDEN);
}

// Broadcast's acknowledgement promises what Fabric's solo orderer promises: Order returns only
// once the ordering thread has taken the message (nothing acknowledged waits in a queue).
TEST(ChainSupportTest, OrderReturnsOnlyOnceTheOrderingThreadTookTheMessage) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(common::Block genesis,
                       testing::MakeGenesis("TwoOrgsOrdererGenesis", "syschannel"));
  std::unique_ptr<msp::X509SigningIdentity> orderer = testing::LoadOrdererIdentity();
  ChainSupport::Options options;
  options.channel_id = "syschannel";
  options.store.block_dir = tmp.path() + "/syschannel";
  ASSERT_OK_AND_ASSIGN(auto chain, ChainSupport::Open(options, &genesis, *orderer));
  const uint64_t seq = chain->bundle()->sequence();
  std::future<Status> acked = std::async(
      std::launch::async, [&] { return chain->Order(MakeTx("syschannel", *orderer), seq); });
  // The ordering thread is not running: the message is queued but not acknowledged.
  EXPECT_EQ(acked.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  chain->Start();
  ASSERT_EQ(acked.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_OK(acked.get());
  // A chain halted before taking a message answers Unavailable.
  chain->Halt();
  EXPECT_TRUE(chain->Order(MakeTx("syschannel", *orderer), seq).IsUnavailable());
}

}  // namespace
}  // namespace fabric::orderer
