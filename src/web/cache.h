// Results of the dashboard's slow queries kept for a short time, so a page and
// the charts it embeds share one query. Single flight per key: readers that
// miss a key while another reader loads it wait for that load and get its
// result instead of running the same query again. A failure (an error Result
// or an exception) goes to those waiters too but is not kept.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>

#include "base/result.h"

namespace vigil {

template <class Key, class Value>
class TtlCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxEntries = 32;  // kept results; loads in flight are not capped

  explicit TtlCache(Clock::duration ttl) : ttl_(ttl) {}

  // The kept result of `key`, the result of the load in flight for it, or `load()`.
  Result<Value> get(const Key& key, const std::function<Result<Value>()>& load) {
    std::promise<Result<Value>> promise;
    std::shared_future<Result<Value>> kept_or_in_flight;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && (!it->second.done || Clock::now() - it->second.at < ttl_)) {
        kept_or_in_flight = it->second.result;
      } else {
        entries_.insert_or_assign(key, Entry{promise.get_future().share(), {}, false});
      }
    }
    if (kept_or_in_flight.valid()) return kept_or_in_flight.get();  // waits without the lock
    return load_as_leader(key, load, promise);
  }

 private:
  struct Entry {
    std::shared_future<Result<Value>> result;
    Clock::time_point at;  // when the load finished
    bool done = false;
  };

  Result<Value> load_as_leader(const Key& key, const std::function<Result<Value>()>& load,
                               std::promise<Result<Value>>& promise) {
    std::optional<Result<Value>> value;
    try {
      value.emplace(load());
    } catch (...) {
      forget(key);
      promise.set_exception(std::current_exception());
      throw;
    }
    if (value->ok()) {
      keep(key);
    } else {
      forget(key);
    }
    promise.set_value(*value);
    return std::move(*value);
  }

  void keep(const Key& key) {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    std::erase_if(entries_, [&](const auto& e) { return e.second.done && now - e.second.at >= ttl_; });
    size_t kept = 0;
    for (const auto& [k, e] : entries_) kept += e.done ? 1 : 0;
    if (kept >= kMaxEntries) {
      entries_.erase(key);
      return;
    }
    Entry& entry = entries_.at(key);
    entry.done = true;
    entry.at = now;
  }

  void forget(const Key& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

  Clock::duration ttl_;
  std::mutex mutex_;
  std::map<Key, Entry> entries_;
};

}  // namespace vigil
