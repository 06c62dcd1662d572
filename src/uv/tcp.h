// TCP streams: listening, accepting, connecting, reading, writing.
//
// Reads land in the loop's shared read buffer (uv/loop.h) and must be consumed inside
// on_read. A write owns its bytes until on_write runs (uvw's write_req). Every callback checks
// closing() first, so once the owner drops its Ptr nothing reaches it.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "uv/handle.h"

namespace uv {

class Tcp final : public Handle<uv_tcp_t> {
 public:
  class Handler {
   public:
    // Listener: a connection is waiting; call accept(). status < 0 on error.
    virtual void on_connection(Tcp*, int /*status*/) {}
    // Client: connect finished; status < 0 is a uv error.
    virtual void on_connect(Tcp*, int /*status*/) {}
    // nread > 0: data[0..nread) valid only during the call. nread < 0: UV_EOF or an error;
    // reading has stopped. nread == 0 never reaches the handler (EAGAIN, libuv's own signal).
    virtual void on_read(Tcp*, ssize_t nread, const char* data) = 0;
    // One call per successful write(); status < 0 if the write failed or was cancelled.
    virtual void on_write(Tcp*, int /*status*/) {}
    // shutdown() completed.
    virtual void on_shutdown(Tcp*, int /*status*/) {}

   protected:
    ~Handler() = default;
  };

  static Ptr<Tcp> create(uv_loop_t* loop, Handler* handler);
  void set_handler(Handler* h) { handler_ = h; }

  [[nodiscard]] int bind(const sockaddr* addr);
  [[nodiscard]] int listen(int backlog);
  [[nodiscard]] int accept(Tcp* client);
  [[nodiscard]] int connect(const sockaddr* addr);
  [[nodiscard]] int read_start();
  int read_stop();
  // Queues bytes (one or two buffers, e.g. head and body); 0 or a uv error. On success
  // on_write follows exactly once.
  [[nodiscard]] int write(std::string data, std::string data2 = {});
  // Writes what the socket takes right now, without queueing (uv_try_write): bytes written
  // (possibly fewer than given, 0 if the socket would block or writes are already queued),
  // or a negative uv error. No on_write follows; the caller queues any rest with write().
  // A response written whole this way costs one writev and no epoll change, where write()
  // costs an extra epoll_ctl when its request drains.
  [[nodiscard]] int try_write(std::string_view data, std::string_view data2 = {});
  [[nodiscard]] int shutdown();
  int nodelay(bool on) { return uv_tcp_nodelay(&handle_, on); }
  // Bytes queued in the kernel-side write queue not yet written.
  size_t write_queue_size() const { return handle_.write_queue_size; }
  // Local port after bind (0 if unknown).
  int local_port();
  // Peer address as text ("127.0.0.1"); empty if unknown.
  std::string peer_ip();

 private:
  explicit Tcp(Handler* h) : handler_(h) {}
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);

  Handler* handler_;
};

}  // namespace uv
