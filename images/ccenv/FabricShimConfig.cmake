# SPDX-License-Identifier: Apache-2.0
# find_package(FabricShim): fabric-cpp's chaincode shim, as installed in fabric-cpp/ccenv under
# /opt/fabric-cpp. Defines the imported target fabric::shim (headers, libfabric_shim.a,
# libfabric_fiber.a, libfabric_protos.a, gRPC C++ and protobuf).
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(Protobuf)
find_dependency(gRPC CONFIG)
get_filename_component(_fabric_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET fabric::protos)
  add_library(fabric::protos STATIC IMPORTED)
  set_target_properties(fabric::protos PROPERTIES
    IMPORTED_LOCATION "${_fabric_prefix}/lib/libfabric_protos.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_fabric_prefix}/include"
    INTERFACE_LINK_LIBRARIES "protobuf::libprotobuf;gRPC::grpc++")
  add_library(fabric::fiber STATIC IMPORTED)
  set_target_properties(fabric::fiber PROPERTIES
    IMPORTED_LOCATION "${_fabric_prefix}/lib/libfabric_fiber.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_fabric_prefix}/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads")
  add_library(fabric::shim STATIC IMPORTED)
  set_target_properties(fabric::shim PROPERTIES
    IMPORTED_LOCATION "${_fabric_prefix}/lib/libfabric_shim.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_fabric_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_20
    INTERFACE_LINK_LIBRARIES "fabric::fiber;fabric::protos;gRPC::grpc++;Threads::Threads")
endif()
set(FabricShim_FOUND TRUE)
