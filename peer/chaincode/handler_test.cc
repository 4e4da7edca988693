// SPDX-License-Identifier: Apache-2.0
//
// Handler and ChaincodeSupport over real gRPC on loopback, driven by a scripted chaincode
// (FakeChaincode), against a real ledger on disk. Dev mode unless a test says otherwise.

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fabric/base/fiber.h"
#include "fabric/base/testing/wait_until.h"
#include "ledger/queryresult/kv_query_result.pb.h"
#include "peer/chaincode/testing/chaincode_test_env.h"
#include "peer/chaincode/testing/fake_chaincode.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;
using testing::FakeChaincode;
using testing::MakeResponse;
using Msg = protos::ChaincodeMessage;

// Dev mode that remembers which chaincodes it was asked to start: from then on their launch is
// pending, and a chaincode registering completes it.
class RecordingDevModeLauncher : public launcher::DevModeLauncher {
 public:
  Status Start(const launcher::StartRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    started_.insert(request.ccid);
    return launcher::DevModeLauncher::Start(request);
  }
  bool Started(const std::string& ccid) const {
    std::lock_guard<std::mutex> lock(mu_);
    return started_.count(ccid) > 0;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> started_;  // Guarded by mu_.
};

class HandlerTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    options_.startup_timeout = 2s;
    options_.resolve_version = ResolveTo("1.0");
    // Two system chaincodes for cc2cc calls: lscc runs (reading the callee it is asked about
    // through the caller's simulator), cscc may not be called.
    options_.is_system_chaincode = [](const std::string& name) {
      return name == "lscc" || name == "cscc";
    };
    options_.invoke_system_chaincode =
        [](const TxParams& params, const std::string& name,
           const protos::ChaincodeInput& input) -> StatusOr<protos::Response> {
      if (name == "cscc") {
        return PermissionDeniedError(
            "system chaincode cscc cannot be invoked with a cc2cc invocation");
      }
      auto definition = params.tx_simulator->GetState("lscc", input.args(2));
      if (!definition.ok()) {
        return definition.status();
      }
      protos::Response r;
      r.set_status(200);
      r.set_payload("definition of " + input.args(2));
      return r;
    };
    options_.handler.key_level_endorsement = [this](const std::string&) {
      return key_level_endorsement_.load();
    };
    StartSupport(dev_launcher_);
  }

  std::unique_ptr<FakeChaincode> Connect() {
    auto cc = FakeChaincode::Connect(server_->address());
    EXPECT_TRUE(cc.ok()) << cc.status();
    return cc.ok() ? std::move(*cc) : nullptr;
  }

  // A registered chaincode serving `fn`.
  std::unique_ptr<FakeChaincode> Serving(const std::string& ccid, FakeChaincode::TxFn fn) {
    auto cc = Connect();
    cc->Serve(std::move(fn));  // before REGISTER: a waiting Execute sends at once
    Status s = cc->Register(ccid);
    EXPECT_TRUE(s.ok()) << s;
    return cc;
  }

  // A registered chaincode whose transactions answer 200 once `gate` is ready.
  std::unique_ptr<FakeChaincode> ServingGated(const std::string& ccid,
                                              std::shared_future<void> gate) {
    return Serving(ccid, [gate](FakeChaincode::Tx&) -> StatusOr<protos::Response> {
      gate.wait();
      return MakeResponse(200, "");
    });
  }

  RecordingDevModeLauncher dev_launcher_;
  std::atomic<bool> key_level_endorsement_{true};  // the channel capability
};

StatusOr<protos::Response> Ok(const std::string& payload = "") {
  return MakeResponse(200, payload);
}

TEST_F(HandlerTest, RegisterGetsRegisteredThenReady) {
  auto cc = Connect();
  ASSERT_TRUE(cc->Register("mycc:1.0").ok());
  ASSERT_TRUE(WaitUntil([&] { return support_->GetHandler("mycc:1.0") != nullptr; }));
  EXPECT_EQ(support_->GetHandler("mycc:1.0")->state(), Handler::State::kReady);
}

TEST_F(HandlerTest, GetStateAndPutStateRecordReadsAndWritesInRwset) {
  Seed("mycc", {{"a", "100"}}, "seed");
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    auto a = tx.GetState("a");
    if (!a.ok())
      return a.status();
    auto missing = tx.GetState("nope");
    if (!missing.ok() || !missing->empty())
      return UnknownError("expected empty");
    Status s = tx.PutState("b", *a + "!");
    if (!s.ok())
      return s;
    s = tx.DelState("c");
    if (!s.ok())
      return s;
    return Ok(*a);
  });
  auto tx = NewTx("tx1");
  auto r = Invoke(*tx, "mycc:1.0", {"invoke"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status(), 200);
  EXPECT_EQ(r->payload(), "100");
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "mycc");
  ASSERT_EQ(rw.reads_size(), 2);
  EXPECT_EQ(rw.reads(0).key(), "a");
  EXPECT_EQ(rw.reads(0).version().block_num(), 1u);
  EXPECT_EQ(rw.reads(1).key(), "nope");
  EXPECT_FALSE(rw.reads(1).has_version());
  ASSERT_EQ(rw.writes_size(), 2);
  EXPECT_EQ(rw.writes(0).key(), "b");
  EXPECT_EQ(rw.writes(0).value(), "100!");
  EXPECT_EQ(rw.writes(1).key(), "c");
  EXPECT_TRUE(rw.writes(1).is_delete());
}

TEST_F(HandlerTest, InitIsSentAsInitWithProposal) {
  std::atomic<int> type{0};
  std::atomic<bool> had_proposal{false};
  auto cc = Serving("mycc:1.0", [&](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    type = tx.msg().type();
    had_proposal = tx.msg().has_proposal() && tx.msg().proposal().signature() == "sig";
    return Ok();
  });
  auto tx = NewTx("tx-init");
  protos::SignedProposal sp;
  sp.set_signature("sig");
  tx->params.signed_proposal = &sp;
  auto msg = support_->Execute(tx->params, "mycc:1.0", Input({"init"}), ExecuteType::kInit);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->type(), Msg::COMPLETED);
  EXPECT_EQ(type.load(), Msg::INIT);
  EXPECT_TRUE(had_proposal.load());
}

TEST_F(HandlerTest, ChaincodeErrorBecomesTransactionFailure) {
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx&) -> StatusOr<protos::Response> {
    return UnknownError("boom");
  });
  auto tx = NewTx("tx1");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "transaction returned with failure: boom");
}

TEST_F(HandlerTest, MetadataRequestsRoundTrip) {
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    protos::PutStateMetadata put;
    put.set_key("k");
    put.mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
    put.mutable_metadata()->set_value("policy");
    auto r = tx.Call(Msg::PUT_STATE_METADATA, put.SerializeAsString());
    if (!r.ok())
      return r.status();
    protos::GetStateMetadata get;
    get.set_key("m");
    r = tx.Call(Msg::GET_STATE_METADATA, get.SerializeAsString());
    if (!r.ok())
      return r.status();
    protos::StateMetadataResult result;
    result.ParseFromString(*r);
    return Ok(result.entries_size() == 1
                  ? result.entries(0).metakey() + "=" + result.entries(0).value()
                  : "none");
  });
  // Seed key m with metadata.
  auto rw = Simulate([](ledger::TxSimulator& sim) {
    ASSERT_TRUE(sim.SetState("mycc", "m", "v").ok());
    ASSERT_TRUE(sim.SetStateMetadata("mycc", "m", {{"VALIDATION_PARAMETER", "ep"}}).ok());
  });
  Commit({ledger::testing::FastEndorserTx(kChannel, "seed", rw)});
  auto tx = NewTx("tx1");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(), "VALIDATION_PARAMETER=ep");
  kvrwset::KVRWSet kv = RwSet(*tx->sim, "mycc");
  ASSERT_EQ(kv.metadata_writes_size(), 1);
  EXPECT_EQ(kv.metadata_writes(0).key(), "k");
  ASSERT_EQ(kv.metadata_writes(0).entries_size(), 1);
  EXPECT_EQ(kv.metadata_writes(0).entries(0).value(), "policy");
}

// Reads every result of a range query through QUERY_STATE_NEXT; returns "key,key,...|batches".
StatusOr<std::string> DrainRange(FakeChaincode::Tx& tx, const std::string& start,
                                 const std::string& end, bool close_early) {
  protos::GetStateByRange req;
  req.set_startkey(start);
  req.set_endkey(end);
  auto r = tx.Call(Msg::GET_STATE_BY_RANGE, req.SerializeAsString());
  if (!r.ok())
    return r.status();
  std::string keys;
  int batches = 0;
  for (;;) {
    protos::QueryResponse qr;
    qr.ParseFromString(*r);
    ++batches;
    for (const auto& b : qr.results()) {
      queryresult::KV kv;
      kv.ParseFromString(b.resultbytes());
      keys += kv.key() + ",";
    }
    if (!qr.has_more())
      break;
    if (close_early) {
      protos::QueryStateClose c;
      c.set_id(qr.id());
      auto closed = tx.Call(Msg::QUERY_STATE_CLOSE, c.SerializeAsString());
      if (!closed.ok())
        return closed.status();
      protos::QueryStateNext n;
      n.set_id(qr.id());
      auto after = tx.Call(Msg::QUERY_STATE_NEXT, n.SerializeAsString());
      return keys + "|" + std::to_string(batches) + "|" +
             (after.ok() ? "next-ok" : std::string(after.status().message()));
    }
    protos::QueryStateNext n;
    n.set_id(qr.id());
    r = tx.Call(Msg::QUERY_STATE_NEXT, n.SerializeAsString());
    if (!r.ok())
      return r.status();
  }
  return keys + "|" + std::to_string(batches);
}

std::string Keys(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) {
    out += absl::StrFormat("k%03d,", i);
  }
  return out;
}

TEST_F(HandlerTest, RangeQueryPagesThroughQueryStateNextInBatchesOf100) {
  std::map<std::string, std::string> writes;
  for (int i = 0; i < 250; ++i) {
    writes[absl::StrFormat("k%03d", i)] = "v";
  }
  Seed("mycc", writes, "seed");
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    auto all = DrainRange(tx, "k000", "k999", false);
    if (!all.ok())
      return all.status();
    auto closed = DrainRange(tx, "", "", true);
    if (!closed.ok())
      return closed.status();
    return Ok(*all + "#" + *closed);
  });
  auto tx = NewTx("tx1");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  std::string all = Keys(0, 250) + "|3";
  std::string closed = Keys(0, 100) + "|1|QUERY_STATE_NEXT failed: transaction ID: tx1: " +
                       "query iterator not found: tx1-1";
  EXPECT_EQ(r->payload(), all + "#" + closed);
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "mycc");
  ASSERT_EQ(rw.range_queries_info_size(), 2);
  EXPECT_TRUE(rw.range_queries_info(0).itr_exhausted());
  // The query closed after its first batch had read one result past it, as Fabric's handler
  // does (that result opens the next batch): its read set ends at the 101st key.
  EXPECT_FALSE(rw.range_queries_info(1).itr_exhausted());
  EXPECT_EQ(rw.range_queries_info(1).end_key(), "k100");
  EXPECT_TRUE(rw.range_queries_info(1).has_reads_merkle_hashes());
}

TEST_F(HandlerTest, PaginatedRangeQueryInQueryOnlyTransactionReturnsBookmark) {
  std::map<std::string, std::string> writes;
  for (int i = 0; i < 30; ++i) {
    writes[absl::StrFormat("k%03d", i)] = "v";
  }
  Seed("mycc", writes, "seed");
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    std::string out;
    std::string bookmark;
    for (int page = 0; page < 4; ++page) {
      protos::GetStateByRange req;
      req.set_startkey("k000");
      req.set_endkey("k999");
      protos::QueryMetadata meta;
      meta.set_pagesize(12);
      meta.set_bookmark(bookmark);
      req.set_metadata(meta.SerializeAsString());
      auto r = tx.Call(Msg::GET_STATE_BY_RANGE, req.SerializeAsString());
      if (!r.ok())
        return r.status();
      protos::QueryResponse qr;
      qr.ParseFromString(*r);
      protos::QueryResponseMetadata rm;
      rm.ParseFromString(qr.metadata());
      out += absl::StrFormat("%d:%s:%d;", rm.fetched_records_count(), rm.bookmark(), qr.has_more());
      bookmark = rm.bookmark();
      if (bookmark.empty())
        break;
    }
    return Ok(out);
  });
  auto qe = ledger_->NewQueryExecutor();
  TxParams params;
  params.channel_id = kChannel;
  params.tx_id = "q1";
  params.query_executor = qe.get();
  auto msg = support_->Execute(params, "mycc:1.0", Input({"q"}), ExecuteType::kTransaction);
  ASSERT_TRUE(msg.ok()) << msg.status();
  protos::Response r;
  r.ParseFromString(msg->payload());
  EXPECT_EQ(r.payload(), "12:k012:0;12:k024:0;6::0;");
  qe->Done();
}

TEST_F(HandlerTest, QueryOnlyTransactionRefusesWrites) {
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    Status s = tx.PutState("a", "1");
    return Ok(std::string(s.message()));
  });
  auto qe = ledger_->NewQueryExecutor();
  TxParams params;
  params.channel_id = kChannel;
  params.tx_id = "q1";
  params.query_executor = qe.get();
  auto msg = support_->Execute(params, "mycc:1.0", Input({"q"}), ExecuteType::kTransaction);
  ASSERT_TRUE(msg.ok()) << msg.status();
  protos::Response r;
  r.ParseFromString(msg->payload());
  EXPECT_EQ(r.payload(),
            "PUT_STATE failed: transaction ID: q1: cannot write in a query-only transaction");
  qe->Done();
}

TEST_F(HandlerTest, RichQueryIsRefusedWithLedgerError) {
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    protos::GetQueryResult q;
    q.set_query("{\"selector\":{}}");
    auto r = tx.Call(Msg::GET_QUERY_RESULT, q.SerializeAsString());
    return Ok(r.ok() ? "ok" : std::string(r.status().message()));
  });
  auto tx = NewTx("tx1");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->payload().find("GET_QUERY_RESULT failed: transaction ID: tx1:"), std::string::npos)
      << r->payload();
}

TEST_F(HandlerTest, HistoryForKeyReturnsCommittedModifications) {
  Seed("mycc", {{"h", "1"}}, "h1");
  Seed("mycc", {{"h", "2"}}, "h2");
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    protos::GetHistoryForKey req;
    req.set_key("h");
    auto r = tx.Call(Msg::GET_HISTORY_FOR_KEY, req.SerializeAsString());
    if (!r.ok())
      return r.status();
    protos::QueryResponse qr;
    qr.ParseFromString(*r);
    std::string out;
    for (const auto& b : qr.results()) {
      queryresult::KeyModification km;
      km.ParseFromString(b.resultbytes());
      out += km.tx_id() + "=" + km.value() + ";";
    }
    return Ok(out);
  });
  auto tx = NewTx("tx1");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(), "h1=1;h2=2;");
}

TEST_F(HandlerTest, ThousandConcurrentTransactionsOnOneStreamAreRoutedRight) {
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    Status s = tx.PutState("key-" + tx.msg().txid(), tx.args()[0]);
    if (!s.ok())
      return s;
    auto v = tx.GetState("seed");
    if (!v.ok())
      return v.status();
    return Ok(tx.msg().txid() + "/" + tx.args()[0]);
  });
  constexpr int kTxs = 1000;
  std::vector<std::unique_ptr<Tx>> txs;
  for (int i = 0; i < kTxs; ++i) {
    txs.push_back(NewTx("tx" + std::to_string(i)));
  }
  std::atomic<int> ok{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 50; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kTxs; i += 50) {
        auto r = Invoke(*txs[i], "mycc:1.0", {"arg" + std::to_string(i)});
        if (r.ok() && r->payload() == "tx" + std::to_string(i) + "/arg" + std::to_string(i)) {
          ++ok;
        }
      }
    });
  }
  threads.clear();
  EXPECT_EQ(ok.load(), kTxs);
  for (int i = 0; i < kTxs; i += 97) {
    kvrwset::KVRWSet rw = RwSet(*txs[i]->sim, "mycc");
    ASSERT_EQ(rw.writes_size(), 1);
    EXPECT_EQ(rw.writes(0).key(), "key-tx" + std::to_string(i));
    EXPECT_EQ(rw.writes(0).value(), "arg" + std::to_string(i));
  }
}

TEST_F(HandlerTest, SecondConcurrentExecutionWithSameTxidIsRefused) {
  std::promise<void> release;
  auto cc = ServingGated("mycc:1.0", release.get_future().share());
  auto tx1 = NewTx("same");
  auto tx2 = NewTx("same");
  auto first = std::async(std::launch::async, [&] { return Invoke(*tx1, "mycc:1.0", {"a"}); });
  EXPECT_TRUE(WaitUntil([&] { return InFlight("mycc:1.0") == 1; }));
  auto second = Invoke(*tx2, "mycc:1.0", {"b"});
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsAlreadyExists()) << second.status();
  EXPECT_NE(second.status().message().find("txid: same(mychannel) exists"), std::string::npos);
  release.set_value();
  EXPECT_TRUE(first.get().ok());
}

TEST_F(HandlerTest, ExecuteTimesOutAndLateReplyIsDropped) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<Status> late_put;
  auto cc = Serving("mycc:1.0", [&, released](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    if (tx.args()[0] == "slow") {
      released.wait();
      late_put.set_value(tx.PutState("late", "x"));
    }
    return Ok("done");
  });
  auto tx = NewTx("slow-tx");
  auto start = std::chrono::steady_clock::now();
  auto r = Invoke(*tx, "mycc:1.0", {"slow"}, 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsDeadlineExceeded());
  EXPECT_EQ(r.status().message(),
            "failed to execute transaction slow-tx: timeout expired while executing transaction");
  release.set_value();
  // The late request finds no context; the late COMPLETED is dropped.
  Status late = late_put.get_future().get();
  EXPECT_NE(late.message().find("no transaction context for slow-tx(mychannel)"), std::string::npos)
      << late;
  // The stream still serves.
  auto tx2 = NewTx("after");
  auto r2 = Invoke(*tx2, "mycc:1.0", {"fast"});
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->payload(), "done");
}

TEST_F(HandlerTest, StreamEndFailsInFlightTransactionsAtOnceAndDeregisters) {
  std::promise<void> release;
  auto cc = ServingGated("mycc:1.0", release.get_future().share());
  std::vector<std::unique_ptr<Tx>> txs;
  std::vector<std::future<StatusOr<protos::Response>>> futures;
  for (int i = 0; i < 5; ++i) {
    txs.push_back(NewTx("t" + std::to_string(i)));
  }
  for (int i = 0; i < 5; ++i) {
    futures.push_back(
        std::async(std::launch::async, [&, i] { return Invoke(*txs[i], "mycc:1.0", {"x"}); }));
  }
  EXPECT_TRUE(WaitUntil([&] { return InFlight("mycc:1.0") == 5; }));
  ASSERT_EQ(InFlight("mycc:1.0"), 5u);
  auto start = std::chrono::steady_clock::now();
  cc->Close();
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsUnavailable()) << r.status();
    EXPECT_NE(r.status().message().find("chaincode stream terminated"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(support_->GetHandler("mycc:1.0"), nullptr);
  // A new connection registers again (dev mode's "relaunch") and serves.
  auto cc2 = Serving("mycc:1.0",
                     [](FakeChaincode::Tx&) -> StatusOr<protos::Response> { return Ok("again"); });
  auto tx = NewTx("t-again");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(), "again");
  release.set_value();
  cc.reset();
}

// Executions run as FiberTasks, as the endorser runs proposals: each is started on the calling
// thread and parks while its chaincode works; its result and the thread it finished on arrive
// through the future.
struct FiberResult {
  StatusOr<protos::Response> response = InternalError("unset");
  std::thread::id finished_on;
};

class FiberExecuteTest : public HandlerTest {
 protected:
  std::future<FiberResult> StartInFiber(std::function<StatusOr<protos::Response>()> invoke) {
    auto promise = std::make_shared<std::promise<FiberResult>>();
    std::future<FiberResult> result = promise->get_future();
    const bool started = FiberTask::Start(
        [promise, invoke = std::move(invoke)] {
          FiberResult r{invoke(), std::this_thread::get_id()};
          promise->set_value(std::move(r));
        },
        stacks_);
    EXPECT_TRUE(started);
    return result;
  }
  FiberStacks stacks_;
};

TEST_F(FiberExecuteTest, ParkedExecutionsFinishOnTheStreamReader) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto cc = Serving("mycc:1.0", [released](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    released.wait();
    Status put = tx.PutState("k", tx.args()[0]);
    if (!put.ok()) {
      return put;
    }
    return Ok(tx.args()[0]);
  });
  std::vector<std::unique_ptr<Tx>> txs;
  std::vector<std::future<FiberResult>> results;
  for (int i = 0; i < 8; ++i) {
    txs.push_back(NewTx("f" + std::to_string(i)));
  }
  // All eight start on this thread; each parks once its TRANSACTION is sent.
  for (int i = 0; i < 8; ++i) {
    Tx* tx = txs[i].get();
    results.push_back(
        StartInFiber([this, tx, i] { return Invoke(*tx, "mycc:1.0", {"v" + std::to_string(i)}); }));
  }
  EXPECT_EQ(InFlight("mycc:1.0"), 8u);
  for (auto& r : results) {
    EXPECT_EQ(r.wait_for(0s), std::future_status::timeout);
  }
  release.set_value();
  for (int i = 0; i < 8; ++i) {
    FiberResult r = results[i].get();
    ASSERT_TRUE(r.response.ok()) << r.response.status();
    EXPECT_EQ(r.response->payload(), "v" + std::to_string(i));
    EXPECT_NE(r.finished_on, std::this_thread::get_id()) << "resumed where COMPLETED arrived";
    EXPECT_EQ(RwSet(*txs[i]->sim, "mycc").writes(0).value(), "v" + std::to_string(i));
  }
}

TEST_F(FiberExecuteTest, ParkedExecutionTimesOutAtItsDeadline) {
  std::promise<void> release;
  auto cc = ServingGated("mycc:1.0", release.get_future().share());
  auto tx = NewTx("slow");
  const auto start = std::chrono::steady_clock::now();
  auto result = StartInFiber([&] { return Invoke(*tx, "mycc:1.0", {"x"}, 300ms); });
  FiberResult r = result.get();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
  ASSERT_FALSE(r.response.ok());
  EXPECT_TRUE(r.response.status().IsDeadlineExceeded()) << r.response.status();
  release.set_value();
}

TEST_F(FiberExecuteTest, StreamEndResumesParkedExecutionsWithTheFailure) {
  std::promise<void> release;
  auto cc = ServingGated("mycc:1.0", release.get_future().share());
  std::vector<std::unique_ptr<Tx>> txs;
  std::vector<std::future<FiberResult>> results;
  for (int i = 0; i < 3; ++i) {
    txs.push_back(NewTx("e" + std::to_string(i)));
    Tx* tx = txs.back().get();
    results.push_back(StartInFiber([this, tx] { return Invoke(*tx, "mycc:1.0", {"x"}); }));
  }
  ASSERT_EQ(InFlight("mycc:1.0"), 3u);
  cc->Close();
  for (auto& f : results) {
    FiberResult r = f.get();
    ASSERT_FALSE(r.response.ok());
    EXPECT_NE(r.response.status().message().find("chaincode stream terminated"), std::string::npos)
        << r.response.status();
  }
  release.set_value();
  cc.reset();
}

TEST_F(HandlerTest, DevModeWaitsForSelfRegistrationUpToStartupTimeout) {
  auto tx = NewTx("t");
  auto start = std::chrono::steady_clock::now();
  auto r = Invoke(*tx, "nobody:1.0", {"x"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsDeadlineExceeded());
  EXPECT_EQ(r.status().message(), "chaincode nobody:1.0 did not register within 2s");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2s);
  // A launch waiting when the chaincode registers succeeds.
  auto pending = std::async(std::launch::async, [&] {
    auto tx2 = NewTx("t2");
    return Invoke(*tx2, "late:1.0", {"x"});
  });
  EXPECT_TRUE(WaitUntil([&] { return dev_launcher_.Started("late:1.0"); }));
  auto cc = Serving("late:1.0",
                    [](FakeChaincode::Tx&) -> StatusOr<protos::Response> { return Ok("hi"); });
  auto r2 = pending.get();
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->payload(), "hi");
}

// Calls `callee` with `args` from inside a transaction: "<message type>:<callee's payload>",
// or "error:<why>".
std::string CallChaincode(FakeChaincode::Tx& tx, const std::string& callee,
                          const std::vector<std::string>& args) {
  protos::ChaincodeSpec spec;
  spec.mutable_chaincode_id()->set_name(callee);
  for (const std::string& a : args) {
    spec.mutable_input()->add_args(a);
  }
  auto r = tx.Call(Msg::INVOKE_CHAINCODE, spec.SerializeAsString());
  if (!r.ok()) {
    return "error:" + std::string(r.status().message());
  }
  Msg wrapped;
  wrapped.ParseFromString(*r);
  protos::Response inner;
  inner.ParseFromString(wrapped.payload());
  return Msg::Type_Name(wrapped.type()) + ":" + inner.payload();
}

TEST_F(HandlerTest, ChaincodeToChaincodeOnSameChannelSharesTheSimulator) {
  auto callee = Serving("callee:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    Status s = tx.PutState("ck", "from-callee");
    if (!s.ok())
      return s;
    return Ok("callee-result");
  });
  auto caller = Serving("caller:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    std::string result = CallChaincode(tx, tx.args()[0], {"go"});
    if (result.rfind("error:", 0) == 0)
      return Ok(result);
    Status s = tx.PutState("k", "from-caller");
    if (!s.ok())
      return s;
    return Ok(result);
  });
  auto tx = NewTx("cc2cc");
  auto r = Invoke(*tx, "caller:1.0", {"callee:1.0"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(), "COMPLETED:callee-result");
  auto results = tx->sim->GetTxSimulationResults();
  ASSERT_TRUE(results.ok());
  std::map<std::string, std::string> writes;
  for (const auto& ns : results->ns_rwset()) {
    kvrwset::KVRWSet kv;
    kv.ParseFromString(ns.rwset());
    for (const auto& w : kv.writes()) {
      writes[ns.namespace_() + "/" + w.key()] = w.value();
    }
  }
  EXPECT_EQ(writes["callee/ck"], "from-callee");
  EXPECT_EQ(writes["caller/k"], "from-caller");
  // Calling itself is refused (same txid on the same connection).
  auto tx2 = NewTx("self");
  auto self = Invoke(*tx2, "caller:1.0", {"caller:1.0"});
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_NE(self->payload().find("execute failed: error sending: txid: self(mychannel) exists"),
            std::string::npos)
      << self->payload();
  // Unknown channels and system chaincodes are refused with clear errors.
  auto tx3 = NewTx("other");
  auto other = Invoke(*tx3, "caller:1.0", {"callee:1.0/otherchannel"});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->payload().find("channel otherchannel not found"), std::string::npos);
}

// A call into a system chaincode runs it in process against the caller's simulator (no
// definition read), and its Response comes back as a callee's COMPLETED message would.
TEST_F(HandlerTest, ChaincodeToSystemChaincodeRunsInProcessOnTheCallersSimulator) {
  auto caller = Serving("caller:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    return Ok(CallChaincode(tx, tx.args()[0], {"getccdata", "mychannel", "othercc"}));
  });
  auto tx = NewTx("to-lscc");
  auto r = Invoke(*tx, "caller:1.0", {"lscc"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(), "COMPLETED:definition of othercc");
  kvrwset::KVRWSet lscc = RwSet(*tx->sim, "lscc");
  ASSERT_EQ(lscc.reads_size(), 1);
  EXPECT_EQ(lscc.reads(0).key(), "othercc");
  auto tx2 = NewTx("to-cscc");
  auto refused = Invoke(*tx2, "caller:1.0", {"cscc"});
  ASSERT_TRUE(refused.ok());
  EXPECT_NE(refused->payload().find("cscc cannot be invoked with a cc2cc invocation"),
            std::string::npos)
      << refused->payload();
}

// Fabric refuses state metadata calls on a channel whose application capabilities do not
// include key-level endorsement (V1_3), before it reads anything.
TEST_F(HandlerTest, StateMetadataNeedsTheKeyLevelEndorsementCapability) {
  key_level_endorsement_ = false;
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    protos::GetStateMetadata get;
    get.set_key("k");
    protos::PutStateMetadata put;
    put.set_key("k");
    put.mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
    return Ok(
        std::string(tx.Call(Msg::GET_STATE_METADATA, get.SerializeAsString()).status().message()) +
        "|" +
        std::string(tx.Call(Msg::PUT_STATE_METADATA, put.SerializeAsString()).status().message()));
  });
  auto tx = NewTx("md");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(),
            "GET_STATE_METADATA failed: transaction ID: md: key level endorsement is not "
            "enabled|PUT_STATE_METADATA failed: transaction ID: md: key level endorsement is not "
            "enabled");
  EXPECT_EQ(RwSet(*tx->sim, "mycc").reads_size(), 0);
}

// Every private data call on a collection of `collection`, in the order of the message types,
// each result's error text joined with '|'.
std::string CallEveryPrivateDataApi(FakeChaincode::Tx& tx, const std::string& collection) {
  protos::GetState get;
  get.set_key("k");
  get.set_collection(collection);
  protos::GetStateMetadata get_md;
  get_md.set_key("k");
  get_md.set_collection(collection);
  protos::GetStateByRange range;
  range.set_startkey("a");
  range.set_endkey("z");
  range.set_collection(collection);
  protos::GetQueryResult query;
  query.set_query("{}");
  query.set_collection(collection);
  protos::PutState put;
  put.set_key("k");
  put.set_value("v");
  put.set_collection(collection);
  protos::PutStateMetadata put_md;
  put_md.set_key("k");
  put_md.set_collection(collection);
  put_md.mutable_metadata()->set_metakey("VALIDATION_PARAMETER");
  protos::DelState del;
  del.set_key("k");
  del.set_collection(collection);
  std::string out;
  for (const auto& [type, payload] : std::vector<std::pair<Msg::Type, std::string>>{
           {Msg::GET_STATE, get.SerializeAsString()},
           {Msg::GET_STATE_METADATA, get_md.SerializeAsString()},
           {Msg::GET_STATE_BY_RANGE, range.SerializeAsString()},
           {Msg::GET_QUERY_RESULT, query.SerializeAsString()},
           {Msg::PUT_STATE, put.SerializeAsString()},
           {Msg::PUT_STATE_METADATA, put_md.SerializeAsString()},
           {Msg::DEL_STATE, del.SerializeAsString()},
           {Msg::GET_PRIVATE_DATA_HASH, get.SerializeAsString()}}) {
    out += std::string(tx.Call(type, payload).status().message()) + "|";
  }
  return out;
}

// No collection is defined here: every private data call fails with Fabric 1.4's words, after
// Fabric's reads of the chaincode's definition and collection configuration (reads that stay
// in the read set); in Init() they are refused before any read.
TEST_F(HandlerTest, PrivateDataCallsReadWhatFabricReadsThenFail) {
  Seed("lscc", {{"mycc", "definition"}}, "deploy");
  auto cc = Serving("mycc:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    return Ok(CallEveryPrivateDataApi(tx, "coll"));
  });
  auto tx = NewTx("pvt");
  auto r = Invoke(*tx, "mycc:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string read = "collection mychannel/mycc/coll could not be found|";
  const std::string write =
      "collection config not defined for chaincode [mycc], pass the collection configuration "
      "upon chaincode definition/instantiation|";
  const auto failed = [](const std::string& type, const std::string& text) {
    return type + " failed: transaction ID: pvt: " + text;
  };
  EXPECT_EQ(r->payload(), failed("GET_STATE", read) + failed("GET_STATE_METADATA", read) +
                              failed("GET_STATE_BY_RANGE", read) +
                              failed("GET_QUERY_RESULT", read) + failed("PUT_STATE", write) +
                              failed("PUT_STATE_METADATA", write) + failed("DEL_STATE", write) +
                              failed("GET_PRIVATE_DATA_HASH", write));
  kvrwset::KVRWSet lscc = RwSet(*tx->sim, "lscc");
  ASSERT_EQ(lscc.reads_size(), 2);
  EXPECT_EQ(lscc.reads(0).key(), "mycc");
  EXPECT_EQ(lscc.reads(0).version().block_num(), 1u);
  EXPECT_EQ(lscc.reads(1).key(), "mycc~collection");
  EXPECT_FALSE(lscc.reads(1).has_version());
  EXPECT_EQ(lscc.writes_size(), 0);

  auto init = NewTx("pvt-init");
  auto m = support_->Execute(init->params, "mycc:1.0", Input({"init"}), ExecuteType::kInit);
  ASSERT_TRUE(m.ok()) << m.status();
  protos::Response init_response;
  ASSERT_TRUE(init_response.ParseFromString(m->payload()));
  EXPECT_EQ(init_response.payload().find("could not be found"), std::string::npos);
  EXPECT_EQ(init_response.payload().find("not defined"), std::string::npos);
  EXPECT_NE(init_response.payload().find(
                "PUT_STATE failed: transaction ID: pvt-init: private data APIs are not allowed "
                "in chaincode Init()|"),
            std::string::npos)
      << init_response.payload();
  EXPECT_EQ(RwSet(*init->sim, "lscc").reads_size(), 0);
}

// Requests for unknown transactions: PUT_STATE outside a transaction gets an ERROR; COMPLETED
// for an unknown txid is dropped, and nothing breaks.
void ExpectRequestsOutsideTransactionsFail(FakeChaincode& cc, const std::string& channel) {
  protos::PutState put;
  put.set_key("k");
  put.set_value("v");
  Msg m;
  m.set_type(Msg::PUT_STATE);
  m.set_txid("ghost");
  m.set_channel_id(channel);
  m.set_payload(put.SerializeAsString());
  ASSERT_TRUE(cc.Send(m));
  auto reply = cc.Next(5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->type(), Msg::ERROR);
  EXPECT_EQ(reply->txid(), "ghost");
  EXPECT_EQ(reply->payload(),
            "PUT_STATE failed: transaction ID: ghost: no transaction context for "
            "ghost(mychannel)");
  Msg completed;
  completed.set_type(Msg::COMPLETED);
  completed.set_txid("ghost2");
  ASSERT_TRUE(cc.Send(completed));
}

Msg RegisterMsg(const std::string& payload) {
  Msg reg;
  reg.set_type(Msg::REGISTER);
  reg.set_payload(payload);
  return reg;
}

// REGISTER twice: ERROR, and the stream is closed.
void ExpectSecondRegisterClosesStream(FakeChaincode& cc, const std::string& ccid) {
  protos::ChaincodeID id;
  id.set_name(ccid);
  ASSERT_TRUE(cc.Send(RegisterMsg(id.SerializeAsString())));
  auto reply = cc.Next(5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->type(), Msg::ERROR);
  EXPECT_EQ(reply->payload(), "chaincode " + ccid + " sent REGISTER in ready state");
  auto closed = cc.WaitClosed(5s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_FALSE(closed->ok());
}

// A message before REGISTER: ERROR, and the stream is closed.
void ExpectMessageBeforeRegisterFails(FakeChaincode& cc) {
  Msg get;
  get.set_type(Msg::GET_STATE);
  ASSERT_TRUE(cc.Send(get));
  auto reply = cc.Next(5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->payload(), "chaincode sent GET_STATE before REGISTER");
  EXPECT_TRUE(cc.WaitClosed(5s).has_value());
}

void ExpectGarbageRegisterFails(FakeChaincode& cc) {
  ASSERT_TRUE(cc.Send(RegisterMsg("\xff\xff")));
  auto reply = cc.Next(5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_NE(reply->payload().find("unmarshal REGISTER ChaincodeID"), std::string::npos);
}

TEST_F(HandlerTest, HostileChaincodeMessagesGetClearErrorsWhileOthersKeepServing) {
  auto good = Serving("good:1.0", [](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    auto v = tx.GetState("x");
    if (!v.ok())
      return v.status();
    return Ok("good");
  });
  auto bad = Connect();
  ASSERT_TRUE(bad->Register("bad:1.0").ok());
  ASSERT_NO_FATAL_FAILURE(ExpectRequestsOutsideTransactionsFail(*bad, kChannel));
  // Garbage payload inside a real transaction.
  std::promise<std::string> garbage_reply;
  bad->Serve([&](FakeChaincode::Tx& tx) -> StatusOr<protos::Response> {
    auto r = tx.Call(Msg::GET_STATE, std::string("\xff\xff\xff\xff garbage", 12));
    garbage_reply.set_value(r.ok() ? "ok" : std::string(r.status().message()));
    return Ok();
  });
  auto tx = NewTx("t1");
  EXPECT_TRUE(Invoke(*tx, "bad:1.0", {"x"}).ok());
  EXPECT_NE(garbage_reply.get_future().get().find(
                "GET_STATE failed: transaction ID: t1: unmarshal GetState: malformed"),
            std::string::npos);
  // The good chaincode is unaffected.
  auto tx2 = NewTx("t2");
  auto r = Invoke(*tx2, "good:1.0", {"x"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_NO_FATAL_FAILURE(ExpectSecondRegisterClosesStream(*bad, "bad:1.0"));
  EXPECT_EQ(support_->GetHandler("bad:1.0"), nullptr);
  auto early = Connect();
  ASSERT_NO_FATAL_FAILURE(ExpectMessageBeforeRegisterFails(*early));
  auto garbage = Connect();
  ASSERT_NO_FATAL_FAILURE(ExpectGarbageRegisterFails(*garbage));
  // A duplicate registration of a connected chaincode.
  auto dup = Connect();
  Status s = dup->Register("good:1.0");
  EXPECT_EQ(s.message(), "got ERROR: duplicate chaincodeID: good:1.0");
  // Still serving.
  auto tx3 = NewTx("t3");
  EXPECT_TRUE(Invoke(*tx3, "good:1.0", {"x"}).ok());
}

TEST_F(HandlerTest, KeepaliveIsOffByDefault) {
  auto cc = Connect();
  ASSERT_TRUE(cc->Register("mycc:1.0").ok());
  EXPECT_FALSE(cc->Next(300ms).has_value());
}

class KeepaliveTest : public testing::ChaincodeTestEnv {};

TEST_F(KeepaliveTest, SendsKeepaliveWhenConfigured) {
  launcher::DevModeLauncher dev;
  options_.keepalive_interval = 100ms;
  StartSupport(dev);
  auto cc = FakeChaincode::Connect(server_->address());
  ASSERT_TRUE(cc.ok());
  ASSERT_TRUE((*cc)->Register("mycc:1.0").ok());
  auto m = (*cc)->Next(2s);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type(), Msg::KEEPALIVE);
}

class NonDevModeTest : public testing::ChaincodeTestEnv {};

TEST_F(NonDevModeTest, RefusesRegistrationOfChaincodeNobodyLaunched) {
  struct NoLaunch : launcher::Launcher {
    Status Start(const launcher::StartRequest&) override { return Status::OK(); }
    Status Stop(const std::string&) override { return Status::OK(); }
    StatusOr<int> Wait(const std::string&, std::chrono::milliseconds) override { return 0; }
    bool IsRunning(const std::string&) const override { return false; }
  } launcher;
  StartSupport(launcher);
  auto cc = FakeChaincode::Connect(server_->address());
  ASSERT_TRUE(cc.ok());
  Status s = (*cc)->Register("intruder:1.0");
  EXPECT_EQ(s.message(),
            "got ERROR: peer will not accept external chaincode connection intruder:1.0 "
            "(except in dev mode)");
  EXPECT_TRUE((*cc)->WaitClosed(5s).has_value());
}

}  // namespace
}  // namespace fabric::chaincode
