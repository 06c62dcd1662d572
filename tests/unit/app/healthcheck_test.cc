// healthcheck: the status-line parser fed whole and byte by byte, and the probe against real
// sockets (a listener that answers, one that never answers, a closed port).
#include "app/healthcheck.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace {

TEST(Healthcheck, ParsesStatusLineWholeAndByteByByte) {
  struct Case {
    const char* reply;
    int status;
  };
  const Case cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200},
      {"HTTP/1.0 503 Service Unavailable\r\n", 503},
      {"HTTP/1.1 204\r\n", 204},
      {"HTTP/1.1 200 OK\n", 200},
      {"HTTP/2 200\r\n", 0},
      {"HTTP/1.1 2000 OK\r\n", 0},
      {"HTTP/1.1 20x OK\r\n", 0},
      {"HTTP/1.1 099 Low\r\n", 0},
      {"SSH-2.0-OpenSSH\r\n", 0},
  };
  for (const Case& c : cases) {
    std::string_view whole = c.reply;
    EXPECT_EQ(app::parse_status_line(whole), c.status) << c.reply;
    // Every strict prefix before the first newline is incomplete (-1) or already malformed (0).
    size_t eol = whole.find('\n');
    for (size_t n = 0; n < eol; ++n) {
      int got = app::parse_status_line(whole.substr(0, n));
      if (c.status > 0)
        EXPECT_EQ(got, -1) << c.reply << " prefix " << n;
      else
        EXPECT_TRUE(got == -1 || got == 0);
    }
  }
  EXPECT_EQ(app::parse_status_line("SSH"), 0);  // rejected before a line ends
}

// A listener on 127.0.0.1:0 in this process; `reply` is written after reading the request.
class OneShotServer {
 public:
  explicit OneShotServer(std::string reply, bool answer = true) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 4);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, reply, answer] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[2048];
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n > 0) request_.assign(buf, static_cast<size_t>(n));
      if (answer)
        send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
      close(c);
    });
  }
  ~OneShotServer() {
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  const std::string& request() const { return request_; }

 private:
  int fd_;
  int port_;
  std::thread thread_;
  std::string request_;
};

TEST(Healthcheck, ProbeAccepts200AndSendsAGet) {
  OneShotServer s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto r = app::probe_http("127.0.0.1", s.port(), "/healthz", 2000);
  EXPECT_TRUE(r.healthy()) << r.reason;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.reason.empty());
  // The server read the request before it replied, so it is complete here.
  EXPECT_EQ(s.request().rfind("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:", 0), 0u) << s.request();
  EXPECT_NE(s.request().find("\r\n\r\n"), std::string::npos);
}

TEST(Healthcheck, ProbeReportsOtherStatusesAndGarbage) {
  {
    OneShotServer s("HTTP/1.1 503 Service Unavailable\r\n\r\n");
    auto r = app::probe_http("127.0.0.1", s.port(), "/healthz", 2000);
    EXPECT_FALSE(r.healthy());
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.reason.find("503"), std::string::npos);
  }
  {
    OneShotServer s("garbage\r\n");
    auto r = app::probe_http("127.0.0.1", s.port(), "/healthz", 2000);
    EXPECT_FALSE(r.healthy());
    EXPECT_NE(r.reason.find("not HTTP"), std::string::npos) << r.reason;
  }
  {
    OneShotServer s("");  // closes without a reply
    auto r = app::probe_http("127.0.0.1", s.port(), "/healthz", 2000);
    EXPECT_FALSE(r.healthy());
    EXPECT_NE(r.reason.find("closed"), std::string::npos) << r.reason;
  }
}

TEST(Healthcheck, ProbeTimesOutOnASilentServer) {
  OneShotServer s("", /*answer=*/false);
  auto start = std::chrono::steady_clock::now();
  auto r = app::probe_http("127.0.0.1", s.port(), "/healthz", 300);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_FALSE(r.healthy());
  EXPECT_NE(r.reason.find("no reply within 300 ms"), std::string::npos) << r.reason;
  EXPECT_GE(ms, 250);
  EXPECT_LT(ms, 650);
}

TEST(Healthcheck, ProbeReportsRefusedConnection) {
  // Bind then close to get a port nobody listens on.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  auto r = app::probe_http("127.0.0.1", ntohs(a.sin_port), "/healthz", 1000);
  EXPECT_FALSE(r.healthy());
  EXPECT_NE(r.reason.find("refused"), std::string::npos) << r.reason;
  auto r2 = app::probe_http("localhost", 1, "/healthz", 1000);
  EXPECT_NE(r2.reason.find("not an IP address"), std::string::npos) << r2.reason;
}

}  // namespace
