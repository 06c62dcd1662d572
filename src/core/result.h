// Result<T>: a value or an Error, the only way failures travel in this codebase (no
// exceptions; see docs/internals/errors.md). Errc comes from one X-macro so each code has its
// name and message in one place (libuv's UV_ERRNO_MAP). Foreign codes (uv, mbedTLS, HTTP
// statuses) are mapped once, at the module that talks to the library.
#pragma once

#include <cassert>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace core {

#define TC_ERRC_MAP(X)                                                \
  X(InvalidArgument, "invalid argument")                              \
  X(Parse, "malformed input")                                         \
  X(TooLarge, "input exceeds a limit")                                \
  X(NotFound, "not found")                                            \
  X(AlreadyExists, "already exists")                                  \
  X(Io, "I/O error")                                                  \
  X(Corrupt, "stored data is corrupt")                                \
  X(Locked, "resource is locked by another process")                  \
  X(Config, "invalid configuration")                                  \
  X(Dns, "DNS lookup failed")                                         \
  X(ConnectRefused, "connection refused")                             \
  X(Connect, "connection failed")                                     \
  X(Timeout, "timed out")                                             \
  X(ConnReset, "connection reset by peer")                            \
  X(ConnClosed, "connection closed before the response was complete") \
  X(Tls, "TLS handshake failed")                                      \
  X(TlsUntrusted, "TLS certificate not trusted")                      \
  X(TlsHostname, "TLS certificate does not match the host name")      \
  X(TlsExpired, "TLS certificate expired or not yet valid")           \
  X(Proxy, "proxy refused the tunnel")                                \
  X(HttpStatus, "unexpected HTTP status")                             \
  X(RateLimited, "rate limited")                                      \
  X(Unauthorized, "unauthorized")                                     \
  X(Forbidden, "forbidden")                                           \
  X(Cancelled, "cancelled")                                           \
  X(Busy, "too many requests in flight")                              \
  X(Crypto, "cryptographic operation failed")                         \
  X(Internal, "internal error")

enum class Errc : uint16_t {
#define TC_ERRC_ENUM(name, msg) name,
  TC_ERRC_MAP(TC_ERRC_ENUM)
#undef TC_ERRC_ENUM
};

// Stable identifier ("Timeout") and a lower-case human message ("timed out").
const char* errc_name(Errc code) noexcept;
const char* errc_message(Errc code) noexcept;

// Trivially copyable error value. `detail` is code-specific (an HTTP status, a uv or mbedTLS
// code, seconds of Retry-After); `where` is a static string naming the operation.
struct Error {
  Errc code;
  int detail = 0;
  const char* where = "";
};
static_assert(std::is_trivially_copyable_v<Error>);

inline Error make_error(Errc code, const char* where = "", int detail = 0) noexcept {
  return Error{code, detail, where};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : ok_(true) { new (&value_) T(std::move(value)); }
  Result(Error error) : ok_(false) { new (&error_) Error(error); }
  Result(const Result& o) : ok_(o.ok_) {
    if (ok_)
      new (&value_) T(o.value_);
    else
      new (&error_) Error(o.error_);
  }
  Result(Result&& o) noexcept : ok_(o.ok_) {
    if (ok_)
      new (&value_) T(std::move(o.value_));
    else
      new (&error_) Error(o.error_);
  }
  Result& operator=(Result o) noexcept {
    this->~Result();
    new (this) Result(std::move(o));
    return *this;
  }
  ~Result() {
    if (ok_) value_.~T();
  }

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  T& value() & {
    assert(ok_);
    return value_;
  }
  const T& value() const& {
    assert(ok_);
    return value_;
  }
  T&& value() && {
    assert(ok_);
    return std::move(value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }
  T value_or(T fallback) const& { return ok_ ? value_ : fallback; }

 private:
  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : ok_(false), error_(error) {}
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  bool ok_ = true;
  Error error_{Errc::Internal};
};

using Status = Result<void>;
inline Status ok_status() { return Status(); }

}  // namespace core

// Propagate an error from an expression returning Status/Result<T> (value discarded).
#define TC_TRY(expr)                               \
  do {                                             \
    auto tc_try_r_ = (expr);                       \
    if (!tc_try_r_.ok()) return tc_try_r_.error(); \
  } while (0)
