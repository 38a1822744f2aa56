#include "support/http_client.h"

#include <curl/curl.h>

#include "base/strings.h"

namespace vigil {

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string target(const std::string& path, const QueryPairs& params) {
  std::string out = path;
  for (const auto& [k, v] : params) {
    out += (out == path ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

Reply http_get(int port, const std::string& path, const httplib::Headers& headers) {
  httplib::Client client("127.0.0.1", port);
  client.set_url_encode(false);
  client.set_read_timeout(120, 0);
  auto res = client.Get(path.c_str(), headers);
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.body = res->body;
  r.headers = res->headers;
  return r;
}

namespace {

size_t collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

PostAnswer http_post(const std::string& url, const std::string& json_body, const FormParts& parts) {
  CURL* h = curl_easy_init();
  std::string received;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_mime* mime = nullptr;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (parts.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.c_str());
  } else {
    mime = curl_mime_init(h);
    for (const auto& [name, data, filename] : parts) {
      curl_mimepart* part = curl_mime_addpart(mime);
      curl_mime_name(part, name.c_str());
      curl_mime_data(part, data.data(), data.size());
      if (!filename.empty()) curl_mime_filename(part, filename.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
  PostAnswer answer;
  if (curl_easy_perform(h) == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &answer.status);
    answer.body = nlohmann::json::parse(received, nullptr, false);
  }
  curl_mime_free(mime);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  return answer;
}

}  // namespace vigil
