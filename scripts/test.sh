#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs every test: installs missing packages, configures, builds, runs ctest.
# Exits non-zero on any failure. Extra arguments go to ctest (e.g. -L unit, -R Crypto).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FABRIC_BUILD_DIR:-$root/build}
jobs=${FABRIC_JOBS:-2}

"$root/scripts/install-deps.sh"
# Formatting first: it takes seconds and needs no build.
"$root/scripts/check-format.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$jobs"
# Chaincode containers: a running Docker engine and the fabric-cpp images (both idempotent;
# an up-to-date image is not rebuilt). Docker integration tests skip only if no engine can run.
if "$root/scripts/lib/docker-engine.sh"; then
  FABRIC_BUILD_DIR="$build" "$root/scripts/build-images.sh"
  export FABRIC_REQUIRE_DOCKER=1
else
  echo "test.sh: *** WARNING: no Docker engine; Docker integration tests will SKIP ***" >&2
fi
# The orderer cluster's tests run real etcd members: install-deps.sh installed etcd-server.
export FABRIC_REQUIRE_ETCD=1
ctest --test-dir "$build" --output-on-failure --timeout 900 "$@"
# Sanitizers and fuzzing need clang, each in its own instrumented build of only what it runs.
#   build-asan: AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer, plus
#     libFuzzer's coverage (harmless elsewhere), so that one build serves the unit tests (label
#     unit, every binary: target fabric_unit_tests) and the fuzzer (label fuzz:
#     process_proposal_fuzz for FABRIC_FUZZ_SECONDS, 30).
#   build-tsan: ThreadSanitizer over the concurrency core, base/ (worker pool, serial writer,
#     fibers) and the shim (its stream handler and coroutine execution).
# FABRIC_SANITIZE=0 skips the sanitizer runs and FABRIC_FUZZ=0 the fuzzer; so do ctest arguments
# that do not mention unit, respectively fuzz.
wants() { [ $# -eq 1 ] || [[ " ${*:2} " == *"$1"* ]]; }  # WORD CTEST_ARGS...
sanitize=0
fuzz=0
if [ "${FABRIC_SANITIZE:-1}" != 0 ] && wants unit "$@"; then sanitize=1; fi
if [ "${FABRIC_FUZZ:-1}" != 0 ] && wants fuzz "$@"; then fuzz=1; fi
clang_flags="-O1 -fno-omit-frame-pointer -gline-tables-only"
clang_build() {  # DIR FLAGS [CMAKE_ARGS...]
  CC=clang CXX=clang++ cmake -S "$root" -B "$1" -DCMAKE_BUILD_TYPE=Sanitize \
    -DFABRIC_BUILD_BENCH=OFF "-DCMAKE_CXX_FLAGS=$clang_flags $2" "-DCMAKE_C_FLAGS=$clang_flags $2" \
    "${@:3}" >/dev/null
}
if [ $sanitize = 1 ] || [ $fuzz = 1 ]; then
  asan_build=${FABRIC_ASAN_BUILD_DIR:-$root/build-asan}
  clang_build "$asan_build" \
    "-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
    -DFABRIC_FUZZ=ON -DFABRIC_FUZZ_SECONDS="${FABRIC_FUZZ_SECONDS:-30}"
fi
if [ $sanitize = 1 ]; then
  cmake --build "$asan_build" -j"$jobs" --target fabric_unit_tests
  ctest --test-dir "$asan_build" --output-on-failure --timeout 900 -j"$jobs" -L unit
  tsan_build=${FABRIC_TSAN_BUILD_DIR:-$root/build-tsan}
  clang_build "$tsan_build" -fsanitize=thread
  cmake --build "$tsan_build" -j"$jobs" --target fabric_base_test fabric_shim_test
  ctest --test-dir "$tsan_build" --output-on-failure --timeout 900 -j"$jobs" -L unit
fi
if [ $fuzz = 1 ]; then
  cmake --build "$asan_build" -j"$jobs" --target process_proposal_fuzzer
  ctest --test-dir "$asan_build" --output-on-failure -R '^process_proposal_fuzz$'
fi
