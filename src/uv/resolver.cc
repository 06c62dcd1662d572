// Implementation of uv/resolver.h.
#include "uv/resolver.h"

#include <netdb.h>

#include <cstdio>
#include <cstring>

namespace uv {

Resolve* Resolve::start(uv_loop_t* loop, const std::string& host, int port, Handler* h, int* rc) {
  auto* r = new Resolve;
  r->handler_ = h;
  r->req_.data = r;
  addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  char service[8];
  snprintf(service, sizeof service, "%d", port);
  *rc = uv_getaddrinfo(
      loop, &r->req_,
      [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
        auto* self = static_cast<Resolve*>(req->data);
        std::vector<sockaddr_storage> addrs;
        for (addrinfo* ai = res; status == 0 && ai; ai = ai->ai_next) {
          sockaddr_storage ss;
          memset(&ss, 0, sizeof ss);
          memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
          addrs.push_back(ss);
        }
        uv_freeaddrinfo(res);
        if (status == 0 && addrs.empty()) status = UV_EAI_NODATA;
        Handler* h = self->handler_;
        delete self;
        if (h) h->on_resolved(nullptr, status, addrs);
      },
      host.c_str(), service, &hints);
  if (*rc != 0) {
    delete r;
    return nullptr;
  }
  return r;
}

void Resolve::cancel() {
  handler_ = nullptr;
  // If the lookup already runs on the pool, cancel fails and the callback frees us later.
  uv_cancel(reinterpret_cast<uv_req_t*>(&req_));
}

}  // namespace uv
