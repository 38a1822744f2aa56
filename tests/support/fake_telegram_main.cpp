// fake_telegram_server: the test suite's fake Telegram Bot API (support/fake_telegram.h)
// as a standalone process, for tests outside the C++ suite (the Airflow DAG tests).
//
//   fake_telegram_server --calls FILE [--attempts FILE] [--token T] [--chat-id C]
//                        [--bot-username NAME]
//
// Listens on a free 127.0.0.1 port and prints its base URL ("http://127.0.0.1:PORT")
// as the first line on stdout. Every accepted Bot API call is appended to the calls
// file as one JSON object per line, within about 100 ms of arriving, so a test can
// read the file while the server runs; --attempts FILE also records every request,
// accepted or rejected (method, HTTP status, error description). Serves until
// SIGTERM or SIGINT, writes what is left and exits 0. Exit 2 on bad arguments,
// 1 if it cannot listen or write.
//
// The file sits in tests/support/, whose sources all go into the vigil_test_support
// library, so main() exists only when the executable's target defines
// VIGIL_FAKE_TELEGRAM_SERVER_MAIN (CMakeLists.txt).
#ifdef VIGIL_FAKE_TELEGRAM_SERVER_MAIN

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/fake_telegram.h"

namespace {

using nlohmann::json;

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

int usage(const std::string& problem) {
  std::cerr << "fake_telegram_server: " << problem << "\n"
            << "usage: fake_telegram_server --calls FILE [--attempts FILE] [--token T] "
               "[--chat-id C] [--bot-username NAME]\n";
  return 2;
}

// Texts are whatever the client sent; replace invalid UTF-8 instead of throwing.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json call_json(const vigil::FakeTelegramCall& call) {
  json photos = json::array();
  for (const auto& photo : call.photos) {
    photos.push_back({{"part_name", photo.part_name},
                      {"filename", photo.filename},
                      {"content_type", photo.content_type},
                      {"bytes", photo.bytes.size()},
                      {"png", std::string_view(photo.bytes).substr(0, kPngSignature.size()) ==
                                  kPngSignature}});
  }
  return {{"method", call.method},
          {"chat_id", call.chat_id},
          {"text", call.text},
          {"parse_mode", call.parse_mode},
          {"disable_web_page_preview", call.disable_web_page_preview},
          {"media_captions", call.media_captions},
          {"photos", photos},
          {"reply_markup", call.reply_markup},
          {"message_id", call.message_id}};
}

json attempt_json(const vigil::FakeTelegramAttempt& attempt) {
  return {{"method", attempt.method},
          {"status", attempt.status},
          {"description", attempt.description}};
}

// Appends the records past `written` to `out`; returns false if the write failed.
template <typename Record, typename ToJson>
bool append_new(std::ofstream& out, const std::vector<Record>& records, std::size_t& written,
                ToJson to_json) {
  if (!out.is_open()) return true;
  for (; written < records.size(); ++written) out << dump(to_json(records[written])) << '\n';
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  std::string calls_path, attempts_path;
  std::string token = vigil::FakeTelegram::kDefaultToken;
  std::string chat_id = vigil::FakeTelegram::kDefaultChat;
  std::string bot_username;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      usage("the fake Telegram Bot API server of vigil's tests");
      return 0;
    }
    if (i + 1 >= argc) return usage("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--calls") calls_path = value;
    else if (arg == "--attempts") attempts_path = value;
    else if (arg == "--token") token = value;
    else if (arg == "--chat-id") chat_id = value;
    else if (arg == "--bot-username") bot_username = value;
    else return usage("unknown option " + arg);
  }
  if (calls_path.empty()) return usage("--calls FILE is required");
  if (token.empty() || chat_id.empty()) return usage("--token and --chat-id must not be empty");

  // Block the stop signals before the server thread starts, so only sigtimedwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::ofstream calls_out(calls_path, std::ios::trunc);
  if (!calls_out) {
    std::cerr << "fake_telegram_server: cannot write " << calls_path << "\n";
    return 1;
  }
  std::ofstream attempts_out;
  if (!attempts_path.empty()) {
    attempts_out.open(attempts_path, std::ios::trunc);
    if (!attempts_out) {
      std::cerr << "fake_telegram_server: cannot write " << attempts_path << "\n";
      return 1;
    }
  }

  try {
    vigil::FakeTelegram server(token, chat_id);
    if (!bot_username.empty()) server.set_bot_username(bot_username);
    std::cout << server.url() << std::endl;  // first line: the URL, flushed

    std::size_t calls_written = 0, attempts_written = 0;
    const timespec tick{0, 100 * 1000 * 1000};
    bool stop = false;
    while (!stop) {
      stop = sigtimedwait(&stop_signals, nullptr, &tick) > 0;
      if (!append_new(calls_out, server.calls(), calls_written, call_json) ||
          !append_new(attempts_out, server.attempts(), attempts_written, attempt_json)) {
        std::cerr << "fake_telegram_server: cannot write the recorded calls\n";
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "fake_telegram_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

#endif  // VIGIL_FAKE_TELEGRAM_SERVER_MAIN
