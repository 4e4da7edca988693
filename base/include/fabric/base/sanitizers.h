// SPDX-License-Identifier: Apache-2.0
//
// Which sanitizer instruments this translation unit (scripts/test.sh's sanitizer builds), for
// code that must tell the sanitizer about something it cannot see (fibers switching stacks) and
// for tests that cannot run under one (they GTEST_SKIP, saying why). Clang reports a sanitizer
// through __has_feature, GCC through __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__.
//
// FABRIC_ASAN: AddressSanitizer (with LeakSanitizer). FABRIC_TSAN: ThreadSanitizer. Each is 1
// or 0. Header-only, part of fabric_base.

#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FABRIC_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define FABRIC_TSAN 1
#endif
#endif
#if !defined(FABRIC_ASAN) && defined(__SANITIZE_ADDRESS__)
#define FABRIC_ASAN 1
#endif
#if !defined(FABRIC_TSAN) && defined(__SANITIZE_THREAD__)
#define FABRIC_TSAN 1
#endif
#ifndef FABRIC_ASAN
#define FABRIC_ASAN 0
#endif
#ifndef FABRIC_TSAN
#define FABRIC_TSAN 0
#endif
