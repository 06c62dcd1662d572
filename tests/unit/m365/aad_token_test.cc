// AAD client-credentials pieces: request body and URL, answers in v1 and v2 shapes, errors,
// and the per-tenant cache with one shared in-flight request.
#include "m365/aad_token.h"

#include <gtest/gtest.h>

#include "core/limits.h"

using namespace m365;

TEST(AadToken, EndpointFromAuthorityAndTenant) {
  EXPECT_EQ(
      *token_endpoint("https://login.microsoftonline.com", "11111111-2222-3333-4444-555555555555"),
      "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/token");
  EXPECT_EQ(*token_endpoint("https://login.windows.net/", "contoso.onmicrosoft.com"),
            "https://login.windows.net/contoso.onmicrosoft.com/oauth2/token");
  EXPECT_EQ(*token_endpoint("https://127.0.0.1:8443/aad", "t"),
            "https://127.0.0.1:8443/aad/t/oauth2/token");
  EXPECT_EQ(token_endpoint("http://login.microsoftonline.com", "t").error().code,
            core::Errc::Config);
  EXPECT_FALSE(token_endpoint("https://login.microsoftonline.com?x=1", "t").ok());
  EXPECT_FALSE(token_endpoint("https://login.microsoftonline.com", "").ok());
  EXPECT_FALSE(token_endpoint("https://login.microsoftonline.com", "a/../b").ok());
  EXPECT_FALSE(token_endpoint("https://login.microsoftonline.com", "a?b").ok());
}

TEST(AadToken, ClientCredentialsBodyIsPercentEncoded) {
  EXPECT_EQ(
      client_credentials_body("33333333-0000-0000-0000-000000000000", "s3c+r/t= &x~"),
      "grant_type=client_credentials&client_id=33333333-0000-0000-0000-000000000000&client_secret="
      "s3c%2Br%2Ft%3D%20%26x~"
      "&resource=https%3A%2F%2Fmicrosoft.onmicrosoft.com%2F4e476d41-2395-42be-89ff-34cb9186a1ac");
}

TEST(AadToken, V1AnswerWithStringNumbers) {
  auto t = parse_token_response(
      R"({"access_token":"eyJ0.x.y","token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","expires_on":"1388452167","not_before":"1388448267","resource":"https://service.contoso.com/"})",
      1388448567);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->access_token, "eyJ0.x.y");
  EXPECT_EQ(t->expires_on, 1388452167);
}

TEST(AadToken, V2AnswerWithNumbers) {
  auto t = parse_token_response(
      R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"abc"})",
      1700000000);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expires_on, 1700003599);
  EXPECT_EQ(t->obtained_at, 1700000000);
}

TEST(AadToken, RejectsBadAnswers) {
  auto where = [](const char* body) {
    return std::string(parse_token_response(body, 1700000000).error().where);
  };
  EXPECT_EQ(where("<html>"), "aad: token answer is not a JSON object");
  EXPECT_EQ(where(R"({"token_type":"Bearer","expires_in":1})"),
            "aad: token answer without access_token");
  EXPECT_EQ(where(R"({"access_token":"a","token_type":"mac","expires_in":1})"),
            "aad: token_type is not Bearer");
  EXPECT_EQ(where(R"({"access_token":"a","token_type":"Bearer"})"),
            "aad: token answer without expires_on or expires_in");
  EXPECT_EQ(where(R"({"access_token":"a","token_type":"Bearer","expires_in":"12x"})"),
            "aad: expiry field is neither a number nor a decimal string");
  EXPECT_EQ(where(R"({"access_token":"a","token_type":"Bearer","expires_in":-5})"),
            "aad: expiry field is neither a number nor a decimal string");
  EXPECT_EQ(where(R"({"access_token":"a","token_type":"Bearer","expires_in":1.5})"),
            "aad: expiry field is neither a number nor a decimal string");
  EXPECT_EQ(where(R"({"access_token":"a","token_type":"Bearer","expires_on":"1600000000"})"),
            "aad: token answer already expired");
  EXPECT_EQ(parse_token_response(std::string(core::limits::kMaxAadResponseBytes + 1, ' '), 0)
                .error()
                .code,
            core::Errc::TooLarge);
}

TEST(AadToken, ByteByBytePrefixesNeverParse) {
  std::string body = R"({"token_type":"Bearer","expires_in":"3599","access_token":"abc"})";
  for (size_t i = 0; i < body.size(); ++i)
    EXPECT_FALSE(parse_token_response(body.substr(0, i), 1).ok()) << i;
  EXPECT_TRUE(parse_token_response(body, 1).ok());
}

TEST(AadError, KeepsAadstsVerbatimAndClassifies) {
  AadError e = parse_error_response(
      401,
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0c6a\r\nCorrelation ID: 9f1e\r\nTimestamp: 2026-12-04 16:00:00Z","error_codes":[7000215],"timestamp":"2026-12-04 16:00:00Z","trace_id":"0c6a","correlation_id":"9f1e"})");
  EXPECT_EQ(e.error, "invalid_client");
  EXPECT_EQ(e.aadsts, "AADSTS7000215");
  EXPECT_EQ(e.description.rfind("AADSTS7000215: Invalid client secret provided.", 0), 0u);
  EXPECT_EQ(e.trace_id, "0c6a");
  EXPECT_EQ(e.correlation_id, "9f1e");
  EXPECT_TRUE(e.permanent);

  AadError consent = parse_error_response(
      400,
      R"({"error":"invalid_resource","error_description":"AADSTS500011: The resource principal named https://microsoft.onmicrosoft.com/4e476d41-2395-42be-89ff-34cb9186a1ac was not found in the tenant."})");
  EXPECT_EQ(consent.aadsts, "AADSTS500011");
  EXPECT_TRUE(consent.permanent);

  AadError busy = parse_error_response(503, "<html>Service Unavailable</html>");
  EXPECT_EQ(busy.error, "http_503");
  EXPECT_EQ(busy.description, "");
  EXPECT_FALSE(busy.permanent);
  AadError throttled = parse_error_response(
      429, R"({"error":"invalid_request","error_description":"AADSTS50196: loop"})");
  EXPECT_FALSE(throttled.permanent);

  std::string huge(5000, 'x');
  AadError capped = parse_error_response(
      400, R"({"error":"invalid_request","error_description":")" + huge + "\"}");
  EXPECT_EQ(capped.description.size(), core::limits::kMaxAadErrorDescriptionBytes);
}

TEST(AadError, NothingOfTheRequestIsEchoed) {
  // The error value is built from the answer alone: a body echoing nothing yields nothing.
  std::string body = client_credentials_body("client-id-1", "TopSecret-Value");
  AadError e = parse_error_response(
      400, R"({"error":"invalid_client","error_description":"AADSTS7000215: bad"})");
  for (const std::string* f : {&e.error, &e.description, &e.aadsts, &e.trace_id, &e.correlation_id})
    EXPECT_EQ(f->find("TopSecret"), std::string::npos);
}

namespace {
AadToken token(const char* value, int64_t expires_on, int64_t obtained_at = 0) {
  return AadToken{value, "Bearer", expires_on, obtained_at};
}
}  // namespace

TEST(TokenCache, OneInFlightRequestSharedByAllCallers) {
  TokenCache cache(300);
  std::vector<std::string> got;
  auto waiter = [&](const core::Result<AadToken>& r) {
    got.push_back(r.ok() ? r->access_token : "error");
  };
  auto a = cache.acquire("t1", 1000, waiter);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->action, TokenCache::Action::StartRequest);
  EXPECT_EQ(cache.acquire("t1", 1001, waiter)->action, TokenCache::Action::Wait);
  EXPECT_EQ(cache.acquire("t1", 1002, waiter)->action, TokenCache::Action::Wait);
  // Another tenant has its own request.
  EXPECT_EQ(cache.acquire("t2", 1002, waiter)->action, TokenCache::Action::StartRequest);
  EXPECT_TRUE(got.empty());  // nothing is called from inside acquire

  auto done = cache.complete("t1", token("tok1", 1000 + 3600), 1003);
  EXPECT_EQ(done.waiters.size(), 3u);
  for (auto& w : done.waiters) w(done.result);
  EXPECT_EQ(got, (std::vector<std::string>{"tok1", "tok1", "tok1"}));
  EXPECT_FALSE(cache.in_flight("t1"));
  EXPECT_TRUE(cache.in_flight("t2"));

  auto cached = cache.acquire("t1", 2000, waiter);
  ASSERT_EQ(cached->action, TokenCache::Action::UseCached);
  EXPECT_EQ(cached->token->access_token, "tok1");
}

TEST(TokenCache, RefreshesFiveMinutesAheadAndKeepsOldTokenOnFailure) {
  TokenCache cache;  // limits::kAadRefreshAheadS
  auto noop = [](const core::Result<AadToken>&) {};
  (void)cache.acquire("t", 0, noop);
  (void)cache.complete("t", token("old", 3600), 0);
  EXPECT_TRUE(cache.valid("t", 3600 - 301));
  EXPECT_EQ(cache.acquire("t", 3600 - 301, noop)->action, TokenCache::Action::UseCached);
  EXPECT_FALSE(cache.valid("t", 3600 - 300));
  EXPECT_EQ(cache.acquire("t", 3600 - 300, noop)->action, TokenCache::Action::StartRequest);
  // The early refresh fails; the old token has not expired, so waiters still get it.
  auto c = cache.complete("t", core::make_error(core::Errc::Timeout, "aad"), 3600 - 200);
  ASSERT_TRUE(c.result.ok());
  EXPECT_EQ(c.result->access_token, "old");
  // After expiry a failure reaches the waiters as an error.
  EXPECT_EQ(cache.acquire("t", 3700, noop)->action, TokenCache::Action::StartRequest);
  c = cache.complete("t", core::make_error(core::Errc::Timeout, "aad"), 3700);
  EXPECT_FALSE(c.result.ok());
  EXPECT_EQ(c.waiters.size(), 1u);
}

TEST(TokenCache, InvalidateForcesANewRequest) {
  TokenCache cache(300);
  auto noop = [](const core::Result<AadToken>&) {};
  (void)cache.acquire("t", 0, noop);
  (void)cache.complete("t", token("a", 3600), 0);
  cache.invalidate("t");
  EXPECT_EQ(cache.acquire("t", 10, noop)->action, TokenCache::Action::StartRequest);
}

TEST(TokenCache, BoundedTenantsAndWaiters) {
  TokenCache cache(300);
  auto noop = [](const core::Result<AadToken>&) {};
  for (size_t i = 0; i < core::limits::kMaxAadTenants; ++i)
    ASSERT_TRUE(cache.acquire("t" + std::to_string(i), 0, noop).ok());
  EXPECT_EQ(cache.acquire("extra", 0, noop).error().code, core::Errc::Busy);
  // Once a tenant's request ends with nothing valid cached, its slot can be reused.
  (void)cache.complete("t0", core::make_error(core::Errc::Timeout), 0);
  EXPECT_TRUE(cache.acquire("extra", 0, noop).ok());
  for (size_t i = 1; i < core::limits::kMaxAadWaiters; ++i)
    ASSERT_TRUE(cache.acquire("t1", 0, noop).ok());
  EXPECT_EQ(cache.acquire("t1", 0, noop).error().code, core::Errc::Busy);
}

TEST(TokenCache, ShortLivedTokenIsReusedForHalfItsLifetime) {
  TokenCache cache(300);
  auto noop = [](const core::Result<AadToken>&) {};
  (void)cache.acquire("t", 1000, noop);
  (void)cache.complete("t", token("short", 1000 + 120, 1000), 1000);
  EXPECT_EQ(cache.acquire("t", 1059, noop)->action, TokenCache::Action::UseCached);
  EXPECT_EQ(cache.acquire("t", 1060, noop)->action, TokenCache::Action::StartRequest);
}
