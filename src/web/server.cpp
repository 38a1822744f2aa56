#include "web/server.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "base/strings.h"
#include "web/api_json.h"
#include "web/auth.h"
#include "web/health.h"
#include "web/status_text.h"

namespace vigil {
namespace {

// The request's URL without the token parameter (where to go once the cookie is set).
std::string without_token(const httplib::Request& req) {
  std::string query;
  for (const auto& [key, value] : req.params) {
    if (key == "token") continue;
    query += fmt::format("{}{}={}", query.empty() ? "?" : "&", url_encode(key), url_encode(value));
  }
  return req.path + query;
}

class HttplibServer final : public HttpServer {
 public:
  explicit HttplibServer(HttpServerOptions options) : options_(std::move(options)) {
    if (options_.clickhouse) {
      clickhouse_probe_.emplace(clickhouse_check(*options_.clickhouse));
    }
    // cpp-httplib's default turns SO_REUSEPORT on, which lets a second process
    // listen on the same port and take part of the requests. SO_REUSEADDR
    // only: a restart may reuse a port still in TIME_WAIT, two listeners may not.
    server_.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(30, 0);
    if (!options_.address.loopback) {
      server_.set_pre_routing_handler(
          [this](const httplib::Request& req, httplib::Response& res) { return authorize(req, res); });
    }
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      const std::optional<ClickHouseHealth> clickhouse = check_clickhouse();
      const ClickHouseHealth* checked = clickhouse ? &*clickhouse : nullptr;
      const SchedulerStatus status = options_.status();
      res.status = health_http_status(status, checked);
      res.set_content(health_json(status, options_.zone, checked), "application/json");
    });
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      const std::optional<ClickHouseHealth> clickhouse = check_clickhouse();
      res.set_content(metrics_text(options_.status(), clickhouse ? &*clickhouse : nullptr),
                      "text/plain; version=0.0.4; charset=utf-8");
    });
    server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      dashboard(req, res);
    });
    // A bug must not take the server down or leave the reader without an answer.
    server_.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
          std::string what = "unknown error";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          spdlog::error("web: {} failed: {}", one_line(req.path, 200), what);
          const std::string message = "vigil could not answer this request (" +
                                      std::string(valid_utf8(what) ? what : "?") +
                                      "): see the serve log, and report it if it persists";
          res.status = 503;
          if (is_api_path(req.path)) {
            res.set_content(error_json(message), "application/json");
          } else {
            res.set_content(message + "\n", "text/plain; charset=utf-8");
          }
        });
    // Paths only: a query string may hold the token.
    server_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      spdlog::debug("web: {} {} -> {}", req.method, req.path, res.status);
    });
  }

  ~HttplibServer() override { stop(); }

  Status listen() {
    const ListenAddress& address = options_.address;
    errno = 0;
    if (!server_.bind_to_port(address.host, address.port)) {
      const int error = errno;
      if (error == EADDRINUSE) {
        return Error::failure(fmt::format(
            "cannot listen on {} for the dashboard, /health and /metrics: another process "
            "listens on it (another vigil serve?): stop it or change [serve] listen",
            host_port(address)));
      }
      return Error::failure(fmt::format(
          "cannot listen on {} for the dashboard, /health and /metrics ({}): change [serve] "
          "listen to an address of this machine and a free port",
          host_port(address), error != 0 ? std::strerror(error) : "bind failed"));
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
  // ClickHouse's state for /health and /metrics: one probe, its answer shared by both.
  std::optional<ClickHouseHealth> check_clickhouse() {
    if (!clickhouse_probe_) return std::nullopt;
    return clickhouse_probe_->get();
  }

  httplib::Server::HandlerResponse authorize(const httplib::Request& req, httplib::Response& res) {
    const Access access =
        check_request(options_.token, req.get_header_value("Authorization"),
                      req.get_header_value("Cookie"), req.get_param_value("token"));
    if (access == Access::kGranted) return httplib::Server::HandlerResponse::Unhandled;
    if (access == Access::kGrantedByQuery) {
      // Swap the token for a cookie and drop it from the address bar.
      res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
                                               kDashboardCookie,
                                               session_cookie_value(options_.token), 30 * 86400));
      res.set_redirect(without_token(req), 303);
      return httplib::Server::HandlerResponse::Handled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"vigil\"");
    const std::string message =
        "this vigil dashboard needs its token: open it once with ?token=<VIGIL_DASHBOARD_TOKEN> "
        "or send the header Authorization: Bearer <token>";
    if (is_api_path(req.path)) {
      res.set_content(error_json(message), "application/json");
    } else {
      res.set_content(message + "\n", "text/plain; charset=utf-8");
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  void dashboard(const httplib::Request& req, httplib::Response& res) {
    if (options_.dashboard == nullptr) {
      res.status = 404;
      res.set_content("not found: try /health or /metrics\n", "text/plain; charset=utf-8");
      return;
    }
    HttpRequest request{req.path, {}};
    for (const auto& [key, value] : req.params) request.params.emplace(key, value);
    const auto started = std::chrono::steady_clock::now();
    HttpResponse response = options_.dashboard->handle(request);
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    res.set_content(std::move(response.body), response.content_type);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    if (response.status >= 500) {
      spdlog::warn("web: {} -> {} in {} ms: {}", req.path, response.status, ms,
                   one_line(res.body, 300));
    } else {
      spdlog::info("web: {} -> {} in {} ms", req.path, response.status, ms);
    }
  }

  HttpServerOptions options_;
  std::optional<ClickHouseProbe> clickhouse_probe_;
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> start_http_server(HttpServerOptions options) {
  VIGIL_TRY(check_dashboard_access(host_port(options.address), options.address.loopback,
                                   options.token));
  const std::string where = host_port(options.address);
  const bool with_dashboard = options.dashboard != nullptr;
  const bool loopback = options.address.loopback;
  auto server = std::make_unique<HttplibServer>(std::move(options));
  VIGIL_TRY(server->listen());
  spdlog::info("serve: {}/health and /metrics on http://{}{}", with_dashboard ? "dashboard, " : "",
               where, loopback ? "" : " (token required)");
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace vigil
