// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/inspect.h"

#include <functional>
#include <map>

#include <absl/strings/str_format.h>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "common/configtx.pb.h"
#include "common/configuration.pb.h"
#include "common/policies.pb.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"
#include "msp/msp_config.pb.h"
#include "msp/msp_principal.pb.h"
#include "orderer/cluster/cluster.pb.h"
#include "orderer/configuration.pb.h"
#include "orderer/etcdraft/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace fabric::configtxgen {
namespace {

using json = nlohmann::json;

// `message` through protobuf's JSON printer, as a JSON tree.
StatusOr<json> MessageJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) {
    return InternalError("print " + message.GetTypeName() + " as JSON");
  }
  json tree = json::parse(text, nullptr, false);
  if (tree.is_discarded()) {
    return InternalError("reparse JSON of " + message.GetTypeName());
  }
  return tree;
}

template <typename T>
StatusOr<T> Parse(std::string_view bytes, const std::string& path) {
  T message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgumentError(
        absl::StrFormat("%s: malformed %s protobuf", path, message.GetTypeName()));
  }
  return message;
}

template <typename T>
StatusOr<json> DecodeAs(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(T message, Parse<T>(bytes, path));
  return MessageJson(message);
}

StatusOr<json> DecodePrincipal(const common::MSPPrincipal& principal, const std::string& path) {
  switch (principal.principal_classification()) {
    case common::MSPPrincipal::ROLE:
      return DecodeAs<common::MSPRole>(principal.principal(), path);
    case common::MSPPrincipal::ORGANIZATION_UNIT:
      return DecodeAs<common::OrganizationUnit>(principal.principal(), path);
    case common::MSPPrincipal::IDENTITY:
      return DecodeAs<::msp::SerializedIdentity>(principal.principal(), path);
    default: {
      ASSIGN_OR_RETURN(json raw, MessageJson(principal));
      return raw["principal"];
    }
  }
}

StatusOr<json> DecodePolicy(const common::Policy& policy, const std::string& path) {
  ASSIGN_OR_RETURN(json out, MessageJson(policy));
  if (policy.type() == common::Policy::SIGNATURE) {
    ASSIGN_OR_RETURN(auto envelope, Parse<common::SignaturePolicyEnvelope>(policy.value(), path));
    ASSIGN_OR_RETURN(out["value"], MessageJson(envelope));
    for (int i = 0; i < envelope.identities_size(); ++i) {
      ASSIGN_OR_RETURN(
          out["value"]["identities"][i]["principal"],
          DecodePrincipal(envelope.identities(i), absl::StrFormat("%s/identities[%d]", path, i)));
    }
  } else if (policy.type() == common::Policy::IMPLICIT_META) {
    ASSIGN_OR_RETURN(out["value"], DecodeAs<common::ImplicitMetaPolicy>(policy.value(), path));
  }
  return out;
}

StatusOr<json> DecodeMsp(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto config, Parse<::msp::MSPConfig>(bytes, path));
  ASSIGN_OR_RETURN(json out, MessageJson(config));
  if (config.type() == 0) {
    ASSIGN_OR_RETURN(out["config"], DecodeAs<::msp::FabricMSPConfig>(config.config(), path));
  }
  return out;
}

// ConsensusType, with etcdraft metadata decoded as etcdraft.ConfigMetadata (as protolator does)
// and etcd metadata as fabric.orderer.cluster.EtcdConfigMetadata.
StatusOr<json> DecodeConsensusType(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto consensus, Parse<::orderer::ConsensusType>(bytes, path));
  ASSIGN_OR_RETURN(json out, MessageJson(consensus));
  if (consensus.type() == "etcdraft") {
    ASSIGN_OR_RETURN(out["metadata"], DecodeAs<::etcdraft::ConfigMetadata>(consensus.metadata(),
                                                                           path + "/metadata"));
  } else if (consensus.type() == "etcd") {
    ASSIGN_OR_RETURN(out["metadata"], DecodeAs<::fabric::orderer::cluster::EtcdConfigMetadata>(
                                          consensus.metadata(), path + "/metadata"));
  }
  return out;
}

using ValueDecoder = std::function<StatusOr<json>(std::string_view, const std::string&)>;

// Value decoders by config key, as protolator's per-group value tables.
const std::map<std::string, ValueDecoder, std::less<>>& ValueDecoders() {
  static const auto* decoders = new std::map<std::string, ValueDecoder, std::less<>>{
      {"MSP", DecodeMsp},
      {"BatchSize", DecodeAs<::orderer::BatchSize>},
      {"BatchTimeout", DecodeAs<::orderer::BatchTimeout>},
      {"ConsensusType", DecodeConsensusType},
      {"ChannelRestrictions", DecodeAs<::orderer::ChannelRestrictions>},
      {"KafkaBrokers", DecodeAs<::orderer::KafkaBrokers>},
      {"OrdererAddresses", DecodeAs<common::OrdererAddresses>},
      {"Endpoints", DecodeAs<common::OrdererAddresses>},
      {"Capabilities", DecodeAs<common::Capabilities>},
      {"HashingAlgorithm", DecodeAs<common::HashingAlgorithm>},
      {"BlockDataHashingStructure", DecodeAs<common::BlockDataHashingStructure>},
      {"Consortium", DecodeAs<common::Consortium>},
      {"AnchorPeers", DecodeAs<::protos::AnchorPeers>},
      {"ACLs", DecodeAs<::protos::ACLs>},
      {"ChannelCreationPolicy",
       [](std::string_view bytes, const std::string& path) -> StatusOr<json> {
         ASSIGN_OR_RETURN(auto policy, Parse<common::Policy>(bytes, path));
         return DecodePolicy(policy, path);
       }},
  };
  return *decoders;
}

StatusOr<json> DecodeGroup(const common::ConfigGroup& group, const std::string& path) {
  json out;
  out["version"] = std::to_string(group.version());
  out["mod_policy"] = group.mod_policy();
  out["groups"] = json::object();
  out["values"] = json::object();
  out["policies"] = json::object();
  for (const auto& [name, child] : group.groups()) {
    ASSIGN_OR_RETURN(out["groups"][name], DecodeGroup(child, path + "/" + name));
  }
  for (const auto& [key, value] : group.values()) {
    json& entry = out["values"][key];
    entry["version"] = std::to_string(value.version());
    entry["mod_policy"] = value.mod_policy();
    auto decoder = ValueDecoders().find(key);
    if (decoder == ValueDecoders().end()) {
      ASSIGN_OR_RETURN(json raw, MessageJson(value));
      entry["value"] = raw["value"];
      continue;
    }
    ASSIGN_OR_RETURN(entry["value"], decoder->second(value.value(), path + "/" + key));
  }
  for (const auto& [key, policy] : group.policies()) {
    json& entry = out["policies"][key];
    entry["version"] = std::to_string(policy.version());
    entry["mod_policy"] = policy.mod_policy();
    entry["policy"] = nullptr;
    if (policy.has_policy()) {
      ASSIGN_OR_RETURN(entry["policy"], DecodePolicy(policy.policy(), path + "/" + key));
    }
  }
  return out;
}

StatusOr<json> DecodeEnvelope(std::string_view bytes, const std::string& path);

StatusOr<json> DecodeSignatureHeader(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto header, Parse<common::SignatureHeader>(bytes, path));
  ASSIGN_OR_RETURN(json out, MessageJson(header));
  ASSIGN_OR_RETURN(out["creator"],
                   DecodeAs<::msp::SerializedIdentity>(header.creator(), path + "/creator"));
  return out;
}

StatusOr<json> DecodeConfigEnvelope(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto envelope, Parse<common::ConfigEnvelope>(bytes, path));
  json out;
  out["config"] = nullptr;
  out["last_update"] = nullptr;
  if (envelope.has_config()) {
    out["config"]["sequence"] = std::to_string(envelope.config().sequence());
    ASSIGN_OR_RETURN(out["config"]["channel_group"],
                     DecodeGroup(envelope.config().channel_group(), "/Channel"));
  }
  if (envelope.has_last_update()) {
    ASSIGN_OR_RETURN(out["last_update"], DecodeEnvelope(envelope.last_update().SerializeAsString(),
                                                        path + "/last_update"));
  }
  return out;
}

StatusOr<json> DecodeConfigUpdateEnvelope(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto envelope, Parse<common::ConfigUpdateEnvelope>(bytes, path));
  ASSIGN_OR_RETURN(auto update,
                   Parse<common::ConfigUpdate>(envelope.config_update(), path + "/config_update"));
  json out;
  ASSIGN_OR_RETURN(out["config_update"], MessageJson(update));
  ASSIGN_OR_RETURN(out["config_update"]["read_set"], DecodeGroup(update.read_set(), "read_set"));
  ASSIGN_OR_RETURN(out["config_update"]["write_set"], DecodeGroup(update.write_set(), "write_set"));
  out["signatures"] = json::array();
  for (const common::ConfigSignature& signature : envelope.signatures()) {
    ASSIGN_OR_RETURN(json entry, MessageJson(signature));
    ASSIGN_OR_RETURN(entry["signature_header"],
                     DecodeSignatureHeader(signature.signature_header(), path + "/signatures"));
    out["signatures"].push_back(std::move(entry));
  }
  return out;
}

StatusOr<json> DecodePayload(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto payload, Parse<common::Payload>(bytes, path));
  json out;
  ASSIGN_OR_RETURN(auto channel_header,
                   Parse<common::ChannelHeader>(payload.header().channel_header(),
                                                path + "/header/channel_header"));
  ASSIGN_OR_RETURN(out["header"]["channel_header"], MessageJson(channel_header));
  ASSIGN_OR_RETURN(out["header"]["signature_header"],
                   DecodeSignatureHeader(payload.header().signature_header(),
                                         path + "/header/signature_header"));
  if (channel_header.type() == common::CONFIG) {
    ASSIGN_OR_RETURN(out["data"], DecodeConfigEnvelope(payload.data(), path + "/data"));
  } else if (channel_header.type() == common::CONFIG_UPDATE) {
    ASSIGN_OR_RETURN(out["data"], DecodeConfigUpdateEnvelope(payload.data(), path + "/data"));
  } else {
    ASSIGN_OR_RETURN(json raw, MessageJson(payload));
    out["data"] = raw["data"];
  }
  return out;
}

StatusOr<json> DecodeEnvelope(std::string_view bytes, const std::string& path) {
  ASSIGN_OR_RETURN(auto envelope, Parse<common::Envelope>(bytes, path));
  ASSIGN_OR_RETURN(json out, MessageJson(envelope));
  ASSIGN_OR_RETURN(out["payload"], DecodePayload(envelope.payload(), path + "/payload"));
  return out;
}

StatusOr<json> DecodeMetadata(const common::Block& block) {
  ASSIGN_OR_RETURN(json out, MessageJson(block.metadata()));
  for (int i = 0; i < block.metadata().metadata_size(); ++i) {
    const std::string& bytes = block.metadata().metadata(i);
    if (i > 1) {
      continue;
    }
    const std::string path = absl::StrFormat("metadata[%d]", i);
    ASSIGN_OR_RETURN(auto metadata, Parse<common::Metadata>(bytes, path));
    ASSIGN_OR_RETURN(json entry, MessageJson(metadata));
    if (i == 0) {
      ASSIGN_OR_RETURN(entry["value"],
                       DecodeAs<common::OrdererBlockMetadata>(metadata.value(), path + "/value"));
    } else {
      ASSIGN_OR_RETURN(entry["value"],
                       DecodeAs<common::LastConfig>(metadata.value(), path + "/value"));
    }
    out["metadata"][i] = std::move(entry);
  }
  return out;
}

}  // namespace

StatusOr<std::string> InspectBlock(std::string_view block_bytes) {
  ASSIGN_OR_RETURN(auto block, Parse<common::Block>(block_bytes, "block"));
  json out;
  ASSIGN_OR_RETURN(out["header"], MessageJson(block.header()));
  out["data"]["data"] = json::array();
  for (int i = 0; i < block.data().data_size(); ++i) {
    ASSIGN_OR_RETURN(json envelope,
                     DecodeEnvelope(block.data().data(i), absl::StrFormat("data[%d]", i)));
    out["data"]["data"].push_back(std::move(envelope));
  }
  ASSIGN_OR_RETURN(out["metadata"], DecodeMetadata(block));
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

StatusOr<std::string> InspectEnvelope(std::string_view envelope_bytes) {
  ASSIGN_OR_RETURN(json out, DecodeEnvelope(envelope_bytes, "envelope"));
  return out.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace fabric::configtxgen
