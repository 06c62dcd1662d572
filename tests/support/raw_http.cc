// Implementation of raw_http.h.
#include "support/raw_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace testing_support {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int connect_local(int port, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (errno != EINPROGRESS) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
        err != 0) {
      close(fd);
      errno = err ? err : ETIMEDOUT;
      return -1;
    }
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string read_until_close(int fd, int timeout_ms) {
  std::string out;
  int64_t deadline = now_ms() + timeout_ms;
  char buf[16384];
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

HttpReply parse_reply(std::string raw) {
  HttpReply r;
  r.raw = std::move(raw);
  size_t end = r.raw.find("\r\n\r\n");
  r.head = r.raw.substr(0, end);
  if (end != std::string::npos) r.body = r.raw.substr(end + 4);
  if (r.raw.rfind("HTTP/1.", 0) == 0 && r.raw.size() >= 12)
    r.status = static_cast<int>(strtol(r.raw.substr(9, 3).c_str(), nullptr, 10));
  return r;
}

HttpReply http_get(int port, const std::string& path, int timeout_ms) {
  int fd = connect_local(port, timeout_ms);
  if (fd < 0) return {};
  send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  HttpReply r = parse_reply(read_until_close(fd, timeout_ms));
  close(fd);
  return r;
}

int port_from_log_line(const std::string& line) {
  size_t p = line.find("\"port\":");
  return p == std::string::npos ? 0 : static_cast<int>(strtol(line.c_str() + p + 7, nullptr, 10));
}

}  // namespace testing_support
