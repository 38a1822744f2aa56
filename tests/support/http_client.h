// A small HTTP GET for tests of vigil's own server: the answer (or status -1
// when nothing answered), with the query built from decoded pairs; and a POST
// (libcurl) for requests made by hand to the fake Telegram server.
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace vigil {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  int status = -1;  // -1: no answer at all
  std::string body;
  httplib::Headers headers;
  std::string header(const std::string& name) const;
  // The body as JSON (discarded value if it is not JSON).
  nlohmann::json js() const { return nlohmann::json::parse(body, nullptr, false); }
};

// path?k=v&... with every key and value percent-encoded.
std::string target(const std::string& path, const QueryPairs& params = {});

// GET http://127.0.0.1:<port><path> (sent as given, no re-encoding).
Reply http_get(int port, const std::string& path, const httplib::Headers& headers = {});

struct PostAnswer {
  long status = 0;      // 0: no answer
  nlohmann::json body;  // discarded value if it is not JSON
};
// Form parts: name, data, filename (a filename makes the part a file upload).
using FormParts = std::vector<std::tuple<std::string, std::string, std::string>>;

// POSTs `json_body` as application/json, or, when `parts` are given, the parts
// as multipart/form-data, to `url` (5 s timeout).
PostAnswer http_post(const std::string& url, const std::string& json_body, const FormParts& parts = {});

}  // namespace vigil
