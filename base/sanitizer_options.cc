// SPDX-License-Identifier: Apache-2.0
//
// Run-time options of the sanitizer builds (scripts/test.sh), linked into every test binary there
// (fabric_add_test) so that ctest, a test run by hand and ctest's test discovery behave alike.
// The environment (ASAN_OPTIONS, UBSAN_OPTIONS, TSAN_OPTIONS) still overrides each option.

#include "fabric/base/sanitizers.h"

#if FABRIC_ASAN
// Also report use of a returned function's locals (fibers' stacks included, fiber.cc tells ASan
// of each switch) and a global initializer that reads another file's global before its
// initializer ran.
extern "C" const char* __asan_default_options() {
  return "detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1";
}
#endif

// Where UBSan is linked: say where the undefined behaviour was reached from, not only the line.
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1"; }

#if FABRIC_TSAN
// gRPC, Abseil and libstdc++ come from Debian, uninstrumented: TSan sees none of their atomics,
// so the memcpy, free and epoll calls they make after synchronizing through them look like races
// (hundreds per shim test). Ignore the calls those libraries make; TSan still sees every access
// and every lock of our own code, and the pthread and std::mutex synchronization of everyone.
extern "C" const char* __tsan_default_options() { return "ignore_noninstrumented_modules=1"; }
#endif
