// Checks shared by the test files: gtest (without gmock) substring checks that
// print both strings on failure, and elapsed wall time for "it did not wait" checks.
#pragma once

#include <chrono>

#include <gtest/gtest.h>

#define EXPECT_CONTAINS(haystack, needle) EXPECT_PRED_FORMAT2(::testing::IsSubstring, needle, haystack)
#define EXPECT_LACKS(haystack, needle) EXPECT_PRED_FORMAT2(::testing::IsNotSubstring, needle, haystack)

namespace vigil {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace vigil
