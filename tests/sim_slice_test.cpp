// The SQL of slice-targeted anomalies, without a server: which anomalies touch a
// table's events on a day (none: the INSERT stays the one without them), and the
// slice conditions. What the SQL does to the events is tested against the real
// server (sim_slice_itest.cpp).
#include <gtest/gtest.h>

#include "sim/slice_anomalies.h"
#include "support/expect.h"

namespace vigil {
namespace {

constexpr EpochSeconds kDay = 1773003600;  // 2026-03-09 00:00 Moscow

SliceEvents feed_day() {
  SliceEvents events;
  events.table = SimTable::kFeed;
  events.begin = kDay;
  events.end = kDay + 86400;
  events.age_buckets = {18, 25, 35, 45};
  events.second_sql = "sec";
  return events;
}

Anomaly at(const char* metric, EpochSeconds start, double factor, const char* slice) {
  return {metric, start, start + 1800, factor, slice};
}

TEST(SimSlice, OnlyAnomaliesOfASliceOnThisTableAndDayChangeEvents) {
  const auto feed = feed_day();
  auto messages = feed_day();
  messages.table = SimTable::kMessages;
  // Everyone's anomalies are the plan's; another day's or another table's are not these events'.
  EXPECT_EQ(event_copies_sql({at("views", kDay + 3600, 0.3, "")}, feed), "");
  EXPECT_EQ(event_copies_sql({at("views", kDay - 7200, 0.3, "os=iOS")}, feed), "");
  EXPECT_EQ(event_copies_sql({at("views", kDay + 86400, 0.3, "os=iOS")}, feed), "");
  EXPECT_EQ(event_copies_sql({at("messages_sent", kDay + 3600, 2, "os=iOS")}, feed), "");
  EXPECT_EQ(event_copies_sql({at("ctr", kDay + 3600, 0.5, "os=iOS")}, messages), "");
  // An anomaly that began the day before and runs past midnight still counts.
  EXPECT_NE(event_copies_sql({at("views", kDay - 900, 0.3, "os=iOS")}, feed), "");
  EXPECT_NE(event_copies_sql({at("messenger_users", kDay, 0.3, "os=iOS")}, messages), "");
}

TEST(SimSlice, EventScalingAndUserRemovalNameTheirKindsAndWindow) {
  const auto feed = feed_day();
  const std::string views = event_copies_sql({at("views", kDay + 3600, 0.3, "os=Android")}, feed);
  EXPECT_CONTAINS(views, "kind = 0");
  EXPECT_CONTAINS(views, "os = 'Android'");
  EXPECT_CONTAINS(views, "sec >= 1773007200 AND sec < 1773009000");
  EXPECT_CONTAINS(views, "0.300000");
  EXPECT_LACKS(views, "uid");
  EXPECT_CONTAINS(event_copies_sql({at("ctr", kDay, 0.5, "os=iOS")}, feed), "kind = 1");
  // A users drop removes users (a hash of uid), a users spike adds copies.
  const std::string drop = event_copies_sql({at("feed_users", kDay, 0.5, "source=ads")}, feed);
  EXPECT_CONTAINS(drop, "uid");
  EXPECT_LACKS(drop, "kind = ");
  EXPECT_LACKS(event_copies_sql({at("feed_users", kDay, 1.5, "source=ads")}, feed), "uid");
}

TEST(SimSlice, SliceConditionsUseTheUserColumns) {
  const std::vector<int> ages = {18, 25, 35, 45};
  EXPECT_EQ(slice_condition_sql("os=Android", ages), "os = 'Android'");
  EXPECT_EQ(slice_condition_sql("country=Russia", ages), "country = 'Russia'");
  EXPECT_EQ(slice_condition_sql("source=ads", ages), "source = 'ads'");
  EXPECT_EQ(slice_condition_sql("gender=1", ages), "toString(gender) = '1'");
  EXPECT_EQ(slice_condition_sql("country=O'Land", ages), "country = 'O\\'Land'");
  const std::string age = slice_condition_sql("age=18-24", ages);
  EXPECT_CONTAINS(age, "multiIf(age < 18, '0-17', age < 25, '18-24'");
  EXPECT_CONTAINS(age, ") = '18-24'");
}

}  // namespace
}  // namespace vigil
