// http::Client back-pressure (BodyFlow) over real sockets, plain and TLS, against
// tests/support/tls_servers.js: a sink that pauses its body receives at most one read's worth
// more until it resumes, the whole body still arrives intact, neither the idle nor the total
// timeout counts paused time, the connection is reused afterwards, and a paused request can
// be cancelled. Every test ends with a clean loop.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/limits.h"
#include "http/client.h"
#include "support/loop_helpers.h"
#include "support/test_servers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using core::Errc;

struct Collector final : http::ResponseHandler {
  int calls = 0;
  int dropped = 0;
  http::ClientResult result;
  void on_complete(uint64_t, http::ClientResult& r) override {
    ++calls;
    result = std::move(r);
  }
  void on_dropped(uint64_t) override { ++dropped; }
};

// Pauses every `every` bytes for `hold_ms`, checks what still arrives while paused, and
// checks the /big pattern (byte k = k & 0xff).
struct PausingSink final : http::BodySink, uv::Timer::Handler {
  PausingSink(uv::Loop& loop, uint64_t every, uint64_t hold_ms)
      : every(every),
        hold_ms(hold_ms),
        next_pause(every),
        timer(uv::Timer::create(loop.get(), this)) {}
  void on_flow(http::BodyFlow* f) override {
    if (f)
      ++flows_given;
    else
      ++flows_ended;
    flow = f;
  }
  core::Status on_data(std::string_view d) override {
    for (size_t i = 0; i < d.size(); ++i)
      if (static_cast<uint8_t>(d[i]) != ((bytes + i) & 0xff)) pattern_ok = false;
    bytes += d.size();
    if (paused) {
      max_overrun = std::max(max_overrun, bytes - paused_at);
    } else if (bytes >= next_pause && flow) {
      paused = true;
      paused_at = bytes;
      ++pauses;
      next_pause = bytes + every;
      flow->pause();
      timer->start(hold_ms);
    }
    return core::ok_status();
  }
  void on_timer(uv::Timer*) override {
    paused = false;
    if (cancel_instead) return cancel_instead();
    if (flow) flow->resume();
  }

  uint64_t every, hold_ms, next_pause;
  uv::Ptr<uv::Timer> timer;
  http::BodyFlow* flow = nullptr;
  int flows_given = 0, flows_ended = 0, pauses = 0;
  bool paused = false, pattern_ok = true;
  uint64_t bytes = 0, paused_at = 0, max_overrun = 0;
  std::function<void()> cancel_instead;
};

class ClientBackPressureTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(test_pki_dir().empty());
    server_ = GetParam() ? start_tls_server("good") : start_plain_server();
    ASSERT_TRUE(server_.ok());
    http::Client::Options o;
    o.ca_file = test_pki_dir() + "/ca.crt";
    std::string msg;
    auto c = http::Client::create(loop_, std::move(o), &msg);
    ASSERT_TRUE(c.ok()) << msg;
    client_ = std::move(*c);
  }
  void TearDown() override {
    client_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  std::string base() const {
    return std::string(GetParam() ? "https://localhost:" : "http://127.0.0.1:") +
           std::to_string(server_.port);
  }
  void run_loop(uint64_t limit_ms = 30000) {
    Watchdog w;
    w.loop = &loop_;
    auto t = uv::Timer::create(loop_.get(), &w);
    t->unref();
    t->start(limit_ms);
    loop_.run();
    t.reset();
    EXPECT_FALSE(w.fired) << "loop still busy after " << limit_ms << " ms";
  }

  NodeServer server_;
  uv::Loop loop_;
  std::unique_ptr<http::Client> client_;
};

TEST_P(ClientBackPressureTest, PausedBodyStopsAndResumesWithoutTimeouts) {
  constexpr uint64_t kSize = 8u << 20;
  PausingSink sink(loop_, 1u << 20, 150);
  http::ClientRequest req;
  req.url = base() + "/big?bytes=" + std::to_string(kSize);
  req.sink = &sink;
  req.max_body_bytes = kSize;
  // Seven or eight pauses of 150 ms: over both limits if paused time counted against them.
  req.idle_timeout_ms = 100;
  req.total_timeout_ms = 800;
  req.retry.max_attempts = 1;
  Collector c;
  ASSERT_TRUE(client_->request(std::move(req), &c).ok());
  run_loop();
  ASSERT_EQ(c.calls, 1);
  ASSERT_TRUE(c.result.ok) << c.result.message;
  EXPECT_EQ(c.result.response.status, 200);
  EXPECT_EQ(sink.bytes, kSize);
  EXPECT_TRUE(sink.pattern_ok);
  // Every MiB: 7, or 8 when the last pause lands exactly on the end (TLS records align).
  EXPECT_GE(sink.pauses, 7);
  EXPECT_LE(sink.pauses, 8);
  // Only the rest of the read (or TLS record) in progress arrives after a pause.
  EXPECT_LE(sink.max_overrun, core::limits::client::kMaxPausedOverrunBytes);
  EXPECT_EQ(sink.flows_given, 1);
  EXPECT_EQ(sink.flows_ended, 1);
  EXPECT_EQ(sink.flow, nullptr);
  // The connection went back to the pool reading again: the next request reuses it.
  http::ClientRequest again;
  again.url = base() + "/json";
  Collector c2;
  ASSERT_TRUE(client_->request(std::move(again), &c2).ok());
  run_loop();
  ASSERT_TRUE(c2.result.ok) << c2.result.message;
  EXPECT_TRUE(c2.result.response.reused_connection);
  EXPECT_EQ(client_->stats().connections_opened, 1u);
}

TEST_P(ClientBackPressureTest, TimeoutsStillRunWhileNotPaused) {
  // The /stall route sends a head and then nothing: unpaused, the idle limit applies.
  PausingSink sink(loop_, 1u << 20, 50);
  http::ClientRequest req;
  req.url = base() + "/stall";
  req.sink = &sink;
  req.idle_timeout_ms = 200;
  req.retry.max_attempts = 1;
  Collector c;
  ASSERT_TRUE(client_->request(std::move(req), &c).ok());
  run_loop();
  ASSERT_EQ(c.calls, 1);
  ASSERT_FALSE(c.result.ok);
  EXPECT_EQ(c.result.error.code, Errc::Timeout);
  EXPECT_EQ(sink.flows_ended, sink.flows_given);
}

TEST_P(ClientBackPressureTest, PausedRequestCanBeCancelled) {
  PausingSink sink(loop_, 256u << 10, 100);
  http::ClientRequest req;
  req.url = base() + "/big?bytes=" + std::to_string(16u << 20);
  req.sink = &sink;
  req.max_body_bytes = 16u << 20;
  Collector c;
  auto id = client_->request(std::move(req), &c);
  ASSERT_TRUE(id.ok());
  sink.cancel_instead = [&] { EXPECT_TRUE(client_->cancel(*id)); };
  run_loop();
  EXPECT_EQ(c.calls, 0);
  EXPECT_EQ(c.dropped, 1);
  EXPECT_EQ(sink.pauses, 1);
  EXPECT_EQ(sink.flows_ended, 1);
  EXPECT_LT(sink.bytes, 16u << 20);
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, ClientBackPressureTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "Tls" : "Plain";
                         });

}  // namespace
