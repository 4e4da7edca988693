// SPDX-License-Identifier: Apache-2.0
//
// Bundle: one channel's config (common.Config) parsed into what the peer and the orderer use:
// the channel's MSPs, its policy tree, the orderer settings (consensus type, batch size and
// timeout, addresses), the application orgs with their anchor peers, and the capabilities.
// Go: common/channelconfig/bundle.go and the per-group parsers it calls.
//
// Parsing is strict: a missing required group or value, value bytes that do not unmarshal, an
// unsupported MSP type, a hashing algorithm other than SHA256 or a batch setting Fabric rejects
// gives InvalidArgument naming the config path, e.g.
//   "/Channel/Orderer/BatchSize: malformed orderer.BatchSize protobuf".
// Required: the Orderer group with ConsensusType, BatchSize and BatchTimeout; the channel's
// HashingAlgorithm and BlockDataHashingStructure; an MSP value in every org group. The
// Application group is optional (absent in a system channel), so is Consortiums. As in
// Fabric, /Channel may hold no other group, every group only the values Fabric reads for its
// kind (an application org: MSP and AnchorPeers; an orderer org: MSP and Endpoints; ...), and
// org groups no sub-groups. Channel or application capabilities need orderer capabilities;
// before channel capability V1_4_2, OrdererAddresses must be set and orderer orgs may not carry
// Endpoints. KafkaBrokers entries must be host:port; ACLs need application capability V1_2+.
//
// Typical use:
//   ASSIGN_OR_RETURN(auto bundle, Bundle::FromConfigBlock(genesis_block));
//   ASSIGN_OR_RETURN(const policies::Policy* writers,
//                    bundle->policy_manager().GetPolicy(policies::kChannelApplicationWriters));
//
// Ownership and thread-safety: a Bundle owns its MspManager and PolicyManager and is immutable
// after creation; every accessor may be called concurrently. A config update builds a new
// Bundle; holders of the old shared_ptr keep it alive.

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/msp/msp.h"
#include "common/msp/msp_manager.h"
#include "common/policies/manager.h"
#include "fabric/base/status.h"
#include "orderer/configuration.pb.h"

namespace fabric::channelconfig {

struct AnchorPeer {
  std::string host;
  int32_t port = 0;
};

// An org of the Application, Orderer or a consortium group.
struct Organization {
  std::string name;                      // The org group's key, e.g. "Org1".
  std::string msp_id;                    // FabricMSPConfig.name, e.g. "Org1MSP".
  std::vector<AnchorPeer> anchor_peers;  // Application orgs only.
  std::vector<std::string> endpoints;    // Orderer orgs only (Fabric 2.x "Endpoints").
};

struct BatchSize {
  uint32_t max_message_count = 0;
  uint32_t absolute_max_bytes = 0;
  uint32_t preferred_max_bytes = 0;
};

class Bundle {
 public:
  // Parses the config carried by a config block: block.data[0] must be an Envelope whose
  // payload has a CONFIG channel header and a ConfigEnvelope with a config. The channel id is
  // the channel header's. InvalidArgument for anything malformed (see above).
  static StatusOr<std::shared_ptr<const Bundle>> FromConfigBlock(const common::Block& block);
  static StatusOr<std::shared_ptr<const Bundle>> FromConfigBlock(
      const common::Block& block, const msp::Msp::Options& msp_options);

  // Parses `config` of channel `channel_id`. The MSPs are built with `msp_options`.
  static StatusOr<std::shared_ptr<const Bundle>> FromConfig(std::string_view channel_id,
                                                            const common::Config& config);
  static StatusOr<std::shared_ptr<const Bundle>> FromConfig(std::string_view channel_id,
                                                            const common::Config& config,
                                                            const msp::Msp::Options& msp_options);

  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;

  const std::string& channel_id() const { return channel_id_; }
  uint64_t sequence() const { return config_.sequence(); }
  const common::Config& config() const { return config_; }

  // The MSPs of every org in the config (application, orderer and consortium orgs).
  const msp::MspManager& msp_manager() const { return *msp_manager_; }
  // The policy tree rooted at /Channel, evaluated against msp_manager().
  const policies::PolicyManager& policy_manager() const { return *policy_manager_; }

  // Where clients reach the ordering service: the orderer orgs' Endpoints (Fabric 2.x) when any
  // org has them, else the channel's OrdererAddresses.
  const std::vector<std::string>& orderer_addresses() const { return orderer_addresses_; }
  const std::string& consensus_type() const { return consensus_type_; }
  const std::string& consensus_metadata() const { return consensus_metadata_; }
  // ConsensusType.state: STATE_NORMAL or STATE_MAINTENANCE (consensus-type migration).
  ::orderer::ConsensusType::State consensus_state() const { return consensus_state_; }
  const BatchSize& batch_size() const { return batch_size_; }
  std::chrono::nanoseconds batch_timeout() const { return batch_timeout_; }
  // ChannelRestrictions.max_count; 0 when unset (no limit).
  uint64_t max_channels() const { return max_channels_; }
  const std::vector<Organization>& orderer_orgs() const { return orderer_orgs_; }

  // False for a system channel (no Application group).
  bool has_application() const { return has_application_; }
  // Application orgs in key order.
  const std::vector<Organization>& application_orgs() const { return application_orgs_; }
  // The application's ACLs: resource name -> policy reference.
  const std::map<std::string, std::string>& acls() const { return acls_; }

  // Consortium name of an application channel created from a system channel; may be empty.
  const std::string& consortium() const { return consortium_; }
  // Consortium names of a system channel, sorted; empty otherwise.
  const std::vector<std::string>& consortiums() const { return consortiums_; }
  // True when the config has a Consortiums group (a system channel).
  bool has_consortiums() const { return has_consortiums_; }
  // The orgs of each consortium, by consortium name.
  const std::map<std::string, std::vector<Organization>>& consortium_orgs() const {
    return consortium_orgs_;
  }

  // Capability names (e.g. "V1_4_3") of the channel, orderer and application groups.
  const std::set<std::string>& channel_capabilities() const { return channel_capabilities_; }
  const std::set<std::string>& orderer_capabilities() const { return orderer_capabilities_; }
  const std::set<std::string>& application_capabilities() const {
    return application_capabilities_;
  }
  // Fabric's application capability KeyLevelEndorsement (V1_3 or V1_4_2): key-level
  // validation parameters are checked at commit and chaincodes may read and write state
  // metadata.
  bool KeyLevelEndorsement() const {
    return application_capabilities_.count("V1_3") > 0 ||
           application_capabilities_.count("V1_4_2") > 0;
  }

  // Always "SHA256" (the only algorithm accepted).
  const std::string& hashing_algorithm() const { return hashing_algorithm_; }

  // Fabric's Bundle.ValidateNew: whether `next` may replace this config. InvalidArgument, with
  // Fabric's message, when next drops the Orderer or Application group, adds or drops the
  // Consortiums group, gives an existing orderer, application or consortium org (matched by
  // group name) another MSP ID, or changes the consensus type while this config's channel
  // capabilities lack consensus-type migration (V1_4_2 or V1_4_3).
  Status ValidateNew(const Bundle& next) const;

  // Whether this binary supports the config's channel and orderer capabilities, what an orderer
  // checks before using a config (Fabric's checkResources). InvalidArgument "config requires
  // unsupported channel capabilities: Channel capability V2_0 is required but not supported".
  Status CheckOrdererCapabilitiesSupported() const;
  // Whether this binary supports the config's channel and application capabilities, what a peer
  // checks (Fabric's capabilitiesSupportedOrPanic); InvalidArgument naming the capability.
  Status CheckPeerCapabilitiesSupported() const;

 private:
  friend class BundleParser;
  Bundle() = default;

  std::string channel_id_;
  common::Config config_;
  // Declared before policy_manager_, which refers to it, so it is destroyed after.
  std::unique_ptr<msp::MspManager> msp_manager_;
  std::unique_ptr<policies::PolicyManager> policy_manager_;
  std::vector<std::string> orderer_addresses_;
  std::string consensus_type_;
  std::string consensus_metadata_;
  ::orderer::ConsensusType::State consensus_state_ = ::orderer::ConsensusType::STATE_NORMAL;
  BatchSize batch_size_;
  std::chrono::nanoseconds batch_timeout_{0};
  uint64_t max_channels_ = 0;
  std::vector<Organization> orderer_orgs_;
  bool has_application_ = false;
  std::vector<Organization> application_orgs_;
  std::map<std::string, std::string> acls_;
  std::string consortium_;
  std::vector<std::string> consortiums_;
  bool has_consortiums_ = false;
  std::map<std::string, std::vector<Organization>> consortium_orgs_;
  std::set<std::string> channel_capabilities_;
  std::set<std::string> orderer_capabilities_;
  std::set<std::string> application_capabilities_;
  std::string hashing_algorithm_;
};

}  // namespace fabric::channelconfig
