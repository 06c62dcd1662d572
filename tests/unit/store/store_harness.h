// Test helpers for store backends: run one call to completion on a real loop, checking the
// async contract (the callback never runs inside the call, and exactly once), and a toy
// SecretCodec (reversible, keyed, tamper-evident enough for tests; never for real secrets).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "store/store.h"
#include "uv/loop.h"

namespace store_test {

template <class T>
core::Result<T> call(uv::Loop& loop, const std::function<void(store::Callback<T>)>& start) {
  int calls = 0;
  bool inside = true;
  std::optional<core::Result<T>> out;
  start([&](core::Result<T> r) {
    ++calls;
    EXPECT_FALSE(inside) << "callback ran inside the call";
    out.emplace(std::move(r));
  });
  inside = false;
  while (!out) {
    if (loop.run(UV_RUN_ONCE) == 0 && !out) break;
  }
  loop.run(UV_RUN_NOWAIT);
  EXPECT_EQ(calls, 1);
  if (!out) return core::make_error(core::Errc::Internal, "callback never ran");
  return std::move(*out);
}

inline core::Status done(uv::Loop& loop, const std::function<void(store::DoneCallback)>& start) {
  return call<void>(loop, start);
}

// Closes the store and runs the loop until every handle is gone.
template <class S>
void close_store(uv::Loop& loop, S& s) {
  bool closed = false;
  s.close([&](core::Status) { closed = true; });
  while (!closed && loop.run(UV_RUN_ONCE) != 0) {}
  loop.run(UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
}

// XOR with a key byte, plus the context and a check byte, so a wrong key or context fails.
class ToyCodec final : public store::SecretCodec {
 public:
  explicit ToyCodec(char key) : key_(key) {}
  core::Result<std::string> seal(std::string_view p, std::string_view ctx) override {
    ++seals;
    std::string out = "K";
    out += key_;
    for (char c : p) out += static_cast<char>(c ^ key_);
    out += "|" + std::string(ctx);
    return out;
  }
  core::Result<std::string> open(std::string_view s, std::string_view ctx) override {
    std::string suffix = "|" + std::string(ctx);
    if (s.size() < 2 + suffix.size() || s[0] != 'K' || s[1] != key_ ||
        s.substr(s.size() - suffix.size()) != suffix)
      return core::make_error(core::Errc::Crypto, "toy open");
    std::string out;
    for (char c : s.substr(2, s.size() - 2 - suffix.size())) out += static_cast<char>(c ^ key_);
    return out;
  }
  int seals = 0;

 private:
  char key_;
};

}  // namespace store_test
