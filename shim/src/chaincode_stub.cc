// SPDX-License-Identifier: Apache-2.0
//
// The argument checks shared by every ChaincodeStub, as Fabric's Go shim stub.go does them.

#include "fabric/shim/chaincode_stub.h"

#include "fabric/base/status_macros.h"

namespace fabric::shim {
namespace {

Status RequireCollection(std::string_view collection) {
  if (collection.empty()) {
    return InvalidArgumentError("collection must not be an empty string");
  }
  return Status::OK();
}

Status RequireKey(std::string_view key) {
  if (key.empty()) {
    return InvalidArgumentError("key must not be an empty string");
  }
  return Status::OK();
}

protos::QueryMetadata Paging(int32_t page_size, std::string_view bookmark) {
  protos::QueryMetadata m;
  m.set_pagesize(page_size);
  m.set_bookmark(std::string(bookmark));
  return m;
}

// [partial key, partial key + U+10FFFF): every key with that prefix.
StatusOr<std::pair<std::string, std::string>> PartialKeyRange(
    std::string_view object_type, const std::vector<std::string>& attributes) {
  ASSIGN_OR_RETURN(std::string start, CreateCompositeKey(object_type, attributes));
  std::string end = start;
  end.append(kMaxUnicodeRune);
  return std::make_pair(std::move(start), std::move(end));
}

}  // namespace

std::pair<std::string, std::vector<std::string>> ChaincodeStub::GetFunctionAndParameters() const {
  const std::vector<std::string>& args = GetArgs();
  if (args.empty()) {
    return {};
  }
  return {args.front(), std::vector<std::string>(args.begin() + 1, args.end())};
}

std::string ChaincodeStub::GetArgsSlice() const {
  std::string out;
  for (const std::string& a : GetArgs()) {
    out += a;
  }
  return out;
}

StatusOr<std::string> ChaincodeStub::GetState(std::string_view key) { return DoGetState("", key); }

Status ChaincodeStub::PutState(std::string_view key, std::string_view value) {
  RETURN_IF_ERROR(RequireKey(key));
  return DoPutState("", key, value);
}

Status ChaincodeStub::DelState(std::string_view key) { return DoDelState("", key); }

StatusOr<std::string> ChaincodeStub::GetStateValidationParameter(std::string_view key) {
  return GetPrivateDataValidationParameterImpl("", key);
}

Status ChaincodeStub::SetStateValidationParameter(std::string_view key, std::string_view policy) {
  return DoPutStateMetadata("", key, kValidationParameterMetakey, policy);
}

StatusOr<std::unique_ptr<StateQueryIterator>> ChaincodeStub::GetStateByRange(
    std::string_view start_key, std::string_view end_key) {
  if (start_key.empty()) {
    start_key = kEmptyKeySubstitute;
  }
  RETURN_IF_ERROR(ValidateSimpleKeys(start_key, end_key));
  ASSIGN_OR_RETURN(PagedStateQuery q, DoGetStateByRange("", start_key, end_key, std::nullopt));
  return std::move(q.iterator);
}

StatusOr<PagedStateQuery> ChaincodeStub::GetStateByRangeWithPagination(std::string_view start_key,
                                                                       std::string_view end_key,
                                                                       int32_t page_size,
                                                                       std::string_view bookmark) {
  if (start_key.empty()) {
    start_key = kEmptyKeySubstitute;
  }
  RETURN_IF_ERROR(ValidateSimpleKeys(start_key, end_key));
  return DoGetStateByRange("", start_key, end_key, Paging(page_size, bookmark));
}

StatusOr<std::string> ChaincodeStub::CreateCompositeKey(
    std::string_view object_type, const std::vector<std::string>& attributes) const {
  return shim::CreateCompositeKey(object_type, attributes);
}

StatusOr<CompositeKey> ChaincodeStub::SplitCompositeKey(std::string_view composite_key) const {
  return shim::SplitCompositeKey(composite_key);
}

StatusOr<std::unique_ptr<StateQueryIterator>> ChaincodeStub::GetStateByPartialCompositeKey(
    std::string_view object_type, const std::vector<std::string>& attributes) {
  ASSIGN_OR_RETURN(auto range, PartialKeyRange(object_type, attributes));
  ASSIGN_OR_RETURN(PagedStateQuery q,
                   DoGetStateByRange("", range.first, range.second, std::nullopt));
  return std::move(q.iterator);
}

StatusOr<PagedStateQuery> ChaincodeStub::GetStateByPartialCompositeKeyWithPagination(
    std::string_view object_type, const std::vector<std::string>& attributes, int32_t page_size,
    std::string_view bookmark) {
  ASSIGN_OR_RETURN(auto range, PartialKeyRange(object_type, attributes));
  return DoGetStateByRange("", range.first, range.second, Paging(page_size, bookmark));
}

StatusOr<std::unique_ptr<StateQueryIterator>> ChaincodeStub::GetQueryResult(
    std::string_view query) {
  ASSIGN_OR_RETURN(PagedStateQuery q, DoGetQueryResult("", query, std::nullopt));
  return std::move(q.iterator);
}

StatusOr<PagedStateQuery> ChaincodeStub::GetQueryResultWithPagination(std::string_view query,
                                                                      int32_t page_size,
                                                                      std::string_view bookmark) {
  return DoGetQueryResult("", query, Paging(page_size, bookmark));
}

StatusOr<std::unique_ptr<HistoryQueryIterator>> ChaincodeStub::GetHistoryForKey(
    std::string_view key) {
  return DoGetHistoryForKey(key);
}

StatusOr<std::string> ChaincodeStub::GetPrivateData(std::string_view collection,
                                                    std::string_view key) {
  RETURN_IF_ERROR(RequireCollection(collection));
  return DoGetState(collection, key);
}

StatusOr<std::string> ChaincodeStub::GetPrivateDataHash(std::string_view collection,
                                                        std::string_view key) {
  RETURN_IF_ERROR(RequireCollection(collection));
  return DoGetPrivateDataHash(collection, key);
}

Status ChaincodeStub::PutPrivateData(std::string_view collection, std::string_view key,
                                     std::string_view value) {
  RETURN_IF_ERROR(RequireCollection(collection));
  RETURN_IF_ERROR(RequireKey(key));
  return DoPutState(collection, key, value);
}

Status ChaincodeStub::DelPrivateData(std::string_view collection, std::string_view key) {
  RETURN_IF_ERROR(RequireCollection(collection));
  return DoDelState(collection, key);
}

StatusOr<std::unique_ptr<StateQueryIterator>> ChaincodeStub::GetPrivateDataByRange(
    std::string_view collection, std::string_view start_key, std::string_view end_key) {
  RETURN_IF_ERROR(RequireCollection(collection));
  if (start_key.empty()) {
    start_key = kEmptyKeySubstitute;
  }
  RETURN_IF_ERROR(ValidateSimpleKeys(start_key, end_key));
  ASSIGN_OR_RETURN(PagedStateQuery q,
                   DoGetStateByRange(collection, start_key, end_key, std::nullopt));
  return std::move(q.iterator);
}

StatusOr<std::unique_ptr<StateQueryIterator>> ChaincodeStub::GetPrivateDataByPartialCompositeKey(
    std::string_view collection, std::string_view object_type,
    const std::vector<std::string>& attributes) {
  RETURN_IF_ERROR(RequireCollection(collection));
  ASSIGN_OR_RETURN(auto range, PartialKeyRange(object_type, attributes));
  ASSIGN_OR_RETURN(PagedStateQuery q,
                   DoGetStateByRange(collection, range.first, range.second, std::nullopt));
  return std::move(q.iterator);
}

StatusOr<std::unique_ptr<StateQueryIterator>> ChaincodeStub::GetPrivateDataQueryResult(
    std::string_view collection, std::string_view query) {
  RETURN_IF_ERROR(RequireCollection(collection));
  ASSIGN_OR_RETURN(PagedStateQuery q, DoGetQueryResult(collection, query, std::nullopt));
  return std::move(q.iterator);
}

StatusOr<std::string> ChaincodeStub::GetPrivateDataValidationParameter(std::string_view collection,
                                                                       std::string_view key) {
  RETURN_IF_ERROR(RequireCollection(collection));
  return GetPrivateDataValidationParameterImpl(collection, key);
}

Status ChaincodeStub::SetPrivateDataValidationParameter(std::string_view collection,
                                                        std::string_view key,
                                                        std::string_view policy) {
  RETURN_IF_ERROR(RequireCollection(collection));
  return DoPutStateMetadata(collection, key, kValidationParameterMetakey, policy);
}

StatusOr<std::string> ChaincodeStub::GetPrivateDataValidationParameterImpl(
    std::string_view collection, std::string_view key) {
  ASSIGN_OR_RETURN(BytesMap metadata, DoGetStateMetadata(collection, key));
  auto it = metadata.find(std::string(kValidationParameterMetakey));
  if (it == metadata.end()) {
    return std::string();
  }
  return it->second;
}

Response ChaincodeStub::InvokeChaincode(std::string_view name, const std::vector<std::string>& args,
                                        std::string_view channel) {
  std::string target(name);
  if (!channel.empty()) {
    target += "/";
    target += channel;
  }
  return DoInvokeChaincode(target, args);
}

Status ChaincodeStub::SetEvent(std::string_view name, std::string_view payload) {
  if (name.empty()) {
    return InvalidArgumentError("event name can not be nil string");  // Fabric's Go shim text
  }
  protos::ChaincodeEvent event;
  event.set_event_name(std::string(name));
  event.set_payload(std::string(payload));
  event_ = std::move(event);
  return Status::OK();
}

}  // namespace fabric::shim
