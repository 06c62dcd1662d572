// /healthz, /readyz and /metrics answered through the router with a captured exchange.
#include "app/ops_routes.h"

#include <gtest/gtest.h>

#include "http/router.h"

namespace app {
namespace {

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

http::Response call(http::Router& router, std::string_view path) {
  Capture cap;
  auto link = std::make_shared<http::ExchangeLink>();
  link->target = &cap;
  auto m = router.match(http::Method::Get, path);
  EXPECT_NE(m.route, nullptr) << path;
  if (!m.route) return {};
  http::Request req;
  m.route->handler(req, http::Responder(link));
  EXPECT_EQ(cap.sent.size(), 1u);
  return cap.sent.empty() ? http::Response() : cap.sent[0];
}

TEST(OpsRoutes, Healthz) {
  http::Router router;
  OpsState st;
  add_ops_routes(router, st);
  http::Response r = call(router, "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}");
}

TEST(OpsRoutes, ReadyzFollowsTheFlag) {
  http::Router router;
  OpsState st;
  st.not_ready_reason = "storage directory not writable";
  add_ops_routes(router, st);
  http::Response r = call(router, "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"status\":\"not ready\",\"reason\":\"storage directory not writable\"}");
  EXPECT_EQ(r.headers.get("Retry-After"), "5");
  st.ready = true;
  r = call(router, "/READYZ");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ready\"}");
}

TEST(OpsRoutes, MetricsRendersRegistryAndProcessFigures) {
  http::Router router;
  core::Metrics metrics;
  metrics.counter("things_total", "Things").inc(7);
  core::ManualClock clock;
  OpsState st;
  st.metrics = &metrics;
  st.clock = &clock;
  add_ops_routes(router, st);
  clock.advance_ms(2500);
  http::Response r = call(router, "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE things_total counter\nthings_total 7\n"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\nprocess_uptime_seconds 2.5\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nprocess_resident_memory_bytes "), std::string::npos);
}

TEST(OpsRoutes, ResidentMemoryIsPlausible) {
  uint64_t rss = resident_memory_bytes();
  EXPECT_GT(rss, 100u * 1024);
  EXPECT_LT(rss, 4ull * 1024 * 1024 * 1024);
}

}  // namespace
}  // namespace app
