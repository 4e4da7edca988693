// SPDX-License-Identifier: Apache-2.0
//
// A gtest fixture for chaincode support tests: a real channel ledger on disk (LedgerFixture),
// a ChaincodeSupport with a configurable launcher served on 127.0.0.1:0, and helpers to run
// transactions and read the resulting rwset.

#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "launcher/launcher.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/chaincode/chaincode_support.h"
#include "peer/ledger/testing/ledger_fixture.h"

namespace fabric::chaincode::testing {

class ChaincodeTestEnv : public ledger::testing::LedgerFixture {
 protected:
  // Starts support + server; call from the test (or SetUp) after adjusting options_. With
  // `local_socket`, the server also listens on that unix socket, offered to chaincodes.
  void StartSupport(launcher::Launcher& launcher, const std::string& local_socket = "") {
    support_ = std::make_unique<ChaincodeSupport>(options_, launcher, packages_);
    ChaincodeServer::Options so;
    so.listen_address = "127.0.0.1:0";
    so.authenticator = options_.tls_enabled ? options_.authenticator : nullptr;
    so.local_socket = local_socket;
    auto server = ChaincodeServer::Start(so, *support_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    support_->SetPeerAddress(server_->address());
    support_->SetLocalSocket(server_->local_socket());
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown();
    }
    support_.reset();
  }

  // A transaction with its own simulator and history executor.
  struct Tx {
    std::unique_ptr<ledger::TxSimulator> sim;
    std::unique_ptr<ledger::HistoryQueryExecutor> history;
    TxParams params;
  };
  std::unique_ptr<Tx> NewTx(const std::string& txid) {
    auto tx = std::make_unique<Tx>();
    tx->sim = ledger_->NewTxSimulator(txid);
    tx->history = ledger_->NewHistoryQueryExecutor().value();
    tx->params.channel_id = kChannel;
    tx->params.tx_id = txid;
    tx->params.tx_simulator = tx->sim.get();
    tx->params.history_query_executor = tx->history.get();
    return tx;
  }

  // A cc2cc version hook (ChaincodeSupportOptions::resolve_version) that reads the callee's
  // definition key through the executor it is given, as the peer's lscc lookup does, and
  // answers `version`.
  static auto ResolveTo(std::string version) {
    return [version](const std::string&, const std::string& name,
                     ledger::QueryExecutor& qe) -> StatusOr<std::string> {
      auto definition = qe.GetState("lscc", name);
      if (!definition.ok()) {
        return definition.status();
      }
      return version;
    };
  }

  static protos::ChaincodeInput Input(std::initializer_list<std::string> args) {
    protos::ChaincodeInput in;
    for (const auto& a : args) {
      in.add_args(a);
    }
    return in;
  }

  // Runs a TRANSACTION and returns the chaincode's Response.
  StatusOr<protos::Response> Invoke(Tx& tx, const std::string& ccid,
                                    std::initializer_list<std::string> args,
                                    std::chrono::milliseconds timeout = {}) {
    auto msg = support_->Execute(tx.params, ccid, Input(args), ExecuteType::kTransaction, timeout);
    if (!msg.ok()) {
      return msg.status();
    }
    protos::Response r;
    r.ParseFromString(msg->payload());
    return r;
  }

  // Transactions in flight on `ccid`'s handler; 0 while it has none (not yet registered: a
  // REGISTER sent is handled by the peer's stream thread a moment later).
  size_t InFlight(const std::string& ccid) const {
    std::shared_ptr<Handler> h = support_->GetHandler(ccid);
    return h == nullptr ? 0 : h->in_flight();
  }

  // The KVRWSet of namespace `ns` in the simulation results.
  static kvrwset::KVRWSet RwSet(ledger::TxSimulator& sim, const std::string& ns) {
    auto results = sim.GetTxSimulationResults();
    EXPECT_TRUE(results.ok()) << results.status();
    kvrwset::KVRWSet kv;
    if (results.ok()) {
      for (const auto& nsrw : results->ns_rwset()) {
        if (nsrw.namespace_() == ns) {
          kv.ParseFromString(nsrw.rwset());
        }
      }
    }
    return kv;
  }

  // Commits `writes` to namespace `ns` as one valid transaction.
  void Seed(const std::string& ns, const std::map<std::string, std::string>& writes,
            const std::string& txid) {
    auto rw = Simulate([&](ledger::TxSimulator& sim) {
      for (const auto& [k, v] : writes) {
        ASSERT_TRUE(sim.SetState(ns, k, v).ok());
      }
    });
    Commit({ledger::testing::FastEndorserTx(kChannel, txid, rw)});
  }

  // Runs the abstore sample's Init(a=100, b=200) under `ccid`, commits it, then invokes a
  // transfer of 10 from a to b and returns that transaction (its writes: a=90, b=210).
  std::unique_ptr<Tx> AbstoreInitThenTransfer(const std::string& ccid) {
    auto init = NewTx("init");
    auto m = support_->Execute(init->params, ccid, Input({"init", "a", "100", "b", "200"}),
                               ExecuteType::kInit);
    EXPECT_TRUE(m.ok()) << m.status();
    Commit({ledger::testing::FastEndorserTx(kChannel, "init",
                                            init->sim->GetTxSimulationResults().value())});
    auto tx = NewTx("move");
    auto r = Invoke(*tx, ccid, {"invoke", "a", "b", "10"});
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r.ok() ? r->status() : 0, 200);
    return tx;
  }

  // Runs AbstoreInitThenTransfer on `ccid`, checks the transfer's writes (a=90, b=210), and
  // that a query of a in another transaction answers the committed 100.
  void ExpectAbstoreTransferAndQuery(const std::string& ccid) {
    auto tx = AbstoreInitThenTransfer(ccid);
    ASSERT_FALSE(::testing::Test::HasFailure());
    kvrwset::KVRWSet rw = RwSet(*tx->sim, ccid.substr(0, ccid.find(':')));
    ASSERT_EQ(rw.writes_size(), 2);
    EXPECT_EQ(rw.writes(0).value(), "90");
    EXPECT_EQ(rw.writes(1).value(), "210");
    auto q = NewTx("query");
    auto qr = Invoke(*q, ccid, {"query", "a"});
    ASSERT_TRUE(qr.ok()) << qr.status();
    EXPECT_EQ(qr->payload(), "100");
  }

  ChaincodeSupportOptions options_;
  launcher::MapPackageProvider packages_;
  std::unique_ptr<ChaincodeSupport> support_;
  std::unique_ptr<ChaincodeServer> server_;
};

}  // namespace fabric::chaincode::testing
