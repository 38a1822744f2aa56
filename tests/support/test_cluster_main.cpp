// test_cluster: the test suite's loopback cluster (support/test_cluster.h) as a
// standalone process, for the benchmarks (bench/cluster.sh).
//
//   test_cluster SHARDS
//
// Starts ZooKeeper and SHARDS x 2 clickhouse-server processes, prints the first
// node's URL ("http://127.0.0.1:PORT") and the cluster's name on one line, then
// serves until its stdin closes, and stops everything. Exit 1 if it cannot start.
//
// main() exists only when the target defines VIGIL_TEST_CLUSTER_MAIN (the file
// sits in tests/support/, whose sources all go into vigil_test_support).
#ifdef VIGIL_TEST_CLUSTER_MAIN

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "support/test_cluster.h"

int main(int argc, char** argv) {
  const int shards = argc > 1 ? std::atoi(argv[1]) : 2;
  if (shards < 1 || shards > 8) {
    std::cerr << "usage: test_cluster SHARDS (1..8)\n";
    return 2;
  }
  try {
    vigil::TestCluster cluster(shards);
    std::cout << cluster.config(0).url << " " << vigil::TestCluster::kName << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
    }
  } catch (const std::exception& e) {
    std::cerr << "test_cluster: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

#endif  // VIGIL_TEST_CLUSTER_MAIN
