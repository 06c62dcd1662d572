// The HTTP server under time and load: header/body/idle timeouts, max connections (excess
// closed at once, served again once slots free), a slowloris client beside a normal one,
// 500 concurrent connections, write backpressure, graceful shutdown with an async response
// in flight. Every test ends with a loop with zero live handles (ServerHarness::shutdown).
#include <sys/resource.h>

#include "http_test_harness.h"

namespace http::test {
namespace {

using namespace std::chrono_literals;

void add_routes(Router& r) {
  r.get("/hello", [](Request&, Responder res) { res.respond(Response::text(200, "hello")); });
}

ServerOptions timeouts(uint64_t header_ms, uint64_t body_ms, uint64_t idle_ms) {
  ServerOptions o = ServerHarness::fast_options();
  o.header_timeout_ms = header_ms;
  o.body_timeout_ms = body_ms;
  o.idle_timeout_ms = idle_ms;
  return o;
}

TEST(HttpServerTimeouts, SlowHeadersGet408) {
  ServerHarness h(timeouts(200, 5000, 5000));
  add_routes(h.router());
  h.start();
  Client c(h.port());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: t\r\n"));
  ParsedResponse r = c.read_response();
  auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.body, "{\"error\":\"request headers not received within 200 ms\"}");
  EXPECT_GE(waited, 180ms);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpServerTimeouts, TricklingHeadersDoNotResetTheClock) {
  ServerHarness h(timeouts(300, 5000, 5000));
  add_routes(h.router());
  h.start();
  Client c(h.port());
  auto t0 = std::chrono::steady_clock::now();
  std::string head = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  ASSERT_TRUE(c.send(head));
  // One byte every 50 ms: each arrives well within the timeout, the whole head does not.
  bool got408 = false;
  for (int i = 0; i < 40 && !got408; ++i) {
    std::this_thread::sleep_for(50ms);
    if (!c.send("a")) break;
    pollfd p{c.fd(), POLLIN, 0};
    got408 = poll(&p, 1, 0) > 0;
  }
  ParsedResponse r = c.read_response();
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
}

TEST(HttpServerTimeouts, SlowBodyGets408) {
  ServerHarness h(timeouts(5000, 200, 5000));
  h.router().post("/echo",
                  [](Request& req, Responder res) { res.respond(Response::text(200, req.body)); });
  h.start();
  Client c(h.port());
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab"));
  ParsedResponse r = c.read_response();
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.body, "{\"error\":\"request body not received within 200 ms\"}");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpServerTimeouts, IdleKeepAliveIsClosedSilently) {
  ServerHarness h(timeouts(5000, 5000, 200));
  add_routes(h.router());
  h.start();
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/hello")));
  EXPECT_EQ(c.read_response().status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(3000));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  EXPECT_EQ(h.open_connections(), 0u);
}

TEST(HttpServerTimeouts, SilentNewConnectionGetsTheHeaderTimeout) {
  ServerHarness h(timeouts(200, 5000, 60000));
  add_routes(h.router());
  h.start();
  Client c(h.port());
  EXPECT_TRUE(c.closed_by_peer(3000));  // closed without a response: it never asked anything
}

// Polls until the server reports `n` open connections (the accept happens on the loop thread).
bool wait_open(ServerHarness& h, size_t n) {
  for (int i = 0; i < 300; ++i) {
    if (h.open_connections() == n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(HttpServerLimits, MaxConnectionsClosesExcessAndRecovers) {
  ServerOptions o = ServerHarness::fast_options();
  o.max_connections = 3;
  ServerHarness h(o);
  add_routes(h.router());
  h.start();
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(h.port()));
    ASSERT_TRUE(held.back()->send(get("/hello")));
    ASSERT_EQ(held.back()->read_response().status, 200);
  }
  ASSERT_TRUE(wait_open(h, 3));
  Client excess(h.port());
  ASSERT_TRUE(excess.connected());           // the kernel completes the handshake...
  EXPECT_TRUE(excess.closed_by_peer(3000));  // ...and the server closes it at once
  EXPECT_EQ(h.metric_value("http_connections_rejected_total"), 1);
  // Free one slot: a new connection is served again (the listener never stopped).
  held[0]->close();
  ASSERT_TRUE(wait_open(h, 2));
  Client next(h.port());
  ASSERT_TRUE(next.send(get("/hello")));
  EXPECT_EQ(next.read_response().status, 200);
  // The held ones still work too.
  ASSERT_TRUE(held[1]->send(get("/hello")));
  EXPECT_EQ(held[1]->read_response().status, 200);
}

TEST(HttpServerLimits, SlowlorisDoesNotBlockOthers) {
  ServerHarness h(timeouts(1000, 5000, 5000));
  add_routes(h.router());
  h.start();
  Client slow(h.port());
  ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\nHo"));
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    Client fast(h.port());
    ASSERT_TRUE(fast.send(get("/hello", "Connection: close\r\n")));
    ParsedResponse r = fast.read_response();
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
    ASSERT_TRUE(slow.send("s"));
  }
  EXPECT_EQ(slow.read_response().status, 408);
}

TEST(HttpServerLimits, FiveHundredConcurrentConnections) {
  rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 1200 && rl.rlim_max >= 1200) {
    rl.rlim_cur = 1200;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  ServerHarness h;
  add_routes(h.router());
  h.start();
  constexpr int kN = 500;
  std::vector<std::unique_ptr<Client>> cs;
  for (int i = 0; i < kN; ++i) {
    cs.push_back(std::make_unique<Client>(h.port()));
    ASSERT_TRUE(cs.back()->connected()) << i;
  }
  for (auto& c : cs) ASSERT_TRUE(c->send(get("/hello")));
  int ok = 0;
  for (auto& c : cs) ok += c->read_response().status == 200 ? 1 : 0;
  EXPECT_EQ(ok, kN);
  ASSERT_TRUE(wait_open(h, kN));
  EXPECT_EQ(h.metric_value("http_open_connections"), kN);
  // A second round on the same connections.
  for (auto& c : cs) ASSERT_TRUE(c->send(get("/hello")));
  ok = 0;
  for (auto& c : cs) ok += c->read_response().body == "hello" ? 1 : 0;
  EXPECT_EQ(ok, kN);
}

TEST(HttpServerLimits, BackpressureStopsReadingFromASlowReader) {
  ServerOptions o = ServerHarness::fast_options();
  o.max_queued_response_bytes = 32 * 1024;
  ServerHarness h(o);
  std::string big(16 * 1024, 'z');
  h.router().get("/big",
                 [&big](Request&, Responder res) { res.respond(Response::text(200, big)); });
  h.start();
  Client c(h.port(), 10000);
  std::string one = get("/big");
  constexpr int kRequests = 3000;  // ~90 KB of requests, ~48 MB of responses
  std::string all;
  for (int i = 0; i < kRequests; ++i) all += one;
  // Sent from another thread: once the server stops reading, the send may block.
  std::thread sender([&] { EXPECT_TRUE(c.send(all)); });
  std::this_thread::sleep_for(300ms);
  double read = h.metric_value("http_request_bytes_total");
  // The server reads at most a buffer or two, then waits for its output to drain.
  EXPECT_LE(read, 2.0 * uv::Loop::kReadBufferSize)
      << "server kept reading while its output was stuck";
  EXPECT_LT(read, static_cast<double>(all.size()));
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    ParsedResponse r = c.read_response();
    if (!r.ok) break;
    ok += r.body.size() == big.size() ? 1 : 0;
  }
  sender.join();
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(h.metric_value("http_request_bytes_total"), static_cast<double>(all.size()));
}

TEST(HttpServerLimits, ClientThatNeverReadsItsLastResponseIsDropped) {
  ServerHarness h(timeouts(5000, 5000, 300));
  std::string huge(32 * 1024 * 1024, 'h');  // far more than the socket buffers hold
  h.router().get("/huge",
                 [&huge](Request&, Responder res) { res.respond(Response::text(200, huge)); });
  h.start();
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/huge", "Connection: close\r\n")));
  ASSERT_TRUE(wait_open(h, 1));
  // The client reads nothing; the slot is freed after the idle timeout anyway.
  EXPECT_TRUE(wait_open(h, 0));
}

TEST(HttpServerShutdown, FinishesInFlightAsyncResponse) {
  ServerHarness h;
  add_delayed_route(h, "/slow", 300, "late but here");
  add_routes(h.router());
  h.start();
  Client busy(h.port());
  Client idle(h.port());
  ASSERT_TRUE(idle.send(get("/hello")));
  ASSERT_EQ(idle.read_response().status, 200);
  ASSERT_TRUE(busy.send(get("/slow")));
  ASSERT_TRUE(wait_open(h, 2));
  std::this_thread::sleep_for(50ms);  // the request is being handled
  bool done = false;
  std::thread stopper([&] { h.shutdown(3000, &done); });
  EXPECT_TRUE(idle.closed_by_peer(1000));  // idle keep-alive closed at once
  ParsedResponse r = busy.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "late but here");
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_TRUE(busy.closed_by_peer());
  stopper.join();
  EXPECT_TRUE(done);
  Client refused(h.port());
  EXPECT_FALSE(refused.connected());  // the listener is gone
}

TEST(HttpServerShutdown, GraceExpiryClosesTheRest) {
  ServerHarness h;
  std::vector<Responder> parked;  // answered never: only the grace period ends these
  h.router().get("/hang", [&parked](Request&, Responder res) { parked.push_back(std::move(res)); });
  h.start();
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/hang")));
  ASSERT_TRUE(wait_open(h, 1));
  bool done = false;
  auto t0 = std::chrono::steady_clock::now();
  h.shutdown(200, &done);
  EXPECT_TRUE(done);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 180ms);
  EXPECT_TRUE(c.closed_by_peer());
  // The late Responders find nobody to answer and do nothing.
  for (auto& p : parked) EXPECT_FALSE(p.alive());
  parked.clear();
}

}  // namespace
}  // namespace http::test
