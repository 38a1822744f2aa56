// The Bot API's transport, for the client in telegram.cpp (internal to the
// module): one method call, as a JSON body or multipart/form-data, over
// libcurl, with the retry rules and one-line errors telegram.h describes, and
// the token kept out of every error and log line.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/sleeper.h"
#include "config/config.h"  // TelegramConfig

namespace vigil {

// One form field; with a filename it is a file upload.
struct BotApiPart {
  std::string name;
  std::string data;
  std::string filename;
  std::string content_type;
};

struct BotApiRequest {
  std::string method;          // "sendMessage"
  std::string json_body;       // JSON requests
  std::vector<BotApiPart> parts;  // multipart requests
  bool multipart = false;
  std::string summary;         // for the log: what is being sent
  int max_attempts = 0;        // 0: [telegram] max_attempts
  long extra_seconds = 0;      // added to the request timeout (a long poll's wait)
  const std::function<bool()>* cancelled = nullptr;  // polled while the request runs
  bool routine = false;        // logged at debug, not info (a long poll every few seconds)
  bool unmodified_ok = false;  // an edit: 400 "message is not modified" is success (answer body "")
};

class BotApiTransport {
 public:
  // `sleeper` must outlive it.
  BotApiTransport(TelegramConfig config, Sleeper& sleeper);

  const TelegramConfig& config() const { return config_; }

  // Sends `request` until it is accepted, fails for good, or the attempts run
  // out; the accepted answer's body (JSON text).
  Result<std::string> call(const BotApiRequest& request);

 private:
  struct Response;
  struct Verdict;
  Response perform(const BotApiRequest& request) const;
  Verdict judge(const BotApiRequest& request, const Response& response) const;
  std::string redacted_url(const std::string& method) const;
  std::string redact(std::string text) const;

  TelegramConfig config_;
  std::string base_;
  Sleeper& sleeper_;
};

}  // namespace vigil
