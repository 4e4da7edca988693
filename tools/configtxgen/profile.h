// SPDX-License-Identifier: Apache-2.0
//
// configtxgen's input: Fabric's configtx.yaml (Go: common/tools/configtxgen/localconfig), read
// with the same section and field names and, for configtx.yaml, the same meaning:
//
//   Organizations: [{Name, ID, MSPDir, MSPType (bccsp), Policies: {Name: {Type, Rule}},
//                    AnchorPeers: [{Host, Port}], OrdererEndpoints: [host:port],
//                    AdminPrincipal (Role.ADMIN | Role.MEMBER)}]
//   Capabilities: {Channel: {V1_4_3: true}, Orderer: {...}, Application: {...}}
//   Application:  {Organizations, Policies, Capabilities, ACLs: {resource: policy path}}
//   Orderer:      {OrdererType: solo | kafka | etcdraft | etcd, Addresses, BatchTimeout: "2s",
//                  BatchSize: {MaxMessageCount, AbsoluteMaxBytes: "10 MB", PreferredMaxBytes},
//                  MaxChannels, Kafka: {Brokers}, EtcdRaft: {Consenters: [{Host, Port,
//                  ClientTLSCert, ServerTLSCert}], Options: {TickInterval, ElectionTick,
//                  HeartbeatTick, MaxInflightBlocks, SnapshotIntervalSize}},
//                  Etcd: {Endpoints: [host:port], TLS: bool},
//                  Organizations, Policies, Capabilities}
// (OrdererType etcd, this implementation's orderer cluster over an etcd cluster, is not
// Fabric's; its ConsensusType metadata is fabric.orderer.cluster.EtcdConfigMetadata.)
//   Channel:      {Policies, Capabilities}
//   Profiles:     {Name: {Orderer, Application, Consortiums: {Name: {Organizations}},
//                         Consortium, Policies, Capabilities}}
//
// Style kFabric (configtx.yaml): a profile holds exactly what it says; sharing goes through
// YAML anchors and merge keys (tools/common/yaml_json.h), and the top-level sections are only
// anchor sources. Fabric's defaults fill what is unset or zero: OrdererType solo, Addresses
// ["127.0.0.1:7050"], BatchTimeout 2s, BatchSize 500 messages / 10 MB / 2 MB, Kafka Brokers
// ["127.0.0.1:9092"], EtcdRaft Options 500ms / 10 / 1 / 5 / 20 MB; a section without Policies
// gets Fabric's default policies when encoded (encoder.h).
// Style kImplicitDefaults (configtx.json, this implementation's earlier JSON form): a profile's
// Orderer / Application is merged over the top-level section of that name (the profile's keys
// win), profile Policies / Capabilities default to the top-level Channel section's, a section
// without Capabilities takes the top-level Capabilities entry of its name, and Organizations
// lists may name top-level organizations by Name.
//
// MSPDir and the EtcdRaft TLS certificate paths are relative to the config file's directory.
// Sizes are numbers of bytes or strings with an optional K/M/G unit ("99 MB", "512KB"; powers of
// 1024, as Fabric). Durations are Go durations ("2s", "500ms"). Unknown fields are errors, as in
// Fabric's strict decoding; fields Fabric knows but this implementation does not use
// (SkipAsForeign, Resources) are listed in Profile::ignored_keys for the caller to report.
//
// Plain values; no thread-safety concerns.

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabric/base/status.h"

namespace fabric::configtxgen {

struct PolicySpec {
  std::string type;  // "Signature" or "ImplicitMeta".
  std::string rule;  // "OR('Org1MSP.member')", "MAJORITY Admins".
};
using PolicyMap = std::map<std::string, PolicySpec>;

struct AnchorPeerSpec {
  std::string host;
  int32_t port = 0;
};

struct OrganizationSpec {
  std::string name;
  std::string id;       // The MSP id.
  std::string msp_dir;  // Resolved against the config file's directory.
  PolicyMap policies;   // Empty: Fabric's default org policies (encoder.h).
  // "Role.ADMIN" or "Role.MEMBER": who satisfies the default Admins policy.
  std::string admin_principal = "Role.ADMIN";
  std::vector<AnchorPeerSpec> anchor_peers;
  std::vector<std::string> orderer_endpoints;
};

struct BatchSizeSpec {
  uint32_t max_message_count = 500;
  uint32_t absolute_max_bytes = 10 * 1024 * 1024;
  uint32_t preferred_max_bytes = 2 * 1024 * 1024;
};

struct ConsenterSpec {
  std::string host;
  uint32_t port = 0;
  std::string client_tls_cert;  // Paths, resolved against the config file's directory; the
  std::string server_tls_cert;  // PEM files are read when encoded.
};

struct EtcdRaftSpec {
  std::vector<ConsenterSpec> consenters;
  std::string tick_interval = "500ms";
  uint32_t election_tick = 10;
  uint32_t heartbeat_tick = 1;
  uint32_t max_inflight_blocks = 5;
  uint32_t snapshot_interval_size = 20 * 1024 * 1024;
};

// OrdererType etcd: the etcd cluster holding the channel's log.
struct EtcdSpec {
  std::vector<std::string> endpoints;  // host:port
  bool tls = false;
};

struct OrdererSpec {
  std::string orderer_type = "solo";
  std::vector<std::string> addresses = {"127.0.0.1:7050"};
  std::chrono::nanoseconds batch_timeout = std::chrono::seconds(2);
  BatchSizeSpec batch_size;
  uint64_t max_channels = 0;
  std::vector<std::string> kafka_brokers = {"127.0.0.1:9092"};  // Used when type is kafka.
  EtcdRaftSpec etcd_raft;                                       // Used when type is etcdraft.
  EtcdSpec etcd;                                                // Used when type is etcd.
  std::vector<OrganizationSpec> organizations;
  PolicyMap policies;
  std::vector<std::string> capabilities;  // Enabled capability names, sorted.
};

struct ApplicationSpec {
  std::vector<OrganizationSpec> organizations;
  PolicyMap policies;
  std::vector<std::string> capabilities;
  std::map<std::string, std::string> acls;  // Resource -> policy reference.
};

struct ConsortiumSpec {
  std::vector<OrganizationSpec> organizations;
};

struct Profile {
  std::string name;
  std::optional<OrdererSpec> orderer;
  std::optional<ApplicationSpec> application;
  std::optional<std::map<std::string, ConsortiumSpec>> consortiums;
  std::string consortium;
  PolicyMap policies;
  std::vector<std::string> capabilities;
  // Fields present in the file that Fabric knows and this implementation ignores, one entry per
  // field name at its first place ("Organizations[0].SkipAsForeign").
  std::vector<std::string> ignored_keys;
};

enum class ConfigStyle { kFabric, kImplicitDefaults };

// Returns profile `profile_name` of the parsed config document `root` (tools/common/yaml_json.h
// reads configtx.yaml or configtx.json into one), with paths resolved against `config_dir`;
// `file_name` names the document in errors. InvalidArgument with the path of the problem
// ("configtx.yaml: Profiles.P.Orderer.BatchSize.MaxMessageCount: must be ..."): a wrong type or
// unknown field, an unknown organization reference, a bad size or duration, an unsupported
// OrdererType or MSPType, an etcdraft section without consenters; NotFound when the profile
// does not exist ("profile \"X\" not found in configtx.yaml; have: A, B").
StatusOr<Profile> LoadProfileFromDocument(const nlohmann::json& root, std::string_view profile_name,
                                          ConfigStyle style, const std::string& config_dir,
                                          std::string_view file_name);

// Reads the config file `path` (YAML or JSON; style kImplicitDefaults when its name ends in
// ".json", else kFabric) and returns profile `profile_name`. Errors as above, prefixed with
// `path`; NotFound when the file cannot be read.
StatusOr<Profile> LoadProfileFile(const std::string& path, std::string_view profile_name);

// Parses configtx.json text and returns profile `profile_name`, with MSPDirs resolved against
// `config_dir`. InvalidArgument with the JSON path of the problem: text that is not JSON, a
// wrong type or unknown field, an unknown organization reference, a bad size or duration, an
// unsupported OrdererType; NotFound when the profile does not exist ("profile \"X\" not found
// in configtx.json; have: A, B"). Policies are checked when encoded (encoder.h).
StatusOr<Profile> LoadProfile(std::string_view json_text, std::string_view profile_name,
                              const std::string& config_dir);

// Parses a size: a JSON number or a string "<digits>[ ][K|M|G][B]" (case-insensitive, powers
// of 1024). InvalidArgument when malformed or above 2^32 - 1.
StatusOr<uint32_t> ParseByteSize(std::string_view text);

}  // namespace fabric::configtxgen
