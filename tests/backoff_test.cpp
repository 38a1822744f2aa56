// base/backoff: the one exponential backoff rule, with the numbers each caller uses.
#include <gtest/gtest.h>

#include <vector>

#include "base/backoff.h"

namespace vigil {
namespace {

std::vector<double> first_delays(const Backoff& backoff, int count) {
  std::vector<double> delays;
  for (int retry = 0; retry < count; ++retry) delays.push_back(backoff.delay(retry));
  return delays;
}

TEST(BackoffTest, DoublesFromTheFirstWaitUpToTheCap) {
  EXPECT_EQ(first_delays(Backoff{0.5, 8}, 7), (std::vector<double>{0.5, 1, 2, 4, 8, 8, 8}));
  EXPECT_EQ(first_delays(Backoff{60, 86400}, 12),
            (std::vector<double>{60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440,
                                 86400}));
  EXPECT_EQ(first_delays(Backoff{1, 100}, 3), (std::vector<double>{1, 2, 4}));
}

TEST(BackoffTest, ACapBelowTheFirstWaitWins) {
  EXPECT_EQ((Backoff{2, 1.5}.delay(0)), 1.5);
  EXPECT_EQ((Backoff{2, 0}.delay(3)), 0);
}

TEST(BackoffTest, NoWaitWithoutAFirstWait) {
  EXPECT_EQ((Backoff{0, 10}.delay(0)), 0);
  EXPECT_EQ((Backoff{0, 10}.delay(5000)), 0);  // not 0 * inf
  EXPECT_EQ((Backoff{-1, 10}.delay(2)), 0);
}

TEST(BackoffTest, HugeAndNegativeRetriesStayInRange) {
  EXPECT_EQ((Backoff{0.5, 8}.delay(-3)), 0.5);
  EXPECT_EQ((Backoff{0.5, 8}.delay(5000)), 8);
  EXPECT_EQ((Backoff{1e300, 1e308}.delay(100000)), 1e308);
}

}  // namespace
}  // namespace vigil
