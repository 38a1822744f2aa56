#include "alert/state.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vigil {
namespace {

constexpr EpochSeconds kStart = 1'795'000'000 - 1'795'000'000 % 900;  // a bucket start
constexpr EpochSeconds kBucket = 900;

// A fake timeline: one (metric, slice), buckets every 15 minutes.
class Timeline {
 public:
  explicit Timeline(AlertPolicy policy) : policy_(policy) {}

  // Feeds bucket number `n` (0-based) and returns what to send.
  AlertAction at(int n, bool anomaly, bool ready = true) {
    return step_alert(state_, evaluation(n, anomaly, ready), policy_);
  }
  AlertAction anomalous(int n) { return at(n, true); }
  AlertAction normal(int n) { return at(n, false); }
  AlertAction not_ready(int n) { return at(n, false, false); }

  static Evaluation evaluation(int n, bool anomaly, bool ready) {
    Evaluation e;
    e.key = {"views", ""};
    e.bucket = kStart + n * kBucket;
    e.value = anomaly ? 10 : 100;
    e.lower = 80;
    e.upper = 120;
    e.expected = 100;
    e.score = anomaly ? -9 : 0;
    e.anomaly = anomaly;
    e.ready = ready;
    return e;
  }

  AlertState& state() { return state_; }
  const AlertPolicy& policy() const { return policy_; }

 private:
  AlertPolicy policy_;
  AlertState state_;
};

TEST(AlertState, ActionNames) {
  EXPECT_STREQ(alert_action_name(AlertAction::kNone), "none");
  EXPECT_STREQ(alert_action_name(AlertAction::kFire), "fire");
  EXPECT_STREQ(alert_action_name(AlertAction::kRepeat), "repeat");
  EXPECT_STREQ(alert_action_name(AlertAction::kResolve), "resolve");
}

TEST(AlertState, FreshStateHasSeenNothing) {
  AlertState state;
  EXPECT_FALSE(state.firing);
  EXPECT_EQ(state.streak, 0);
  EXPECT_EQ(state.last_bucket, -1);
}

TEST(AlertState, FiresOnFirstAnomalyWithConsecutiveOne) {
  Timeline t({.consecutive = 1, .repeat_every_seconds = 3600});
  EXPECT_EQ(t.normal(0), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(1), AlertAction::kFire);
  EXPECT_TRUE(t.state().firing);
  EXPECT_EQ(t.state().streak, 1);
  EXPECT_EQ(t.state().fired_at, kStart + 900);
  EXPECT_EQ(t.state().last_sent, kStart + 900);
  EXPECT_EQ(t.state().last_bucket, kStart + 900);
}

TEST(AlertState, ConsecutiveThreeNeedsThreeInARow) {
  Timeline t({.consecutive = 3, .repeat_every_seconds = 3600});
  EXPECT_EQ(t.anomalous(0), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(1), AlertAction::kNone);
  EXPECT_EQ(t.state().streak, 2);
  EXPECT_EQ(t.normal(2), AlertAction::kNone);  // two, then normal: start over
  EXPECT_EQ(t.state().streak, 0);
  EXPECT_FALSE(t.state().firing);
  EXPECT_EQ(t.anomalous(3), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(4), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(5), AlertAction::kFire);
  EXPECT_EQ(t.state().fired_at, kStart + 5 * 900);
}

TEST(AlertState, ConsecutiveBelowOneActsAsOne) {
  Timeline t({.consecutive = 0, .repeat_every_seconds = 3600});
  EXPECT_EQ(t.normal(0), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(1), AlertAction::kFire);
}

TEST(AlertState, RepeatsAfterExactlyRepeatEveryNotBefore) {
  Timeline t({.consecutive = 1, .repeat_every_seconds = 3600});
  ASSERT_EQ(t.anomalous(0), AlertAction::kFire);
  EXPECT_EQ(t.anomalous(1), AlertAction::kNone);  // 900 s
  EXPECT_EQ(t.anomalous(2), AlertAction::kNone);  // 1800 s
  EXPECT_EQ(t.anomalous(3), AlertAction::kNone);  // 2700 s
  EXPECT_EQ(t.anomalous(4), AlertAction::kRepeat);  // 3600 s
  EXPECT_EQ(t.state().last_sent, kStart + 3600);
  EXPECT_EQ(t.state().fired_at, kStart);  // still the same incident
  EXPECT_EQ(t.anomalous(5), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(7), AlertAction::kNone);  // 2700 s after the repeat
  EXPECT_EQ(t.anomalous(8), AlertAction::kRepeat);  // 3600 s after it
  EXPECT_EQ(t.state().last_sent, kStart + 7200);
}

TEST(AlertState, RepeatEveryZeroNeverRepeats) {
  Timeline t({.consecutive = 1, .repeat_every_seconds = 0});
  ASSERT_EQ(t.anomalous(0), AlertAction::kFire);
  for (int n = 1; n < 20; ++n) EXPECT_EQ(t.anomalous(n), AlertAction::kNone) << n;
}

TEST(AlertState, ResolvesOnceThenQuiet) {
  Timeline t({.consecutive = 1, .repeat_every_seconds = 3600});
  ASSERT_EQ(t.anomalous(0), AlertAction::kFire);
  EXPECT_EQ(t.normal(1), AlertAction::kResolve);
  EXPECT_FALSE(t.state().firing);
  EXPECT_EQ(t.state().streak, 0);
  EXPECT_EQ(t.normal(2), AlertAction::kNone);
  EXPECT_EQ(t.normal(3), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(4), AlertAction::kFire);  // a new incident fires again
  EXPECT_EQ(t.state().fired_at, kStart + 4 * 900);
}

TEST(AlertState, NotReadyDoesNotResolveAndBreaksTheStreak) {
  Timeline t({.consecutive = 2, .repeat_every_seconds = 3600});
  EXPECT_EQ(t.anomalous(0), AlertAction::kNone);
  EXPECT_EQ(t.not_ready(1), AlertAction::kNone);
  EXPECT_EQ(t.state().streak, 0);
  EXPECT_EQ(t.anomalous(2), AlertAction::kNone);  // streak 1 again, not 2
  EXPECT_EQ(t.anomalous(3), AlertAction::kFire);
  EXPECT_EQ(t.not_ready(4), AlertAction::kNone);
  EXPECT_EQ(t.not_ready(5), AlertAction::kNone);
  EXPECT_TRUE(t.state().firing);
  EXPECT_EQ(t.normal(6), AlertAction::kResolve);
}

TEST(AlertState, NotReadyAnomalyFlagIsIgnored) {
  Timeline t({.consecutive = 1, .repeat_every_seconds = 3600});
  EXPECT_EQ(t.at(0, /*anomaly=*/true, /*ready=*/false), AlertAction::kNone);
  EXPECT_FALSE(t.state().firing);
  EXPECT_EQ(t.state().streak, 0);
  EXPECT_EQ(t.state().last_bucket, kStart);
}

TEST(AlertState, SameOrOlderBucketIsIgnoredAndLeavesStateUnchanged) {
  Timeline t({.consecutive = 1, .repeat_every_seconds = 3600});
  ASSERT_EQ(t.normal(0), AlertAction::kNone);
  ASSERT_EQ(t.anomalous(1), AlertAction::kFire);
  const AlertState before = t.state();
  EXPECT_EQ(t.anomalous(1), AlertAction::kNone);  // re-run: not sent twice
  EXPECT_EQ(t.state(), before);
  EXPECT_EQ(t.normal(1), AlertAction::kNone);  // a changed verdict for it: still ignored
  EXPECT_EQ(t.state(), before);
  EXPECT_EQ(t.normal(0), AlertAction::kNone);  // an older bucket
  EXPECT_EQ(t.state(), before);
  EXPECT_EQ(t.anomalous(-100), AlertAction::kNone);
  EXPECT_EQ(t.state(), before);
  EXPECT_EQ(t.normal(2), AlertAction::kResolve);  // the next bucket still works
}

TEST(AlertState, GapProcessesTheNewBucket) {
  Timeline t({.consecutive = 2, .repeat_every_seconds = 3600});
  EXPECT_EQ(t.anomalous(0), AlertAction::kNone);
  EXPECT_EQ(t.anomalous(10), AlertAction::kFire);  // nine buckets missing
  EXPECT_EQ(t.state().last_bucket, kStart + 10 * 900);
  EXPECT_EQ(t.anomalous(12), AlertAction::kNone);  // 1800 s
  EXPECT_EQ(t.anomalous(30), AlertAction::kRepeat);  // a long gap: remind
  EXPECT_EQ(t.normal(100), AlertAction::kResolve);
}

TEST(AlertState, RestartWithSavedStateDoesNotRepeat) {
  AlertPolicy policy{.consecutive = 1, .repeat_every_seconds = 3600};
  Timeline before_restart(policy);
  ASSERT_EQ(before_restart.anomalous(0), AlertAction::kFire);
  ASSERT_EQ(before_restart.anomalous(1), AlertAction::kNone);

  // The process restarts: the state comes back from the store, and the
  // scheduler re-runs the last bucket before moving on.
  Timeline after_restart(policy);
  after_restart.state() = before_restart.state();
  EXPECT_EQ(after_restart.anomalous(1), AlertAction::kNone);
  EXPECT_EQ(after_restart.anomalous(2), AlertAction::kNone);
  EXPECT_EQ(after_restart.anomalous(3), AlertAction::kNone);
  EXPECT_EQ(after_restart.anomalous(4), AlertAction::kRepeat);  // 3600 s after the fire
}

TEST(AlertState, RestartWithoutStateWouldFireAgain) {
  // The counterpart of the test above: losing the state is what the store prevents.
  AlertPolicy policy{.consecutive = 1, .repeat_every_seconds = 3600};
  Timeline before_restart(policy);
  ASSERT_EQ(before_restart.anomalous(0), AlertAction::kFire);
  Timeline fresh(policy);
  EXPECT_EQ(fresh.anomalous(1), AlertAction::kFire);
}

TEST(AlertState, FullIncidentSequence) {
  Timeline t({.consecutive = 2, .repeat_every_seconds = 1800});
  const std::vector<bool> anomaly = {false, true, true, true, true, true, false, false, true};
  std::vector<AlertAction> actions;
  for (int n = 0; n < static_cast<int>(anomaly.size()); ++n) {
    actions.push_back(t.at(n, anomaly[static_cast<std::size_t>(n)]));
  }
  const std::vector<AlertAction> expected = {
      AlertAction::kNone,    AlertAction::kNone, AlertAction::kFire,
      AlertAction::kNone,    AlertAction::kRepeat, AlertAction::kNone,
      AlertAction::kResolve, AlertAction::kNone, AlertAction::kNone};
  EXPECT_EQ(actions, expected);
}

}  // namespace
}  // namespace vigil
