// Blocking HTTP/1.1 over plain sockets for integration tests that drive the real binary:
// exact bytes out, everything the server sent back in. Not a client library: one request
// per connection unless the test writes more itself.
#pragma once

#include <string>
#include <string_view>

namespace testing_support {

struct HttpReply {
  int status = 0;    // 0 if no status line arrived
  std::string head;  // status line and headers
  std::string body;
  std::string raw;
};

// Connects to 127.0.0.1:port; returns the fd, or -1 (errno set) if refused or timed out.
int connect_local(int port, int timeout_ms = 2000);
bool send_all(int fd, std::string_view data);
// Reads until the peer closes the connection or timeout_ms passes.
std::string read_until_close(int fd, int timeout_ms);
HttpReply parse_reply(std::string raw);
// GET with Connection: close; the whole reply.
HttpReply http_get(int port, const std::string& path, int timeout_ms = 3000);
// The port of a "listening" log line ("port":N); 0 if absent.
int port_from_log_line(const std::string& line);

}  // namespace testing_support
