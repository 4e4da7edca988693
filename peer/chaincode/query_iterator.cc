// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/query_iterator.h"

namespace fabric::chaincode {

StatusOr<protos::QueryResponse> BuildQueryResponse(QueryIterator& it, const std::string& id,
                                                   int batch_size, int total_limit,
                                                   bool* exhausted) {
  protos::QueryResponse response;
  response.set_id(id);
  if (std::optional<std::string> carried = it.TakeCarried()) {
    response.add_results()->set_resultbytes(std::move(*carried));
  }
  *exhausted = true;
  while (it.returned() < total_limit) {
    auto next = it.Next();
    if (!next.ok()) {
      return next.status();
    }
    if (!next->has_value()) {
      break;
    }
    it.CountReturned();
    if (response.results_size() == batch_size) {
      // As Fabric: the result read past a full batch waits for the next one.
      it.Carry(std::move(**next));
      *exhausted = false;
      break;
    }
    response.add_results()->set_resultbytes(std::move(**next));
  }
  response.set_has_more(!*exhausted);
  return response;
}

}  // namespace fabric::chaincode
