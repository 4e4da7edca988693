// SPDX-License-Identifier: Apache-2.0
//
// Client::Watch and Watcher: one Watch stream at a time on a reader thread, reopened on the next
// member from the revision after the last event when it breaks.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <grpcpp/client_context.h>

#include "common/etcd/client.h"
#include "common/etcd/internal.h"
#include "etcd/rpc.grpc.pb.h"

namespace fabric::etcd {
namespace {

// Pause after every member failed in a row, so that a cluster that is down is not spun on.
constexpr std::chrono::milliseconds kRoundPause{200};

WatchEvent FromProto(const mvccpb::Event& e) {
  WatchEvent out;
  out.type = e.type() == mvccpb::Event::DELETE ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
  out.kv = internal::FromProto(e.kv());
  return out;
}

}  // namespace

struct Watcher::State {
  std::vector<std::string> addresses;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::shared_ptr<internal::Connector> connector;  // Outlives the client if need be.
  WatchOptions options;
  size_t first_member = 0;
  std::jthread reader;

  std::mutex mu;
  std::condition_variable changed;  // Events, an end, or room in the buffer.
  // Guarded by mu:
  std::deque<WatchEvent> events;
  int64_t next_revision = 0;
  int64_t compact_revision = 0;
  Status ended;             // etcd cancelled the watch for a reason other than compaction.
  std::string unavailable;  // Set while every member failed in a row; the errors.
  bool closed = false;
  grpc::ClientContext* stream_context = nullptr;  // The open stream's, for Close.

  void Run();
  // One stream on member `index`; sets *established once etcd created the watch.
  grpc::Status Stream(size_t index, bool* established);
  // Adds a response's events; false when the watcher was closed meanwhile.
  bool Deliver(const etcdserverpb::WatchResponse& resp);
};

void Watcher::State::Run() {
  const size_t n = channels.size();
  std::vector<std::string> errors(n);
  size_t index = first_member;
  size_t failed_in_row = 0;
  while (true) {
    bool established = false;
    grpc::Status s = Stream(index, &established);
    std::unique_lock<std::mutex> lock(mu);
    if (closed || compact_revision != 0 || !ended.ok()) {
      return;
    }
    failed_in_row = established ? 1 : failed_in_row + 1;
    errors[index] = absl::StrFormat("%s: %s", addresses[index], s.error_message());
    index = (index + 1) % n;
    if (failed_in_row >= n) {
      std::vector<std::string> parts;
      for (const std::string& e : errors) {
        if (!e.empty()) {
          parts.push_back(e);
        }
      }
      unavailable = absl::StrFormat("etcd unavailable at %s (watch from revision %d): %s",
                                    absl::StrJoin(addresses, ", "), next_revision,
                                    absl::StrJoin(parts, "; "));
      changed.wait_for(lock, kRoundPause, [&] { return closed; });
    }
  }
}

grpc::Status Watcher::State::Stream(size_t index, bool* established) {
  grpc::ClientContext context;
  // A member that lost its leader ends the stream ("no leader") instead of going silent, so the
  // watcher moves to a member that still hears the cluster.
  context.AddMetadata("hasleader", "true");
  etcdserverpb::WatchRequest req;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (closed) {
      return grpc::Status::CANCELLED;
    }
    stream_context = &context;
    auto* create = req.mutable_create_request();
    create->set_key(options.key);
    create->set_range_end(options.range_end);
    create->set_start_revision(next_revision);
  }
  auto stub = etcdserverpb::Watch::NewStub(channels[index]);
  auto stream = stub->Watch(&context);
  etcdserverpb::WatchResponse resp;
  if (stream->Write(req)) {
    while (stream->Read(&resp)) {
      if (resp.created()) {
        std::lock_guard<std::mutex> lock(mu);
        *established = true;
        unavailable.clear();
        if (next_revision == 0) {
          next_revision = resp.header().revision() + 1;
        }
      }
      if (!Deliver(resp)) {
        break;
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stream_context = nullptr;
  }
  context.TryCancel();  // Ends a stream left open by Deliver, so that Finish returns.
  return stream->Finish();
}

bool Watcher::State::Deliver(const etcdserverpb::WatchResponse& resp) {
  std::unique_lock<std::mutex> lock(mu);
  if (resp.compact_revision() != 0) {
    compact_revision = resp.compact_revision();
    changed.notify_all();
    return false;
  }
  if (resp.canceled()) {
    ended = FailedPreconditionError(
        absl::StrFormat("etcd cancelled the watch on %s: %s", options.key, resp.cancel_reason()));
    changed.notify_all();
    return false;
  }
  changed.wait(lock, [&] { return closed || events.size() < options.buffer_events; });
  if (closed) {
    return false;
  }
  for (const mvccpb::Event& e : resp.events()) {
    events.push_back(FromProto(e));
    next_revision = e.kv().mod_revision() + 1;
  }
  if (resp.events_size() > 0) {
    changed.notify_all();
  }
  return true;
}

Watcher::Watcher(std::shared_ptr<State> state) : state_(std::move(state)) {}

Watcher::~Watcher() {
  Close();
  if (state_->reader.joinable()) {
    state_->reader.join();
  }
}

StatusOr<std::vector<WatchEvent>> Watcher::Next(size_t max, std::chrono::milliseconds timeout) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  s.changed.wait_for(lock, timeout, [&] {
    return s.closed || !s.events.empty() || s.compact_revision != 0 || !s.ended.ok();
  });
  if (s.closed) {
    return Status(StatusCode::kCancelled, "etcd watcher closed");
  }
  std::vector<WatchEvent> out;
  while (!s.events.empty() && out.size() < max) {
    out.push_back(std::move(s.events.front()));
    s.events.pop_front();
  }
  if (!out.empty()) {
    s.changed.notify_all();
    return out;
  }
  if (s.compact_revision != 0) {
    return OutOfRangeError(absl::StrFormat(
        "etcd watch on %s: revisions before %d are compacted, watch needs revision %d",
        s.options.key, s.compact_revision, s.next_revision));
  }
  if (!s.ended.ok()) {
    return s.ended;
  }
  if (!s.unavailable.empty()) {
    return UnavailableError(s.unavailable);
  }
  return out;
}

int64_t Watcher::compact_revision() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->compact_revision;
}

int64_t Watcher::next_revision() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->next_revision;
}

void Watcher::Close() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->closed = true;
  if (state_->stream_context != nullptr) {
    state_->stream_context->TryCancel();
  }
  state_->changed.notify_all();
}

std::unique_ptr<Watcher> Client::Watch(const WatchOptions& options) {
  auto state = std::make_shared<Watcher::State>();
  state->addresses = endpoints_;
  for (const auto& e : channels_) {
    state->channels.push_back(e->channel);
  }
  state->connector = connector_;
  state->options = options;
  if (state->options.buffer_events == 0) {
    state->options.buffer_events = 1;
  }
  state->next_revision = options.start_revision;
  state->first_member = preferred_.load();
  state->reader = std::jthread([s = state.get()] { s->Run(); });
  return std::unique_ptr<Watcher>(new Watcher(std::move(state)));
}

}  // namespace fabric::etcd
