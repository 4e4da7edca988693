# SPDX-License-Identifier: Apache-2.0
# find_package(FabricShim): fabric-cpp's chaincode SDK, installed by `cmake --install BUILD
# --component sdk` (in fabric-cpp/ccenv under /opt/fabric-cpp). A chaincode links the imported
# target fabric::shim, which brings the headers, the static libraries, gRPC C++ and protobuf.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(OpenSSL)
find_dependency(Protobuf)
find_dependency(absl CONFIG)
find_dependency(gRPC CONFIG)
include("${CMAKE_CURRENT_LIST_DIR}/FabricShimTargets.cmake")
