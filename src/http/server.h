// HTTP/1.1 server on the libuv loop: accepts connections (beyond max_connections: accept and
// close at once, never stop accepting), parses requests with RequestParser, routes them,
// writes responses in request order (one request in flight per connection; pipelined bytes
// wait, bounded, until the response is written), enforces the timeouts, applies write
// backpressure and counts everything in core::Metrics. Single-threaded, like the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/limits.h"
#include "core/metrics.h"
#include "core/result.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "uv/loop.h"
#include "uv/tcp.h"
#include "uv/timer.h"

namespace http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = ephemeral (tests)
  size_t max_connections = core::limits::kDefaultMaxConnections;
  size_t max_body_bytes = core::limits::kDefaultMaxRequestBody;  // capped at kMaxRequestBodyCeiling
  uint64_t header_timeout_ms = core::limits::kHeaderTimeoutMs;
  uint64_t body_timeout_ms = core::limits::kBodyTimeoutMs;
  uint64_t idle_timeout_ms = core::limits::kIdleTimeoutMs;
  uint64_t linger_ms = core::limits::kCloseLingerMs;
  size_t max_queued_response_bytes = core::limits::kMaxQueuedResponseBytes;
};

class Server final : public uv::Tcp::Handler, public uv::Timer::Handler {
 public:
  // `router` and `metrics` must outlive the server.
  Server(uv::Loop& loop, Router& router, core::Metrics& metrics, ServerOptions options);
  // Closes the listener and every connection at once (no grace). Not from inside a handler.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  core::Status listen();  // bind + listen; the error says which address and why (logged)
  int port() const { return port_; }  // the bound port (after listen)
  bool listening() const { return static_cast<bool>(listener_); }
  // Graceful stop: close the listener, answer in-flight requests (with Connection: close),
  // close idle keep-alive connections now; `done` runs once, when every connection is closed
  // or grace_ms has passed (then the rest are closed). Never runs `done` inside this call.
  void shutdown(uint64_t grace_ms, std::function<void()> done);
  size_t open_connections() const { return open_; }
  bool shutting_down() const { return shutting_down_; }

 private:
  class Connection;
  friend class Connection;

  void on_connection(uv::Tcp* listener, int status) override;
  void on_read(uv::Tcp*, ssize_t, const char*) override {}  // the listener never reads
  void on_timer(uv::Timer* timer) override;
  void link(Connection* c);
  void unlink(Connection* c);  // called by a connection as it closes
  void maybe_finish_shutdown();
  // Metrics for one answered request; route is the label, never the raw path.
  void count_response(std::string_view route, Method method, int status, size_t bytes);

  uv::Loop& loop_;
  Router& router_;
  core::Metrics& metrics_;
  ServerOptions options_;
  ParserLimits limits_;
  uv::Ptr<uv::Tcp> listener_;
  uv::Ptr<uv::Timer> shutdown_timer_;
  Connection* head_ = nullptr;  // intrusive list of open connections
  size_t open_ = 0;
  int port_ = 0;
  bool shutting_down_ = false;
  std::function<void()> done_;

  core::Gauge& open_gauge_;
  core::Counter& request_bytes_;
  core::Counter& response_bytes_;
  core::Counter& rejected_;
};

}  // namespace http
