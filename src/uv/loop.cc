// Implementation of uv/loop.h.
#include "uv/loop.h"

#include <cstdio>
#include <cstdlib>

namespace uv {

Loop::Loop() : read_buf_(new char[kReadBufferSize]) {
  int rc = uv_loop_init(&loop_);
  if (rc != 0) {
    fprintf(stderr, "fatal: uv_loop_init: %s\n", uv_strerror(rc));
    abort();
  }
  loop_.data = this;
}

Loop::~Loop() {
  // Close whatever the owners left open so their close callbacks free them, then drain.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

int Loop::live_handles() {
  int n = 0;
  uv_walk(
      &loop_, [](uv_handle_t*, void* arg) { ++*static_cast<int*>(arg); }, &n);
  return n;
}

core::Errc uv_errc(int status) {
  switch (status) {
    case UV_ECONNREFUSED: return core::Errc::ConnectRefused;
    case UV_ETIMEDOUT: return core::Errc::Timeout;
    case UV_ECONNRESET:
    case UV_EPIPE: return core::Errc::ConnReset;
    case UV_EOF: return core::Errc::ConnClosed;
    case UV_ECANCELED: return core::Errc::Cancelled;
    case UV_ENETUNREACH:
    case UV_EHOSTUNREACH:
    case UV_EADDRNOTAVAIL:
    case UV_ECONNABORTED: return core::Errc::Connect;
    case UV_EAI_ADDRFAMILY:
    case UV_EAI_AGAIN:
    case UV_EAI_FAIL:
    case UV_EAI_NODATA:
    case UV_EAI_NONAME:
    case UV_EAI_SERVICE:
    case UV_EAI_FAMILY: return core::Errc::Dns;
    case UV_ENOENT: return core::Errc::NotFound;
    case UV_EEXIST: return core::Errc::AlreadyExists;
    case UV_EINVAL: return core::Errc::InvalidArgument;
    case UV_EADDRINUSE:
    case UV_EACCES:
    case UV_EPERM: return core::Errc::Config;
    default: return core::Errc::Io;
  }
}

core::Error uv_error(int status, const char* where) {
  return core::Error{uv_errc(status), status, where};
}

}  // namespace uv
