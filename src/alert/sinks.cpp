#include <fmt/format.h>

#include "alert/run.h"
#include "base/files.h"
#include "telegram/text.h"

namespace vigil {
namespace {

class TelegramAlertSink : public AlertSink {
 public:
  explicit TelegramAlertSink(Telegram& telegram) : telegram_(telegram) {}
  Result<std::int64_t> deliver(const AlertMessage& message) override {
    if (!message.chart) return telegram_.send_message(message.html, message.buttons);
    if (visible_length(message.html) <= kTelegramMaxCaption) {
      return telegram_.send_photo(*message.chart, message.html, message.buttons);
    }
    if (!message.text_sent) {
      VIGIL_TRY(telegram_.send_message(message.html, {}));
      if (message.on_text_sent) message.on_text_sent();
    }
    return telegram_.send_photo(*message.chart, "", message.buttons);
  }

 private:
  Telegram& telegram_;
};

class DirectoryAlertSink : public AlertSink {
 public:
  DirectoryAlertSink(std::string dir, const date::time_zone* zone)
      : dir_(std::move(dir)), zone_(zone) {}
  Result<std::int64_t> deliver(const AlertMessage& message) override {
    const auto& e = message.evaluation;
    std::string local = format_local_time(e.bucket, zone_);  // YYYY-MM-DD HH:MM:SS
    const std::string stamp = local.substr(0, 4) + local.substr(5, 2) + local.substr(8, 2) + "-" +
                              local.substr(11, 2) + local.substr(14, 2);
    std::string slice;
    for (char c : e.key.slice) slice += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    const std::string base = fmt::format("{}/alert-{}{}{}-{}-{}", dir_, e.key.metric,
                                         slice.empty() ? "" : "-", slice, stamp,
                                         alert_action_name(message.action));
    VIGIL_TRY(write_file(base + ".html", message.html));
    if (message.chart) VIGIL_TRY(write_file(base + ".png", message.chart->png));
    return std::int64_t{0};
  }

 private:
  std::string dir_;
  const date::time_zone* zone_;
};

}  // namespace

std::unique_ptr<AlertSink> make_telegram_alert_sink(Telegram& telegram) {
  return std::make_unique<TelegramAlertSink>(telegram);
}

std::unique_ptr<AlertSink> make_directory_alert_sink(const std::string& dir,
                                                     const date::time_zone* zone) {
  return std::make_unique<DirectoryAlertSink>(dir, zone);
}

}  // namespace vigil
