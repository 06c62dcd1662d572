// Operational endpoints: GET /healthz (liveness, for App Service health checks; always 200
// while the loop runs), GET /readyz (200 once the app says it can serve, 503 with the reason
// otherwise) and GET /metrics (Prometheus text 0.0.4: core::Metrics plus process figures).
// None of them needs authentication; none reveals configuration or secrets.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "http/router.h"

namespace app {

struct OpsState {
  core::Metrics* metrics = nullptr;  // rendered by /metrics; must outlive the routes
  const core::Clock* clock = &core::SystemClock::instance();
  uint64_t started_ms = 0;  // clock->monotonic_ms() at start; set by add_ops_routes if 0
  bool ready = false;       // set by the app once storage and configuration are usable
  std::string not_ready_reason = "starting up";
};

// `state` must outlive the router.
void add_ops_routes(http::Router& router, OpsState& state);

// Resident set size of this process in bytes, from /proc/self/statm; 0 if unavailable.
uint64_t resident_memory_bytes();

}  // namespace app
