// The dashboard's result cache (web/cache.h) with a slow fake loader: readers
// that miss the same key at once cost one load and all get its result (or its
// error, which is not kept); other keys do not wait; entries expire.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "web/cache.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using Cache = TtlCache<int, std::string>;

// Runs get(key) on `threads` threads at once. The loader passed to each
// waits until every thread is about to call get (plus a margin, so they are
// all inside it) and then for `slow`, counting its calls in `calls`.
struct Crowd {
  Cache& cache;
  int threads = 16;
  std::atomic<int> calls{0};
  std::atomic<int> arrived{0};

  std::vector<Result<std::string>> get(int key, const std::function<Result<std::string>()>& answer,
                                       std::chrono::milliseconds slow = 100ms) {
    std::vector<std::optional<Result<std::string>>> out(static_cast<size_t>(threads));
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
      pool.emplace_back([&, i] {
        ++arrived;
        out[static_cast<size_t>(i)] = cache.get(key, [&]() -> Result<std::string> {
          ++calls;
          while (arrived < threads) std::this_thread::sleep_for(1ms);
          std::this_thread::sleep_for(slow);
          return answer();
        });
      });
    }
    for (auto& t : pool) t.join();
    std::vector<Result<std::string>> results;
    for (auto& r : out) results.push_back(std::move(*r));
    return results;
  }
};

TEST(WebCacheTest, ConcurrentMissesOfOneKeyLoadOnceAndAllGetTheValue) {
  Cache cache(60s);
  Crowd crowd{cache};
  const auto results = crowd.get(7, [] { return Result<std::string>("seven"); });
  EXPECT_EQ(crowd.calls, 1) << "each reader ran the query itself";
  ASSERT_EQ(results.size(), 16u);
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "seven");
  }
  // Kept: the next reader does not load.
  int later = 0;
  auto again = cache.get(7, [&]() -> Result<std::string> { ++later; return std::string("new"); });
  EXPECT_EQ(later, 0);
  EXPECT_EQ(*again, "seven");
}

TEST(WebCacheTest, AnErrorGoesToEveryWaiterAndIsNotKept) {
  Cache cache(60s);
  Crowd crowd{cache};
  const auto results =
      crowd.get(1, [] { return Result<std::string>(Error::failure("ClickHouse is down")); });
  EXPECT_EQ(crowd.calls, 1);
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "ClickHouse is down");
  }
  // Not kept: the next reader asks again and its answer is kept.
  int later = 0;
  auto again = cache.get(1, [&]() -> Result<std::string> { ++later; return std::string("back"); });
  EXPECT_EQ(later, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "back");
  EXPECT_EQ(*cache.get(1, [] { return Result<std::string>("other"); }), "back");
}

TEST(WebCacheTest, AThrowingLoaderReachesEveryWaiterAndIsNotKept) {
  Cache cache(60s);
  Crowd crowd{cache, 4};
  std::atomic<int> thrown{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < crowd.threads; ++i) {
    pool.emplace_back([&] {
      ++crowd.arrived;
      try {
        (void)cache.get(3, [&]() -> Result<std::string> {
          ++crowd.calls;
          while (crowd.arrived < crowd.threads) std::this_thread::sleep_for(1ms);
          std::this_thread::sleep_for(100ms);
          throw std::runtime_error("bug");
        });
      } catch (const std::runtime_error&) {
        ++thrown;
      }
    });
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(crowd.calls, 1);
  EXPECT_EQ(thrown, crowd.threads);
  EXPECT_EQ(*cache.get(3, [] { return Result<std::string>("fine"); }), "fine");
}

TEST(WebCacheTest, ASlowKeyDoesNotHoldUpAnother) {
  Cache cache(60s);
  std::atomic<bool> b_loaded{false};
  std::thread a([&] {
    auto r = cache.get(1, [&]() -> Result<std::string> {
      // Waits (up to 5 s) for key 2 to be loaded meanwhile.
      for (int i = 0; i < 5000 && !b_loaded; ++i) std::this_thread::sleep_for(1ms);
      return b_loaded ? Result<std::string>("a") : Error::failure("key 2 waited for key 1");
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
  });
  std::this_thread::sleep_for(20ms);
  auto b = cache.get(2, [&]() -> Result<std::string> { return std::string("b"); });
  b_loaded = true;
  a.join();
  EXPECT_EQ(*b, "b");
}

// A zero time keeps nothing but still shares a load in flight.
TEST(WebCacheTest, ZeroTimeSharesTheLoadInFlightOnly) {
  Cache cache(0s);
  Crowd crowd{cache};
  for (const auto& r : crowd.get(2, [] { return Result<std::string>("rows"); })) {
    EXPECT_EQ(*r, "rows");
  }
  EXPECT_EQ(crowd.calls, 1);
  int later = 0;
  auto again = cache.get(2, [&]() -> Result<std::string> { ++later; return std::string("new"); });
  EXPECT_EQ(later, 1);
  EXPECT_EQ(*again, "new");
}

TEST(WebCacheTest, EntriesExpireAfterTheirTime) {
  Cache cache(100ms);
  int calls = 0;
  auto load = [&]() -> Result<std::string> { return std::to_string(++calls); };
  EXPECT_EQ(*cache.get(5, load), "1");
  EXPECT_EQ(*cache.get(5, load), "1");
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(*cache.get(5, load), "2");
}

}  // namespace
}  // namespace vigil
