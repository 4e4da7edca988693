// SPDX-License-Identifier: Apache-2.0
//
// Pipelined Broadcast streams over real gRPC on 127.0.0.1:0, against a chain that holds every
// envelope's outcome until the test gives it (in any order, OK or an error). The clients write
// on one thread and read on another, so they write far ahead of the answers.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/chain.h"
#include "orderer/registrar.h"
#include "orderer/server.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using std::chrono::milliseconds;
using testing::MakeTx;

constexpr char kChannel[] = "mychannel";
// What a stream reads ahead of its answers at most (broadcast.cc): envelopes, and their bytes.
constexpr size_t kWindow = 256;
constexpr size_t kWindowBytes = 32 << 20;
// Long enough for a stream to go on where it should not.
constexpr milliseconds kSettle{150};

// A consenter that keeps each envelope OrderAsync hands it, in the order they came, with its
// `done`, which the test calls when and with what it likes.
class HeldChain final : public Chain {
 public:
  void Start() override {}
  void Halt() override {}
  Status Order(common::Envelope, uint64_t) override {
    return InternalError("Broadcast hands envelopes over with OrderAsync");
  }
  Status Configure(common::Envelope, uint64_t, common::Envelope) override {
    return InternalError("no config updates here");
  }
  void OrderAsync(common::Envelope envelope, uint64_t config_seq, Done done) override {
    std::lock_guard<std::mutex> lock(mu_);
    held_.push_back(Held{std::move(envelope), config_seq, std::move(done)});
    arrived_.notify_all();
  }

  size_t received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.size();
  }
  // Waits until `n` envelopes arrived.
  [[nodiscard]] bool WaitForReceived(size_t n, milliseconds timeout = milliseconds(10000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return arrived_.wait_for(lock, timeout, [&] { return held_.size() >= n; });
  }
  std::string payload(size_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.at(i).envelope.payload();
  }
  uint64_t config_seq(size_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.at(i).config_seq;
  }

  // Gives envelope i its outcome (once).
  void Complete(size_t i, Status outcome) {
    Done done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done = std::exchange(held_.at(i).done, nullptr);
    }
    ASSERT_TRUE(done) << "envelope " << i << " completed twice";
    done(std::move(outcome));
  }
  // Gives every envelope still waiting `outcome`, as a real chain's appends time out.
  void CompleteAll(const Status& outcome) {
    for (size_t i = 0; i < received(); ++i) {
      Done done;
      {
        std::lock_guard<std::mutex> lock(mu_);
        done = std::exchange(held_.at(i).done, nullptr);
      }
      if (done) {
        done(outcome);
      }
    }
  }

 private:
  struct Held {
    common::Envelope envelope;
    uint64_t config_seq = 0;
    Done done;
  };
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  // Guarded by mu_:
  std::deque<Held> held_;
};

// One Broadcast stream: envelopes are written on a writer thread (which may block while the
// server does not read), answers read on a reader thread as they come.
class PipelinedClient {
 public:
  explicit PipelinedClient(::orderer::AtomicBroadcast::Stub& stub) {
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    stream_ = stub.Broadcast(&context_);
    reader_ = std::jthread([this] { ReadAnswers(); });
  }
  ~PipelinedClient() {
    context_.TryCancel();  // ends a test that failed midway
    Join();
  }

  // Writes `envelopes` in order; then half-closes the stream when `writes_done`.
  void Write(std::vector<common::Envelope> envelopes, bool writes_done = true) {
    writer_ = std::jthread([this, envelopes = std::move(envelopes), writes_done] {
      for (const common::Envelope& envelope : envelopes) {
        if (!stream_->Write(envelope)) {
          return;
        }
      }
      if (writes_done) {
        stream_->WritesDone();
      }
    });
  }
  void Cancel() { context_.TryCancel(); }

  [[nodiscard]] bool WaitForAnswers(size_t n, milliseconds timeout = milliseconds(10000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return answers_.size() >= n; });
  }
  // Waits until the server ended the stream (the reader saw its end).
  [[nodiscard]] bool WaitForEnd(milliseconds timeout = milliseconds(10000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return ended_; });
  }
  std::vector<::orderer::BroadcastResponse> answers() {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }
  bool ended() {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  // The stream's status, once both threads are done.
  grpc::Status Finish() {
    Join();
    return stream_->Finish();
  }

 private:
  void ReadAnswers() {
    ::orderer::BroadcastResponse answer;
    while (stream_->Read(&answer)) {
      std::lock_guard<std::mutex> lock(mu_);
      answers_.push_back(answer);
      changed_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    changed_.notify_all();
  }
  void Join() {
    if (writer_.joinable()) {
      writer_.join();
    }
    if (reader_.joinable()) {
      reader_.join();
    }
  }

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, ::orderer::BroadcastResponse>> stream_;
  std::mutex mu_;
  std::condition_variable changed_;
  // Guarded by mu_:
  std::vector<::orderer::BroadcastResponse> answers_;
  bool ended_ = false;
  std::jthread writer_;
  std::jthread reader_;
};

class BroadcastPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::BatchSettings batch;
    batch.absolute_max_bytes = 2 << 20;  // room for the 1 MiB envelopes of the bytes window
    batch.preferred_max_bytes = 1 << 20;
    ASSERT_OK_AND_ASSIGN(common::Block genesis,
                         testing::MakeGenesis("TwoOrgsApplicationGenesis", kChannel, batch));
    signer_ = testing::LoadOrdererIdentity();
    user_ = testing::LoadUser(1, "User1");
    Registrar::Options options;
    options.ledger_dir = tmp_.path() + "/ledger";
    options.sync = false;
    options.consenter = [this](ChainSupport&) -> StatusOr<std::unique_ptr<Chain>> {
      auto chain = std::make_unique<HeldChain>();
      chain_ = chain.get();
      return std::unique_ptr<Chain>(std::move(chain));
    };
    ASSERT_OK_AND_ASSIGN(registrar_, Registrar::Open(options, {genesis}, *signer_));
    ASSERT_NE(chain_, nullptr);
    ASSERT_OK_AND_ASSIGN(server_,
                         OrdererServer::Start(testing::TestConfig(tmp_.path(), {}), *registrar_));
    channel_ = grpc::CreateChannel(absl::StrFormat("127.0.0.1:%d", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = ::orderer::AtomicBroadcast::NewStub(channel_);
  }

  void TearDown() override {
    // A stream ends only once its envelopes' outcomes are known.
    if (chain_ != nullptr) {
      chain_->CompleteAll(UnavailableError("test over"));
    }
    server_.reset();
  }

  std::vector<common::Envelope> Txs(size_t n, size_t size = 100) {
    std::vector<common::Envelope> txs;
    for (size_t i = 0; i < n; ++i) {
      txs.push_back(MakeTx(kChannel, *user_, size));
    }
    return txs;
  }

  // The chain received exactly `sent`, in that order.
  void ExpectReceivedInOrder(const std::vector<common::Envelope>& sent) {
    ASSERT_EQ(chain_->received(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
      EXPECT_EQ(chain_->payload(i), sent[i].payload()) << "envelope " << i << " out of order";
    }
  }

  msp::testing::TempDir tmp_;
  std::unique_ptr<msp::X509SigningIdentity> signer_;
  std::unique_ptr<msp::X509SigningIdentity> user_;
  HeldChain* chain_ = nullptr;  // owned by the registrar's chain
  std::unique_ptr<Registrar> registrar_;
  std::unique_ptr<OrdererServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stub_;
};

TEST_F(BroadcastPipelineTest, ChainReceivesAStreamsEnvelopesInTheOrderWritten) {
  const std::vector<common::Envelope> txs = Txs(200);
  PipelinedClient client(*stub_);
  client.Write(txs);
  ASSERT_TRUE(chain_->WaitForReceived(txs.size()));
  ASSERT_NO_FATAL_FAILURE(ExpectReceivedInOrder(txs));
  for (size_t i = 0; i < txs.size(); ++i) {
    EXPECT_EQ(chain_->config_seq(i), 0u);  // the genesis config's sequence
    chain_->Complete(i, Status::OK());
  }
  ASSERT_TRUE(client.WaitForAnswers(txs.size()));
  for (const ::orderer::BroadcastResponse& answer : client.answers()) {
    EXPECT_EQ(answer.status(), common::SUCCESS) << answer.info();
  }
  EXPECT_TRUE(client.Finish().ok());
}

// Outcomes known last first, some of them errors: nothing is answered before the first one's
// outcome, then every answer comes in stream order with its own outcome.
TEST_F(BroadcastPipelineTest, OutcomesKnownOutOfOrderAreAnsweredInStreamOrder) {
  const std::vector<common::Envelope> txs = Txs(40);
  PipelinedClient client(*stub_);
  client.Write(txs);
  ASSERT_TRUE(chain_->WaitForReceived(txs.size()));
  auto outcome = [](size_t i) {
    return i % 3 == 0 ? UnavailableError(absl::StrFormat("log unreachable for %d", i))
                      : Status::OK();
  };
  for (size_t i = txs.size() - 1; i > 0; --i) {
    chain_->Complete(i, outcome(i));
  }
  std::this_thread::sleep_for(kSettle);
  EXPECT_TRUE(client.answers().empty());
  chain_->Complete(0, outcome(0));
  ASSERT_TRUE(client.WaitForAnswers(txs.size()));
  const std::vector<::orderer::BroadcastResponse> answers = client.answers();
  ASSERT_EQ(answers.size(), txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    if (i % 3 == 0) {
      EXPECT_EQ(answers[i].status(), common::SERVICE_UNAVAILABLE) << i;
      EXPECT_EQ(answers[i].info(), absl::StrFormat("log unreachable for %d", i));
    } else {
      EXPECT_EQ(answers[i].status(), common::SUCCESS) << i << ": " << answers[i].info();
    }
  }
  EXPECT_TRUE(client.Finish().ok());
}

// With kWindow envelopes unanswered the stream stops reading; each answer written lets one more
// in.
TEST_F(BroadcastPipelineTest, StreamReadsAtMostTheWindowAheadOfItsAnswers) {
  const std::vector<common::Envelope> txs = Txs(kWindow + 44);
  PipelinedClient client(*stub_);
  client.Write(txs);
  ASSERT_TRUE(chain_->WaitForReceived(kWindow));
  std::this_thread::sleep_for(kSettle);
  EXPECT_EQ(chain_->received(), kWindow);
  chain_->Complete(0, Status::OK());
  ASSERT_TRUE(client.WaitForAnswers(1));
  ASSERT_TRUE(chain_->WaitForReceived(kWindow + 1));
  std::this_thread::sleep_for(kSettle);
  EXPECT_EQ(chain_->received(), kWindow + 1);
  EXPECT_EQ(client.answers().size(), 1u);  // the others wait for their outcomes
  for (size_t i = 1; i < txs.size(); ++i) {
    ASSERT_TRUE(chain_->WaitForReceived(i + 1)) << i;
    chain_->Complete(i, Status::OK());
  }
  ASSERT_TRUE(client.WaitForAnswers(txs.size()));
  ASSERT_NO_FATAL_FAILURE(ExpectReceivedInOrder(txs));
  for (const ::orderer::BroadcastResponse& answer : client.answers()) {
    EXPECT_EQ(answer.status(), common::SUCCESS) << answer.info();
  }
  EXPECT_TRUE(client.Finish().ok());
}

// How many of envelopes of `sizes` a stream has read once the first `answered` were answered:
// reading goes on while fewer than kWindow envelopes and kWindowBytes bytes are unanswered (and
// always when none is).
size_t ReadAhead(const std::vector<size_t>& sizes, size_t answered) {
  size_t read = answered;
  size_t bytes = 0;
  while (read < sizes.size() &&
         (read == answered || (read - answered < kWindow && bytes < kWindowBytes))) {
    bytes += sizes[read++];
  }
  return read;
}

TEST_F(BroadcastPipelineTest, StreamReadsAtMostTheWindowsBytesAheadOfItsAnswers) {
  const std::vector<common::Envelope> txs = Txs(40, 1 << 20);
  std::vector<size_t> sizes;
  for (const common::Envelope& tx : txs) {
    sizes.push_back(tx.ByteSizeLong());
  }
  ASSERT_LT(ReadAhead(sizes, 0), txs.size());
  PipelinedClient client(*stub_);
  client.Write(txs);
  ASSERT_TRUE(chain_->WaitForReceived(ReadAhead(sizes, 0)));
  std::this_thread::sleep_for(kSettle);
  EXPECT_EQ(chain_->received(), ReadAhead(sizes, 0));
  chain_->Complete(0, Status::OK());
  ASSERT_TRUE(chain_->WaitForReceived(ReadAhead(sizes, 1)));
  std::this_thread::sleep_for(kSettle);
  EXPECT_EQ(chain_->received(), ReadAhead(sizes, 1));
  for (size_t i = 1; i < txs.size(); ++i) {
    ASSERT_TRUE(chain_->WaitForReceived(i + 1)) << i;
    chain_->Complete(i, Status::OK());
  }
  ASSERT_TRUE(client.WaitForAnswers(txs.size()));
  EXPECT_TRUE(client.Finish().ok());
}

// A client that half-closes with outcomes still unknown gets every answer, then OK.
TEST_F(BroadcastPipelineTest, HalfClosedStreamAnswersEveryEnvelopeThenFinishesOk) {
  const std::vector<common::Envelope> txs = Txs(20);
  PipelinedClient client(*stub_);
  client.Write(txs, /*writes_done=*/true);
  ASSERT_TRUE(chain_->WaitForReceived(txs.size()));
  std::this_thread::sleep_for(kSettle);
  EXPECT_FALSE(client.ended());
  EXPECT_TRUE(client.answers().empty());
  for (size_t i = txs.size(); i-- > 0;) {
    chain_->Complete(i, Status::OK());
  }
  ASSERT_TRUE(client.WaitForEnd());
  EXPECT_EQ(client.answers().size(), txs.size());
  grpc::Status status = client.Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// Envelopes rejected before the chain wait for the answers before theirs like any other.
TEST_F(BroadcastPipelineTest, RejectedEnvelopesKeepTheirPlaceAmongOrderedOnes) {
  common::Envelope garbage;
  garbage.set_payload("\xff\xff\xff garbage");
  common::Envelope unsigned_tx = MakeTx(kChannel, *user_);
  unsigned_tx.clear_signature();
  const std::vector<common::Envelope> good = Txs(4);
  const std::vector<common::Envelope> stream = {
      good[0], MakeTx("nochannel", *user_), good[1], garbage, good[2], unsigned_tx, good[3],
  };
  PipelinedClient client(*stub_);
  client.Write(stream);
  ASSERT_TRUE(chain_->WaitForReceived(good.size()));
  chain_->Complete(3, Status::OK());
  chain_->Complete(2, UnavailableError("log unreachable"));
  chain_->Complete(1, Status::OK());
  std::this_thread::sleep_for(kSettle);
  EXPECT_TRUE(client.answers().empty());
  chain_->Complete(0, Status::OK());
  ASSERT_TRUE(client.WaitForAnswers(stream.size()));
  const std::vector<common::Status> want = {
      common::SUCCESS,     common::NOT_FOUND,           common::SUCCESS,
      common::BAD_REQUEST, common::SERVICE_UNAVAILABLE, common::FORBIDDEN,
      common::SUCCESS,
  };
  const std::vector<::orderer::BroadcastResponse> answers = client.answers();
  ASSERT_EQ(answers.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(answers[i].status(), want[i]) << "envelope " << i << ": " << answers[i].info();
  }
  EXPECT_EQ(answers[1].info(), "channel nochannel not found");
  EXPECT_EQ(answers[4].info(), "log unreachable");
  EXPECT_TRUE(client.Finish().ok());
  ASSERT_NO_FATAL_FAILURE(ExpectReceivedInOrder(good));
}

// A client that goes away with outcomes unknown: they complete later, from several threads,
// the stream ends, and the server serves the next stream.
TEST_F(BroadcastPipelineTest, CancelledStreamWithOutcomesPendingEndsAndTheServerGoesOn) {
  const std::vector<common::Envelope> txs = Txs(60);
  {
    PipelinedClient client(*stub_);
    client.Write(txs, /*writes_done=*/false);
    ASSERT_TRUE(chain_->WaitForReceived(txs.size()));
    for (size_t i = 0; i < 5; ++i) {
      chain_->Complete(i, Status::OK());
    }
    ASSERT_TRUE(client.WaitForAnswers(5));
    client.Cancel();
    ASSERT_TRUE(client.WaitForEnd());
    EXPECT_EQ(client.Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  std::vector<std::jthread> completers;
  for (size_t t = 0; t < 4; ++t) {
    completers.emplace_back([this, t, n = txs.size()] {
      for (size_t i = n - 1 - t; i >= 5 && i < n; i -= 4) {
        chain_->Complete(i, i % 2 == 0 ? Status::OK() : UnavailableError("late"));
      }
    });
  }
  completers.clear();  // joins
  EXPECT_TRUE(WaitUntil([&] { return server_->open_streams() == 0; }))
      << server_->open_streams() << " streams still open";

  const common::Envelope next = MakeTx(kChannel, *user_);
  PipelinedClient again(*stub_);
  again.Write({next});
  ASSERT_TRUE(chain_->WaitForReceived(txs.size() + 1));
  EXPECT_EQ(chain_->payload(txs.size()), next.payload());
  chain_->Complete(txs.size(), Status::OK());
  ASSERT_TRUE(again.WaitForAnswers(1));
  EXPECT_EQ(again.answers()[0].status(), common::SUCCESS);
  EXPECT_TRUE(again.Finish().ok());
}

}  // namespace
}  // namespace fabric::orderer
