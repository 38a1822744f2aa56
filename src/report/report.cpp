#include "report/report.h"

#include <algorithm>
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
// The sent-log part for the whole text; its messages are "text 1/2", ...
constexpr const char* kTextPart = "text";

std::optional<Photo> render_chart(const chart::Renderer& render, const chart::ChartSpec& spec,
                                  const std::string& filename, std::vector<std::string>& errors) {
  auto png = render(spec);
  if (png.ok()) return Photo{filename, std::move(*png)};
  errors.push_back(fmt::format("{}: {}", filename, png.error().message));
  spdlog::error("report: chart {} was not rendered, the text goes without it: {}", filename,
                png.error().message);
  return std::nullopt;
}


Status call(Telegram& telegram, const ReportSend& send) {
  switch (send.kind) {
    case ReportSend::Kind::kMessage: VIGIL_TRY(telegram.send_message(send.text, {})); return {};
    case ReportSend::Kind::kPhoto: VIGIL_TRY(telegram.send_photo(send.photos.front(), send.text, {})); return {};
    case ReportSend::Kind::kAlbum: return telegram.send_media_group(send.photos, send.text);
  }
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

std::vector<ReportSend> plan_report_sends(const ReportArtifacts& report,
                                          const std::set<std::string>& sent) {
  std::vector<Photo> photos;
  std::vector<std::string> photo_parts;
  for (const auto* chart : {&report.feed_chart, &report.messenger_chart}) {
    if (*chart && !sent.contains((*chart)->filename)) {
      photos.push_back(**chart);
      photo_parts.push_back((*chart)->filename);
    }
  }
  auto media = [&](const std::string& caption, std::vector<std::string> parts) {
    const auto kind = photos.size() == 1 ? ReportSend::Kind::kPhoto : ReportSend::Kind::kAlbum;
    return ReportSend{kind, caption, photos, std::move(parts)};
  };
  const bool text_started = std::any_of(sent.begin(), sent.end(), [](const std::string& part) {
    return part.rfind(kTextPart, 0) == 0;
  });
  if (!text_started && !photos.empty() &&
      visible_length(report.html) <= kTelegramMaxCaption) {
    auto parts = photo_parts;
    parts.push_back(kTextPart);
    return {media(report.html, std::move(parts))};
  }
  std::vector<ReportSend> sends;
  if (!sent.contains(kTextPart)) {
    const auto pieces = split_message(report.html);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      std::string piece_part = fmt::format("{} {}/{}", kTextPart, i + 1, pieces.size());
      if (sent.contains(piece_part)) continue;
      std::vector<std::string> parts = {std::move(piece_part)};
      if (i + 1 == pieces.size()) parts.push_back(kTextPart);
      sends.push_back({ReportSend::Kind::kMessage, pieces[i], {}, std::move(parts)});
    }
  }
  if (!photos.empty()) sends.push_back(media("", std::move(photo_parts)));
  return sends;
}

Result<ReportSendResult> send_report(Telegram& telegram, const ReportArtifacts& report,
                                     ReportSentLog* log, const std::string& chat) {
  std::set<std::string> sent;
  if (log != nullptr) {
    auto parts = log->parts(report.day, chat);
    if (!parts.ok()) return parts.error();
    sent = std::move(*parts);
  }
  ReportSendResult result;
  result.sent_before.assign(sent.begin(), sent.end());
  for (const ReportSend& send : plan_report_sends(report, sent)) {
    VIGIL_TRY(call(telegram, send));
    if (log != nullptr) {
      if (auto recorded = log->record(report.day, chat, send.parts); !recorded.ok()) {
        return Error::failure(recorded.error().message +
                              " (the report went out in part; a retry may repeat that part)");
      }
    }
    result.sent_now.insert(result.sent_now.end(), send.parts.begin(), send.parts.end());
  }
  return result;
}

}  // namespace vigil
