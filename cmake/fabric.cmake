# SPDX-License-Identifier: Apache-2.0
# Helpers shared by every part of fabric-cpp.

# A sanitizer build (scripts/test.sh: build-asan, build-tsan): flags come in CMAKE_CXX_FLAGS.
if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
  set(FABRIC_SANITIZED ON)
else()
  set(FABRIC_SANITIZED OFF)
endif()

# Warnings for our own code (generated protos are exempt).
add_library(fabric_warnings INTERFACE)
target_compile_options(fabric_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  # GCC 12 reports false -Wrestrict positives inside std::string's operator+ at -O2
  # (GCC bug 105329); the warning finds nothing real in our code.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${FABRIC_WERROR}>:-Werror>)

# fabric_use_tcmalloc(TARGET): links an executable with tcmalloc when FABRIC_TCMALLOC found it
# (the daemons and the benchmarks' copies of them; never the chaincode shim, whose allocator is
# the chaincode developer's choice).
function(fabric_use_tcmalloc target)
  if(FABRIC_TCMALLOC_LIBRARY)
    # Nothing names a tcmalloc symbol (it replaces malloc): keep it despite --as-needed.
    # One flag, so that CMake's de-duplication of link flags cannot split the push/pop pair.
    target_link_libraries(
        ${target} PRIVATE "-Wl,--push-state,--no-as-needed,${FABRIC_TCMALLOC_LIBRARY},--pop-state")
  endif()
endfunction()

# fabric_add_library(NAME SRCS ... DEPS ...): a static library of fabric-cpp's own code,
# includes rooted at the project source dir ("common/crypto/ecdsa.h").
function(fabric_add_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE fabric_warnings)
endfunction()

# fabric_unit_tests: builds every test binary labelled `unit` (and what they run), nothing else;
# what the sanitizer builds of scripts/test.sh build.
if(FABRIC_BUILD_TESTS)
  add_custom_target(fabric_unit_tests)
endif()

# fabric_add_test(NAME SRCS ... DEPS ... [LABELS ...] [INTEGRATION pattern ...]): one gtest
# binary, tests discovered by ctest and labelled `unit` unless LABELS says otherwise. Tests that
# start processes (fork, posix_spawn, a shell, the launchers' children, the daemons' binaries)
# are labelled `integration`: a whole binary through LABELS, or the tests of a binary that also
# holds unit tests through INTEGRATION's gtest patterns ("Suite.*", "Suite.Test").
function(fabric_add_test name)
  if(NOT FABRIC_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS;INTEGRATION" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SRCS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock_main fabric_warnings)
  if(FABRIC_SANITIZED)
    target_link_libraries(${name} PRIVATE fabric_sanitizer_options)
  endif()
  if("unit" IN_LIST ARG_LABELS)
    add_dependencies(fabric_unit_tests ${name})
  endif()
  if(ARG_INTEGRATION)
    list(JOIN ARG_INTEGRATION ":" _integration)
    _fabric_discover_tests(${name} "${ARG_LABELS}" "-${_integration}")
    _fabric_discover_tests(${name} integration "${_integration}")
  else()
    _fabric_discover_tests(${name} "${ARG_LABELS}" "")
  endif()
endfunction()

# The tests of binary `name` that gtest filter `filter` selects (all when empty), labelled
# `labels`. Tests outside `unit` share fixed resources within their binary (container names,
# images, networks, child processes): `ctest -j` must not run two of one binary at once.
function(_fabric_discover_tests name labels filter)
  set(_lock "")
  if(NOT labels STREQUAL "unit")
    set(_lock RESOURCE_LOCK ${name})
  endif()
  set(_filter "")
  if(filter)
    set(_filter TEST_FILTER "${filter}")
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
    ${_filter}
    PROPERTIES LABELS "${labels}" ${_lock}
    DISCOVERY_TIMEOUT 60)
endfunction()
