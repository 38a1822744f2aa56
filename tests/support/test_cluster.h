// A real ClickHouse cluster on loopback for the cluster tests (`make
// test-cluster`): one ZooKeeper (Debian's zookeeper package, its own data dir
// and port) and four clickhouse-server processes, 2 shards x 2 replicas, with
// remote_servers, macros and distributed_ddl, started like the single test
// server (start_managed_server) in a TempDir whose watchdog stops them all if
// the test binary dies.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "support/clickhouse_fixture.h"

namespace vigil {

struct ClusterNode {
  int shard = 0;     // 1-based, as system.clusters numbers them
  int replica = 0;
  int http_port = 0;
  int tcp_port = 0;
  std::string dir;   // the managed server's directory
};

class TestCluster {
 public:
  static constexpr const char* kName = "vigil_test";

  // Starts ZooKeeper and `shards` x 2 servers; throws std::runtime_error if any
  // part does not start (ZooKeeper's or the server's own error in the message).
  explicit TestCluster(int shards = 2);
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  const std::vector<ClusterNode>& nodes() const { return nodes_; }
  // Client settings for node `index`, with [clickhouse] cluster set.
  ClickHouseConfig config(std::size_t index = 0, const std::string& database = "default") const;

  // Kills node `index` (SIGKILL, as a crash) or starts it again on its ports.
  void kill_node(std::size_t index);
  void start_node(std::size_t index);

 private:
  void start_zookeeper();
  std::string node_config(const ClusterNode& node, int interserver_port) const;

  TempDir dir_;
  int zookeeper_port_ = 0;
  int zookeeper_pid_ = -1;
  std::vector<ClusterNode> nodes_;
  std::vector<int> interserver_ports_;
};

// The cluster shared by the tests of this binary (2 shards x 2 replicas),
// started on first use. Later calls after a failed start fail fast.
TestCluster& test_cluster();

}  // namespace vigil
