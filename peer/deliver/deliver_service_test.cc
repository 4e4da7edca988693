// SPDX-License-Identifier: Apache-2.0

#include "peer/deliver/deliver_service.h"

#include <dirent.h>

#include <thread>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/protoutil/txutils.h"
#include "fabric/base/testing/wait_until.h"
#include "peer/chaincode_event.pb.h"
#include "peer/committer/testing/fixture.h"

namespace fabric::deliver {
namespace {

using committer::testing::CommitterFixture;
using Response = protos::DeliverResponse;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Threads of this process.
int ThreadCount() {
  DIR* dir = opendir("/proc/self/task");
  int n = 0;
  while (dirent* e = readdir(dir)) {
    n += e->d_name[0] != '.';
  }
  closedir(dir);
  return n;
}

::orderer::SeekInfo Seek(
    uint64_t start, uint64_t stop,
    ::orderer::SeekInfo::SeekBehavior behavior = ::orderer::SeekInfo::BLOCK_UNTIL_READY) {
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_specified()->set_number(start);
  seek.mutable_stop()->mutable_specified()->set_number(stop);
  seek.set_behavior(behavior);
  return seek;
}

class DeliverServiceTest : public CommitterFixture {
 protected:
  void SetUp() override {
    CommitterFixture::SetUp();
    channels_.Add(&committer());
    DeliverService::Options options;
    Serve(options);
  }

  // (Re)starts the service with `options` on a fresh port.
  void Serve(const DeliverService::Options& options) {
    if (service_ != nullptr) {
      service_->Shutdown();
      server_->Shutdown();
    }
    service_ = std::make_unique<DeliverService>(channels_, options);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    stub_ = protos::Deliver::NewStub(grpc::CreateChannel(absl::StrFormat("127.0.0.1:%d", port),
                                                         grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    service_->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }

  common::Envelope Request(const ::orderer::SeekInfo& seek,
                           const std::string& channel = "mychannel",
                           const msp::SigningIdentity* signer = nullptr) {
    return protoutil::CreateSignedEnvelope(common::DELIVER_SEEK_INFO, channel,
                                           signer ? *signer : net().org1_client(), seek)
        .value();
  }

  // Sends one request and reads responses until a status arrives.
  std::vector<Response> RoundTrip(const common::Envelope& request, bool filtered) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto stream = filtered ? stub_->DeliverFiltered(&ctx) : stub_->Deliver(&ctx);
    EXPECT_TRUE(stream->Write(request));
    std::vector<Response> out;
    Response r;
    while (stream->Read(&r)) {
      out.push_back(r);
      if (r.has_status()) {
        break;
      }
    }
    stream->WritesDone();
    ctx.TryCancel();
    return out;
  }

  common::Status StatusOf(const std::vector<Response>& responses) {
    return responses.empty() || !responses.back().has_status() ? common::UNKNOWN
                                                               : responses.back().status();
  }

  uint64_t Height() { return ledger().GetBlockchainInfo().height(); }
  // Streams waiting for a block of the channel that is not committed yet.
  int WaitingStreams() { return ledger().block_store().waiting_readers(); }

  CommitterChannels channels_;
  std::unique_ptr<DeliverService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<protos::Deliver::Stub> stub_;
};

TEST_F(DeliverServiceTest, FullAndFilteredBlocksWithCodesAndEvents) {
  protos::ChaincodeEvent event;
  event.set_chaincode_id("mycc");
  event.set_event_name("transfer");
  event.set_payload("secret");
  committer::testing::TxSpec spec;
  spec.creator = &net().org1_client();
  spec.endorsers = {&net().org1_peer()};
  spec.events = event.SerializeAsString();
  std::string txid1, txid2;
  common::Envelope with_event = committer::testing::MakeEndorserTx(spec, &txid1).value();
  common::Envelope bad = Tx("andcc", "x", "1", {}, &txid2);
  ASSERT_OK(committer().CommitBlock(Block({with_event, bad})));
  const uint64_t last = Height() - 1;

  std::vector<Response> full = RoundTrip(Request(Seek(0, last)), false);
  ASSERT_EQ(full.size(), last + 2);
  for (uint64_t i = 0; i <= last; ++i) {
    ASSERT_TRUE(full[i].has_block());
    EXPECT_EQ(full[i].block().header().number(), i);
  }
  EXPECT_EQ(StatusOf(full), common::SUCCESS);

  std::vector<Response> filtered = RoundTrip(Request(Seek(last, last)), true);
  ASSERT_EQ(filtered.size(), 2u);
  ASSERT_TRUE(filtered[0].has_filtered_block());
  const protos::FilteredBlock& fb = filtered[0].filtered_block();
  EXPECT_EQ(fb.channel_id(), "mychannel");
  EXPECT_EQ(fb.number(), last);
  ASSERT_EQ(fb.filtered_transactions_size(), 2);
  EXPECT_EQ(fb.filtered_transactions(0).txid(), txid1);
  EXPECT_EQ(fb.filtered_transactions(0).type(), common::ENDORSER_TRANSACTION);
  EXPECT_EQ(fb.filtered_transactions(0).tx_validation_code(), protos::VALID);
  ASSERT_EQ(fb.filtered_transactions(0).transaction_actions().chaincode_actions_size(), 1);
  const auto& ev =
      fb.filtered_transactions(0).transaction_actions().chaincode_actions(0).chaincode_event();
  EXPECT_EQ(ev.chaincode_id(), "mycc");
  EXPECT_EQ(ev.event_name(), "transfer");
  EXPECT_TRUE(ev.payload().empty());
  EXPECT_EQ(fb.filtered_transactions(1).txid(), txid2);
  EXPECT_EQ(fb.filtered_transactions(1).tx_validation_code(), protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(StatusOf(filtered), common::SUCCESS);
}

TEST_F(DeliverServiceTest, FollowsNewCommitsUntilCancelled) {
  const uint64_t next = Height();
  grpc::ClientContext ctx;
  auto stream = stub_->DeliverFiltered(&ctx);
  ASSERT_TRUE(stream->Write(Request(Seek(next, kMax))));
  ASSERT_TRUE(WaitUntil([&] { return WaitingStreams() == 1; }));
  std::string txid;
  ASSERT_OK(committer().CommitBlock(Block({Tx("mycc", "a", "1", {}, &txid)})));
  Response r;
  ASSERT_TRUE(stream->Read(&r));
  ASSERT_TRUE(r.has_filtered_block());
  EXPECT_EQ(r.filtered_block().number(), next);
  EXPECT_EQ(r.filtered_block().filtered_transactions(0).txid(), txid);
  EXPECT_EQ(r.filtered_block().filtered_transactions(0).tx_validation_code(), protos::VALID);
  // Another client on the same channel at the same time.
  EXPECT_EQ(StatusOf(RoundTrip(Request(Seek(next, next)), false)), common::SUCCESS);
  ctx.TryCancel();
  EXPECT_FALSE(stream->Read(&r));
}

TEST_F(DeliverServiceTest, RefusesNonMembersUnknownChannelsAndBadRequests) {
  EXPECT_EQ(StatusOf(RoundTrip(Request(Seek(0, 0), "mychannel", &net().outsider()), false)),
            common::FORBIDDEN);
  EXPECT_EQ(StatusOf(RoundTrip(Request(Seek(0, 0), "nosuchchannel"), true)), common::NOT_FOUND);
  EXPECT_EQ(StatusOf(RoundTrip(Request(Seek(2, 1)), false)), common::BAD_REQUEST);
  common::Envelope garbage;
  garbage.set_payload("\xff\xff");
  EXPECT_EQ(StatusOf(RoundTrip(garbage, false)), common::BAD_REQUEST);
  EXPECT_EQ(StatusOf(RoundTrip(
                Request(Seek(Height() + 5, Height() + 5, ::orderer::SeekInfo::FAIL_IF_NOT_READY)),
                false)),
            common::NOT_FOUND);
  // A tampered signature does not satisfy Readers.
  common::Envelope tampered = Request(Seek(0, 0));
  std::string sig = tampered.signature();
  sig[sig.size() / 2] ^= 1;
  tampered.set_signature(sig);
  EXPECT_EQ(StatusOf(RoundTrip(tampered, true)), common::FORBIDDEN);
}

TEST_F(DeliverServiceTest, StaleTimestampIsBadRequest) {
  DeliverService::Options options;
  options.clock = [] { return std::chrono::system_clock::now() + std::chrono::minutes(20); };
  Serve(options);
  EXPECT_EQ(StatusOf(RoundTrip(Request(Seek(0, 0)), false)), common::BAD_REQUEST);
}

// Fabric's session access control: a stream opened by a valid client ends with FORBIDDEN at
// the first block after the client's certificate expired.
TEST_F(DeliverServiceTest, StreamEndsWhenTheClientCertificateExpires) {
  auto offset = std::make_shared<std::atomic<int64_t>>(0);  // hours added to the clock
  DeliverService::Options options;
  options.clock = [offset] {
    return std::chrono::system_clock::now() + std::chrono::hours(offset->load());
  };
  Serve(options);
  const uint64_t next = Height();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub_->Deliver(&ctx);
  ASSERT_TRUE(stream->Write(Request(Seek(next - 1, kMax))));
  Response r;
  ASSERT_TRUE(stream->Read(&r));
  ASSERT_TRUE(r.has_block());
  ASSERT_OK_AND_ASSIGN(auto client, committer().config()->msp_manager().DeserializeIdentity(
                                        net().org1_client().Serialize()));
  const auto expires = client->ExpiresAt();
  offset->store(
      std::chrono::duration_cast<std::chrono::hours>(expires - std::chrono::system_clock::now())
          .count() +
      2);
  ASSERT_OK(committer().CommitBlock(Block({Tx("mycc", "a", "1")})));
  ASSERT_TRUE(stream->Read(&r));
  ASSERT_TRUE(r.has_status()) << r.DebugString();
  EXPECT_EQ(r.status(), common::FORBIDDEN);
}

TEST_F(DeliverServiceTest, SeveralRequestsOnOneStream) {
  grpc::ClientContext ctx;
  auto stream = stub_->Deliver(&ctx);
  for (uint64_t n = 0; n < 2; ++n) {
    ASSERT_TRUE(stream->Write(Request(Seek(n, n))));
    Response r;
    ASSERT_TRUE(stream->Read(&r));
    ASSERT_TRUE(r.has_block());
    EXPECT_EQ(r.block().header().number(), n);
    ASSERT_TRUE(stream->Read(&r));
    EXPECT_EQ(r.status(), common::SUCCESS);
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(DeliverServiceTest, PrivateDataIsUnimplemented) {
  grpc::ClientContext ctx;
  auto stream = stub_->DeliverWithPrivateData(&ctx);
  stream->Write(Request(Seek(0, 0)));
  stream->WritesDone();
  Response r;
  EXPECT_FALSE(stream->Read(&r));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

// Streams waiting for blocks hold no thread each: 300 of them cost no more threads than one,
// and all get the next block when it is committed.
TEST_F(DeliverServiceTest, WaitingStreamsHoldNoThreads) {
  const uint64_t next = Height();
  constexpr int kStreams = 300;
  struct Client {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, Response>> stream;
  };
  std::vector<std::unique_ptr<Client>> clients;
  auto open = [&] {
    auto c = std::make_unique<Client>();
    c->stream = stub_->DeliverFiltered(&c->ctx);
    ASSERT_TRUE(c->stream->Write(Request(Seek(next, kMax))));
    clients.push_back(std::move(c));
  };
  open();
  ASSERT_TRUE(WaitUntil([&] { return WaitingStreams() == 1; }));
  const int threads_with_one = ThreadCount();
  for (int i = 1; i < kStreams; ++i) {
    open();
  }
  ASSERT_TRUE(WaitUntil([&] { return WaitingStreams() == kStreams; }));
  // The client side of this test is in the same process: allow gRPC a few threads of its own.
  EXPECT_LT(ThreadCount(), threads_with_one + 10);
  ASSERT_OK(committer().CommitBlock(Block({Tx("mycc", "a", "1")})));
  for (auto& c : clients) {
    Response r;
    ASSERT_TRUE(c->stream->Read(&r));
    ASSERT_TRUE(r.has_filtered_block());
    EXPECT_EQ(r.filtered_block().number(), next);
    c->ctx.TryCancel();
  }
  clients.clear();
  EXPECT_TRUE(WaitUntil([&] { return service_->open_streams() == 0; }));
}

TEST_F(DeliverServiceTest, StreamsBeyondTheLimitAreRefused) {
  DeliverService::Options options;
  options.streams.max_streams = 2;
  Serve(options);
  grpc::ClientContext a, b, c;
  auto first = stub_->Deliver(&a);
  auto second = stub_->Deliver(&b);
  ASSERT_TRUE(first->Write(Request(Seek(Height(), kMax))));
  ASSERT_TRUE(second->Write(Request(Seek(Height(), kMax))));
  ASSERT_TRUE(WaitUntil([&] { return service_->open_streams() == 2; }));
  auto third = stub_->Deliver(&c);
  Response r;
  EXPECT_FALSE(third->Read(&r));
  grpc::Status refused = third->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("/protos.Deliver, exceeding concurrency limit (2)"),
            std::string::npos)
      << refused.error_message();
  // The open streams are still served.
  ASSERT_OK(committer().CommitBlock(Block({Tx("mycc", "a", "1")})));
  ASSERT_TRUE(first->Read(&r));
  EXPECT_TRUE(r.has_block());
  a.TryCancel();
  b.TryCancel();
}

TEST_F(DeliverServiceTest, StreamWithoutARequestIsCancelledAfterTheDeadline) {
  DeliverService::Options options;
  options.streams.first_request_timeout = std::chrono::milliseconds(100);
  Serve(options);
  // One that asks in time keeps waiting for blocks past the deadline.
  grpc::ClientContext ctx;
  auto stream = stub_->Deliver(&ctx);
  const uint64_t next = Height();
  ASSERT_TRUE(stream->Write(Request(Seek(next, kMax))));
  ASSERT_TRUE(WaitUntil([&] { return WaitingStreams() == 1; }));
  // Silent: cancelled. It opened last: once it is cancelled, the deadline of the other has
  // passed too.
  grpc::ClientContext silent_ctx;
  auto silent = stub_->Deliver(&silent_ctx);
  Response r;
  EXPECT_FALSE(silent->Read(&r));
  EXPECT_FALSE(silent->Finish().ok());
  ASSERT_OK(committer().CommitBlock(Block({Tx("mycc", "a", "1")})));
  ASSERT_TRUE(stream->Read(&r));
  ASSERT_TRUE(r.has_block());
  EXPECT_EQ(r.block().header().number(), next);
  ctx.TryCancel();
}

TEST_F(DeliverServiceTest, ShutdownEndsWaitingStreamsWithServiceUnavailable) {
  grpc::ClientContext ctx;
  auto stream = stub_->Deliver(&ctx);
  ASSERT_TRUE(stream->Write(Request(Seek(Height(), kMax))));
  ASSERT_TRUE(WaitUntil([&] { return WaitingStreams() == 1; }));
  service_->Shutdown();
  Response r;
  ASSERT_TRUE(stream->Read(&r));
  EXPECT_EQ(r.status(), common::SERVICE_UNAVAILABLE);
  // A stream opened after the shutdown is refused at once.
  grpc::ClientContext late_ctx;
  auto late = stub_->Deliver(&late_ctx);
  (void)late->Write(Request(Seek(0, 0)));  // may find the stream already finished
  EXPECT_FALSE(late->Read(&r));
  EXPECT_EQ(late->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace fabric::deliver
