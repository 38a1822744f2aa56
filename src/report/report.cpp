#include "report/report.h"

#include <chrono>
#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/files.h"
#include "metrics/daily.h"
#include "report/report_charts.h"
#include "report/report_text.h"
#include "telegram/text.h"

namespace vigil {
namespace {

// Days before the reported one that the text compares with (a week ago).
constexpr int kHistoryDays = 7;
// The charts' file names, in Telegram (the album) and in the output directory.
constexpr const char* kFeedPng = "feed.png";
constexpr const char* kMessengerPng = "messenger.png";

std::optional<Photo> render_chart(const chart::Renderer& render, const chart::ChartSpec& spec,
                                  const std::string& filename, std::vector<std::string>& errors) {
  auto png = render(spec);
  if (png.ok()) return Photo{filename, std::move(*png)};
  errors.push_back(fmt::format("{}: {}", filename, png.error().message));
  spdlog::error("report: chart {} was not rendered, the text goes without it: {}", filename,
                png.error().message);
  return std::nullopt;
}

Status send_text(Telegram& telegram, const std::string& html) {
  for (const auto& piece : split_message(html)) VIGIL_TRY(telegram.send_message(piece));
  return {};
}

}  // namespace

Result<ReportArtifacts> build_report(ClickHouse& clickhouse, const Config& config,
                                     const date::time_zone* zone, Days day,
                                     const chart::Renderer& render, const std::string& late_note) {
  const auto started = std::chrono::steady_clock::now();
  auto days = query_daily_metrics(clickhouse, config, zone, day - date::days{kHistoryDays}, day);
  if (!days.ok()) return days.error();
  const auto queried = std::chrono::steady_clock::now();
  if (!days->back().has_feed && !days->back().has_messages) {
    spdlog::warn("report {}: no feed actions and no messages in {}: the report says 'no data'",
                 format_date(day), config.source.database);
  }
  ReportArtifacts report;
  report.day = day;
  report.html = report_html({day, *days, config.report.dashboard_url, late_note});
  // The two charts render in parallel (each render has its own cairo surface).
  std::vector<std::string> messenger_errors;
  auto messenger = std::async(std::launch::async, [&] {
    return render_chart(render, messenger_chart_spec(*days), kMessengerPng, messenger_errors);
  });
  report.feed_chart = render_chart(render, feed_chart_spec(*days), kFeedPng, report.chart_errors);
  report.messenger_chart = messenger.get();
  report.chart_errors.insert(report.chart_errors.end(), messenger_errors.begin(),
                             messenger_errors.end());
  using Seconds = std::chrono::duration<double>;
  spdlog::info("report {}: metrics queried in {:.3f} s, text and charts made in {:.3f} s",
               format_date(day), Seconds(queried - started).count(),
               Seconds(std::chrono::steady_clock::now() - queried).count());
  return report;
}

Result<std::vector<std::string>> write_report(const ReportArtifacts& report,
                                              const std::string& dir, const FileWriter& writer) {
  std::vector<std::pair<std::string, std::string>> files = {{"report.html", report.html}};
  std::vector<std::string> absent;
  const std::pair<const std::optional<Photo>*, const char*> charts[] = {
      {&report.feed_chart, kFeedPng}, {&report.messenger_chart, kMessengerPng}};
  for (const auto& [chart, name] : charts) {
    if (*chart) {
      files.emplace_back(name, (*chart)->png);
    } else {
      absent.push_back(name);  // an old chart must not sit beside the new text
    }
  }
  VIGIL_TRY(write_file_set(dir, files, absent, writer));
  std::vector<std::string> written;
  for (const auto& file : files) written.push_back(dir + "/" + file.first);
  return written;
}

Status send_report(Telegram& telegram, const ReportArtifacts& report) {
  std::vector<Photo> photos;
  for (const auto* chart : {&report.feed_chart, &report.messenger_chart}) {
    if (*chart) photos.push_back(**chart);
  }
  const bool caption_fits = visible_length(report.html) <= kTelegramMaxCaption;
  if (photos.empty()) return send_text(telegram, report.html);
  if (caption_fits) {
    if (photos.size() == 1) return telegram.send_photo(photos.front(), report.html);
    return telegram.send_media_group(photos, report.html);
  }
  VIGIL_TRY(send_text(telegram, report.html));
  if (photos.size() == 1) return telegram.send_photo(photos.front(), "");
  return telegram.send_media_group(photos, "");
}

}  // namespace vigil
