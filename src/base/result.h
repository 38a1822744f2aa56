// Result<T>: the value of an operation that can fail in an expected way
// (bad config, server down, missing table). Exceptions are kept for the edges
// (main, test harness); everything in between returns Result.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vigil {

// What went wrong, in one line that names the thing and the next step.
// kUsage errors (bad arguments, bad config) exit with 2, kFailure with 1.
struct Error {
  enum class Kind { kFailure, kUsage };
  std::string message;
  Kind kind = Kind::kFailure;

  static Error failure(std::string message) { return {std::move(message), Kind::kFailure}; }
  static Error usage(std::string message) { return {std::move(message), Kind::kUsage}; }
  int exit_code() const { return kind == Kind::kUsage ? 2 : 1; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace vigil

// Returns the error of `expr` (a Result) from the enclosing function if it failed.
#define VIGIL_TRY(expr)                                      \
  do {                                                       \
    auto vigil_try_result_ = (expr);                         \
    if (!vigil_try_result_.ok()) return vigil_try_result_.error(); \
  } while (0)

// Declares or assigns `lhs` from the value of `expr` (a Result), or returns its
// error from the enclosing function: VIGIL_ASSIGN_OR_RETURN(auto rows, query());
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL_(VIGIL_RESULT_NAME_(vigil_assign_, __LINE__), lhs, expr)
#define VIGIL_RESULT_NAME_(a, b) VIGIL_RESULT_NAME2_(a, b)
#define VIGIL_RESULT_NAME2_(a, b) a##b
#define VIGIL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.error();                 \
  lhs = std::move(*tmp)
