// SPDX-License-Identifier: Apache-2.0
//
// The CLI's gRPC calls to peers and orderers, each with a deadline:
//   Dial             connects (waits up to the connect timeout) or says "is the peer running?"
//   ProcessProposal  Endorser.ProcessProposal
//   Broadcast        AtomicBroadcast.Broadcast of one envelope, waits for its BroadcastResponse
//   DeliverBlock     AtomicBroadcast.Deliver of one block (SeekSpecified / newest / oldest)
//   TxCommitWaiter   Deliver.DeliverFiltered on a peer, opened before the broadcast, then read
//                    until the transaction's FilteredTransaction shows up (--waitForEvent)
//
// Thread-safety: free functions are thread-safe; a TxCommitWaiter is used by one thread.

#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/ab.grpc.pb.h"
#include "peer/events.grpc.pb.h"
#include "peer/peer.grpc.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace fabric::cli {

// Where and how to connect.
struct Endpoint {
  std::string address;        // host:port
  std::string role = "peer";  // "peer", "orderer" or "admin" (a peer's Admin service)
  bool tls = false;
  std::string root_cert_file;    // PEM CA of the server's TLS certificate
  std::string client_cert_file;  // mutual TLS (optional)
  std::string client_key_file;
  std::string server_name_override;  // TLS host name to check instead of the address's
};

// grpc-go's text of a failed call: "rpc error: code = Unknown desc = access denied".
std::string GoRpcError(const grpc::Status& status);

// Opens a channel and waits up to `connect_timeout` for it to connect. Unavailable, worded as
// Fabric's CLI words it: "endorser client failed to connect to 127.0.0.1:7051: failed to create
// new connection: context deadline exceeded (is the peer running?)" ("orderer client ...",
// "admin client ..."); InvalidArgument when a TLS file cannot be read.
StatusOr<std::shared_ptr<grpc::Channel>> Dial(const Endpoint& endpoint,
                                              std::chrono::milliseconds connect_timeout);

// Endorser.ProcessProposal with a deadline. gRPC errors become a Status carrying the peer's
// message ("error endorsing ... : rpc error: code = Unknown desc = access denied ...").
StatusOr<protos::ProposalResponse> ProcessProposal(const std::shared_ptr<grpc::Channel>& channel,
                                                   const std::string& address,
                                                   const protos::SignedProposal& proposal,
                                                   std::chrono::milliseconds timeout);

// Broadcasts one envelope. OK when the orderer answers SUCCESS; FailedPrecondition
// "got unexpected status: BAD_REQUEST -- <info>" otherwise; Unavailable/DeadlineExceeded when
// the stream fails.
Status Broadcast(const std::shared_ptr<grpc::Channel>& channel, const std::string& address,
                 const common::Envelope& envelope, std::chrono::milliseconds timeout);

// A seek position for DeliverBlock: newest, oldest or a block number.
struct SeekTarget {
  enum class Kind { kNewest, kOldest, kNumber } kind = Kind::kNewest;
  uint64_t number = 0;
};

// Fetches one block of `channel_id` from the orderer's Deliver service. NotFound when the
// orderer answers NOT_FOUND (no such channel, or the block is not there yet); other Deliver
// statuses as FailedPrecondition "can't read the block: &{<STATUS>}".
// With mutual TLS (`orderer` has a client certificate) the request carries the certificate's
// hash, which Fabric's orderers check.
StatusOr<common::Block> DeliverBlock(const std::shared_ptr<grpc::Channel>& channel,
                                     const Endpoint& orderer, const std::string& channel_id,
                                     SeekTarget target, const msp::SigningIdentity& signer,
                                     std::chrono::milliseconds timeout);

// The validation result of one transaction as the peer committed it.
struct TxCommit {
  protos::TxValidationCode code = protos::TxValidationCode::VALID;
  uint64_t block_number = 0;
};

class TxCommitWaiter {
 public:
  // Opens DeliverFiltered on `channel` (a peer) for `channel_id` from the newest block on.
  // Errors when the stream cannot be opened or the seek is refused at once.
  static StatusOr<std::unique_ptr<TxCommitWaiter>> Open(std::shared_ptr<grpc::Channel> channel,
                                                        const Endpoint& peer,
                                                        const std::string& channel_id,
                                                        const msp::SigningIdentity& signer,
                                                        std::chrono::milliseconds timeout);
  ~TxCommitWaiter();

  // Reads filtered blocks until `tx_id` appears. DeadlineExceeded "timed out waiting for txid
  // on peer <address>"; Unavailable when the stream ends; FailedPrecondition when the peer
  // answers with a non-SUCCESS status.
  StatusOr<TxCommit> Wait(const std::string& tx_id);

 private:
  TxCommitWaiter() = default;
  std::shared_ptr<grpc::Channel> channel_;
  std::string address_;
  std::unique_ptr<protos::Deliver::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<common::Envelope, protos::DeliverResponse>> stream_;
};

}  // namespace fabric::cli
