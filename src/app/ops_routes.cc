// Implementation of app/ops_routes.h.
#include "app/ops_routes.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "json/json.h"

namespace app {

uint64_t resident_memory_bytes() {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  // Fields: size resident shared text lib data dt (pages).
  char* end = nullptr;
  strtoull(buf, &end, 10);
  if (end == buf) return 0;
  char* p = end;
  unsigned long long pages = strtoull(p, &end, 10);
  if (end == p) return 0;
  long page = sysconf(_SC_PAGESIZE);
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page > 0 ? page : 4096);
}

void add_ops_routes(http::Router& router, OpsState& state) {
  if (state.started_ms == 0) state.started_ms = state.clock->monotonic_ms();

  // Polled every few seconds by the platform: a constant body, no JSON tree to build.
  router.get("/healthz", [](http::Request&, http::Responder res) {
    res.respond(http::Response::text(200, R"({"status":"ok"})", "application/json; charset=utf-8"));
  });

  router.get("/readyz", [&state](http::Request&, http::Responder res) {
    json::Json o = json::object();
    if (state.ready) {
      json::add_string(o.get(), "status", "ready");
      res.respond(http::Response::json(200, o.get()));
      return;
    }
    json::add_string(o.get(), "status", "not ready");
    json::add_string(o.get(), "reason", state.not_ready_reason);
    http::Response r = http::Response::json(503, o.get());
    r.headers.set("Retry-After", "5");
    res.respond(std::move(r));
  });

  router.get("/metrics", [&state](http::Request&, http::Responder res) {
    std::string body;
    body.reserve(4096);
    if (state.metrics) state.metrics->render(&body);
    uint64_t up_ms = state.clock->monotonic_ms() - state.started_ms;
    body.append(
        "# HELP process_uptime_seconds Seconds since the process started\n"
        "# TYPE process_uptime_seconds gauge\nprocess_uptime_seconds ");
    core::append_metric_value(static_cast<double>(up_ms) / 1000.0, &body);
    body.append(
        "\n# HELP process_resident_memory_bytes Resident memory size in bytes\n"
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ");
    core::append_metric_value(static_cast<double>(resident_memory_bytes()), &body);
    body.push_back('\n');
    res.respond(http::Response::text(200, body, "text/plain; version=0.0.4; charset=utf-8"));
  });
}

}  // namespace app
