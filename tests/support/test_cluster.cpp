#include "support/test_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "clickhouse/client.h"
#include "clickhouse/server.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr const char* kZooKeeperClasspath = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar";

int free_port() {
  auto port = find_free_port();
  if (!port.ok()) throw std::runtime_error(port.error().message);
  return *port;
}

// ZooKeeper's "srvr" four-letter command: true once it serves ("Mode: standalone").
// ("ruok" answers "imok" before it serves: a server that connects then gets no
// session, and 18.16's DDL worker gives up for good.)
bool zookeeper_ok(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{1, 0};  // a starting ZooKeeper may accept and not answer
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::write(fd, "srvr", 4) == 4) {
    char buffer[512];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
  }
  const bool ok = answer.find("Mode: standalone") != std::string::npos;
  ::close(fd);
  return ok;
}

// Polls `ready` every 100 ms; throws `what()` if it is still false after `seconds`.
void wait_until(const std::function<bool()>& ready, int seconds,
                const std::function<std::string()>& what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error(what());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TestCluster::TestCluster(int shards) : dir_("vigil-cluster-") {
  start_zookeeper();
  for (int shard = 1; shard <= shards; ++shard) {
    for (int replica = 1; replica <= 2; ++replica) {
      ClusterNode node;
      node.shard = shard;
      node.replica = replica;
      node.http_port = free_port();
      node.tcp_port = free_port();
      node.dir = fmt::format("{}/s{}r{}", dir_.path(), shard, replica);
      nodes_.push_back(node);
      interserver_ports_.push_back(free_port());
    }
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) start_node(i);
  // 18.16 crashes (SIGSEGV in ZooKeeper::createImpl) on ON CLUSTER DDL that
  // arrives before its DDLWorker thread has its ZooKeeper session, and says
  // nothing when that is (it logs it at debug level). The queue's node in
  // ZooKeeper exists once the first worker ran; then give the others a moment.
  auto client = make_http_clickhouse(config(0));
  auto queue_exists = [&] {
    auto count = client->query_value(
        "SELECT count() FROM system.zookeeper WHERE path = '/clickhouse/task_queue' AND name = 'ddl'");
    return count.ok() && *count == "1";
  };
  wait_until(queue_exists, 60, [] { return "the cluster's distributed DDL queue did not appear in 60 s"; });
  std::this_thread::sleep_for(std::chrono::seconds(3));
}

TestCluster::~TestCluster() {
  // dir_ (destroyed after this body) stops the servers; ZooKeeper goes first.
  if (zookeeper_pid_ > 0) {
    ::kill(zookeeper_pid_, SIGKILL);
    ::waitpid(zookeeper_pid_, nullptr, 0);
  }
}

void TestCluster::start_zookeeper() {
  const std::string zk_dir = dir_.path() + "/zookeeper";
  fs::create_directories(zk_dir + "/data");
  zookeeper_port_ = free_port();
  const std::string cfg = zk_dir + "/zoo.cfg";
  std::ofstream(cfg) << fmt::format(
      "tickTime=1000\ndataDir={}/data\nclientPort={}\nclientPortAddress=127.0.0.1\n"
      "maxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=srvr\n",
      zk_dir, zookeeper_port_);
  if (!fs::exists("/usr/share/java/zookeeper.jar")) {
    throw std::runtime_error("ZooKeeper is not installed: run `bash scripts/setup.sh` (Debian's zookeeper)");
  }
  const std::string log = zk_dir + "/zookeeper.log";
  zookeeper_pid_ = ::fork();
  if (zookeeper_pid_ == 0) {
    std::freopen(log.c_str(), "w", stdout);
    std::freopen(log.c_str(), "a", stderr);
    ::execlp("java", "java", "-Xmx256m", "-cp", kZooKeeperClasspath,
             "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg.c_str(), nullptr);
    std::_Exit(127);
  }
  if (zookeeper_pid_ < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  // The TempDir watchdog stops what a *.pid under it names if the tests die.
  std::ofstream(zk_dir + "/zookeeper.pid") << zookeeper_pid_ << "\n";
  auto serving = [&] {
    if (::waitpid(zookeeper_pid_, nullptr, WNOHANG) != 0) {
      throw std::runtime_error("ZooKeeper exited: " + read_text(log).substr(0, 2000));
    }
    return zookeeper_ok(zookeeper_port_);
  };
  wait_until(serving, 60, [&] { return "ZooKeeper did not start: " + read_text(log).substr(0, 2000); });
}

std::string TestCluster::node_config(const ClusterNode& node, int interserver_port) const {
  std::string shards;
  for (int shard = 1; shard <= static_cast<int>(nodes_.size()) / 2; ++shard) {
    shards += "<shard><internal_replication>true</internal_replication>";
    for (const auto& other : nodes_) {
      if (other.shard != shard) continue;
      shards += fmt::format("<replica><host>127.0.0.1</host><port>{}</port></replica>", other.tcp_port);
    }
    shards += "</shard>";
  }
  return fmt::format(
      "  <interserver_http_host>127.0.0.1</interserver_http_host>\n"
      "  <interserver_http_port>{}</interserver_http_port>\n"
      "  <remote_servers><{name}>{}</{name}></remote_servers>\n"
      "  <zookeeper><node><host>127.0.0.1</host><port>{}</port></node></zookeeper>\n"
      "  <macros><shard>{}</shard><replica>s{}r{}</replica></macros>\n"
      "  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>\n",
      interserver_port, shards, zookeeper_port_, node.shard, node.shard, node.replica,
      fmt::arg("name", kName));
}

void TestCluster::start_node(std::size_t index) {
  const auto& node = nodes_.at(index);
  ManagedServerOptions options;
  options.dir = node.dir;
  options.http_port = node.http_port;
  options.tcp_port = node.tcp_port;
  options.start_timeout_seconds = 90;
  options.extra_config = node_config(node, interserver_ports_.at(index));
  auto status = start_managed_server(options);
  if (!status.ok()) {
    throw std::runtime_error(fmt::format("cannot start cluster node s{}r{}: {}", node.shard,
                                         node.replica, status.error().message));
  }
  nodes_[index].dir = status->dir;
  // Back only once every replicated table on it is active again: after a
  // SIGKILL the old ZooKeeper session's ephemeral nodes (is_active, the leader
  // election) live until that session times out, and until then a quorum insert
  // counts this replica as dead.
  auto client = make_http_clickhouse(config(index));
  auto settled = [&] {
    auto paths = client->query_rows("SELECT replica_path FROM system.replicas");
    if (!paths.ok()) return false;
    for (const auto& row : *paths) {
      // Its is_active node, made by this process (after it started).
      auto fresh = client->query_value(fmt::format(
          "SELECT count() FROM system.zookeeper WHERE path = {} AND name = 'is_active' "
          "AND ctime >= now() - uptime() - 1",
          sql_quote(row.at(0))));
      if (!fresh.ok() || *fresh != "1") return false;
    }
    return true;
  };
  wait_until(settled, 90, [&] {
    return fmt::format("cluster node s{}r{}: its replicated tables were not active again within 90 s",
                       node.shard, node.replica);
  });
}

void TestCluster::kill_node(std::size_t index) {
  const auto& node = nodes_.at(index);
  const auto status = managed_server_status(node.dir);
  if (!status.running) return;
  ::kill(status.pid, SIGKILL);
  for (int i = 0; i < 300 && ::kill(status.pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

ClickHouseConfig TestCluster::config(std::size_t index, const std::string& database) const {
  ClickHouseConfig config;
  config.url = fmt::format("http://127.0.0.1:{}", nodes_.at(index).http_port);
  config.database = database;
  config.connect_timeout_seconds = 5;
  config.query_timeout_seconds = 60;
  config.read_retries = 1;
  config.cluster = kName;
  return config;
}

TestCluster& test_cluster() {
  static std::optional<std::string> failure;
  if (failure) throw std::runtime_error(*failure);
  try {
    static TestCluster cluster;
    return cluster;
  } catch (const std::exception& e) {
    failure = e.what();
    throw;
  }
}

}  // namespace vigil
