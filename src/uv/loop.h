// RAII over uv_loop_t plus the one place libuv error codes become core::Error. The loop also
// owns the shared read buffer every Tcp handle reads into: the loop is single-threaded and
// every on_read consumes its bytes before returning, so one buffer serves all connections and
// an idle connection holds no read buffer at all.
#pragma once

#include <uv.h>

#include <memory>

#include "core/limits.h"
#include "core/result.h"

namespace uv {

class Loop {
 public:
  Loop();   // aborts if libuv cannot create a loop (no fds, no memory)
  ~Loop();  // closes every handle still open, runs their close callbacks, then closes the loop
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* get() { return &loop_; }
  int run(uv_run_mode mode = UV_RUN_DEFAULT) { return uv_run(&loop_, mode); }
  void stop() { uv_stop(&loop_); }
  uint64_t now_ms() { return uv_now(&loop_); }
  // Number of handles not yet closed (for tests that demand a clean loop).
  int live_handles();

  static Loop* from(uv_loop_t* loop) { return static_cast<Loop*>(loop->data); }
  char* read_buffer() { return read_buf_.get(); }
  static constexpr size_t kReadBufferSize = core::limits::kReadBufferBytes;

 private:
  uv_loop_t loop_;
  std::unique_ptr<char[]> read_buf_;
};

// Maps a negative libuv status to an Error (ECONNREFUSED -> ConnectRefused, ETIMEDOUT ->
// Timeout, EAI_* -> Dns, ...); the uv code is kept in detail for uv_strerror().
core::Error uv_error(int status, const char* where);
core::Errc uv_errc(int status);

}  // namespace uv
