// Implementation of app/healthcheck.h: non-blocking socket + poll() against one deadline, so
// a server that accepts but never answers still fails the probe in time.
#include "app/healthcheck.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/limits.h"

namespace app {
namespace {

uint64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

// Closes the descriptor on every exit path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` on fd until the deadline; false on timeout or poll error.
bool wait_for(int fd, short events, uint64_t deadline) {
  for (;;) {
    uint64_t now = monotonic_ms();
    if (now >= deadline) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(deadline - now));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string errno_text(const char* what) { return std::string(what) + ": " + strerror(errno); }

}  // namespace

int parse_status_line(std::string_view reply) {
  constexpr std::string_view kPrefix = "HTTP/1.";
  size_t n = reply.size() < kPrefix.size() ? reply.size() : kPrefix.size();
  if (reply.substr(0, n) != kPrefix.substr(0, n)) return 0;  // fail early on a non-HTTP peer
  size_t eol = reply.find('\n');
  if (eol == std::string_view::npos) return -1;
  std::string_view line = reply.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // "HTTP/1.x NNN" optionally followed by " reason".
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return 0;
  if (line.size() > 12 && line[12] != ' ') return 0;
  int code = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return 0;
    code = code * 10 + (line[i] - '0');
  }
  return code >= 100 ? code : 0;
}

ProbeResult probe_http(const std::string& host, int port, std::string_view path,
                       uint64_t timeout_ms) {
  ProbeResult r;
  uint64_t deadline = monotonic_ms() + timeout_ms;
  sockaddr_storage ss{};
  socklen_t len;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    r.reason = "listen host " + host + " is not an IP address";
    return r;
  }
  Fd fd(socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    r.reason = errno_text("socket");
    return r;
  }
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) {
      r.reason = errno_text("connect");
      return r;
    }
    if (!wait_for(fd.get(), POLLOUT, deadline)) {
      r.reason = "connect: timed out";
      return r;
    }
    int err = 0;
    socklen_t elen = sizeof err;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) {
      errno = err;
      r.reason = errno_text("connect");
      return r;
    }
  }
  std::string target = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + target + ":" +
                    std::to_string(port) +
                    "\r\nUser-Agent: twitter-connector-healthcheck\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd.get(), POLLOUT, deadline)) {
        r.reason = "send: timed out";
        return r;
      }
    } else {
      r.reason = errno_text("send");
      return r;
    }
  }
  char buf[core::limits::kHealthcheckReplyBytes];
  size_t got = 0;
  for (;;) {
    int code = parse_status_line({buf, got});
    if (code > 0) {
      r.status = code;
      if (code != 200) r.reason = "HTTP status " + std::to_string(code);
      return r;
    }
    if (code == 0 || got == sizeof buf) {
      r.reason = "reply is not HTTP/1.x";
      return r;
    }
    if (!wait_for(fd.get(), POLLIN, deadline)) {
      r.reason = "no reply within " + std::to_string(timeout_ms) + " ms";
      return r;
    }
    ssize_t n = recv(fd.get(), buf + got, sizeof buf - got, 0);
    if (n == 0) {
      r.reason = "connection closed before the status line";
      return r;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      r.reason = errno_text("recv");
      return r;
    }
    got += static_cast<size_t>(n);
  }
}

int run_healthcheck(const Config& config) {
  if (config.listen_port == 0) {
    fprintf(stderr,
            "unhealthy: the listen port is 0 (any free port), so there is nothing to "
            "probe; give healthcheck the port serve reported with --listen HOST:PORT\n");
    return 1;
  }
  std::string host = local_host(config);
  ProbeResult r =
      probe_http(host, config.listen_port, "/healthz", core::limits::kHealthcheckTimeoutMs);
  std::string url = local_url(config) + "healthz";
  if (r.healthy()) {
    printf("healthy: %s answered 200\n", url.c_str());
    return 0;
  }
  fprintf(stderr, "unhealthy: %s: %s\n", url.c_str(), r.reason.c_str());
  return 1;
}

}  // namespace app
