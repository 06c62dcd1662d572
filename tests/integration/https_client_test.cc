// http::Client against real local servers (tests/support/tls_servers.js, connect_proxy.js)
// with a test CA made at test time: certificate failures, protocol versions, body framings,
// resets, stalls, keep-alive reuse counted on the server, proxies, redirects, retries,
// limits and a 200 MB streamed download in bounded memory. Every test asserts how often the
// handler ran and that the loop closes with no live handles; each loop run has a watchdog.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include <mbedtls/sha256.h>

#include "core/clock.h"
#include "core/codec.h"
#include "core/rand.h"
#include "http/client.h"
#include "json/json.h"
#include "support/loop_helpers.h"
#include "support/test_servers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using core::Errc;

struct Collector final : http::ResponseHandler {
  int calls = 0;
  http::ClientResult result;
  void on_complete(uint64_t, http::ClientResult& r) override {
    ++calls;
    result = std::move(r);
  }
};

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(test_pki_dir().empty()) << "test PKI generation failed"; }
  void TearDown() override {
    client_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }

  std::string ca() const { return test_pki_dir() + "/ca.crt"; }
  void make_client(http::Client::Options o = {}) {
    if (o.ca_file.empty()) o.ca_file = ca();
    o.clock = &clock_;
    o.rng = &rng_;
    std::string msg;
    auto c = http::Client::create(loop_, std::move(o), &msg);
    ASSERT_TRUE(c.ok()) << msg;
    client_ = std::move(*c);
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
  http::ClientResult run(http::ClientRequest req, uint64_t limit_ms = 30000) {
    if (!client_) make_client();
    Collector c;
    auto id = client_->request(std::move(req), &c);
    EXPECT_TRUE(id.ok());
    run_loop(limit_ms);
    EXPECT_EQ(c.calls, 1);
    return std::move(c.result);
  }
  http::ClientResult get(const std::string& url) {
    http::ClientRequest r;
    r.url = url;
    return run(std::move(r));
  }
  static std::string base(const NodeServer& s) {
    return "https://localhost:" + std::to_string(s.port);
  }

  uv::Loop loop_;
  core::SystemClock& clock_ = core::SystemClock::instance();
  core::SeededRng rng_{42};
  std::unique_ptr<http::Client> client_;
};

TEST_F(HttpsClientTest, ValidChainGetsJson) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.body, "{\"ok\":true,\"data\":[1,2,3],\"text\":\"hello\"}");
  ASSERT_NE(r.response.header("content-type"), nullptr);
  EXPECT_EQ(*r.response.header("Content-Type"), "application/json");
  EXPECT_EQ(r.response.attempts, 1u);
}

TEST_F(HttpsClientTest, UntrustedCaIsRejected) {
  auto s = start_tls_server("untrusted");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::TlsUntrusted);
  EXPECT_NE(r.message.find("localhost"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("not trusted"), std::string::npos) << r.message;
  EXPECT_EQ(r.response.attempts, 1u);  // certificate errors are never retried
}

TEST_F(HttpsClientTest, WrongHostnameIsRejected) {
  auto s = start_tls_server("wrong");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::TlsHostname);
  EXPECT_NE(r.message.find("hostname mismatch"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, ExpiredCertificateIsRejected) {
  auto s = start_tls_server("expired");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::TlsExpired);
  EXPECT_NE(r.message.find("expired"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, Tls13OnlyServer) {
  auto s = start_tls_server("good", {"--min", "TLSv1.3"});
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 200);
}

TEST_F(HttpsClientTest, Tls12OnlyEcServer) {
  auto s = start_tls_server("good", {"--max", "TLSv1.2"});
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
}

// mbedTLS 3.6.6 regression #10668: 1.2+1.3 client, 1.2-only server with an RSA key picks
// rsa_pss_rsae_sha256 for ServerKeyExchange; fixed by third_party/mbedtls-tls12-rsa-pss.patch.
TEST_F(HttpsClientTest, Tls12OnlyRsaServer) {
  auto s = start_tls_server("rsa", {"--max", "TLSv1.2"});
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 200);
}

TEST_F(HttpsClientTest, Tls13RsaServer) {
  auto s = start_tls_server("rsa", {"--min", "TLSv1.3"});
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
}

TEST_F(HttpsClientTest, ResetMidBodyFails) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/reset-mid-body";
  req.retry.max_attempts = 1;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_TRUE(r.error.code == Errc::ConnReset || r.error.code == Errc::ConnClosed)
      << core::errc_name(r.error.code);
  EXPECT_NE(r.message.find("localhost"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, ResetMidBodyIsRetriedForGet) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/reset-mid-body";
  req.retry.max_attempts = 3;
  req.retry.base_delay_ms = 1;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.response.attempts, 3u);
}

TEST_F(HttpsClientTest, StallingServerHitsIdleTimeout) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/stall";
  req.idle_timeout_ms = 300;
  req.retry.max_attempts = 1;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::Timeout);
  EXPECT_NE(r.message.find("waiting for response data"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, StallingServerHitsTotalTimeout) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/stall";
  req.total_timeout_ms = 300;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::Timeout);
  EXPECT_NE(r.message.find("total time"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, ChunkedWithOddBoundaries) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/chunked-odd");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.body, "hello, world 123456789 123456789");
  // The connection stays usable after a chunked body.
  auto r2 = get(base(s) + "/chunked-node");
  ASSERT_TRUE(r2.ok) << r2.message;
  EXPECT_EQ(r2.response.body, "abcdefghij");
  auto r3 = get(base(s) + "/json");
  ASSERT_TRUE(r3.ok) << r3.message;
  EXPECT_TRUE(r3.response.reused_connection);
}

TEST_F(HttpsClientTest, CloseDelimitedBody) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/close-delimited");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.body, "part one;part two");
  EXPECT_EQ(client_->stats().idle_connections, 0u);
}

TEST_F(HttpsClientTest, KeepAliveReuseCountedOnServer) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 5; ++i) {
    auto r = get(base(s) + "/json");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.response.reused_connection, i > 0);
  }
  auto st = get(base(s) + "/stats");
  ASSERT_TRUE(st.ok);
  auto j = json::parse(st.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(json::get_int(j->get(), "connections").value_or(-1), 1);
  EXPECT_EQ(json::get_int(j->get(), "requests").value_or(-1), 6);
  EXPECT_EQ(client_->stats().connections_opened, 1u);
  EXPECT_EQ(client_->stats().requests_reused, 5u);
}

TEST_F(HttpsClientTest, ConcurrentRequestsRespectPerOriginCap) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::Client::Options o;
  o.max_connections_per_origin = 2;
  make_client(o);
  Collector c[6];
  for (auto& h : c) {
    http::ClientRequest req;
    req.url = base(s) + "/json";
    ASSERT_TRUE(client_->request(req, &h).ok());
  }
  run_loop();
  for (auto& h : c) {
    EXPECT_EQ(h.calls, 1);
    EXPECT_TRUE(h.result.ok) << h.result.message;
  }
  EXPECT_EQ(client_->stats().connections_opened, 2u);
  auto st = get(base(s) + "/stats");
  auto j = json::parse(st.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(json::get_int(j->get(), "connections").value_or(-1), 2);
}

TEST_F(HttpsClientTest, TotalCapEvictsIdleConnectionOfAnotherOrigin) {
  auto a = start_tls_server("good");
  auto b = start_tls_server("good");
  ASSERT_TRUE(a.ok() && b.ok());
  http::Client::Options o;
  o.max_connections_total = 1;
  make_client(o);
  ASSERT_TRUE(get(base(a) + "/json").ok);
  EXPECT_EQ(client_->stats().idle_connections, 1u);
  auto r = get(base(b) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(client_->stats().connections_opened, 2u);
  EXPECT_EQ(client_->stats().live_connections, 1u);
}

struct Sleep final : uv::Timer::Handler {
  void on_timer(uv::Timer*) override {}
};

TEST_F(HttpsClientTest, IdleConnectionsAreEvicted) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::Client::Options o;
  o.idle_ms = 150;
  make_client(o);
  ASSERT_TRUE(get(base(s) + "/json").ok);
  EXPECT_EQ(client_->stats().idle_connections, 1u);
  Sleep sl;
  auto t = uv::Timer::create(loop_.get(), &sl);
  t->start(400);
  run_loop();
  t.reset();
  EXPECT_EQ(client_->stats().live_connections, 0u);
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_FALSE(r.response.reused_connection);
}

TEST_F(HttpsClientTest, ServerClosingPooledConnectionIsRetriedOnceForGet) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto first = get(base(s) + "/die-next");
  ASSERT_TRUE(first.ok) << first.message;
  http::ClientRequest req;
  req.url = base(s) + "/json";
  req.retry.max_attempts = 1;  // only the stale-connection repeat may happen
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_FALSE(r.response.reused_connection);
  EXPECT_EQ(client_->stats().stale_retries, 1u);
  EXPECT_EQ(client_->stats().connections_opened, 2u);
}

TEST_F(HttpsClientTest, ServerClosingPooledConnectionFailsPost) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(get(base(s) + "/die-next").ok);
  http::ClientRequest req;
  req.method = "POST";
  req.url = base(s) + "/echo";
  req.body = "{}";
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_TRUE(r.error.code == Errc::ConnReset || r.error.code == Errc::ConnClosed)
      << core::errc_name(r.error.code);
  EXPECT_EQ(client_->stats().stale_retries, 0u);
}

TEST_F(HttpsClientTest, StreamedDownloadOf200MbUsesBoundedMemory) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  struct Sink final : http::BodySink {
    uint64_t bytes = 0;
    bool pattern_ok = true;
    int starts = 0;
    core::Status on_start(const http::ClientResponse& head) override {
      ++starts;
      return head.status == 200 ? core::ok_status() : core::make_error(Errc::HttpStatus, "sink");
    }
    core::Status on_data(std::string_view d) override {
      for (size_t i = 0; i < d.size(); i += 997)
        if (static_cast<uint8_t>(d[i]) != ((bytes + i) % 65536 & 0xff)) pattern_ok = false;
      bytes += d.size();
      return core::ok_status();
    }
  } sink;
  constexpr uint64_t kSize = 200ull * 1024 * 1024;
  make_client();
  // Reset the peak-RSS counter (Linux clear_refs "5") so VmHWM measures this download only.
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  size_t before = vm_kib("VmHWM:");
  http::ClientRequest req;
  req.url = base(s) + "/big?bytes=" + std::to_string(kSize);
  req.sink = &sink;
  req.max_body_bytes = kSize;
  req.total_timeout_ms = 60000;
  auto r = run(req, 90000);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(sink.bytes, kSize);
  EXPECT_TRUE(sink.pattern_ok);
  EXPECT_EQ(sink.starts, 1);
  EXPECT_TRUE(r.response.body.empty());
  size_t peak = vm_kib("VmHWM:");
  EXPECT_LT(peak - before, 8u * 1024) << "peak RSS grew by " << (peak - before) << " KiB";
  printf("200 MB download: VmHWM before %zu KiB, peak %zu KiB\n", before, peak);
}

TEST_F(HttpsClientTest, ProxyTunnelWithBasicAuth) {
  auto s = start_tls_server("good");
  auto p = start_connect_proxy({"--auth", "user:p@ss word"});
  ASSERT_TRUE(s.ok() && p.ok());
  http::Client::Options o;
  o.proxy.https_proxy = "http://user:p%40ss%20word@127.0.0.1:" + std::to_string(p.port);
  make_client(o);
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 200);
  auto r2 = get(base(s) + "/json");  // reuses the tunnel
  ASSERT_TRUE(r2.ok) << r2.message;
  EXPECT_TRUE(r2.response.reused_connection);
  auto st = get("http://127.0.0.1:" + std::to_string(p.port) + "/proxy-stats");
  ASSERT_TRUE(st.ok) << st.message;
  auto j = json::parse(st.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(json::get_int(j->get(), "tunnels").value_or(-1), 1);
}

TEST_F(HttpsClientTest, ProxyRejectsWrongCredentials) {
  auto s = start_tls_server("good");
  auto p = start_connect_proxy({"--auth", "user:right"});
  ASSERT_TRUE(s.ok() && p.ok());
  http::Client::Options o;
  o.proxy.https_proxy = "http://user:wrong@127.0.0.1:" + std::to_string(p.port);
  make_client(o);
  auto r = get(base(s) + "/json");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::Proxy);
  EXPECT_NE(r.message.find("407"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("wrong"), std::string::npos) << "credentials leaked: " << r.message;
}

TEST_F(HttpsClientTest, ProxyRefusingTunnel) {
  auto s = start_tls_server("good");
  auto p = start_connect_proxy({"--refuse"});
  ASSERT_TRUE(s.ok() && p.ok());
  http::Client::Options o;
  o.proxy.https_proxy = "127.0.0.1:" + std::to_string(p.port);
  make_client(o);
  auto r = get(base(s) + "/json");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::Proxy);
  EXPECT_NE(r.message.find("refused the tunnel (HTTP 403)"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, ProxyResponseHeadIsBounded) {
  auto s = start_tls_server("good");
  auto p = start_connect_proxy({"--huge-head"});
  ASSERT_TRUE(s.ok() && p.ok());
  http::Client::Options o;
  o.proxy.https_proxy = "http://127.0.0.1:" + std::to_string(p.port);
  make_client(o);
  http::ClientRequest req;
  req.url = base(s) + "/json";
  req.retry.max_attempts = 1;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::Proxy);
  EXPECT_NE(r.message.find("oversized CONNECT response"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, NoProxyBypassesProxy) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::Client::Options o;
  o.proxy.https_proxy = "http://127.0.0.1:1";  // nothing listens there
  o.proxy.no_proxy = "example.com, localhost";
  make_client(o);
  auto r = get(base(s) + "/json");
  ASSERT_TRUE(r.ok) << r.message;
}

TEST_F(HttpsClientTest, PlainHttpThroughProxyUsesAbsoluteForm) {
  auto s = start_plain_server();
  auto p = start_connect_proxy();
  ASSERT_TRUE(s.ok() && p.ok());
  http::Client::Options o;
  o.proxy.http_proxy = "http://127.0.0.1:" + std::to_string(p.port);
  make_client(o);
  auto r = get("http://localhost:" + std::to_string(s.port) + "/echo?x=1");
  ASSERT_TRUE(r.ok) << r.message;
  auto j = json::parse(r.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(json::get_string(j->get(), "url").value_or(""), "/echo?x=1");
}

TEST_F(HttpsClientTest, RedirectKeepsAuthorizationOnSameOrigin) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/redirect?to=/echo";
  req.headers = {{"Authorization", "Bearer secret"}};
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.redirects, 1u);
  auto j = json::parse(r.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(json::get_string(j->get(), "authorization").value_or(""), "Bearer secret");
}

TEST_F(HttpsClientTest, RedirectToAnotherHostDropsAuthorization) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  std::string other = "https://127.0.0.1:" + std::to_string(s.port) + "/echo";
  req.url = base(s) + "/redirect?status=307&to=" + core::percent_encode(other);
  req.headers = {{"Authorization", "Bearer secret"}};
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.url, other);
  auto j = json::parse(r.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(json::get_string(j->get(), "authorization").value_or("").empty()) << r.response.body;
}

TEST_F(HttpsClientTest, RedirectNotFollowedForPost) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.method = "POST";
  req.url = base(s) + "/redirect?to=/echo";
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 302);
  EXPECT_EQ(r.response.redirects, 0u);
}

TEST_F(HttpsClientTest, RedirectHopLimit) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/loop");
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.message.find("too many redirects"), std::string::npos) << r.message;
  EXPECT_EQ(r.response.redirects, core::limits::client::kMaxRedirects);
}

TEST_F(HttpsClientTest, RetriesServiceUnavailableThenSucceeds) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/flaky/a?fail=2";
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 200);
  EXPECT_EQ(r.response.body, "ok after 3");
  EXPECT_EQ(r.response.attempts, 3u);
}

TEST_F(HttpsClientTest, PostIsNotRetriedUnlessMarkedSafe) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.method = "POST";
  req.url = base(s) + "/flaky/b?fail=1";
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 503);
  EXPECT_EQ(r.response.attempts, 1u);
  req.url = base(s) + "/flaky/c?fail=1";
  req.retry_safe = true;
  auto r2 = run(req);
  ASSERT_TRUE(r2.ok) << r2.message;
  EXPECT_EQ(r2.response.status, 200);
  EXPECT_EQ(r2.response.attempts, 2u);
}

TEST_F(HttpsClientTest, LongRetryAfterGoesBackToCaller) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/status/429?retry-after=120");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 429);
  EXPECT_EQ(r.response.attempts, 1u);
  core::Status st = http::status_error(r.response, clock_);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::RateLimited);
  EXPECT_EQ(st.error().detail, 120);
}

TEST_F(HttpsClientTest, NotFoundIsNotRetried) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/status/404");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.response.status, 404);
  EXPECT_EQ(r.response.attempts, 1u);
  EXPECT_EQ(http::status_error(r.response, clock_).error().code, Errc::NotFound);
}

TEST_F(HttpsClientTest, BodyTooLarge) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  http::ClientRequest req;
  req.url = base(s) + "/big?bytes=100000";
  req.max_body_bytes = 1000;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::TooLarge);
  EXPECT_NE(r.message.find("body too large"), std::string::npos) << r.message;
  EXPECT_EQ(r.response.attempts, 1u);
}

TEST_F(HttpsClientTest, HeadTooLarge) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = get(base(s) + "/huge-head");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::TooLarge);
  EXPECT_NE(r.message.find("response head larger"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, DnsFailureNamesTheHost) {
  http::ClientRequest req;
  req.url = "https://no-such-host.invalid/x";
  req.retry.max_attempts = 1;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::Dns);
  EXPECT_NE(r.message.find("no-such-host.invalid"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("DNS"), std::string::npos) << r.message;
}

TEST_F(HttpsClientTest, ConnectionRefused) {
  int port;
  {
    auto s = start_plain_server();  // learn a free port, then stop the server
    ASSERT_TRUE(s.ok());
    port = s.port;
    s.proc->stop();
  }
  http::ClientRequest req;
  req.url = "https://localhost:" + std::to_string(port) + "/";
  req.retry.max_attempts = 2;
  req.retry.base_delay_ms = 1;
  auto r = run(req);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.code, Errc::ConnectRefused);
  EXPECT_NE(r.message.find("connection refused"), std::string::npos) << r.message;
  EXPECT_EQ(r.response.attempts, 2u);
}

TEST_F(HttpsClientTest, StreamedRequestBody) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  struct Source final : http::BodySource {
    uint64_t total = 3 * 1024 * 1024 + 17;
    uint64_t off = 0;
    int rewinds = 0;
    uint64_t size() const override { return total; }
    core::Result<size_t> read(char* out, size_t cap) override {
      size_t n = static_cast<size_t>(std::min<uint64_t>(cap, total - off));
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (off + i) % 26);
      off += n;
      return n;
    }
    bool rewind() override {
      ++rewinds;
      off = 0;
      return true;
    }
  } src;
  std::string expected;
  for (uint64_t i = 0; i < src.total; ++i) expected.push_back(static_cast<char>('a' + i % 26));
  http::ClientRequest req;
  req.method = "PUT";
  req.url = base(s) + "/echo";
  req.body_source = &src;
  auto r = run(req);
  ASSERT_TRUE(r.ok) << r.message;
  auto j = json::parse(r.response.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(json::get_int(j->get(), "bodyLength").value_or(-1), static_cast<int64_t>(src.total));
  unsigned char digest[32];
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), digest,
                 0);
  EXPECT_EQ(json::get_string(j->get(), "bodySha").value_or(""),
            core::hex_encode(std::string_view(reinterpret_cast<char*>(digest), 32)));
}

TEST_F(HttpsClientTest, CancelledRequestNeverCallsBack) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  make_client();
  struct Dropped final : http::ResponseHandler {
    int completes = 0, drops = 0;
    void on_complete(uint64_t, http::ClientResult&) override { ++completes; }
    void on_dropped(uint64_t) override { ++drops; }
  } h;
  http::ClientRequest req;
  req.url = base(s) + "/stall";
  auto id = client_->request(req, &h);
  ASSERT_TRUE(id.ok());
  struct Canceller final : uv::Timer::Handler {
    http::Client* c;
    uint64_t id;
    bool result = false;
    void on_timer(uv::Timer*) override { result = c->cancel(id); }
  } cancel;
  cancel.c = client_.get();
  cancel.id = *id;
  auto t = uv::Timer::create(loop_.get(), &cancel);
  t->start(300);
  run_loop();
  t.reset();
  EXPECT_TRUE(cancel.result);
  EXPECT_EQ(h.completes, 0);
  EXPECT_EQ(h.drops, 1);
  EXPECT_FALSE(client_->cancel(*id));
}

TEST_F(HttpsClientTest, InvalidRequestsFailAtOnceWithoutCallback) {
  make_client();
  Collector c;
  http::ClientRequest req;
  req.url = "ftp://example.com/";
  EXPECT_EQ(client_->request(req, &c).error().code, Errc::InvalidArgument);
  req.url = "https://example.com/";
  req.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  EXPECT_EQ(client_->request(req, &c).error().code, Errc::InvalidArgument);
  req.headers.clear();
  req.method = "GE T";
  EXPECT_EQ(client_->request(req, &c).error().code, Errc::InvalidArgument);
  run_loop();
  EXPECT_EQ(c.calls, 0);
}

TEST_F(HttpsClientTest, QueueLimitAnswersBusy) {
  make_client();
  Collector c;
  http::ClientRequest req;
  req.url = "https://localhost:1/";
  for (size_t i = 0; i < core::limits::client::kMaxQueuedRequests; ++i)
    ASSERT_TRUE(client_->request(req, &c).ok()) << i;
  auto r = client_->request(req, &c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Busy);
  client_.reset();  // drops them all without callbacks
  EXPECT_EQ(c.calls, 0);
}

TEST_F(HttpsClientTest, FetchConvenience) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  make_client();
  int calls = 0;
  std::string body;
  http::ClientRequest req;
  req.url = base(s) + "/json";
  auto id = http::fetch(*client_, req, [&](http::ClientResult& r) {
    ++calls;
    body = r.response.body;
  });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(calls, 0);  // never from inside the start call
  run_loop();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(body.find("hello"), std::string::npos);
}

TEST_F(HttpsClientTest, MissingCaFileIsAConfigError) {
  http::Client::Options o;
  o.ca_file = test_pki_dir() + "/does-not-exist.pem";
  std::string msg;
  auto c = http::Client::create(loop_, o, &msg);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::Config);
  EXPECT_NE(msg.find("does-not-exist.pem"), std::string::npos) << msg;
  o.ca_file = test_pki_dir() + "/empty.pem";
  auto c2 = http::Client::create(loop_, o, &msg);
  ASSERT_FALSE(c2.ok());
  EXPECT_NE(msg.find("no usable certificate"), std::string::npos) << msg;
}

}  // namespace
