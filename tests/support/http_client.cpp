#include "support/http_client.h"

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

}  // namespace vigil
