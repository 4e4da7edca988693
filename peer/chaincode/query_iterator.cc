// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/query_iterator.h"

namespace fabric::chaincode {

StatusOr<protos::QueryResponse> BuildQueryResponse(QueryIterator& it, const std::string& id,
                                                   int batch_size, int total_limit,
                                                   bool* exhausted) {
  protos::QueryResponse response;
  response.set_id(id);
  *exhausted = false;
  for (int n = 0; n < batch_size; ++n) {
    if (it.returned() >= total_limit) {
      *exhausted = true;
      break;
    }
    auto next = it.Next();
    if (!next.ok()) {
      return next.status();
    }
    if (!next->has_value()) {
      *exhausted = true;
      break;
    }
    it.CountReturned();
    response.add_results()->set_resultbytes(std::move(**next));
  }
  response.set_has_more(!*exhausted);
  return response;
}

}  // namespace fabric::chaincode
