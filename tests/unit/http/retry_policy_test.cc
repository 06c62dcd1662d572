// Unit tests for http/retry_policy.h with a manual clock and a seeded RNG.
#include "http/retry_policy.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <cstring>

namespace {

using http::AttemptResult;
using http::RetryPolicy;

AttemptResult status(int s, const http::ClientHeaders* h = nullptr) {
  AttemptResult r;
  r.status = s;
  r.headers = h;
  return r;
}

TEST(RetryPolicy, RetryableStatusesOnly) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(RetryPolicy::retryable_status(s)) << s;
  for (int s : {200, 301, 400, 401, 403, 404, 409, 413, 501, 505})
    EXPECT_FALSE(RetryPolicy::retryable_status(s)) << s;
}

TEST(RetryPolicy, RetryableErrors) {
  auto err = [](core::Errc c, int detail = 0) {
    static core::Error e;
    e = core::make_error(c, "t", detail);
    AttemptResult r;
    r.error = &e;
    return RetryPolicy::retryable(r);
  };
  EXPECT_TRUE(err(core::Errc::ConnectRefused));
  EXPECT_TRUE(err(core::Errc::ConnReset));
  EXPECT_TRUE(err(core::Errc::ConnClosed));
  EXPECT_TRUE(err(core::Errc::Timeout));
  EXPECT_TRUE(err(core::Errc::Connect));
  EXPECT_TRUE(err(core::Errc::Dns, UV_EAI_AGAIN));
  EXPECT_FALSE(err(core::Errc::Dns, UV_EAI_NONAME));
  EXPECT_FALSE(err(core::Errc::TlsUntrusted));
  EXPECT_FALSE(err(core::Errc::TlsHostname));
  EXPECT_FALSE(err(core::Errc::TooLarge));
  EXPECT_FALSE(err(core::Errc::Proxy));
}

TEST(RetryPolicy, ExponentialFullJitterCapped) {
  core::ManualClock clock;
  core::SeededRng rng(3);
  http::RetryConfig cfg;
  cfg.max_attempts = 10;
  cfg.base_delay_ms = 100;
  cfg.max_delay_ms = 1000;
  RetryPolicy p(cfg, clock, rng);
  // Full jitter: each delay is uniform in [0, min(cap, base * 2^(n-1))]; over many draws the
  // largest one comes close to that ceiling and none exceeds it.
  const uint64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000};
  for (uint32_t n = 1; n <= 9; ++n) {
    uint64_t hi = 0;
    for (int i = 0; i < 300; ++i) {
      auto d = p.next_delay(n, true, status(503));
      ASSERT_TRUE(d.has_value());
      EXPECT_LE(*d, ceilings[n - 1]);
      hi = std::max(hi, *d);
    }
    EXPECT_GE(hi, ceilings[n - 1] * 9 / 10) << n;
  }
  EXPECT_FALSE(p.next_delay(10, true, status(503)).has_value());
}

TEST(RetryPolicy, JitterIsDeterministicAndInRange) {
  core::ManualClock clock;
  core::SeededRng a(7), b(7);
  http::RetryConfig cfg;
  RetryPolicy pa(cfg, clock, a), pb(cfg, clock, b);
  for (uint32_t n = 1; n < 4; ++n) {
    auto da = pa.next_delay(n, true, status(502));
    auto db = pb.next_delay(n, true, status(502));
    ASSERT_TRUE(da && db);
    EXPECT_EQ(*da, *db);
    EXPECT_LE(*da, cfg.base_delay_ms << (n - 1));
  }
}

TEST(RetryPolicy, NeverRetriesUnsafeOrClientErrors) {
  core::ManualClock clock;
  core::SeededRng rng(1);
  RetryPolicy p(http::RetryConfig{}, clock, rng);
  EXPECT_FALSE(p.next_delay(1, false, status(503)).has_value());
  EXPECT_FALSE(p.next_delay(1, true, status(404)).has_value());
  EXPECT_FALSE(p.next_delay(1, true, status(400)).has_value());
  EXPECT_TRUE(p.next_delay(1, true, status(408)).has_value());
}

TEST(RetryPolicy, HonoursRetryAfterSeconds) {
  core::ManualClock clock;
  core::SeededRng rng(1);
  RetryPolicy p(http::RetryConfig{}, clock, rng);
  http::ClientHeaders h = {{"Retry-After", "7"}};
  EXPECT_EQ(p.next_delay(1, true, status(429, &h)), 7000u);
  http::ClientHeaders too_long = {{"Retry-After", "3600"}};
  EXPECT_FALSE(p.next_delay(1, true, status(429, &too_long)).has_value());
}

TEST(RetryPolicy, HonoursRetryAfterDateAndRateLimitReset) {
  core::ManualClock clock(1'700'000'000'000);  // 2023-11-14T22:13:20Z
  core::SeededRng rng(1);
  RetryPolicy p(http::RetryConfig{}, clock, rng);
  http::ClientHeaders date = {{"retry-after", "Tue, 14 Nov 2023 22:13:50 GMT"}};
  EXPECT_EQ(p.next_delay(1, true, status(503, &date)), 30000u);
  http::ClientHeaders past = {{"retry-after", "Tue, 14 Nov 2023 22:00:00 GMT"}};
  EXPECT_EQ(p.next_delay(1, true, status(503, &past)), 0u);
  http::ClientHeaders reset = {{"x-rate-limit-reset", "1700000045"}};
  EXPECT_EQ(p.next_delay(1, true, status(429, &reset)), 45000u);
  http::ClientHeaders junk = {{"Retry-After", "soon"}};
  auto d = p.next_delay(1, true, status(503, &junk));
  ASSERT_TRUE(d.has_value());  // falls back to backoff
  EXPECT_LE(*d, 500u);
}

TEST(RetryPolicy, ParsesHttpDates) {
  EXPECT_EQ(http::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(http::parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_FALSE(http::parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(http::parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT").has_value());
  EXPECT_FALSE(http::parse_http_date("").has_value());
}

}  // namespace
