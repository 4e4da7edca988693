// SPDX-License-Identifier: Apache-2.0
//
// Every stub call end to end: the real C++ shim (fabric_shim, in-process on its own thread, or
// the abstore sample as a child process) over loopback gRPC to the real Handler, against a
// real ledger on disk; results checked in the Response and in the rwset.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"
#include "fabric/shim/start.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/chaincode/testing/chaincode_test_env.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;
using shim::ChaincodeStub;

std::string Err(const Status& s) { return "error:" + std::string(s.message()); }

// The functions of Probe: each exercises stub calls and reports what it saw.

// getput <from> <to> <del>: reads <from>, writes its value + "+" to <to>, deletes <del> and sets an
// event.
shim::Response GetPut(ChaincodeStub& stub, const std::vector<std::string>& args) {
  auto v = stub.GetState(args[0]);
  if (!v.ok())
    return shim::Error(Err(v.status()));
  Status s = stub.PutState(args[1], *v + "+");
  if (!s.ok())
    return shim::Error(Err(s));
  s = stub.DelState(args[2]);
  if (!s.ok())
    return shim::Error(Err(s));
  (void)stub.SetEvent("evt", "event-payload");
  return shim::Success(*v);
}

// range <start> <end>: the first three keys of the range and how many there are.
shim::Response Range(ChaincodeStub& stub, const std::vector<std::string>& args) {
  auto it = stub.GetStateByRange(args[0], args[1]);
  if (!it.ok())
    return shim::Error(Err(it.status()));
  std::string out;
  int n = 0;
  while ((*it)->HasNext()) {
    auto kv = (*it)->Next();
    if (!kv.ok())
      return shim::Error(Err(kv.status()));
    if (n++ < 3)
      out += kv->key() + ",";
  }
  (void)(*it)->Close();
  return shim::Success(out + std::to_string(n));
}

// composite: writes two composite keys and reads back those under "color", "red".
shim::Response Composite(ChaincodeStub& stub, const std::vector<std::string>& /*args*/) {
  auto k1 = stub.CreateCompositeKey("color", {"blue", "1"});
  auto k2 = stub.CreateCompositeKey("color", {"red", "2"});
  if (!k1.ok() || !k2.ok())
    return shim::Error("composite");
  (void)stub.PutState(*k1, "b");
  (void)stub.PutState(*k2, "r");
  auto it = stub.GetStateByPartialCompositeKey("color", {"red"});
  if (!it.ok())
    return shim::Error(Err(it.status()));
  std::string out;
  while ((*it)->HasNext()) {
    auto kv = (*it)->Next();
    if (!kv.ok())
      return shim::Error(Err(kv.status()));
    auto split = stub.SplitCompositeKey(kv->key());
    out += split.ok() ? split->attributes[0] + "=" + kv->value() + ";" : "bad;";
  }
  return shim::Success(out);
}

// page <start> <end> [<bookmark>]: how many keys a page of 5 holds, and the next bookmark.
shim::Response Page(ChaincodeStub& stub, const std::vector<std::string>& args) {
  auto page =
      stub.GetStateByRangeWithPagination(args[0], args[1], 5, args.size() > 2 ? args[2] : "");
  if (!page.ok())
    return shim::Error(Err(page.status()));
  int n = 0;
  while (page->iterator->HasNext()) {
    if (!page->iterator->Next().ok())
      return shim::Error("next");
    ++n;
  }
  return shim::Success(std::to_string(n) + ":" + page->metadata.bookmark());
}

// history <key>: the key's modifications.
shim::Response History(ChaincodeStub& stub, const std::vector<std::string>& args) {
  auto it = stub.GetHistoryForKey(args[0]);
  if (!it.ok())
    return shim::Error(Err(it.status()));
  std::string out;
  while ((*it)->HasNext()) {
    auto km = (*it)->Next();
    if (!km.ok())
      return shim::Error(Err(km.status()));
    out += km->tx_id() + "=" + km->value() + ";";
  }
  return shim::Success(out);
}

// rich: whether a rich query runs.
shim::Response Rich(ChaincodeStub& stub, const std::vector<std::string>& /*args*/) {
  auto it = stub.GetQueryResult("{\"selector\":{}}");
  return shim::Success(it.ok() ? "ok" : Err(it.status()));
}

// ep <key>: sets the validation parameter of "k" and reads that of <key>.
shim::Response Endorsement(ChaincodeStub& stub, const std::vector<std::string>& args) {
  Status s = stub.SetStateValidationParameter("k", "policy-bytes");
  if (!s.ok())
    return shim::Error(Err(s));
  auto ep = stub.GetStateValidationParameter(args[0]);
  return shim::Success(ep.ok() ? *ep : Err(ep.status()));
}

// call <cc> [<channel>]: calls getput of <cc>, then writes.
shim::Response CallGetPut(ChaincodeStub& stub, const std::vector<std::string>& args) {
  shim::Response r = stub.InvokeChaincode(args[0], {"getput", "a", "from-callee", "zz"},
                                          args.size() > 1 ? args[1] : "");
  Status s = stub.PutState("caller-key", "v");
  if (!s.ok())
    return shim::Error(Err(s));
  return shim::Success(std::to_string(r.status) + ":" + r.payload + r.message);
}

// chain <cc> <cc>...: each calls the next; the last answers "end".
shim::Response Chain(ChaincodeStub& stub, const std::vector<std::string>& args) {
  if (args.empty()) {
    return shim::Success("end");
  }
  std::vector<std::string> next = {"chain"};
  next.insert(next.end(), args.begin() + 1, args.end());
  shim::Response r = stub.InvokeChaincode(args[0], next, "");
  return r.status == 200 ? shim::Success(args[0] + ">" + r.payload) : shim::Error(r.message);
}

// write: one write.
shim::Response Write(ChaincodeStub& stub, const std::vector<std::string>& /*args*/) {
  Status s = stub.PutState("w", "v");
  return shim::Success(s.ok() ? "ok" : Err(s));
}

// info: the transaction id and channel.
shim::Response Info(ChaincodeStub& stub, const std::vector<std::string>& /*args*/) {
  return shim::Success(stub.GetTxID() + "@" + stub.GetChannelID());
}

// A chaincode whose functions each exercise stub calls and report what they saw.
class Probe : public shim::Chaincode {
 public:
  shim::Response Init(ChaincodeStub& stub) override {
    Status s = stub.PutState("init", "done");
    return s.ok() ? shim::Success("init") : shim::Error(Err(s));
  }

  shim::Response Invoke(ChaincodeStub& stub) override {
    using Function = shim::Response (*)(ChaincodeStub&, const std::vector<std::string>&);
    static const std::map<std::string, Function> kFunctions = {
        {"getput", GetPut},  {"range", Range},     {"composite", Composite},
        {"page", Page},      {"history", History}, {"rich", Rich},
        {"ep", Endorsement}, {"call", CallGetPut}, {"chain", Chain},
        {"write", Write},    {"info", Info}};
    auto [fn, args] = stub.GetFunctionAndParameters();
    auto it = kFunctions.find(fn);
    if (it == kFunctions.end()) {
      return shim::Error("unknown function " + fn);
    }
    return it->second(stub, args);
  }
};

class ShimE2ETest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    options_.startup_timeout = 10s;
    options_.resolve_version = ResolveTo("1.0");
    StartSupport(dev_);
  }
  void TearDown() override {
    server_->Shutdown();  // ends the shims' streams: Start returns
    shims_.clear();
    ChaincodeTestEnv::TearDown();
  }
  // Runs a Probe under `ccid` in this process, registering in dev mode.
  void RunProbe(const std::string& ccid) {
    shim::StartOptions o;
    o.chaincode_id_name = ccid;
    o.peer_address = server_->address();
    shims_.emplace_back([this, o] { (void)shim::Start(probe_, o); });
    ASSERT_TRUE(support_->Launch(ccid).ok());
  }
  std::string Call(Tx& tx, std::initializer_list<std::string> args,
                   const std::string& ccid = "probe:1.0") {
    auto r = Invoke(tx, ccid, args);
    if (!r.ok())
      return Err(r.status());
    return std::to_string(r->status()) + "|" + r->payload() + r->message();
  }

  launcher::DevModeLauncher dev_;
  Probe probe_;
  std::vector<std::jthread> shims_;
};

TEST(ShimProtocolTest, PeerAndShimAgreeOnTheLaunchSecretMetadataKey) {
  EXPECT_EQ(kLaunchSecretMetadata, shim::kLaunchSecretMetadata);
}

TEST_F(ShimE2ETest, InitAndGetPutDelWithEventEndToEnd) {
  Seed("probe", {{"a", "100"}, {"zz", "x"}}, "seed");
  RunProbe("probe:1.0");
  auto init = NewTx("init-tx");
  auto msg = support_->Execute(init->params, "probe:1.0", Input({"init"}), ExecuteType::kInit);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(RwSet(*init->sim, "probe").writes(0).key(), "init");

  auto tx = NewTx("tx1");
  auto m = support_->Execute(tx->params, "probe:1.0", Input({"getput", "a", "b", "zz"}),
                             ExecuteType::kTransaction);
  ASSERT_TRUE(m.ok()) << m.status();
  protos::Response r;
  r.ParseFromString(m->payload());
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.payload(), "100");
  EXPECT_EQ(m->chaincode_event().event_name(), "evt");
  EXPECT_EQ(m->chaincode_event().chaincode_id(), "probe");
  EXPECT_EQ(m->chaincode_event().tx_id(), "tx1");
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "probe");
  ASSERT_EQ(rw.reads_size(), 1);
  EXPECT_EQ(rw.reads(0).key(), "a");
  ASSERT_EQ(rw.writes_size(), 2);
  EXPECT_EQ(rw.writes(0).key(), "b");
  EXPECT_EQ(rw.writes(0).value(), "100+");
  EXPECT_TRUE(rw.writes(1).is_delete());
  auto info = NewTx("tx-info");
  EXPECT_EQ(Call(*info, {"info"}), "200|tx-info@mychannel");
}

TEST_F(ShimE2ETest, RangeCompositePaginationHistoryRichAndMetadata) {
  std::map<std::string, std::string> w;
  for (int i = 0; i < 230; ++i) {
    w[absl::StrFormat("r%03d", i)] = "v";
  }
  Seed("probe", w, "seed1");
  Seed("probe", {{"h", "1"}}, "h1");
  Seed("probe", {{"h", "2"}}, "h2");
  RunProbe("probe:1.0");
  auto t1 = NewTx("t1");
  EXPECT_EQ(Call(*t1, {"range", "r000", "r999"}), "200|r000,r001,r002,230");
  auto t2 = NewTx("t2");
  EXPECT_EQ(Call(*t2, {"composite"}), "200|");  // no read-your-own-writes
  auto rw2 = t2->sim->GetTxSimulationResults();
  ASSERT_TRUE(rw2.ok());
  Commit({ledger::testing::FastEndorserTx(kChannel, "t2", *rw2)});
  auto t3 = NewTx("t3");
  EXPECT_EQ(Call(*t3, {"composite"}), "200|red=r;");
  auto t4 = NewTx("t4");
  EXPECT_EQ(Call(*t4, {"history", "h"}), "200|h1=1;h2=2;");
  auto t5 = NewTx("t5");
  std::string rich = Call(*t5, {"rich"});
  EXPECT_NE(rich.find("200|error:GET_QUERY_RESULT failed: transaction ID: t5:"), std::string::npos)
      << rich;
  auto t6 = NewTx("t6");
  EXPECT_EQ(Call(*t6, {"ep", "nokey"}), "200|");
  EXPECT_EQ(RwSet(*t6->sim, "probe").metadata_writes_size(), 1);
  // Paginated range in a query-only transaction.
  auto qe = ledger_->NewQueryExecutor();
  TxParams q;
  q.channel_id = kChannel;
  q.tx_id = "q1";
  q.query_executor = qe.get();
  auto m =
      support_->Execute(q, "probe:1.0", Input({"page", "r000", "r999"}), ExecuteType::kTransaction);
  ASSERT_TRUE(m.ok()) << m.status();
  protos::Response r;
  r.ParseFromString(m->payload());
  EXPECT_EQ(r.payload(), "5:r005");
  q.tx_id = "q2";
  m = support_->Execute(q, "probe:1.0", Input({"write"}), ExecuteType::kTransaction);
  ASSERT_TRUE(m.ok());
  r.ParseFromString(m->payload());
  EXPECT_NE(r.payload().find("cannot write in a query-only transaction"), std::string::npos);
  qe->Done();
}

TEST_F(ShimE2ETest, InvokeChaincodeSameChannelSharesSimulatorAndWrapsResponse) {
  Seed("callee", {{"a", "7"}}, "seed");
  RunProbe("probe:1.0");
  RunProbe("callee:1.0");
  auto tx = NewTx("cc2cc");
  EXPECT_EQ(Call(*tx, {"call", "callee"}), "200|200:7");
  auto results = tx->sim->GetTxSimulationResults();
  ASSERT_TRUE(results.ok());
  std::set<std::string> namespaces;
  kvrwset::KVRWSet lscc;
  for (const auto& ns : results->ns_rwset()) {
    namespaces.insert(ns.namespace_());
    if (ns.namespace_() == "lscc") {
      ASSERT_TRUE(lscc.ParseFromString(ns.rwset()));
    }
  }
  // The callee's definition was read through the caller's simulator (Fabric records it).
  EXPECT_EQ(namespaces, (std::set<std::string>{"callee", "lscc", "probe"}));
  ASSERT_EQ(lscc.reads_size(), 1);
  EXPECT_EQ(lscc.reads(0).key(), "callee");
  // A version in the callee's name is ignored: the defined version is called, as in Fabric.
  auto tx3 = NewTx("cc2cc-version");
  EXPECT_EQ(Call(*tx3, {"call", "callee:9.9"}), "200|200:7");
  // Another channel is read-only; this peer has no other channel.
  auto tx2 = NewTx("cc2cc-other");
  std::string other = Call(*tx2, {"call", "callee", "otherchannel"});
  EXPECT_NE(other.find("channel otherchannel not found"), std::string::npos) << other;
}

// Nested chaincode-to-chaincode calls park while their callee runs: more concurrent chains
// than invoke workers all complete (a worker held by each waiting call would deadlock them
// until the execute timeout).
TEST_F(ShimE2ETest, NestedCallsNeverWaitForAFreeInvokeWorker) {
  server_->Shutdown();
  options_.invoke_workers = 2;
  options_.execute_timeout = 5s;
  StartSupport(dev_);
  for (const char* cc : {"top:1.0", "mid:1.0", "leaf:1.0"}) {
    RunProbe(cc);
  }
  constexpr int kChains = 8;
  std::vector<std::unique_ptr<Tx>> txs;
  for (int i = 0; i < kChains; ++i) {
    txs.push_back(NewTx("chain" + std::to_string(i)));
  }
  std::vector<std::string> results(kChains);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kChains; ++i) {
      threads.emplace_back([&, i] {
        results[i] = Call(*txs[i], {"chain", "mid", "leaf"}, "top:1.0");
      });
    }
  }
  for (const std::string& r : results) {
    EXPECT_EQ(r, "200|mid>leaf>end");
  }
}

TEST_F(ShimE2ETest, ConcurrentTransactionsThroughRealShim) {
  Seed("probe", {{"a", "1"}}, "seed");
  RunProbe("probe:1.0");
  std::vector<std::unique_ptr<Tx>> txs;
  for (int i = 0; i < 200; ++i) {
    txs.push_back(NewTx("c" + std::to_string(i)));
  }
  std::atomic<int> ok{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = t; i < txs.size(); i += 16) {
          if (Call(*txs[i], {"getput", "a", "k" + std::to_string(i), "zz"}) == "200|1")
            ++ok;
        }
      });
    }
  }
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(RwSet(*txs[123]->sim, "probe").writes(0).key(), "k123");
}

class AbstoreProcessTest : public testing::ChaincodeTestEnv {};

TEST_F(AbstoreProcessTest, SampleChaincodeLaunchedAsChildProcess) {
  launcher::ProcessLauncher launcher;
  packages_.Add(launcher::ChaincodePackage::ForExecutable("abstore:1.0", ABSTORE_PATH));
  options_.startup_timeout = 10s;
  StartSupport(launcher);
  ExpectAbstoreTransferAndQuery("abstore:1.0");
  server_->Shutdown();
  EXPECT_TRUE(launcher.Wait("abstore:1.0", 10s).ok());
}

// abstore launched as a child process by a peer whose chaincode listener also has a socket.
class LocalSocketTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    packages_.Add(launcher::ChaincodePackage::ForExecutable("abstore:1.0", ABSTORE_PATH));
    options_.startup_timeout = 10s;
    StartSupport(launcher_, sock_);
  }
  launcher::ProcessLauncher launcher_;
  const std::string sock_ = dir_.Sub("cc.sock");
};

TEST_F(LocalSocketTest, ChaincodeRegistersOverThePeersSocket) {
  const std::string& sock = sock_;
  auto& launcher = launcher_;
  EXPECT_TRUE(std::filesystem::is_socket(sock));
  // Nothing listens at the TCP address the chaincode is given, so it can only come in over the
  // socket.
  support_->SetPeerAddress("127.0.0.1:1");
  auto tx = AbstoreInitThenTransfer("abstore:1.0");
  ASSERT_FALSE(HasFailure());
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "abstore");
  ASSERT_EQ(rw.writes_size(), 2);
  EXPECT_EQ(rw.writes(1).value(), "210");
  server_->Shutdown();
  EXPECT_TRUE(launcher.Wait("abstore:1.0", 10s).ok());
  EXPECT_FALSE(std::filesystem::exists(sock)) << "Shutdown removes the socket file";
}

TEST_F(LocalSocketTest, ChaincodeDialsTcpWhenTheSocketDoesNotAnswer) {
  const std::string& sock = sock_;
  auto& launcher = launcher_;
  ASSERT_TRUE(std::filesystem::remove(sock));  // offered, but nobody can connect to it
  auto tx = AbstoreInitThenTransfer("abstore:1.0");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(RwSet(*tx->sim, "abstore").writes_size(), 2);
  bool warned = false;
  for (const std::string& line : launcher.LastLogLines("abstore:1.0")) {
    warned |= line.find("could not connect to the peer's socket " + sock) != std::string::npos;
  }
  EXPECT_TRUE(warned);
  server_->Shutdown();
  EXPECT_TRUE(launcher.Wait("abstore:1.0", 10s).ok());
}

TEST(ChaincodeServerSocketTest, ReplacesAStaleSocketRefusesOtherFilesAndTooLongPaths) {
  ledger::testing::TempDir dir;
  ChaincodeSupportOptions options;
  launcher::ProcessLauncher launcher;
  launcher::MapPackageProvider packages;
  ChaincodeSupport support(options, launcher, packages);
  ChaincodeServer::Options so;
  so.listen_address = "127.0.0.1:0";
  so.local_socket = dir.Sub("cc.sock");
  {
    auto first = ChaincodeServer::Start(so, support);
    ASSERT_TRUE(first.ok()) << first.status();
  }
  // A socket left bound where ours goes, as after a crash: the next start binds anyway.
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    so.local_socket.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);
  }
  ASSERT_TRUE(std::filesystem::is_socket(so.local_socket));
  auto second = ChaincodeServer::Start(so, support);
  ASSERT_TRUE(second.ok()) << second.status();
  (*second)->Shutdown();
  // Any other file there is the user's: refused, left alone.
  { std::ofstream(so.local_socket) << "notes"; }
  auto taken = ChaincodeServer::Start(so, support);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(taken.status().message().find("not a socket"), std::string::npos) << taken.status();
  EXPECT_TRUE(std::filesystem::is_regular_file(so.local_socket));
  so.local_socket = dir.path() + "/" + std::string(ChaincodeServer::kMaxLocalSocketPath, 's');
  auto too_long = ChaincodeServer::Start(so, support);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("choose a shorter path"), std::string::npos);
}

// A stream that never sends REGISTER holds a listener thread: it is cancelled after the
// deadline, while a stream that registered in time is served past it; streams past the limit
// are refused.
TEST(ChaincodeServerLimitsTest, SilentStreamsAreCancelledAndStreamsAreBounded) {
  ChaincodeSupportOptions options;
  launcher::DevModeLauncher dev;
  launcher::MapPackageProvider packages;
  ChaincodeSupport support(options, dev, packages);
  ChaincodeServer::Options so;
  so.listen_address = "127.0.0.1:0";
  so.first_message_timeout = 300ms;
  so.max_streams = 3;
  auto server = ChaincodeServer::Start(so, support);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = protos::ChaincodeSupport::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));

  // A chaincode that registers at once keeps its stream past the deadline.
  Probe probe;
  shim::StartOptions o;
  o.chaincode_id_name = "probe:1.0";
  o.peer_address = (*server)->address();
  std::jthread shim_thread([&] { (void)shim::Start(probe, o); });
  ASSERT_TRUE(support.Launch("probe:1.0").ok());

  grpc::ClientContext silent_ctx;
  auto silent = stub->Register(&silent_ctx);
  const auto opened = std::chrono::steady_clock::now();
  protos::ChaincodeMessage msg;
  EXPECT_FALSE(silent->Read(&msg));
  EXPECT_LT(std::chrono::steady_clock::now() - opened, 5s);
  EXPECT_FALSE(silent->Finish().ok());
  // The registered chaincode's stream opened first: its deadline has passed too, and it still
  // answers.
  TxParams params;
  params.channel_id = "limits";
  params.tx_id = "after-the-deadline";
  protos::ChaincodeInput input;
  input.add_args("info");
  auto answer = support.Execute(params, "probe:1.0", input, ExecuteType::kTransaction);
  EXPECT_TRUE(answer.ok()) << answer.status();
  EXPECT_NE(support.GetHandler("probe:1.0"), nullptr) << "the registered chaincode was cut off";

  // Past the thread limit: refused, not queued or crashed.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<
      std::unique_ptr<grpc::ClientReaderWriter<protos::ChaincodeMessage, protos::ChaincodeMessage>>>
      streams;
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    streams.push_back(stub->Register(contexts.back().get()));
  }
  for (auto& s : streams) {
    if (!s->Read(&msg) && s->Finish().error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace fabric::chaincode
