// Asynchronous DNS through uv_getaddrinfo (glibc's resolver on libuv's thread pool, so the
// loop never blocks). A Resolve is a one-shot request owned by itself: the owner calls
// cancel() if it goes away first, after which the handler is never called.
#pragma once

#include <sys/socket.h>

#include <string>
#include <vector>

#include <uv.h>

namespace uv {

class Resolve {
 public:
  class Handler {
   public:
    // status 0 with at least one address, or a negative uv error (UV_EAI_*).
    // The Resolve has already been freed when this runs (r is nullptr).
    virtual void on_resolved(Resolve* r, int status,
                             const std::vector<sockaddr_storage>& addrs) = 0;

   protected:
    ~Handler() = default;
  };
  // Starts a lookup for host:port (TCP). Returns nullptr and sets *rc on immediate failure;
  // otherwise the handler is called exactly once, later, unless cancel() comes first.
  static Resolve* start(uv_loop_t* loop, const std::string& host, int port, Handler* h, int* rc);
  // Detaches the handler; the request frees itself when libuv finishes with it.
  void cancel();

 private:
  Resolve() = default;
  uv_getaddrinfo_t req_{};
  Handler* handler_ = nullptr;
};

}  // namespace uv
