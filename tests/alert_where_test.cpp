#include "alert/where.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alert/message.h"

namespace vigil {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// os and age slices of a metric that expected `scale` x the shares below and got
// `factor` of it (per slice).
std::vector<SliceOutcome> os_and_age(double android_factor, double ios_factor, double age_factor) {
  return {{"os=Android", 620 * android_factor, 620}, {"os=iOS", 380 * ios_factor, 380},
          {"age=18-24", 300 * age_factor, 300},      {"age=25-34", 700 * age_factor, 700}};
}

TEST(WhereText, AnAndroidOutageNamesAndroidAndTheRestOfOs) {
  // Android users are spread over the ages, so each age group fell by Android's part.
  const double age_factor = (620 * 0.36 + 380) / 1000.0;
  const std::string text = where_text(os_and_age(0.36, 1.0, age_factor));
  EXPECT_TRUE(has(text, "Where: os=Android −64% (explains 100% of the change)")) << text;
  EXPECT_TRUE(has(text, "rest of os ±0%")) << text;
  EXPECT_FALSE(has(text, "age=")) << text;
}

TEST(WhereText, EveryoneMovedNamesNoSlice) {
  const std::string text = where_text(os_and_age(0.5, 0.52, 0.51));
  EXPECT_EQ(text, "Where: no slice stands out (age, os moved alike)");
}

TEST(WhereText, NothingToSayWithoutTwoSlicesOrAForecast) {
  EXPECT_EQ(where_text({}), "");
  EXPECT_EQ(where_text({{"os=Android", 10, 100}}), "");
  EXPECT_EQ(where_text({{"os=Android", 10, std::nan("")}, {"os=iOS", 10, std::nan("")}}), "");
}

TEST(WhereText, SliceNamesAreEscaped) {
  const std::string text =
      where_text({{"country=<b>", 10, 100}, {"country=Russia", 500, 500}, {"country=Kazakhstan", 300, 300}});
  EXPECT_TRUE(has(text, "country=&lt;b&gt; −90%")) << text;
}

TEST(RatioWhereText, ARateFallInOneSliceIsNamed) {
  // Views unchanged; iOS's likes (and so its CTR) fell by 70 %.
  const std::vector<SliceOutcome> views = {{"os=Android", 6200, 6200}, {"os=iOS", 3800, 3800}};
  const std::vector<SliceOutcome> likes = {{"os=Android", 279, 279}, {"os=iOS", 171 * 0.3, 171}};
  const std::string text = ratio_where_text(likes, views);
  EXPECT_TRUE(has(text, "Where: the rate inside os=iOS −70%")) << text;
  EXPECT_FALSE(has(text, "mix")) << text;
}

TEST(RatioWhereText, AShiftOfTrafficToALowRateSliceIsAMixChange) {
  // CTR 3 % on Android and 6 % on iOS, unchanged; Android's views doubled.
  const std::vector<SliceOutcome> views = {{"os=Android", 12400, 6200}, {"os=iOS", 3800, 3800}};
  const std::vector<SliceOutcome> likes = {{"os=Android", 372, 186}, {"os=iOS", 228, 228}};
  EXPECT_EQ(ratio_where_text(likes, views),
            "Where: the mix of os moved, not the rates inside them");
}

TEST(AlertHtml, TheWhereLineFollowsTheBand) {
  AlertMessageInput in;
  in.evaluation.key = {"views", ""};
  in.evaluation.value = 10, in.evaluation.expected = 100, in.evaluation.lower = 80,
  in.evaluation.upper = 120;
  in.zone = date::locate_zone("UTC");
  in.where = "Where: os=Android −64%";
  const std::string html = alert_html(in);
  EXPECT_TRUE(has(html, "expected 80 – 120\nWhere: os=Android −64%")) << html;
  in.action = AlertAction::kResolve;
  EXPECT_FALSE(has(alert_html(in), "Where:"));
}

}  // namespace
}  // namespace vigil
