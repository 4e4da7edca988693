// SPDX-License-Identifier: Apache-2.0

#include "json_to_message.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

#include <google/protobuf/descriptor.h>

#include "fabric/base/status_macros.h"

namespace fabric::conformance {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;

Status Bad(std::string_view where, std::string_view what) {
  std::string m(where);
  m += ": ";
  m += what;
  return InvalidArgumentError(m);
}

// An integer of type T from a JSON integer or a decimal string, range-checked.
template <typename T>
StatusOr<T> ToInteger(const json& v, std::string_view where) {
  std::string text;
  if (v.is_number_integer()) {
    text = v.dump();
  } else if (v.is_string()) {
    text = v.get<std::string>();
  } else {
    return Bad(where, "expected an integer or a decimal string");
  }
  T out{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc() || ptr != end) {
    return Bad(where, "not an integer in range: " + text);
  }
  return out;
}

Status SetInteger(const json& v, std::string_view where, const FieldDescriptor* f, Message* msg) {
  const Reflection* r = msg->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      ASSIGN_OR_RETURN(int32_t x, ToInteger<int32_t>(v, where));
      rep ? r->AddInt32(msg, f, x) : r->SetInt32(msg, f, x);
      return Status::OK();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      ASSIGN_OR_RETURN(int64_t x, ToInteger<int64_t>(v, where));
      rep ? r->AddInt64(msg, f, x) : r->SetInt64(msg, f, x);
      return Status::OK();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      ASSIGN_OR_RETURN(uint32_t x, ToInteger<uint32_t>(v, where));
      rep ? r->AddUInt32(msg, f, x) : r->SetUInt32(msg, f, x);
      return Status::OK();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      ASSIGN_OR_RETURN(uint64_t x, ToInteger<uint64_t>(v, where));
      rep ? r->AddUInt64(msg, f, x) : r->SetUInt64(msg, f, x);
      return Status::OK();
    }
    default:
      return Bad(where, "not an integer field");
  }
}

Status SetEnum(const json& v, std::string_view where, const FieldDescriptor* f, Message* msg) {
  int number = 0;
  if (v.is_string()) {
    const auto* value = f->enum_type()->FindValueByName(v.get<std::string>());
    if (value == nullptr) {
      return Bad(where, v.dump() + " is not a value of " + f->enum_type()->full_name());
    }
    number = value->number();
  } else {
    ASSIGN_OR_RETURN(number, ToInteger<int32_t>(v, where));
  }
  const Reflection* r = msg->GetReflection();
  f->is_repeated() ? r->AddEnumValue(msg, f, number) : r->SetEnumValue(msg, f, number);
  return Status::OK();
}

Status SetString(const json& v, std::string_view where, const FieldDescriptor* f, Message* msg) {
  if (!v.is_string()) {
    return Bad(where, "expected a string");
  }
  std::string s = v.get<std::string>();
  if (f->type() == FieldDescriptor::TYPE_BYTES) {
    ASSIGN_OR_RETURN(s, DecodeBase64(s));
  }
  const Reflection* r = msg->GetReflection();
  f->is_repeated() ? r->AddString(msg, f, std::move(s)) : r->SetString(msg, f, std::move(s));
  return Status::OK();
}

// Sets (or, for a repeated field, appends) one value of `f`'s element type.
Status SetValue(const json& v, std::string_view where, const FieldDescriptor* f, Message* msg) {
  const Reflection* r = msg->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return FillMessage(v, where,
                         f->is_repeated() ? r->AddMessage(msg, f) : r->MutableMessage(msg, f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return SetEnum(v, where, f, msg);
    case FieldDescriptor::CPPTYPE_STRING:
      return SetString(v, where, f, msg);
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!v.is_boolean()) {
        return Bad(where, "expected a boolean");
      }
      f->is_repeated() ? r->AddBool(msg, f, v.get<bool>()) : r->SetBool(msg, f, v.get<bool>());
      return Status::OK();
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return Bad(where, "floating point fields are not used by Fabric's protos");
    default:
      return SetInteger(v, where, f, msg);
  }
}

// A map field is a repeated entry message {key = 1, value = 2}; JSON object keys are strings.
Status SetMap(const json& v, std::string_view where, const FieldDescriptor* f, Message* msg) {
  if (!v.is_object()) {
    return Bad(where, "expected an object for a map");
  }
  for (const auto& [key, item] : v.items()) {
    const std::string path = std::string(where) + "[" + key + "]";
    Message* entry = msg->GetReflection()->AddMessage(msg, f);
    const Descriptor* d = entry->GetDescriptor();
    RETURN_IF_ERROR(SetValue(json(key), path, d->map_key(), entry));
    RETURN_IF_ERROR(SetValue(item, path, d->map_value(), entry));
  }
  return Status::OK();
}

Status SetField(const json& v, std::string_view where, const FieldDescriptor* f, Message* msg) {
  if (f->is_map()) {
    return SetMap(v, where, f, msg);
  }
  if (!f->is_repeated()) {
    return SetValue(v, where, f, msg);
  }
  if (!v.is_array()) {
    return Bad(where, "expected an array");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    RETURN_IF_ERROR(SetValue(v[i], std::string(where) + "[" + std::to_string(i) + "]", f, msg));
  }
  return Status::OK();
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  return c == '/' ? 63 : -1;
}

}  // namespace

Status FillMessage(const json& value, std::string_view where, Message* msg) {
  const Descriptor* d = msg->GetDescriptor();
  if (!value.is_object()) {
    return Bad(where, "expected an object for " + d->full_name());
  }
  for (const auto& [key, v] : value.items()) {
    const std::string path = std::string(where) + "." + key;
    const FieldDescriptor* f = d->FindFieldByName(key);
    if (f == nullptr) {
      return Bad(path, "no such field in " + d->full_name());
    }
    RETURN_IF_ERROR(SetField(v, path, f, msg));
  }
  return Status::OK();
}

StatusOr<std::string> DecodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int digit = Base64Digit(c);
    if (digit < 0) {
      return InvalidArgumentError("invalid base64 character in " + std::string(text));
    }
    bits = (bits << 6) | static_cast<uint32_t>(digit);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

}  // namespace fabric::conformance
