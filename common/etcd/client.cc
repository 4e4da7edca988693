// SPDX-License-Identifier: Apache-2.0

#include "common/etcd/client.h"

#include <algorithm>
#include <thread>
#include <utility>

#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "common/comm/tls.h"
#include "common/etcd/internal.h"
#include "etcd/rpc.grpc.pb.h"
#include "fabric/base/status_macros.h"

namespace fabric::etcd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Pause between rounds over every member, so that a cluster that is down is not spun on.
constexpr milliseconds kRoundPause{100};

std::string StripScheme(std::string_view endpoint) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (endpoint.substr(0, scheme.size()) == scheme) {
      endpoint.remove_prefix(scheme.size());
    }
  }
  return std::string(endpoint);
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const ClientOptions& options) {
  if (!options.use_tls) {
    return grpc::InsecureChannelCredentials();
  }
  if (options.tls.ca_files.empty()) {
    return InvalidArgumentError("etcd TLS needs a CA file (the members' certificate issuer)");
  }
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                   comm::LoadCertificateFiles(options.tls.ca_files, "etcd TLS CA file"));
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return InvalidArgumentError("etcd TLS client certificate and key go together: set both");
  }
  if (options.tls.cert_file.empty()) {
    return comm::ClientCredentials(cas, nullptr);
  }
  ASSIGN_OR_RETURN(comm::KeyPair pair,
                   comm::LoadKeyPair(options.tls.cert_file, options.tls.key_file,
                                     "etcd TLS client cert/key file"));
  return comm::ClientCredentials(cas, &pair);
}

grpc::ChannelArguments ChannelArgs() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // A range over a long log may exceed gRPC's 4 MiB.
  // A member that comes back is used again within a second, not after gRPC's default backoff
  // of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // gRPC's name for the time a connection attempt (TCP, TLS, HTTP/2 settings) may take; a busy
  // member can need more than the initial backoff for it.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
  // Detects a member that vanished without closing its connections; etcd refuses pings more
  // often than every 5 s (--grpc-keepalive-min-time).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // Connections are this client's own: one client's broken connection never fails another's.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return args;
}

void ToProto(const RangeOptions& r, etcdserverpb::RangeRequest* req) {
  req->set_key(r.key);
  req->set_range_end(r.range_end);
  req->set_limit(r.limit);
  req->set_revision(r.revision);
  req->set_keys_only(r.keys_only);
  req->set_max_create_revision(r.max_create_revision);
  req->set_min_create_revision(r.min_create_revision);
  if (r.sort_by_create_revision) {
    req->set_sort_order(etcdserverpb::RangeRequest::ASCEND);
    req->set_sort_target(etcdserverpb::RangeRequest::CREATE);
  }
}

void ToProto(const Compare& c, etcdserverpb::Compare* out) {
  out->set_key(c.key);
  switch (c.result) {
    case Compare::Result::kEqual:
      out->set_result(etcdserverpb::Compare::EQUAL);
      break;
    case Compare::Result::kNotEqual:
      out->set_result(etcdserverpb::Compare::NOT_EQUAL);
      break;
    case Compare::Result::kGreater:
      out->set_result(etcdserverpb::Compare::GREATER);
      break;
    case Compare::Result::kLess:
      out->set_result(etcdserverpb::Compare::LESS);
      break;
  }
  switch (c.target) {
    case Compare::Target::kCreateRevision:
      out->set_target(etcdserverpb::Compare::CREATE);
      out->set_create_revision(c.number);
      break;
    case Compare::Target::kModRevision:
      out->set_target(etcdserverpb::Compare::MOD);
      out->set_mod_revision(c.number);
      break;
    case Compare::Target::kVersion:
      out->set_target(etcdserverpb::Compare::VERSION);
      out->set_version(c.number);
      break;
    case Compare::Target::kValue:
      out->set_target(etcdserverpb::Compare::VALUE);
      out->set_value(c.value);
      break;
  }
}

void ToProto(const TxnOp& op, etcdserverpb::RequestOp* out) {
  switch (op.kind) {
    case TxnOp::Kind::kPut:
      out->mutable_request_put()->set_key(op.key);
      out->mutable_request_put()->set_value(op.value);
      out->mutable_request_put()->set_lease(op.lease);
      break;
    case TxnOp::Kind::kDelete:
      out->mutable_request_delete_range()->set_key(op.key);
      out->mutable_request_delete_range()->set_range_end(op.range_end);
      break;
    case TxnOp::Kind::kRange:
      out->mutable_request_range()->set_key(op.key);
      out->mutable_request_range()->set_range_end(op.range_end);
      break;
  }
}

std::vector<KeyValue> FromProto(const google::protobuf::RepeatedPtrField<mvccpb::KeyValue>& kvs) {
  std::vector<KeyValue> out;
  out.reserve(kvs.size());
  for (const mvccpb::KeyValue& kv : kvs) {
    out.push_back(internal::FromProto(kv));
  }
  return out;
}

}  // namespace

namespace internal {

Connector::Connector(std::vector<std::shared_ptr<grpc::Channel>> channels)
    : channels_(std::move(channels)), thread_([this] { Run(); }) {}

Connector::~Connector() {
  stop_ = true;
  thread_.join();
}

void Connector::Run() {
  // Short watches, so that the destructor waits little; each one re-arms with the channel's
  // state, asking an idle channel to connect.
  constexpr milliseconds kWatch{200};
  grpc::CompletionQueue cq;
  for (size_t i = 0; i < channels_.size(); ++i) {
    channels_[i]->NotifyOnStateChange(channels_[i]->GetState(true),
                                      std::chrono::system_clock::now() + kWatch, &cq,
                                      reinterpret_cast<void*>(i));
  }
  size_t pending = channels_.size();
  void* tag = nullptr;
  bool ok = false;
  while (pending > 0 && cq.Next(&tag, &ok)) {
    const size_t i = reinterpret_cast<size_t>(tag);
    if (stop_) {
      --pending;
      continue;
    }
    channels_[i]->NotifyOnStateChange(channels_[i]->GetState(true),
                                      std::chrono::system_clock::now() + kWatch, &cq, tag);
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace internal

std::string PrefixRangeEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // Every key: the prefix was empty or all 0xff.
}

RangeOptions RangeOptions::Prefix(std::string_view prefix) {
  RangeOptions r;
  r.key = std::string(prefix);
  r.range_end = PrefixRangeEnd(prefix);
  return r;
}

Compare Compare::Absent(std::string_view key) {
  return Compare{std::string(key), Target::kCreateRevision, Result::kEqual, 0, ""};
}

Compare Compare::ModRevisionIs(std::string_view key, int64_t revision) {
  return Compare{std::string(key), Target::kModRevision, Result::kEqual, revision, ""};
}

TxnOp TxnOp::Put(std::string_view key, std::string_view value, int64_t lease) {
  return TxnOp{Kind::kPut, std::string(key), std::string(value), "", lease};
}

TxnOp TxnOp::Delete(std::string_view key, std::string_view range_end) {
  return TxnOp{Kind::kDelete, std::string(key), "", std::string(range_end)};
}

TxnOp TxnOp::Get(std::string_view key, std::string_view range_end) {
  return TxnOp{Kind::kRange, std::string(key), "", std::string(range_end)};
}

StatusOr<std::unique_ptr<Client>> Client::Open(const ClientOptions& options) {
  if (options.endpoints.empty()) {
    return InvalidArgumentError("etcd client needs at least one endpoint (host:port)");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds, Credentials(options));
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  for (const std::string& e : options.endpoints) {
    std::string address = StripScheme(e);
    if (address.empty() || address.find(':') == std::string::npos) {
      return InvalidArgumentError(
          absl::StrFormat("etcd endpoint \"%s\" is not host:port (e.g. 127.0.0.1:2379)", e));
    }
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->address = address;
    endpoint->channel = grpc::CreateCustomChannel(address, creds, ChannelArgs());
    endpoints.push_back(std::move(endpoint));
  }
  return std::unique_ptr<Client>(new Client(options, std::move(endpoints)));
}

Client::Client(const ClientOptions& options, std::vector<std::unique_ptr<Endpoint>> endpoints)
    : endpoints_([&] {
        std::vector<std::string> out;
        for (const auto& e : endpoints) {
          out.push_back(e->address);
        }
        return out;
      }()),
      channels_(std::move(endpoints)),
      call_timeout_(options.call_timeout.count() > 0 ? options.call_timeout : milliseconds(5000)),
      transport_note_(!options.use_tls                ? ""
                      : options.tls.cert_file.empty() ? ", TLS without a client certificate"
                                                      : ", TLS"),
      connector_(std::make_shared<internal::Connector>([this] {
        std::vector<std::shared_ptr<grpc::Channel>> out;
        for (const auto& e : channels_) {
          out.push_back(e->channel);
        }
        return out;
      }())) {}

Client::~Client() = default;

std::string Client::Joined() const { return absl::StrJoin(endpoints_, ", "); }

template <typename Call>
Status Client::WithFailover(std::string_view what, milliseconds timeout, Call call) {
  if (timeout.count() <= 0) {
    timeout = call_timeout_;
  }
  const Clock::time_point deadline = Clock::now() + timeout;
  const size_t n = channels_.size();
  std::vector<std::string> last_error(n);
  const size_t first = preferred_.load();
  while (true) {
    for (size_t i = 0; i < n; ++i) {
      const size_t index = (first + i) % n;
      const Clock::duration left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) {
        break;
      }
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               left / static_cast<int64_t>(n - i)));
      grpc::Status s = call(channels_[index]->channel, &context);
      if (s.ok()) {
        preferred_.store(index);
        return Status::OK();
      }
      if (!internal::IsMemberFailure(s)) {
        return internal::FromGrpc(s).Annotate(
            absl::StrFormat("etcd %s at %s", what, endpoints_[index]));
      }
      last_error[index] = absl::StrFormat("%s: %s", endpoints_[index], s.error_message());
    }
    const Clock::duration left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
      break;
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(left, kRoundPause));
  }
  last_error.erase(std::remove(last_error.begin(), last_error.end(), ""), last_error.end());
  return UnavailableError(absl::StrFormat("etcd unavailable at %s (%s, deadline %dms%s): %s",
                                          Joined(), what, timeout.count(), transport_note_,
                                          absl::StrJoin(last_error, "; ")));
}

StatusOr<int64_t> Client::Put(std::string_view key, std::string_view value, milliseconds timeout,
                              int64_t lease) {
  etcdserverpb::PutRequest req;
  req.set_key(std::string(key));
  req.set_value(std::string(value));
  req.set_lease(lease);
  etcdserverpb::PutResponse resp;
  RETURN_IF_ERROR(WithFailover(
      "put", timeout, [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
        return etcdserverpb::KV::NewStub(ch)->Put(ctx, req, &resp);
      }));
  return resp.header().revision();
}

StatusOr<KeyValue> Client::Get(std::string_view key, milliseconds timeout) {
  RangeOptions r;
  r.key = std::string(key);
  ASSIGN_OR_RETURN(RangeResult result, Range(r, timeout));
  if (result.kvs.empty()) {
    return NotFoundError(absl::StrFormat("etcd key %s not found", key));
  }
  return std::move(result.kvs.front());
}

StatusOr<RangeResult> Client::Range(const RangeOptions& range, milliseconds timeout) {
  etcdserverpb::RangeRequest req;
  ToProto(range, &req);
  etcdserverpb::RangeResponse resp;
  RETURN_IF_ERROR(WithFailover(
      "range", timeout, [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
        return etcdserverpb::KV::NewStub(ch)->Range(ctx, req, &resp);
      }));
  RangeResult out;
  out.revision = resp.header().revision();
  out.kvs = FromProto(resp.kvs());
  out.more = resp.more();
  return out;
}

StatusOr<int64_t> Client::DeleteRange(std::string_view key, std::string_view range_end,
                                      milliseconds timeout) {
  etcdserverpb::DeleteRangeRequest req;
  req.set_key(std::string(key));
  req.set_range_end(std::string(range_end));
  etcdserverpb::DeleteRangeResponse resp;
  RETURN_IF_ERROR(
      WithFailover("delete range", timeout,
                   [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
                     return etcdserverpb::KV::NewStub(ch)->DeleteRange(ctx, req, &resp);
                   }));
  return resp.deleted();
}

StatusOr<TxnResult> Client::Txn(const std::vector<Compare>& compares,
                                const std::vector<TxnOp>& success,
                                const std::vector<TxnOp>& failure, milliseconds timeout) {
  etcdserverpb::TxnRequest req;
  for (const Compare& c : compares) {
    ToProto(c, req.add_compare());
  }
  for (const TxnOp& op : success) {
    ToProto(op, req.add_success());
  }
  for (const TxnOp& op : failure) {
    ToProto(op, req.add_failure());
  }
  etcdserverpb::TxnResponse resp;
  RETURN_IF_ERROR(WithFailover(
      "txn", timeout, [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
        return etcdserverpb::KV::NewStub(ch)->Txn(ctx, req, &resp);
      }));
  TxnResult out;
  out.succeeded = resp.succeeded();
  out.revision = resp.header().revision();
  for (const etcdserverpb::ResponseOp& r : resp.responses()) {
    out.ranges.push_back(r.has_response_range() ? FromProto(r.response_range().kvs())
                                                : std::vector<KeyValue>{});
  }
  return out;
}

Status Client::Compact(int64_t revision, bool physical, milliseconds timeout) {
  etcdserverpb::CompactionRequest req;
  req.set_revision(revision);
  req.set_physical(physical);
  etcdserverpb::CompactionResponse resp;
  return WithFailover("compact", timeout,
                      [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
                        return etcdserverpb::KV::NewStub(ch)->Compact(ctx, req, &resp);
                      });
}

StatusOr<int64_t> Client::LeaseGrant(std::chrono::seconds ttl, milliseconds timeout) {
  etcdserverpb::LeaseGrantRequest req;
  req.set_ttl(ttl.count());
  etcdserverpb::LeaseGrantResponse resp;
  RETURN_IF_ERROR(
      WithFailover("lease grant", timeout,
                   [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
                     return etcdserverpb::Lease::NewStub(ch)->LeaseGrant(ctx, req, &resp);
                   }));
  if (!resp.error().empty()) {
    return FailedPreconditionError("etcd lease grant: " + resp.error());
  }
  return resp.id();
}

// One request on a keep-alive stream of its own: the keep-alive then goes through the same
// failover as every unary call.
StatusOr<std::chrono::seconds> Client::LeaseKeepAlive(int64_t id, milliseconds timeout) {
  etcdserverpb::LeaseKeepAliveRequest req;
  req.set_id(id);
  etcdserverpb::LeaseKeepAliveResponse resp;
  RETURN_IF_ERROR(
      WithFailover("lease keep-alive", timeout,
                   [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
                     auto stream = etcdserverpb::Lease::NewStub(ch)->LeaseKeepAlive(ctx);
                     if (stream->Write(req) && stream->WritesDone() && stream->Read(&resp)) {
                       ctx->TryCancel();
                       (void)stream->Finish();
                       return grpc::Status::OK;
                     }
                     return stream->Finish();
                   }));
  if (resp.ttl() <= 0) {
    return NotFoundError(absl::StrFormat("etcd lease %x has expired", id));
  }
  return std::chrono::seconds(resp.ttl());
}

Status Client::LeaseRevoke(int64_t id, milliseconds timeout) {
  etcdserverpb::LeaseRevokeRequest req;
  req.set_id(id);
  etcdserverpb::LeaseRevokeResponse resp;
  return WithFailover("lease revoke", timeout,
                      [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
                        return etcdserverpb::Lease::NewStub(ch)->LeaseRevoke(ctx, req, &resp);
                      });
}

StatusOr<int64_t> Client::CurrentRevision(milliseconds timeout) {
  // A linearizable read: only a member with a leader and quorum answers it.
  etcdserverpb::RangeRequest req;
  req.set_key(std::string(1, '\0'));
  req.set_count_only(true);
  etcdserverpb::RangeResponse resp;
  RETURN_IF_ERROR(WithFailover(
      "range", timeout, [&](const std::shared_ptr<grpc::Channel>& ch, grpc::ClientContext* ctx) {
        return etcdserverpb::KV::NewStub(ch)->Range(ctx, req, &resp);
      }));
  return resp.header().revision();
}

}  // namespace fabric::etcd
