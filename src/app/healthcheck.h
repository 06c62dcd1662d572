// `twitter-connector healthcheck`: one GET /healthz against the configured listen address,
// for Docker's HEALTHCHECK in a scratch image (no shell, no curl). A one-shot CLI command, so
// it uses a plain blocking socket with a deadline instead of the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app/config.h"

namespace app {

struct ProbeResult {
  int status = 0;      // HTTP status of the reply; 0 if none arrived
  std::string reason;  // empty when status is 200, otherwise what went wrong
  bool healthy() const { return status == 200; }
};

// Status code of an HTTP/1.x status line at the start of `reply` ("HTTP/1.1 200 OK\r\n"),
// -1 while the line is incomplete, 0 if it is malformed. Pure.
int parse_status_line(std::string_view reply);

// Connects to host:port (an IP literal), sends GET `path` and reads the status line, all
// within timeout_ms.
ProbeResult probe_http(const std::string& host, int port, std::string_view path,
                       uint64_t timeout_ms);

// The command: probes /healthz on local_host(config):listen_port within
// limits::kHealthcheckTimeoutMs; prints the outcome; returns the exit code (0 healthy, 1 not).
int run_healthcheck(const Config& config);

}  // namespace app
