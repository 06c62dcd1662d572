// Implementation of uv/tcp.h.
#include "uv/tcp.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>

#include "uv/loop.h"

namespace uv {
namespace {

// A write request owns its bytes until libuv is done with them.
struct WriteReq {
  uv_write_t req;
  std::string data;
  std::string data2;
};

}  // namespace

Ptr<Tcp> Tcp::create(uv_loop_t* loop, Handler* handler) {
  auto* t = new Tcp(handler);
  int rc = uv_tcp_init(loop, &t->handle_);
  if (rc != 0) {
    fprintf(stderr, "fatal: uv_tcp_init: %s\n", uv_strerror(rc));
    abort();
  }
  return Ptr<Tcp>(t);
}

int Tcp::bind(const sockaddr* addr) { return uv_tcp_bind(&handle_, addr, 0); }

int Tcp::listen(int backlog) {
  return uv_listen(reinterpret_cast<uv_stream_t*>(&handle_), backlog,
                   [](uv_stream_t* s, int status) {
                     auto* self = static_cast<Tcp*>(s->data);
                     if (!self->closing_ && self->handler_)
                       self->handler_->on_connection(self, status);
                   });
}

int Tcp::accept(Tcp* client) {
  return uv_accept(reinterpret_cast<uv_stream_t*>(&handle_),
                   reinterpret_cast<uv_stream_t*>(&client->handle_));
}

int Tcp::connect(const sockaddr* addr) {
  auto* req = new uv_connect_t;
  int rc = uv_tcp_connect(req, &handle_, addr, [](uv_connect_t* r, int status) {
    auto* self = static_cast<Tcp*>(r->handle->data);
    delete r;
    if (!self->closing_ && self->handler_) self->handler_->on_connect(self, status);
  });
  if (rc != 0) delete req;
  return rc;
}

void Tcp::on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  Loop* loop = Loop::from(h->loop);
  buf->base = loop->read_buffer();
  buf->len = Loop::kReadBufferSize;
}

void Tcp::on_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Tcp*>(s->data);
  if (nread == 0) return;  // EAGAIN: nothing to do, the buffer is shared
  if (self->closing_ || !self->handler_) return;
  if (nread < 0) uv_read_stop(s);
  self->handler_->on_read(self, nread, buf->base);
}

int Tcp::read_start() {
  return uv_read_start(reinterpret_cast<uv_stream_t*>(&handle_), on_alloc, on_read_cb);
}

int Tcp::read_stop() { return uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_)); }

int Tcp::write(std::string data, std::string data2) {
  if (closing_) return UV_EPIPE;
  auto* w = new WriteReq{{}, std::move(data), std::move(data2)};
  uv_buf_t bufs[2] = {uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size())),
                      uv_buf_init(w->data2.data(), static_cast<unsigned>(w->data2.size()))};
  w->req.data = w;
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&handle_), bufs,
                    w->data2.empty() ? 1 : 2, [](uv_write_t* r, int status) {
                      auto* req = static_cast<WriteReq*>(r->data);
                      auto* self = static_cast<Tcp*>(r->handle->data);
                      delete req;
                      if (!self->closing_ && self->handler_) self->handler_->on_write(self, status);
                    });
  if (rc != 0) delete w;
  return rc;
}

int Tcp::try_write(std::string_view data, std::string_view data2) {
  if (closing_) return UV_EPIPE;
  uv_buf_t bufs[2] = {
      uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size())),
      uv_buf_init(const_cast<char*>(data2.data()), static_cast<unsigned>(data2.size()))};
  int rc = uv_try_write(reinterpret_cast<uv_stream_t*>(&handle_), bufs, data2.empty() ? 1 : 2);
  return rc == UV_EAGAIN ? 0 : rc;
}

int Tcp::shutdown() {
  auto* r = new uv_shutdown_t;
  int rc =
      uv_shutdown(r, reinterpret_cast<uv_stream_t*>(&handle_), [](uv_shutdown_t* req, int status) {
        auto* self = static_cast<Tcp*>(req->handle->data);
        delete req;
        if (!self->closing_ && self->handler_) self->handler_->on_shutdown(self, status);
      });
  if (rc != 0) delete r;
  return rc;
}

int Tcp::local_port() {
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getsockname(&handle_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

std::string Tcp::peer_ip() {
  sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getpeername(&handle_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  char ip[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET)
    uv_ip4_name(reinterpret_cast<sockaddr_in*>(&ss), ip, sizeof ip);
  else if (ss.ss_family == AF_INET6)
    uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&ss), ip, sizeof ip);
  return ip;
}

}  // namespace uv
