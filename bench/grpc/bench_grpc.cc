// SPDX-License-Identifier: Apache-2.0
//
// bench_grpc: the CPU floor of the gRPC operations a Fabric transaction needs, on this machine,
// with no crypto and no application work, to read the end-to-end figures against. Per e2e
// transaction the Fabric flow makes 2 endorse unary calls (one ProcessProposal per endorsing
// peer) and 14 stream messages: 6 on each endorser's chaincode stream (TRANSACTION, GET_STATE,
// RESPONSE, PUT_STATE, RESPONSE, COMPLETED for a chaincode that reads and writes one key) and
// the Broadcast envelope and its reply; block deliveries are shared by a block's transactions.
// Whatever gRPC alone costs for those is spent before any of our code runs. Both sides run in this
// process over real loopback TCP (127.0.0.1, insecure), with the callback API on both ends, so the
// figures are client + server CPU together:
//
//   grpc_unary_per_s, grpc_unary_cpu_us
//       Endorser.ProcessProposal, 64 calls in flight: a 3,000-byte proposal with a 72-byte
//       signature in, a fixed ~2,900-byte ProposalResponse out (Finished on the callback
//       thread). CPU is per call.
//   grpc_stream_per_s, grpc_stream_cpu_us
//       ChaincodeSupport.Register, one bidi stream, 64 messages outstanding: ~300-byte
//       requests, each echoed back as a ~100-byte RESPONSE. Rates and CPU count messages in
//       both directions, so the CPU figure is per message sent one way.
//   grpc_stream_uds_per_s, grpc_stream_uds_cpu_us
//       The same over a unix socket, as the peer's chaincodes on its own host connect
//       (peer.chaincodeListenSocket).
//
// CPU is getrusage(RUSAGE_SELF) over the timed window, which follows a 0.5 s warm-up. Like the
// peer and the shim, the process runs under SCHED_BATCH (fabric/base/sched_batch.h). Also prints a
// "# load ..." comment line. BENCH_SECONDS (default 3) sets each phase's window; runtime about
// 12 s.

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "bench/common/exclusive_run.h"
#include "bench/common/proc_stats.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "peer/chaincode_shim.grpc.pb.h"
#include "peer/peer.grpc.pb.h"

namespace {

using protos::ChaincodeMessage;
using protos::ChaincodeSupport;
using protos::Endorser;
using protos::ProposalResponse;
using protos::SignedProposal;

constexpr int kInFlight = 64;
constexpr size_t kProposalBytes = 3000;
constexpr size_t kSignatureBytes = 72;
constexpr size_t kResponsePayloadBytes = 2800;
constexpr size_t kStreamRequestBytes = 300;
constexpr size_t kStreamReplyBytes = 100;
constexpr std::chrono::milliseconds kWarmUp(500);
constexpr std::chrono::seconds kDrainTimeout(10);  // for the calls in flight at the end
constexpr std::chrono::seconds kCallDeadline(20);

double BenchSeconds() {
  const char* s = std::getenv("BENCH_SECONDS");
  return s != nullptr ? std::atof(s) : 3.0;
}

// User + system CPU seconds of this process (all threads), microsecond resolution.
double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Window {
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t count = 0;
};

// Waits out the warm-up, then measures `count()` and the process CPU over `seconds`.
template <typename Count>
Window Measure(double seconds, Count count) {
  using Clock = std::chrono::steady_clock;
  std::this_thread::sleep_for(kWarmUp);
  const uint64_t c0 = count();
  const double cpu0 = ProcessCpuSeconds();
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  Window w;
  w.count = count() - c0;
  w.cpu_seconds = ProcessCpuSeconds() - cpu0;
  w.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return w;
}

// Endorser whose every ProcessProposal answers the same fixed ProposalResponse at once.
class EndorserService final : public Endorser::CallbackService {
 public:
  EndorserService() {
    response_.set_version(1);
    response_.mutable_response()->set_status(200);
    response_.set_payload(std::string(kResponsePayloadBytes, 'p'));
    response_.mutable_endorsement()->set_signature(std::string(kSignatureBytes, 's'));
  }

  grpc::ServerUnaryReactor* ProcessProposal(grpc::CallbackServerContext* ctx,
                                            const SignedProposal* /*request*/,
                                            ProposalResponse* response) override {
    *response = response_;
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  ProposalResponse response_;
};

// One Register stream on the server: answers every message with a short RESPONSE carrying its
// txid and channel, and finishes once the client is done writing and all replies are out.
// Reads and writes complete on gRPC's threads, possibly at once: the write queue is under mu_.
class EchoReactor final : public grpc::ServerBidiReactor<ChaincodeMessage, ChaincodeMessage> {
 public:
  EchoReactor() { StartRead(&in_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool finish = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        read_done_ = true;
        finish = !writing_;
      }
      if (finish) {
        Finish(grpc::Status::OK);
      }
      return;
    }
    ChaincodeMessage reply;
    reply.set_type(ChaincodeMessage::RESPONSE);
    reply.set_txid(in_.txid());
    reply.set_channel_id(in_.channel_id());
    reply.set_payload(std::string(kStreamReplyBytes, 'r'));
    StartRead(&in_);  // `in_` is free again: the reply has what it needs
    const ChaincodeMessage* next = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(reply));
      if (!writing_) {
        writing_ = true;
        next = &queue_.front();
      }
    }
    if (next != nullptr) {
      StartWrite(next);
    }
  }

  void OnWriteDone(bool ok) override {
    const ChaincodeMessage* next = nullptr;
    bool finish = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.pop_front();
      if (!ok) {
        queue_.clear();  // the client is gone; its read side ends too
      }
      if (!queue_.empty()) {
        next = &queue_.front();  // deque: stays put while others are pushed behind it
      } else {
        writing_ = false;
        finish = read_done_;
      }
    }
    if (next != nullptr) {
      StartWrite(next);
    } else if (finish) {
      Finish(grpc::Status::OK);
    }
  }

  void OnDone() override { delete this; }

 private:
  ChaincodeMessage in_;  // only touched by the one outstanding read
  std::mutex mu_;
  // Guarded by mu_:
  std::deque<ChaincodeMessage> queue_;  // front is being written while writing_
  bool writing_ = false;
  bool read_done_ = false;
};

class ChaincodeSupportService final : public ChaincodeSupport::CallbackService {
 public:
  grpc::ServerBidiReactor<ChaincodeMessage, ChaincodeMessage>* Register(
      grpc::CallbackServerContext* /*ctx*/) override {
    return new EchoReactor;
  }
};

// Keeps kInFlight ProcessProposal calls outstanding, issuing the next from each completion,
// until Stop().
class UnaryDriver {
 public:
  explicit UnaryDriver(Endorser::Stub& stub) : stub_(stub) {
    request_.set_proposal_bytes(std::string(kProposalBytes, 'x'));
    request_.set_signature(std::string(kSignatureBytes, 's'));
  }

  void Start() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      outstanding_ = kInFlight;
    }
    for (int i = 0; i < kInFlight; ++i) {
      Issue();
    }
  }

  uint64_t count() const { return completed_.load(std::memory_order_relaxed); }  // calls done

  // Stops issuing and waits for the calls in flight, which all end by their deadline. Returns
  // false, with the reason in `*error`, if a call failed.
  bool Stop(std::string* error) {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    if (!drained_.wait_for(lock, kCallDeadline + kDrainTimeout,
                           [this] { return outstanding_ == 0; })) {
      // Cannot happen (gRPC ends every call by its deadline); the calls still refer to us.
      std::fprintf(stderr, "bench_grpc: unary: %d calls never ended\n", outstanding_);
      std::_Exit(1);
    }
    *error = first_error_;
    return first_error_.empty();
  }

 private:
  struct Call {
    grpc::ClientContext ctx;
    ProposalResponse response;
  };

  // Starts one call; outstanding_ already counts it.
  void Issue() {
    auto* call = new Call;
    call->ctx.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    stub_.async()->ProcessProposal(&call->ctx, &request_, &call->response,
                                   [this, call](grpc::Status status) { Done(call, status); });
  }

  // The completion of one call: issues the next in its place unless stopping or failed.
  void Done(Call* call, const grpc::Status& status) {
    delete call;
    if (status.ok()) {
      completed_.fetch_add(1, std::memory_order_relaxed);
    }
    bool again = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!status.ok() && first_error_.empty()) {
        first_error_ = "ProcessProposal: " + status.error_message();
      }
      again = !stopping_ && first_error_.empty();
      if (!again && --outstanding_ == 0) {
        drained_.notify_all();
      }
    }
    if (again) {
      Issue();
    }
  }

  Endorser::Stub& stub_;
  SignedProposal request_;  // the same for every call; read-only while calls are in flight
  std::atomic<uint64_t> completed_{0};
  std::mutex mu_;
  std::condition_variable drained_;
  // Guarded by mu_:
  int outstanding_ = 0;  // calls started and not yet Done, or about to be re-issued
  bool stopping_ = false;
  std::string first_error_;
};

// One Register stream keeping kInFlight requests outstanding: every reply received sends the
// next request, until Stop(); then WritesDone once all replies are in, and the server finishes.
class StreamDriver final : public grpc::ClientBidiReactor<ChaincodeMessage, ChaincodeMessage> {
 public:
  explicit StreamDriver(ChaincodeSupport::Stub& stub) {
    request_.set_type(ChaincodeMessage::GET_STATE);
    request_.set_txid(std::string(64, 't'));
    request_.set_channel_id("benchchannel");
    request_.set_payload(std::string(kStreamRequestBytes, 'q'));
    ctx_.set_deadline(std::chrono::system_clock::now() + kCallDeadline +
                      std::chrono::seconds(static_cast<int64_t>(BenchSeconds())));
    stub.async()->Register(&ctx_, this);
  }

  void Start() {
    for (int i = 0; i < kInFlight; ++i) {
      Send();
    }
    StartRead(&in_);
    StartCall();
  }

  uint64_t count() const {  // messages, both directions
    return sent_.load(std::memory_order_relaxed) + received_.load(std::memory_order_relaxed);
  }

  // Stops sending, waits for the stream to end. Returns false with the reason in `*error` if
  // it failed or did not end within kDrainTimeout.
  bool Stop(std::string* error) {
    bool writes_done = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      stopping_ = true;
      writes_done = MaybeWritesDoneLocked();
    }
    if (writes_done) {
      StartWritesDone();
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (!ended_.wait_for(lock, kDrainTimeout, [this] { return done_; })) {
      ctx_.TryCancel();
      ended_.wait(lock, [this] { return done_; });  // OnDone follows a cancel promptly
      *error = "Register stream did not end within the drain timeout";
      return false;
    }
    *error = status_.ok() ? "" : "Register: " + status_.error_message();
    return status_.ok();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      return;  // the server finished: OnDone follows
    }
    received_.fetch_add(1, std::memory_order_relaxed);
    bool send = false;
    bool writes_done = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --outstanding_;
      send = !stopping_;
      writes_done = MaybeWritesDoneLocked();
    }
    StartRead(&in_);
    if (send) {
      Send();
    } else if (writes_done) {
      StartWritesDone();
    }
  }

  void OnWriteDone(bool ok) override {
    if (ok) {
      sent_.fetch_add(1, std::memory_order_relaxed);
    }
    bool write_next = false;
    bool writes_done = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --queued_;
      write_next = ok && queued_ > 0;
      writing_ = write_next;
      writes_done = ok && MaybeWritesDoneLocked();
    }
    if (write_next) {
      StartWrite(&request_);
    } else if (writes_done) {
      StartWritesDone();
    }
  }

  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
    ended_.notify_all();
  }

 private:
  // Queues one request; starts writing it unless a write is already outstanding (gRPC allows
  // one per stream), in which case OnWriteDone starts it.
  void Send() {
    bool start = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++outstanding_;
      ++queued_;
      start = !writing_;
      writing_ = true;
    }
    if (start) {
      StartWrite(&request_);
    }
  }

  // True, once, when stopping and every request is answered and written.
  bool MaybeWritesDoneLocked() {
    if (!stopping_ || outstanding_ > 0 || writing_ || writes_done_) {
      return false;
    }
    writes_done_ = true;
    return true;
  }

  grpc::ClientContext ctx_;
  ChaincodeMessage request_;  // every request is this one; read-only once started
  ChaincodeMessage in_;       // only touched by the one outstanding read
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> received_{0};
  std::mutex mu_;
  std::condition_variable ended_;
  // Guarded by mu_:
  int outstanding_ = 0;  // requests queued or sent, not yet answered
  int queued_ = 0;       // requests not yet written, including the one being written
  bool writing_ = false;
  bool stopping_ = false;
  bool writes_done_ = false;
  bool done_ = false;
  grpc::Status status_;
};

// Runs one phase with `driver` (Start, count, Stop) and prints "<prefix>_per_s" and
// "<prefix>_cpu_us" lines, counting `unit`s.
template <typename Driver>
bool RunPhase(Driver& driver, double seconds, const char* prefix, const char* unit) {
  driver.Start();
  const Window w = Measure(seconds, [&] { return driver.count(); });
  std::string error;
  if (!driver.Stop(&error)) {
    std::fprintf(stderr, "bench_grpc: %s: %s\n", prefix, error.c_str());
    return false;
  }
  std::printf("%s_per_s %.0f %ss/s\n", prefix, w.count / w.seconds, unit);
  std::printf("%s_cpu_us %.1f us/%s\n", prefix, w.cpu_seconds * 1e6 / w.count, unit);
  return true;
}

bool RunUnary(const std::shared_ptr<grpc::Channel>& channel, double seconds) {
  auto stub = Endorser::NewStub(channel);
  UnaryDriver driver(*stub);
  return RunPhase(driver, seconds, "grpc_unary", "call");
}

bool RunStream(const std::shared_ptr<grpc::Channel>& channel, double seconds, const char* prefix) {
  auto stub = ChaincodeSupport::NewStub(channel);
  StreamDriver driver(*stub);
  return RunPhase(driver, seconds, prefix, "msg");
}

// A channel to `target`, connected; null (with the reason on stderr) when it does not connect.
std::shared_ptr<grpc::Channel> Connect(const std::string& target) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    std::fprintf(stderr, "bench_grpc: cannot connect to %s\n", target.c_str());
    return nullptr;
  }
  return channel;
}

int Run() {
  const double seconds = BenchSeconds();
  EndorserService endorser;
  ChaincodeSupportService chaincode_support;
  int port = 0;
  const std::string socket = "/tmp/bench_grpc." + std::to_string(::getpid()) + ".sock";
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.AddListeningPort("unix:" + socket, grpc::InsecureServerCredentials());
  builder.RegisterService(&endorser);
  builder.RegisterService(&chaincode_support);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "bench_grpc: cannot start the gRPC server on 127.0.0.1:0 and %s\n",
                 socket.c_str());
    return 1;
  }
  auto tcp = Connect("127.0.0.1:" + std::to_string(port));
  auto uds = Connect("unix:" + socket);
  bool ok = tcp != nullptr && uds != nullptr;
  if (ok) {
    std::printf("# load %s\n", fabric::bench::LoadAverage().c_str());
    ok = RunUnary(tcp, seconds) && RunStream(tcp, seconds, "grpc_stream") &&
         RunStream(uds, seconds, "grpc_stream_uds");
  }
  std::fflush(stdout);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  ::unlink(socket.c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main() {
  fabric::SkipMutexDeadlockChecks();  // as `peer` and the shim do: it distorts gRPC's figures
  fabric::bench::ExclusiveRun exclusive;
  (void)fabric::UseBatchScheduling();  // as the peer and the shim run
  return Run();
}
