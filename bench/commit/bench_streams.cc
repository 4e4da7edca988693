// SPDX-License-Identifier: Apache-2.0

#include "bench/commit/bench_streams.h"

#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "bench/common/proc_stats.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/txutils.h"
#include "orderer/ab.pb.h"
#include "peer/events.grpc.pb.h"

namespace fabric::bench {

int MeasureIdleStreams(const std::string& work, int peer_port, long peer_pid) {
  constexpr int kStreams = 1000;
  auto user = msp::LoadSigningIdentity(
      work + "/crypto-config/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp",
      "Org1MSP");
  if (!user.ok()) {
    std::fprintf(stderr, "bench_commit streams: %s\n", user.status().ToString().c_str());
    return 1;
  }
  ::orderer::SeekInfo seek;
  seek.mutable_start()->mutable_newest();
  seek.mutable_stop()->mutable_specified()->set_number(std::numeric_limits<uint64_t>::max());
  auto request =
      protoutil::CreateSignedEnvelope(common::DELIVER_SEEK_INFO, "mychannel", **user, seek);
  if (!request.ok()) {
    std::fprintf(stderr, "bench_commit streams: %s\n", request.status().ToString().c_str());
    return 1;
  }
  const std::string pid = std::to_string(peer_pid);
  const long threads_before = ProcStatus(pid, "Threads");
  const long rss_before = ProcStatus(pid, "VmRSS");
  auto stub = protos::Deliver::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(peer_port),
                                                           grpc::InsecureChannelCredentials()));
  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, protos::DeliverResponse>> rw;
  };
  std::vector<std::unique_ptr<Stream>> streams;
  int failed = 0;
  for (int i = 0; i < kStreams; ++i) {
    auto s = std::make_unique<Stream>();
    s->rw = stub->DeliverFiltered(&s->context);
    protos::DeliverResponse first;
    if (!s->rw->Write(*request) || !s->rw->Read(&first) || !first.has_filtered_block()) {
      ++failed;
    }
    streams.push_back(std::move(s));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long threads = ProcStatus(pid, "Threads");
  const long rss = ProcStatus(pid, "VmRSS");
  std::printf("# peer0.org1 before the streams: %ld threads, %.1f MiB resident\n", threads_before,
              rss_before / 1024.0);
  if (failed > 0) {
    std::printf("# %d of %d streams got no block\n", failed, kStreams);
  }
  std::printf("peer_threads_1000_streams %ld threads\n", threads);
  std::printf("peer_rss_mib_1000_streams %.1f MiB\n", rss / 1024.0);
  std::fflush(stdout);
  for (auto& s : streams) {
    s->context.TryCancel();
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace fabric::bench
