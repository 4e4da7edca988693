// SPDX-License-Identifier: Apache-2.0
//
// The consensus-specific parts of configtx's Orderer section: Kafka brokers and the etcdraft
// cluster, checked as Fabric's Orderer.completeInitialization checks them, and the etcd
// cluster of OrdererType etcd.

#include <string>

#include <absl/strings/str_format.h>

#include "common/channelconfig/go_duration.h"
#include "fabric/base/status_macros.h"
#include "tools/configtxgen/config_json.h"

namespace fabric::configtxgen::internal {
namespace {

StatusOr<ConsenterSpec> ParseConsenter(const json& value, const std::string& path,
                                       const std::string& config_dir, KeyChecker& keys) {
  RETURN_IF_ERROR(keys.Check(value, path, {"Host", "Port", "ClientTLSCert", "ServerTLSCert"}));
  ConsenterSpec consenter;
  ASSIGN_OR_RETURN(consenter.host, GetString(value, "Host", path, true));
  const json* port = Find(value, "Port");
  if (consenter.host.empty() || port == nullptr) {
    return Invalid(path, "a consenter needs a Host and a Port");
  }
  ASSIGN_OR_RETURN(uint64_t port_number, GetUnsigned(*port, path + ".Port", 65535));
  if (port_number == 0) {
    return Invalid(path + ".Port", "must not be 0");
  }
  consenter.port = static_cast<uint32_t>(port_number);
  ASSIGN_OR_RETURN(std::string client, GetString(value, "ClientTLSCert", path, true));
  ASSIGN_OR_RETURN(std::string server, GetString(value, "ServerTLSCert", path, true));
  if (client.empty() || server.empty()) {
    return Invalid(path, "a consenter needs ClientTLSCert and ServerTLSCert file paths");
  }
  consenter.client_tls_cert = ResolvePath(config_dir, client);
  consenter.server_tls_cert = ResolvePath(config_dir, server);
  return consenter;
}

Status ParseRaftOptions(const json& options, const std::string& path, KeyChecker& keys,
                        EtcdRaftSpec* raft) {
  RETURN_IF_ERROR(keys.Check(options, path,
                             {"TickInterval", "ElectionTick", "HeartbeatTick", "MaxInflightBlocks",
                              "SnapshotIntervalSize"}));
  ASSIGN_OR_RETURN(std::string tick, GetString(options, "TickInterval", path, false));
  if (!tick.empty()) {
    if (Status s = channelconfig::ParseGoDuration(tick).status(); !s.ok()) {
      return s.Annotate(path + ".TickInterval");
    }
    raft->tick_interval = tick;
  }
  RETURN_IF_ERROR(GetUnsignedOrDefault(options, "ElectionTick", path, &raft->election_tick));
  RETURN_IF_ERROR(GetUnsignedOrDefault(options, "HeartbeatTick", path, &raft->heartbeat_tick));
  RETURN_IF_ERROR(
      GetUnsignedOrDefault(options, "MaxInflightBlocks", path, &raft->max_inflight_blocks));
  RETURN_IF_ERROR(
      GetByteSizeOrDefault(options, "SnapshotIntervalSize", path, &raft->snapshot_interval_size));
  if (raft->election_tick <= raft->heartbeat_tick) {
    return Invalid(path, "ElectionTick must be greater than HeartbeatTick");
  }
  return Status::OK();
}

Status ParseEtcdRaft(const json& raft, const std::string& path, const std::string& config_dir,
                     KeyChecker& keys, EtcdRaftSpec* out) {
  if (const json* options = Find(raft, "Options")) {
    RETURN_IF_ERROR(ParseRaftOptions(*options, path + ".Options", keys, out));
  }
  const json* consenters = Find(raft, "Consenters");
  if (consenters == nullptr || !consenters->is_array() || consenters->empty()) {
    return Invalid(path + ".Consenters", "must list at least one consenter");
  }
  for (size_t i = 0; i < consenters->size(); ++i) {
    ASSIGN_OR_RETURN(ConsenterSpec consenter,
                     ParseConsenter((*consenters)[i], absl::StrFormat("%s.Consenters[%d]", path, i),
                                    config_dir, keys));
    out->consenters.push_back(std::move(consenter));
  }
  return Status::OK();
}

Status ParseEtcd(const json& section, const std::string& path, KeyChecker& keys,
                 OrdererSpec* spec) {
  const json* etcd = Find(section, "Etcd");
  if (etcd != nullptr) {
    RETURN_IF_ERROR(keys.Check(*etcd, path + ".Etcd", {"Endpoints", "TLS"}));
  }
  if (spec->orderer_type != "etcd") {
    return Status::OK();
  }
  if (etcd == nullptr || Find(*etcd, "Endpoints") == nullptr) {
    return Invalid(path, "OrdererType etcd needs an Etcd section with Endpoints: [host:port, ...]");
  }
  ASSIGN_OR_RETURN(spec->etcd.endpoints, GetStringList(*etcd, "Endpoints", path + ".Etcd"));
  if (spec->etcd.endpoints.empty()) {
    return Invalid(path + ".Etcd.Endpoints", "must list at least one etcd endpoint (host:port)");
  }
  for (const std::string& endpoint : spec->etcd.endpoints) {
    if (endpoint.empty() || endpoint.find(':') == std::string::npos) {
      return Invalid(path + ".Etcd.Endpoints",
                     absl::StrFormat("\"%s\" is not host:port", endpoint));
    }
  }
  if (const json* tls = Find(*etcd, "TLS")) {
    if (!tls->is_boolean()) {
      return Invalid(path + ".Etcd.TLS", "must be true or false");
    }
    spec->etcd.tls = tls->get<bool>();
  }
  return Status::OK();
}

}  // namespace

Status ParseConsensus(const json& section, const std::string& path, const std::string& config_dir,
                      KeyChecker& keys, OrdererSpec* spec) {
  if (const json* kafka = Find(section, "Kafka")) {
    RETURN_IF_ERROR(keys.Check(*kafka, path + ".Kafka", {"Brokers"}));
    if (Find(*kafka, "Brokers") != nullptr) {
      ASSIGN_OR_RETURN(spec->kafka_brokers, GetStringList(*kafka, "Brokers", path + ".Kafka"));
    }
  }
  RETURN_IF_ERROR(ParseEtcd(section, path, keys, spec));
  const json* raft = Find(section, "EtcdRaft");
  if (raft != nullptr) {
    RETURN_IF_ERROR(keys.Check(*raft, path + ".EtcdRaft", {"Consenters", "Options"}));
  }
  if (spec->orderer_type != "etcdraft") {
    return Status::OK();
  }
  if (raft == nullptr) {
    return Invalid(path, "OrdererType etcdraft needs an EtcdRaft section with Consenters");
  }
  return ParseEtcdRaft(*raft, path + ".EtcdRaft", config_dir, keys, &spec->etcd_raft);
}

}  // namespace fabric::configtxgen::internal
