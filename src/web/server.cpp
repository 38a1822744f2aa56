#include "web/server.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "web/status_text.h"

namespace vigil {
namespace {

constexpr const char* kIndex = "vigil serve: GET /health (JSON), GET /metrics (Prometheus)\n";

// host:port as in a URL (IPv6 in brackets).
std::string shown(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", address.host, v6 ? "]" : "", address.port);
}

class HttplibStatusServer final : public StatusServer {
 public:
  HttplibStatusServer(std::function<SchedulerStatus()> status, const date::time_zone* zone)
      : status_(std::move(status)), zone_(zone) {
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(5, 0);
    server_.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kIndex, "text/plain; charset=utf-8");
    });
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(health_json(status_(), zone_), "application/json");
    });
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics_text(status_()), "text/plain; version=0.0.4; charset=utf-8");
    });
    server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.status == 404) {
        res.set_content("not found: try /health or /metrics\n", "text/plain; charset=utf-8");
      }
    });
  }

  ~HttplibStatusServer() override { stop(); }

  Status listen(const ListenAddress& address) {
    if (!server_.bind_to_port(address.host, address.port)) {
      return Error::failure(fmt::format(
          "cannot listen on {} for /health and /metrics (is another vigil serve or program "
          "using the port?): set [serve] listen to a free port",
          shown(address)));
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only works once the accept loop runs: wait for it (briefly).
    for (int i = 0; i < 2000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return {};
  }

  void stop() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::function<SchedulerStatus()> status_;
  const date::time_zone* zone_;
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<StatusServer>> start_status_server(
    const ListenAddress& address, std::function<SchedulerStatus()> status,
    const date::time_zone* zone) {
  auto server = std::make_unique<HttplibStatusServer>(std::move(status), zone);
  VIGIL_TRY(server->listen(address));
  spdlog::info("serve: /health and /metrics on http://{}", shown(address));
  return std::unique_ptr<StatusServer>(std::move(server));
}

}  // namespace vigil
