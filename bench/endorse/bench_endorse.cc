// SPDX-License-Identifier: Apache-2.0
//
// bench_endorse: endorsements per second over real gRPC. The peer runs in
// a child process (endorse_peer.h); this process is the load generator: proposals are built and
// signed before each phase (distinct txids, User1@org1 of the peer's cryptogen network), then
// sent with gRPC's async client from one thread, so client cost stays out of the figures.
//
//   endorse_tps_{1,16,64}      closed loop with 1, 16, 64 proposals in flight
//   endorse_p50_ms_3000, endorse_p99_ms_3000
//                              open loop at 3,000/s offered; latency from the scheduled send
//                              time (no coordinated omission)
//   peer_rss_mib               the peer process's VmHWM after all phases
// The chaincode is getput (one GetState + one PutState), built into its container by the
// Docker launcher, as a peer runs chaincode in a network ("endorse_*", "peer_rss_mib"; skipped
// with a comment line when `docker info` fails or BENCH_ENDORSE_DOCKER=0); then getput written
// for fabric-shim in its Node.js container at 64 in flight only ("endorse_node_tps_64"; skipped
// with a line on stderr when the node images are absent, or BENCH_ENDORSE_NODE=0); then the same
// chaincode as a process ("endorse_process_*", "peer_process_rss_mib"; BENCH_ENDORSE_PROCESS=0
// skips), which separates the container's cost. Then the same chaincode as a process with TLS
// on every connection, client to peer (mutual TLS, cryptogen certificates) and peer to chaincode,
// at 64 in flight only ("endorse_tls_tps_64", to compare with endorse_process_tps_64, as a
// "# tls" line does; BENCH_ENDORSE_TLS=0 skips). BENCH_ENDORSE_ABSTORE=1 adds the abstore
// sample (two GetStates, two PutStates) as a process and in its container (endorse_abstore_*,
// endorse_docker_abstore_*). Also prints "# load ..." comment lines with the load average and
// CPU per endorsement. BENCH_SECONDS (default 3) sets each closed-loop phase's length and
// BENCH_LATENCY_SECONDS (default 10) the open-loop one (BENCH_LATENCY_DUMP=FILE writes its
// per-proposal latencies); runtime about 50 s per mode (plus the
// image build the first time).

#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "bench/common/exclusive_run.h"
#include "bench/common/proc_stats.h"
#include "bench/endorse/endorse_peer.h"
#include "common/comm/tls.h"
#include "common/msp/x509_signing_identity.h"
#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/status_macros.h"
#include "peer/endorser/testing/test_peer.h"
#include "peer/peer.grpc.pb.h"

extern char** environ;

namespace {

using namespace fabric;
using Clock = std::chrono::steady_clock;
using bench::Children;
using bench::CpuSeconds;
using bench::LoadAverage;
using bench::PeakRssKib;
using endorser::testing::TestPeer;

struct Call {
  grpc::ClientContext ctx;
  protos::ProposalResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<protos::ProposalResponse>> rpc;
  Clock::time_point start;
};

struct PhaseResult {
  double tps = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int errors = 0;
  std::string first_error;
};

double Seconds() {
  const char* s = getenv("BENCH_SECONDS");
  return s != nullptr ? atof(s) : 3.0;
}

// The open-loop phase is longer: its p99 is the 300th-worst of 30,000 latencies rather than the
// 90th of 9,000, so one scheduling hiccup of the host does not decide it alone.
double LatencySeconds() {
  const char* s = getenv("BENCH_LATENCY_SECONDS");
  return s != nullptr ? atof(s) : 10.0;
}

// What a phase measures as its calls finish.
struct Samples {
  std::vector<double> latencies_ms;  // endorsed proposals only
  // With BENCH_LATENCY_DUMP: {sent_ms from the phase's start, latency_ms} per endorsed proposal.
  std::vector<std::pair<double, double>> timeline;
  int errors = 0;
  std::string first_error;
};

// Accounts for the finished call `c` of a phase started at `t0`.
void Record(const Call& c, Clock::time_point t0, bool keep_timeline, Samples* s) {
  // Only endorsed proposals count, for throughput and latency alike (a refused one, e.g.
  // RESOURCE_EXHAUSTED from a bounded server, comes back fast and would flatter both).
  if (!c.status.ok() || c.response.response().status() != 200) {
    if (s->errors++ == 0) {
      s->first_error = c.status.ok() ? c.response.response().message() : c.status.error_message();
    }
    return;
  }
  s->latencies_ms.push_back(
      std::chrono::duration<double, std::milli>(Clock::now() - c.start).count());
  if (keep_timeline) {
    s->timeline.emplace_back(std::chrono::duration<double, std::milli>(c.start - t0).count(),
                             s->latencies_ms.back());
  }
}

// Writes one "sent_ms latency_ms" line per endorsed proposal to `path`, to see when the slow
// ones happened.
void WriteLatencyDump(const char* path, Clock::time_point t0,
                      const std::vector<std::pair<double, double>>& timeline) {
  FILE* f = std::fopen(path, "w");
  if (f == nullptr) {
    return;
  }
  // steady_clock is CLOCK_MONOTONIC here, the clock `perf record -k CLOCK_MONOTONIC` uses.
  std::fprintf(
      f, "# start %lld ns (steady clock)\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count()));
  for (const auto& [sent, latency] : timeline) {
    std::fprintf(f, "%.3f %.3f\n", sent, latency);
  }
  std::fclose(f);
}

PhaseResult Summarize(Samples s, double elapsed) {
  PhaseResult r;
  r.errors = s.errors;
  r.first_error = std::move(s.first_error);
  r.seconds = elapsed;
  std::vector<double>& lat = s.latencies_ms;
  r.tps = lat.size() / elapsed;
  std::sort(lat.begin(), lat.end());
  if (!lat.empty()) {
    r.p50_ms = lat[lat.size() / 2];
    r.p99_ms = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  }
  return r;
}

// Sends `proposals` keeping `inflight` outstanding, or, when rate > 0, at `rate` per second
// (open loop, inflight unbounded). Stops issuing after max_seconds.
PhaseResult Drive(protos::Endorser::Stub& stub, const std::vector<protos::SignedProposal>& props,
                  int inflight, double rate, double max_seconds) {
  grpc::CompletionQueue cq;
  Samples samples;
  samples.latencies_ms.reserve(props.size());
  // BENCH_LATENCY_DUMP=FILE: the open-loop phase's latencies.
  const char* dump = rate > 0 ? getenv("BENCH_LATENCY_DUMP") : nullptr;
  size_t next = 0;
  int outstanding = 0;
  const auto t0 = Clock::now();
  const auto stop_issuing =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
  auto scheduled = [&](size_t i) {
    return t0 +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / rate));
  };
  auto issue = [&](Clock::time_point start) {
    auto* c = new Call;
    c->start = start;
    c->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    c->rpc = stub.PrepareAsyncProcessProposal(&c->ctx, props[next++], &cq);
    c->rpc->StartCall();
    c->rpc->Finish(&c->response, &c->status, c);
    ++outstanding;
  };
  auto more = [&] { return next < props.size() && Clock::now() < stop_issuing; };
  for (;;) {
    if (rate <= 0) {
      while (outstanding < inflight && more()) {
        issue(Clock::now());
      }
    } else {
      while (more() && Clock::now() >= scheduled(next)) {
        issue(scheduled(next));
      }
    }
    if (outstanding == 0 && !more()) {
      break;
    }
    void* tag = nullptr;
    bool ok = false;
    auto deadline = rate > 0 && more() ? scheduled(next) : Clock::now() + std::chrono::seconds(30);
    auto st = cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + (deadline - Clock::now()));
    if (st != grpc::CompletionQueue::GOT_EVENT) {
      continue;
    }
    auto* c = static_cast<Call*>(tag);
    --outstanding;
    Record(*c, t0, dump != nullptr, &samples);
    delete c;
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  if (dump != nullptr) {
    WriteLatencyDump(dump, t0, samples.timeline);
  }
  PhaseResult r = Summarize(std::move(samples), elapsed);
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  return r;
}

std::vector<protos::SignedProposal> Presign(const fabric::msp::SigningIdentity& user,
                                            const std::string& cc, size_t n, size_t* key) {
  std::vector<protos::SignedProposal> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string k = "k" + std::to_string((*key)++ % 1000);
    std::vector<std::string> args = cc == "abstore"
                                        ? std::vector<std::string>{"invoke", "a", "b", "1"}
                                        : std::vector<std::string>{"invoke", k};
    out.push_back(TestPeer::MakeSigned(user, endorser::testing::kChannel, cc, args));
  }
  return out;
}

struct PeerChild {
  pid_t pid = -1;
  int to_child = -1;  // closing it stops the peer
  FILE* from_child = nullptr;
};

bool StartPeer(const std::string& mode, PeerChild* child) {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) {
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  std::string self = "/proc/self/exe";
  char* argv[] = {self.data(), const_cast<char*>("--peer"), const_cast<char*>(mode.c_str()),
                  nullptr};
  int rc = posix_spawn(&child->pid, "/proc/self/exe", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    return false;
  }
  child->to_child = in[1];
  child->from_child = fdopen(out[0], "r");
  return true;
}

int StopPeer(PeerChild& child) {
  close(child.to_child);
  fclose(child.from_child);
  int status = 0;
  waitpid(child.pid, &status, 0);
  return status;
}

// The peer's handshake line: "READY <port> <network dir> <chaincode>".
struct PeerReady {
  int port = 0;
  std::string network_dir;
  std::string cc;
  std::unique_ptr<fabric::msp::SigningIdentity> user;  // User1@org1 of the peer's network
};

// Reads the handshake of the peer child in `mode`; false (after saying why) when it fails.
bool ReadHandshake(const std::string& mode, PeerChild& child, PeerReady* ready) {
  char line[4096];
  if (fgets(line, sizeof(line), child.from_child) == nullptr) {
    std::fprintf(stderr, "bench_endorse: the %s peer did not start\n", mode.c_str());
    return false;
  }
  std::istringstream in(line);
  std::string word;
  in >> word >> ready->port >> ready->network_dir >> ready->cc;
  auto user = fabric::msp::LoadSigningIdentity(
      ready->network_dir +
          "/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp",
      "Org1MSP");
  if (word != "READY" || !user.ok()) {
    std::fprintf(stderr, "bench_endorse: bad peer handshake: %s\n", line);
    return false;
  }
  ready->user = std::move(*user);
  return true;
}

// The phases against one peer child, and the failures they saw.
class ModeRun {
 public:
  ModeRun(const std::string& mode, const std::string& prefix, const PeerChild& child,
          protos::Endorser::Stub& stub, const PeerReady& peer)
      : mode_(mode), prefix_(prefix), child_(child), stub_(stub), peer_(peer) {}

  // Fills caches and connections (the deploy already launched the chaincode).
  void WarmUp() { ReportErrors("warmup", Drive(stub_, Presign(500), 16, 0, 10)); }

  // `inflight` proposals outstanding for `secs`, with the CPU each process spent; returns the
  // endorsements per second.
  double ClosedLoop(int inflight, double secs) {
    size_t n = inflight == 1 ? static_cast<size_t>(secs * 3000) : static_cast<size_t>(secs * 9000);
    auto props = Presign(n);
    std::string load = LoadAverage();
    std::vector<long> chaincodes = Children(child_.pid);
    if (mode_.starts_with("docker")) {  // the container's process is the engine's, not ours
      chaincodes = bench::ProcessesNamed(mode_ == "docker-node" ? "node" : "chaincode");
    }
    auto cpu = [&] {
      double c = 0;
      for (long pid : chaincodes) {
        c += CpuSeconds(pid);
      }
      return std::array<double, 3>{CpuSeconds(child_.pid), c, CpuSeconds(getpid())};
    };
    auto cpu0 = cpu();
    PhaseResult r = Drive(stub_, props, inflight, 0, secs);
    auto cpu1 = cpu();
    ReportErrors("closed loop", r);
    const double n_done = r.tps * r.seconds;
    std::printf(
        "# load %s (%s, %d in flight, p50 %.2f ms, p99 %.2f ms; CPU per endorsement: "
        "peer %.0f us, chaincode %.0f us, load generator %.0f us; %d failed)\n",
        load.c_str(), mode_.c_str(), inflight, r.p50_ms, r.p99_ms,
        (cpu1[0] - cpu0[0]) * 1e6 / n_done, (cpu1[1] - cpu0[1]) * 1e6 / n_done,
        (cpu1[2] - cpu0[2]) * 1e6 / n_done, r.errors);
    std::printf("%s_tps_%d %.0f endorsements/s\n", prefix_.c_str(), inflight, r.tps);
    std::fflush(stdout);
    return r.tps;
  }

  // 3,000 proposals a second offered for `secs`: the latency percentiles.
  void OpenLoop(double secs) {
    auto props = Presign(static_cast<size_t>(secs * 3000));
    std::string load = LoadAverage();
    PhaseResult r = Drive(stub_, props, 0, 3000, secs + 1);
    ReportErrors("open loop", r);
    std::printf("# load %s (%s, 3000/s offered, achieved %.0f/s, %d failed)\n", load.c_str(),
                mode_.c_str(), r.tps, r.errors);
    std::printf("%s_p50_ms_3000 %.2f ms\n", prefix_.c_str(), r.p50_ms);
    std::printf("%s_p99_ms_3000 %.2f ms\n", prefix_.c_str(), r.p99_ms);
  }

  int errors() const { return errors_; }

 private:
  std::vector<protos::SignedProposal> Presign(size_t n) {
    return ::Presign(*peer_.user, peer_.cc, n, &key_);
  }
  void ReportErrors(const char* phase, const PhaseResult& r) {
    if (r.errors > 0) {
      std::fprintf(stderr, "bench_endorse: %s %s: %d failed, first: %s\n", mode_.c_str(), phase,
                   r.errors, r.first_error.c_str());
      errors_ += r.errors;
    }
  }

  const std::string& mode_;
  const std::string& prefix_;
  const PeerChild& child_;
  protos::Endorser::Stub& stub_;
  const PeerReady& peer_;
  size_t key_ = 0;
  int errors_ = 0;
};

// The client's credentials for the peer in `mode`: plaintext, or with TLS trusting Org1's TLS
// CA (the peer's certificate names 127.0.0.1) and presenting User1's TLS client certificate,
// which the peer requires.
StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const std::string& mode,
                                                                      const PeerReady& peer) {
  if (mode != "process-tls") {
    return grpc::InsecureChannelCredentials();
  }
  const std::string user = peer.network_dir +
                           "/crypto-config/peerOrganizations/org1.example.com/users/"
                           "User1@org1.example.com/tls/";
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                   comm::LoadCertificateFiles({user + "ca.crt"}, "Org1 TLS CA"));
  ASSIGN_OR_RETURN(comm::KeyPair identity,
                   comm::LoadKeyPair(user + "client.crt", user + "client.key", "User1 TLS"));
  return comm::ClientCredentials(cas, &identity);
}

// What RunMode measures: every phase, or the closed loop at 64 in flight alone.
enum class Phases { kAll, kTps64 };

struct ModeResult {
  int rc = 1;
  double tps_64 = 0;
};

// Runs `phases` against a peer in `mode`; `prefix` names the figures ("endorse",
// "endorse_docker"), `rss_name` the RSS line (kAll only).
ModeResult RunMode(const std::string& mode, const std::string& prefix, const std::string& rss_name,
                   Phases phases = Phases::kAll) {
  ModeResult result;
  PeerChild child;
  if (!StartPeer(mode, &child)) {
    std::fprintf(stderr, "bench_endorse: cannot start the peer\n");
    return result;
  }
  PeerReady ready;
  if (!ReadHandshake(mode, child, &ready)) {
    StopPeer(child);
    return result;
  }
  auto creds = ClientCredentials(mode, ready);
  if (!creds.ok()) {
    std::fprintf(stderr, "bench_endorse: %s client TLS: %s\n", mode.c_str(),
                 creds.status().ToString().c_str());
    StopPeer(child);
    return result;
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MAX_CONCURRENT_STREAMS, 1000);
  auto stub = protos::Endorser::NewStub(
      grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(ready.port), *creds, args));
  ModeRun run(mode, prefix, child, *stub, ready);
  run.WarmUp();
  const double secs = Seconds();
  const std::vector<int> inflights =
      phases == Phases::kAll ? std::vector<int>{1, 16, 64} : std::vector<int>{64};
  for (int inflight : inflights) {
    const double tps = run.ClosedLoop(inflight, secs);
    if (inflight == 64) {
      result.tps_64 = tps;
    }
  }
  if (phases == Phases::kAll) {
    run.OpenLoop(LatencySeconds());
    std::printf("%s %.1f MiB\n", rss_name.c_str(), PeakRssKib(std::to_string(child.pid)) / 1024.0);
    std::fflush(stdout);
  }
  StopPeer(child);
  result.rc = run.errors() > 0 ? 1 : 0;
  return result;
}

// getput on fabric-shim in its Node.js container, at 64 in flight ("endorse_node_tps_64"), when
// the node images are there (scripts/build-images.sh nodeenv node-runtime).
int RunNodeMode() {
  if (system("docker image inspect fabric-cpp/nodeenv fabric-cpp/node-runtime >/dev/null 2>&1") !=
      0) {
    std::fprintf(stderr,
                 "bench_endorse: endorse_node_* skipped: no fabric-cpp/nodeenv and "
                 "fabric-cpp/node-runtime images (scripts/build-images.sh nodeenv node-runtime)\n");
    return 0;
  }
  return RunMode("docker-node", "endorse_node", "", Phases::kTps64).rc;
}

}  // namespace

int main(int argc, char** argv) {
  fabric::SkipMutexDeadlockChecks();  // as `peer node start` does (also for the peer child)
  fabric::TuneMallocForServers();
  if (argc == 3 && std::string(argv[1]) == "--peer") {
    return fabric::bench::RunEndorsePeer(argv[2]);
  }
  fabric::bench::ExclusiveRun exclusive;  // not in the peer child above: it runs under this one
  auto enabled = [](const char* name, bool dflt) {
    const char* v = getenv(name);
    return v == nullptr ? dflt : std::string(v) == "1";
  };
  int rc = 0;
  const bool docker =
      enabled("BENCH_ENDORSE_DOCKER", true) && system("docker info >/dev/null 2>&1") == 0;
  if (docker) {
    rc |= RunMode("docker", "endorse", "peer_rss_mib").rc;
  } else {
    std::printf(
        "# endorse_*: no container figures (Docker %s); endorse_process_* below is the "
        "same chaincode as a process\n",
        enabled("BENCH_ENDORSE_DOCKER", true) ? "does not answer" : "off");
  }
  if (docker && enabled("BENCH_ENDORSE_NODE", true)) {
    rc |= RunNodeMode();
  }
  ModeResult plain;
  if (enabled("BENCH_ENDORSE_PROCESS", true)) {
    plain = RunMode("process", "endorse_process", "peer_process_rss_mib");
    rc |= plain.rc;
  }
  if (enabled("BENCH_ENDORSE_TLS", true)) {
    const ModeResult tls = RunMode("process-tls", "endorse_tls", "", Phases::kTps64);
    rc |= tls.rc;
    if (plain.tps_64 > 0 && tls.tps_64 > 0) {
      std::printf("# tls: endorse_tls_tps_64 is %.1f%% of endorse_process_tps_64\n",
                  tls.tps_64 / plain.tps_64 * 100);
    }
  }
  if (enabled("BENCH_ENDORSE_ABSTORE", false)) {
    rc |= RunMode("process-abstore", "endorse_abstore", "peer_abstore_rss_mib").rc;
    if (docker) {
      rc |= RunMode("docker-abstore", "endorse_docker_abstore", "peer_docker_abstore_rss_mib").rc;
    }
  }
  return rc;
}
