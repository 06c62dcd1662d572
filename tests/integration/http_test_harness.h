// Test harness for the HTTP server over real sockets: the server's loop runs in a background
// thread; work for the loop thread is posted through a uv_async_t. Clients are plain blocking
// sockets with receive timeouts, so a broken server fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "uv/loop.h"

namespace http::test {

class ServerHarness {
 public:
  explicit ServerHarness(ServerOptions opts = fast_options()) : opts_(std::move(opts)) {}
  ~ServerHarness() { stop(); }

  static ServerOptions fast_options() {
    ServerOptions o;
    o.port = 0;
    o.header_timeout_ms = 5000;
    o.body_timeout_ms = 5000;
    o.idle_timeout_ms = 5000;
    o.linger_ms = 200;
    return o;
  }

  Router& router() { return router_; }
  core::Metrics& metrics() { return metrics_; }  // read only after stop() or via call()
  uv::Loop& loop() { return loop_; }
  int port() const { return port_; }

  void start() {
    server_ = std::make_unique<Server>(loop_, router_, metrics_, opts_);
    auto st = server_->listen();
    ASSERT_TRUE(st.ok());
    port_ = server_->port();
    uv_async_init(loop_.get(), &async_,
                  [](uv_async_t* a) { static_cast<ServerHarness*>(a->data)->drain(); });
    async_.data = this;
    thread_ = std::thread([this] { loop_.run(); });
    running_ = true;
  }

  // Runs fn on the loop thread and waits for it.
  template <class F>
  auto call(F fn) -> decltype(fn()) {
    using R = decltype(fn());
    std::promise<R> p;
    auto fut = p.get_future();
    post([&] {
      if constexpr (std::is_void_v<R>) {
        fn();
        p.set_value();
      } else {
        p.set_value(fn());
      }
    });
    return fut.get();
  }

  void post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(fn));
    }
    uv_async_send(&async_);
  }

  size_t open_connections() {
    return call([this] { return server_->open_connections(); });
  }
  double metric_value(std::string_view name, std::initializer_list<core::Label> labels = {}) {
    return call([&] {
      return name == "http_open_connections" ? metrics_.gauge(name, "", labels).value()
                                             : metrics_.counter(name, "", labels).value();
    });
  }

  // Graceful shutdown through the public API, then the loop must end with no live handles.
  void shutdown(uint64_t grace_ms, bool* done_flag = nullptr) {
    if (!running_) return;
    post([this, grace_ms, done_flag] {
      server_->shutdown(grace_ms, [this, done_flag] {
        if (done_flag) *done_flag = true;
        uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
      });
    });
    thread_.join();
    running_ = false;
    server_.reset();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  void stop() { shutdown(0); }

 private:
  void drain() {
    std::vector<std::function<void()>> q;
    {
      std::lock_guard<std::mutex> lock(mu_);
      q.swap(queue_);
    }
    for (auto& f : q) f();
  }

  ServerOptions opts_;
  uv::Loop loop_;
  core::Metrics metrics_;
  Router router_;
  std::unique_ptr<Server> server_;
  uv_async_t async_{};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;
  int port_ = 0;
  bool running_ = false;
};

struct ParsedResponse {
  int status = 0;
  std::string head;  // status line + headers, as received
  std::string body;
  bool ok = false;  // a full response arrived
  std::string header(std::string_view name) const {
    std::string lower_head;
    for (char c : head) lower_head += static_cast<char>(tolower(static_cast<unsigned char>(c)));
    std::string key = "\r\n";
    for (char c : name) key += static_cast<char>(tolower(static_cast<unsigned char>(c)));
    key += ": ";
    size_t p = lower_head.find(key);
    if (p == std::string::npos) return {};
    size_t s = p + key.size();
    size_t e = head.find("\r\n", s);
    return head.substr(s, e - s);
  }
};

class Client {
 public:
  explicit Client(int port, int timeout_ms = 5000) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (rc != 0 && errno == EINTR) {  // the handshake goes on; wait for it
      pollfd p{fd_, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      rc = (poll(&p, 1, timeout_ms) == 1 &&
            getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
               ? 0
               : -1;
    }
    connected_ = rc == 0;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed; no body for HEAD when head_request).
  ParsedResponse read_response(bool head_request = false) {
    ParsedResponse r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return r;
    }
    r.head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    if (r.head.size() > 12) r.status = static_cast<int>(strtol(r.head.c_str() + 9, nullptr, 10));
    std::string cl = r.header("Content-Length");
    size_t len = (head_request || cl.empty()) ? 0 : std::stoul(cl);
    while (buf_.size() < len) {
      if (!fill()) return r;
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    r.ok = true;
    // 1xx responses are interim: the caller asks again for the final one.
    return r;
  }

  // True when the server closed the connection (EOF or reset) before timeout_ms, with no
  // further response bytes.
  bool closed_by_peer(int timeout_ms = 3000) {
    if (!buf_.empty()) return false;
    pollfd p{fd_, POLLIN, 0};
    int rc;
    do {
      rc = poll(&p, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0) return false;
    char c[256];
    ssize_t n;
    do {
      n = recv(fd_, c, sizeof c, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) buf_.append(c, static_cast<size_t>(n));
    return n <= 0;
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool fill() {
    char tmp[65536];
    ssize_t n;
    do {
      n = recv(fd_, tmp, sizeof tmp, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

// Registers GET `path` answered `delay_ms` later from a loop timer (an async handler).
inline void add_delayed_route(ServerHarness& h, std::string path, uint64_t delay_ms,
                              std::string body) {
  struct Pending {
    uv_timer_t timer;
    Responder res;
    std::string body;
  };
  h.router().get(path, [&h, delay_ms, body](Request&, Responder res) {
    auto* p = new Pending{{}, std::move(res), body};
    uv_timer_init(h.loop().get(), &p->timer);
    p->timer.data = p;
    uv_timer_start(
        &p->timer,
        [](uv_timer_t* t) {
          auto* p = static_cast<Pending*>(t->data);
          p->res.respond(Response::text(200, p->body));
          uv_close(reinterpret_cast<uv_handle_t*>(t),
                   [](uv_handle_t* hd) { delete static_cast<Pending*>(hd->data); });
        },
        delay_ms, 0);
  });
}

inline std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

}  // namespace http::test
