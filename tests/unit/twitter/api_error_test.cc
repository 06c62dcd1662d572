#include "twitter/api_error.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "unit/twitter/fixture_util.h"

using namespace twitter;
using twitter_test::fixture;

namespace {
bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST(RateLimit, ParsesHeadersAndIgnoresGarbage) {
  auto rl = parse_rate_limit("900", "871", "1562984923");
  EXPECT_EQ(rl.limit, 900);
  EXPECT_EQ(rl.remaining, 871);
  EXPECT_EQ(rl.reset_unix_s, 1562984923);
  auto bad = parse_rate_limit("x", "-1", std::nullopt);
  EXPECT_FALSE(bad.limit);
  EXPECT_FALSE(bad.remaining);
  EXPECT_FALSE(bad.reset_unix_s);
  EXPECT_EQ(parse_rate_limit(" 15 ", std::nullopt, std::nullopt).limit, 15);
}

TEST(RateLimit, ProceedsWhileRequestsRemain) {
  auto d = decide_rate_limit(200, parse_rate_limit("900", "1", "1700000900"), 1'700'000'000'000,
                             900'000);
  EXPECT_EQ(d.kind, RateDecision::Kind::Proceed);
}

TEST(RateLimit, WaitsForAResetWithinTheBound) {
  // The recorded 429 (code 88): remaining 0, reset in 10 minutes.
  auto d = decide_rate_limit(429, parse_rate_limit("15", "0", "1700000600"), 1'700'000'000'000,
                             core::limits::kDefaultRateLimitMaxWaitMs);
  EXPECT_EQ(d.kind, RateDecision::Kind::Wait);
  EXPECT_EQ(d.wait_ms, 600'000 + core::limits::kRateLimitResetMarginMs);
  EXPECT_EQ(d.until_unix_s, 1700000600);
  EXPECT_TRUE(d.retry_same_request);
  // remaining 0 on a 200: this response is good, the next request waits.
  auto pre = decide_rate_limit(200, parse_rate_limit("900", "0", "1700000060"), 1'700'000'000'000,
                               900'000);
  EXPECT_EQ(pre.kind, RateDecision::Kind::Wait);
  EXPECT_FALSE(pre.retry_same_request);
  // A reset already in the past still waits the small margin.
  auto past =
      decide_rate_limit(429, parse_rate_limit("1", "0", "1699999000"), 1'700'000'000'000, 900'000);
  EXPECT_EQ(past.wait_ms, core::limits::kRateLimitResetMarginMs);
}

TEST(RateLimit, BeyondTheBoundIsRateLimitedUntilTheReset) {
  auto d =
      decide_rate_limit(429, parse_rate_limit("15", "0", "1700003600"), 1'700'000'000'000, 900'000);
  EXPECT_EQ(d.kind, RateDecision::Kind::RateLimited);
  EXPECT_EQ(d.until_unix_s, 1700003600);
  // A wait setting beyond the ceiling is capped at it.
  auto capped = decide_rate_limit(429, parse_rate_limit("1", "0", "1700200000"), 1'700'000'000'000,
                                  core::limits::kMaxRateLimitWaitCeilingMs * 10);
  EXPECT_EQ(capped.kind, RateDecision::Kind::RateLimited);
}

TEST(RateLimit, A429WithoutResetBacksOffExponentially) {
  auto d0 = decide_rate_limit(429, {}, 1'700'000'000'000, 900'000, 0);
  EXPECT_EQ(d0.kind, RateDecision::Kind::Wait);
  EXPECT_EQ(d0.wait_ms, core::limits::kRateLimitFallbackWaitMs);
  auto d2 = decide_rate_limit(429, {}, 1'700'000'000'000, 900'000, 2);
  EXPECT_EQ(d2.wait_ms, core::limits::kRateLimitFallbackWaitMs * 4);
  auto d9 = decide_rate_limit(429, {}, 1'700'000'000'000, 900'000, 9);
  EXPECT_EQ(d9.kind, RateDecision::Kind::RateLimited);
  // remaining 0 with no reset on a 200: nothing to wait for.
  EXPECT_EQ(decide_rate_limit(200, parse_rate_limit("1", "0", std::nullopt), 0, 900'000).kind,
            RateDecision::Kind::Proceed);
}

TEST(ApiErrors, RecordedV1AndV2Bodies) {
  ApiError a = classify_response(401, fixture("error_v1_401_could_not_authenticate.json"));
  EXPECT_EQ(a.code, core::Errc::Unauthorized);
  EXPECT_EQ(a.api_code, 32);
  EXPECT_TRUE(a.needs_relogin);
  EXPECT_TRUE(has(a.message, "Could not authenticate you.")) << a.message;
  EXPECT_TRUE(has(a.message, "API key and secret")) << a.message;

  ApiError b = classify_response(401, fixture("error_v2_401_unauthorized.json"));
  EXPECT_EQ(b.code, core::Errc::Unauthorized);
  EXPECT_TRUE(b.needs_relogin);
  EXPECT_TRUE(has(b.message, "sign in with X again")) << b.message;

  ApiError c = classify_response(401, fixture("error_v1_401_not_authorized_protected.json"));
  EXPECT_TRUE(has(c.message, "Not authorized.")) << c.message;

  ApiError r = classify_response(429, fixture("error_v1_429_rate_limit_exceeded.json"));
  EXPECT_EQ(r.code, core::Errc::RateLimited);
  EXPECT_EQ(r.api_code, 88);
  EXPECT_TRUE(r.retryable);

  ApiError bad = classify_response(400, fixture("error_v2_400_invalid_request.json"));
  EXPECT_EQ(bad.code, core::Errc::HttpStatus);
  EXPECT_FALSE(bad.retryable);
  EXPECT_TRUE(has(bad.message, "defect")) << bad.message;

  ApiError html = classify_response(404, fixture("error_v2_404_unknown_endpoint.html"));
  EXPECT_EQ(html.code, core::Errc::NotFound);
  EXPECT_TRUE(has(html.message, "deleted or suspended")) << html.message;
  EXPECT_FALSE(has(html.message, "<html")) << html.message;
  EXPECT_EQ(html.error().detail, 404);
}

TEST(ApiErrors, AccessLevelUsageCapClockAndServerErrors) {
  ApiError f = classify_response(
      403,
      R"({"errors":[{"message":"You currently have access to a subset of Twitter API v2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only.","code":453}]})");
  EXPECT_EQ(f.code, core::Errc::Forbidden);
  EXPECT_TRUE(f.use_v2);
  EXPECT_TRUE(has(f.message, "switch the connector to the X API v2")) << f.message;

  ApiError cf = classify_response(
      403,
      R"({"title":"Client Forbidden","detail":"...","type":"https://api.twitter.com/2/problems/client-forbidden","status":403})");
  EXPECT_EQ(cf.problem, "client-forbidden");
  EXPECT_TRUE(has(cf.message, "Project")) << cf.message;

  ApiError cap = classify_response(
      429,
      R"({"title":"Usage Capped","detail":"Usage cap exceeded","type":"https://api.x.com/2/problems/usage-capped","status":429})");
  EXPECT_EQ(cap.code, core::Errc::RateLimited);
  EXPECT_FALSE(cap.retryable);
  EXPECT_TRUE(has(cap.message, "billing period")) << cap.message;

  ApiError clock =
      classify_response(401, R"({"errors":[{"code":135,"message":"Timestamp out of bounds."}]})");
  EXPECT_FALSE(clock.needs_relogin);
  EXPECT_TRUE(has(clock.message, "clock")) << clock.message;

  ApiError expired =
      classify_response(401, R"({"errors":[{"code":89,"message":"Invalid or expired token."}]})");
  EXPECT_TRUE(expired.needs_relogin);
  EXPECT_TRUE(has(expired.message, "revoked or expired")) << expired.message;

  ApiError s = classify_response(503, "upstream unavailable");
  EXPECT_EQ(s.code, core::Errc::HttpStatus);
  EXPECT_TRUE(s.retryable);
  EXPECT_TRUE(has(s.message, "503")) << s.message;

  ApiError odd = classify_response(418, "");
  EXPECT_FALSE(odd.retryable);
  EXPECT_TRUE(has(odd.message, "418")) << odd.message;
}

TEST(ApiErrors, QuotedTextIsBoundedAndPrintable) {
  std::string body =
      R"({"errors":[{"code":1,"message":")" + std::string(5000, 'a') + "\\n\\u0001" + R"("}]})";
  ApiError e = classify_response(400, body);
  EXPECT_LT(e.message.size(), core::limits::kMaxApiMessageBytes + 300);
  for (char c : e.message) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(ApiErrors, TransportRetryPolicy) {
  EXPECT_TRUE(is_retryable_transport(core::Errc::ConnReset));
  EXPECT_TRUE(is_retryable_transport(core::Errc::Timeout));
  EXPECT_FALSE(is_retryable_transport(core::Errc::TlsUntrusted));
  EXPECT_FALSE(is_retryable_transport(core::Errc::Parse));
}
