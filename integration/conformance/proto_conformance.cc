// SPDX-License-Identifier: Apache-2.0
//
// proto_conformance: the C++ half of the wire-format conformance test against Fabric's
// npm fabric-protos (see run.sh and bytes_check.js).
//
//   proto_conformance encode DIR CASES_JSON
//       builds each case of CASES_JSON with fabric-cpp's generated classes and writes its
//       serialized bytes to DIR/<name>.bin, for fabric-protos to decode.
//   proto_conformance check DIR CASES_JSON
//       parses each DIR/<name>.bin (written by fabric-protos) with fabric-cpp's classes and
//       compares it, field by field, with the case's expected values.
//
// Exits 0 when every case passes, 1 when any fails, 2 on bad usage.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <nlohmann/json.hpp>

#include "fabric/base/status.h"
#include "fabric/base/status_macros.h"
#include "json_to_message.h"

namespace fabric::conformance {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using nlohmann::json;

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("open " + path.string());
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return DataLossError("read " + path.string());
  }
  return data;
}

Status WriteFile(const std::filesystem::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    return DataLossError("write " + path.string());
  }
  return Status::OK();
}

// The cases array of the expected-values file.
StatusOr<json> ReadCases(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("cases") || !doc["cases"].is_array()) {
    return InvalidArgumentError(path + ": not a JSON object with a cases array");
  }
  return doc["cases"];
}

// An empty message of the generated type `type_name` ("protos.SignedProposal").
StatusOr<std::unique_ptr<Message>> NewMessage(const std::string& type_name) {
  const auto* descriptor = DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (descriptor == nullptr) {
    return NotFoundError("fabric_protos has no message " + type_name);
  }
  const Message* prototype = MessageFactory::generated_factory()->GetPrototype(descriptor);
  return std::unique_ptr<Message>(prototype->New());
}

struct Case {
  std::string name;
  std::unique_ptr<Message> expected;
};

StatusOr<Case> LoadCase(const json& c) {
  if (!c.is_object() || !c.value("name", json()).is_string() ||
      !c.value("type", json()).is_string() || !c.contains("value")) {
    return InvalidArgumentError("case without name, type and value: " + c.dump());
  }
  Case out{c["name"].get<std::string>(), nullptr};
  ASSIGN_OR_RETURN(out.expected, NewMessage(c["type"].get<std::string>()));
  RETURN_IF_ERROR(FillMessage(c["value"], out.name, out.expected.get()));
  return out;
}

// Fails when `msg` or any message inside it carries fields our schema does not know.
Status CheckNoUnknownFields(const Message& msg, const std::string& where) {
  const auto* reflection = msg.GetReflection();
  if (!reflection->GetUnknownFields(msg).empty()) {
    return InvalidArgumentError(where + ": has fields unknown to fabric-cpp's " +
                                msg.GetDescriptor()->full_name());
  }
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(msg, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    const std::string path = where + "." + f->name();
    if (!f->is_repeated()) {
      RETURN_IF_ERROR(CheckNoUnknownFields(reflection->GetMessage(msg, f), path));
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(msg, f); ++i) {
      RETURN_IF_ERROR(CheckNoUnknownFields(reflection->GetRepeatedMessage(msg, f, i),
                                           path + "[" + std::to_string(i) + "]"));
    }
  }
  return Status::OK();
}

Status EncodeCase(const Case& c, const std::filesystem::path& dir) {
  std::string bytes;
  if (!c.expected->SerializeToString(&bytes)) {
    return InternalError("serialize " + c.name);
  }
  return WriteFile(dir / (c.name + ".bin"), bytes);
}

Status CheckCase(const Case& c, const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(dir / (c.name + ".bin")));
  std::unique_ptr<Message> actual(c.expected->New());
  if (!actual->ParseFromString(bytes)) {
    return DataLossError(c.name + ": fabric-cpp cannot parse the bytes fabric-protos wrote");
  }
  RETURN_IF_ERROR(CheckNoUnknownFields(*actual, c.name));
  google::protobuf::util::MessageDifferencer differencer;
  std::string report;
  differencer.ReportDifferencesToString(&report);
  if (!differencer.Compare(*c.expected, *actual)) {
    return InvalidArgumentError(c.name + ": differs (expected -> decoded):\n" + report);
  }
  return Status::OK();
}

int Run(const std::string& mode, const std::filesystem::path& dir, const json& cases) {
  const bool encode = mode == "encode";
  if (encode) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
  }
  size_t failures = 0;
  for (const json& c : cases) {
    StatusOr<Case> loaded = LoadCase(c);
    Status status = loaded.status();
    if (loaded.ok()) {
      status = encode ? EncodeCase(*loaded, dir) : CheckCase(*loaded, dir);
    }
    if (!status.ok()) {
      ++failures;
      std::printf("cpp %s: FAIL %s\n", mode.c_str(), status.ToString().c_str());
    }
  }
  const size_t total = cases.size();
  std::printf(
      "cpp %s: %zu of %zu messages %s\n", mode.c_str(), total - failures, total,
      encode ? "encoded by fabric-cpp" : "from fabric-protos decode as expected in fabric-cpp");
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace fabric::conformance

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "encode" && std::string(argv[1]) != "check")) {
    std::fprintf(stderr, "usage: %s encode|check DIR CASES_JSON\n", argv[0]);
    return 2;
  }
  fabric::StatusOr<nlohmann::json> cases = fabric::conformance::ReadCases(argv[3]);
  if (!cases.ok()) {
    std::fprintf(stderr, "proto_conformance: %s\n", cases.status().ToString().c_str());
    return 1;
  }
  return fabric::conformance::Run(argv[1], argv[2], *cases);
}
