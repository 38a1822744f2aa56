// Silences (alert/silence.h): what they cover, what they do to the state
// machine's actions, durations, the list text; and their store (SQLite).
#include "alert/silence.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "alert/store.h"
#include "support/expect.h"

namespace vigil {
namespace {

constexpr EpochSeconds kT0 = 1'795'000'500;  // a bucket start
constexpr int kBucket = 900;

Silence likes_for_an_hour() {
  Silence s;
  s.id = 3;
  s.metric = "likes";
  s.starts = kT0;
  s.ends = kT0 + 3600;
  return s;
}

TEST(SilenceTest, CoversItsMetricSliceAndTimeOnly) {
  Silence s = likes_for_an_hour();
  EXPECT_TRUE(silence_covers(s, {"likes", ""}, kT0));
  EXPECT_TRUE(silence_covers(s, {"likes", "os=iOS"}, kT0 + 3600 - kBucket));
  EXPECT_FALSE(silence_covers(s, {"likes", ""}, kT0 + 3600));  // ends exclusive
  EXPECT_FALSE(silence_covers(s, {"likes", ""}, kT0 - kBucket));
  EXPECT_FALSE(silence_covers(s, {"views", ""}, kT0));
  s.slice = "os=iOS";
  EXPECT_TRUE(silence_covers(s, {"likes", "os=iOS"}, kT0));
  EXPECT_FALSE(silence_covers(s, {"likes", ""}, kT0));
  s.metric = "all";
  EXPECT_TRUE(silence_covers(s, {"views", "os=iOS"}, kT0));
  const std::vector<Silence> list = {likes_for_an_hour(), s};
  EXPECT_EQ(covering_silence(list, {"views", "os=iOS"}, kT0), &list[1]);
  EXPECT_EQ(covering_silence(list, {"views", ""}, kT0), nullptr);
}

// Feeds one bucket through step_alert and apply_silence.
struct Stepper {
  AlertState state;
  AlertPolicy policy{1, 3600};
  bool held = false;
  AlertAction step(EpochSeconds bucket, bool anomaly, bool silenced, bool was_silenced) {
    Evaluation e;
    e.key = {"likes", ""};
    e.bucket = bucket;
    e.anomaly = anomaly;
    e.ready = true;
    const AlertState before = state;
    const AlertAction action = step_alert(state, e, policy);
    return apply_silence(state, before, action, silenced, was_silenced, &held);
  }
};

TEST(SilenceTest, AFireDuringASilenceIsHeldAndSaidOnceWhenItEndsStillFiring) {
  Stepper s;
  EXPECT_EQ(s.step(kT0, true, true, false), AlertAction::kNone);
  EXPECT_TRUE(s.held);
  EXPECT_TRUE(s.state.firing);
  EXPECT_EQ(s.step(kT0 + kBucket, true, true, true), AlertAction::kNone);
  // The silence is over and it still fires: one reminder, then the usual clock.
  EXPECT_EQ(s.step(kT0 + 2 * kBucket, true, false, true), AlertAction::kRepeat);
  EXPECT_FALSE(s.held);
  EXPECT_EQ(s.step(kT0 + 3 * kBucket, true, false, false), AlertAction::kNone);
  EXPECT_EQ(s.step(kT0 + 4 * kBucket, false, false, false), AlertAction::kResolve);
}

TEST(SilenceTest, AnAlertThatClearedDuringTheSilenceSendsNothing) {
  Stepper s;
  EXPECT_EQ(s.step(kT0, true, true, false), AlertAction::kNone);
  EXPECT_EQ(s.step(kT0 + kBucket, false, true, true), AlertAction::kNone);
  EXPECT_TRUE(s.held);  // its back to normal, held
  EXPECT_EQ(s.step(kT0 + 2 * kBucket, false, false, true), AlertAction::kNone);
  EXPECT_FALSE(s.held);
  // Cleared right after the silence, with nothing of it sent: held too.
  Stepper t;
  t.step(kT0, true, true, false);
  EXPECT_EQ(t.step(kT0 + kBucket, false, false, true), AlertAction::kNone);
  EXPECT_TRUE(t.held);
}

TEST(SilenceTest, ASilenceOverASentAlertHoldsItsRemindersAndItsEndSaysStillFiring) {
  Stepper s;
  EXPECT_EQ(s.step(kT0, true, false, false), AlertAction::kFire);
  // A reminder would be due at +1h; the silence holds it.
  EXPECT_EQ(s.step(kT0 + 3600, true, true, false), AlertAction::kNone);
  EXPECT_TRUE(s.held);
  EXPECT_EQ(s.state.last_sent, kT0);
  EXPECT_EQ(s.step(kT0 + 3600 + kBucket, true, false, true), AlertAction::kRepeat);
  // Its back to normal goes out: the fire reached the chat.
  EXPECT_EQ(s.step(kT0 + 3600 + 2 * kBucket, false, false, false), AlertAction::kResolve);
}

TEST(SilenceTest, ABucketSeenBeforeStaysQuiet) {
  Stepper s;
  s.step(kT0, true, true, false);
  EXPECT_EQ(s.step(kT0, true, false, true), AlertAction::kNone);
  EXPECT_FALSE(s.held);
}

TEST(SilenceTest, FromNowStartsAtTheBucketUnderWay) {
  // 14:22 in a 15-minute world: the 14:15 bucket, checked by the next run, is covered.
  EXPECT_EQ(silence_start_now(kT0 + 7 * 60, 15), kT0);
  EXPECT_EQ(silence_start_now(kT0, 15), kT0);
  EXPECT_EQ(silence_start_now(kT0 + 7 * 60, 5), kT0 + 5 * 60);
}

TEST(SilenceTest, DurationsAreMinutesHoursOrDays) {
  EXPECT_EQ(*parse_silence_duration("90m"), 5400);
  EXPECT_EQ(*parse_silence_duration("2h"), 7200);
  EXPECT_EQ(*parse_silence_duration("1d"), 86400);
  for (const char* bad : {"", "h", "0h", "2", "2w", "-1h", "1.5h", "99999999999d"}) {
    auto parsed = parse_silence_duration(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_CONTAINS(parsed.error().message, "e.g. 90m, 2h, 1d");
  }
}

TEST(SilenceTest, ListSaysWhatWhenWhoAndWhetherActive) {
  const date::time_zone* zone = *find_zone("Europe/Moscow");
  Silence s = likes_for_an_hour();
  s.created_by = "ann";
  s.comment = "release 4.2";
  Silence t = s;
  t.id = 4;
  t.metric = "all";
  t.slice = "os=iOS";
  t.starts = kT0 + 86400;
  t.ends = kT0 + 2 * 86400;
  t.comment = "";
  EXPECT_EQ(silences_text({s, t}, kT0 + 60, zone),
            "#3 likes (every slice) 2026-11-18 14:15 → 15:15, active, by ann: release 4.2\n"
            "#4 all (os=iOS) 2026-11-19 14:15 → 2026-11-20 14:15, upcoming, by ann\n");
  s.expired_at = kT0 + 60;
  EXPECT_CONTAINS(silences_text({s}, kT0 + 60, zone), "expired");
  EXPECT_CONTAINS(silences_text({s}, kT0 + 7200, zone), "expired");
  EXPECT_EQ(silences_text({}, kT0, zone), "no silences\n");
}

TEST(SilenceStoreTest, AddListExpireAndSilencedRowsAreNeverResent) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vigil_silence_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto store = open_sqlite_alert_store((dir / "alerts.sqlite").string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  Silence s = likes_for_an_hour();
  s.id = 0;
  s.slice = "os=iOS";
  auto saved = (*store)->add_silence(s);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_GT(saved->id, 0);
  auto active = (*store)->silences(kT0 + 60);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().slice, std::optional<std::string>("os=iOS"));
  EXPECT_TRUE((*store)->silences(kT0 + 3600)->empty());  // over by then

  auto expired = (*store)->expire_silence(saved->id, kT0 + 600);
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(expired->ends, kT0 + 600);
  EXPECT_EQ((*store)->silences(std::nullopt)->front().expired_at,
            std::optional<EpochSeconds>(kT0 + 600));
  auto again = (*store)->expire_silence(saved->id, kT0 + 900);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "silence #1 is over already; nothing to expire");
  EXPECT_FALSE((*store)->expire_silence(42, kT0).ok());

  AlertRecord held;
  held.evaluation.key = {"likes", ""};
  held.evaluation.bucket = kT0;
  held.action = AlertAction::kFire;
  held.silenced = true;
  ASSERT_TRUE((*store)->commit({}, {held}).ok());
  EXPECT_TRUE((*store)->undelivered(0)->empty());
  auto history = (*store)->history({});
  ASSERT_EQ(history->size(), 1u);
  EXPECT_TRUE(history->front().silenced);
  EXPECT_EQ(history->front().action, AlertAction::kFire);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil
