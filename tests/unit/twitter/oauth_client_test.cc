// Classification of X's answers to request_token / access_token (one sentence for the admin,
// X's words for the log) and the OAuthClient's start-time refusals. The exchanges themselves
// run against the fake X in tests/integration/oauth_client_test.cc.
#include "twitter/oauth_client.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/rand.h"
#include "uv/loop.h"

using namespace twitter;
using Kind = OAuthFailure::Kind;

namespace {
const char* kCallback = "https://contoso.example/Views/TwitterOAuth";
}

TEST(OAuthClientClassify, ErrorTextFromJsonXmlProblemAndPlainBodies) {
  auto j = x_error_text(R"({"errors":[{"code":32,"message":"Could not authenticate you."}]})");
  EXPECT_EQ(j.code, 32);
  EXPECT_EQ(j.text, "Could not authenticate you.");
  auto x = x_error_text(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors><error code=\"415\">Callback URL not "
      "approved for this client application.</error></errors>");
  EXPECT_EQ(x.code, 415);
  EXPECT_EQ(x.text, "Callback URL not approved for this client application.");
  auto p = x_error_text(R"({"title":"Unauthorized","detail":"Unauthorized","status":401})");
  EXPECT_EQ(p.code, 0);
  EXPECT_EQ(p.text, "Unauthorized");
  auto t = x_error_text("Invalid request token.\r\n\x01");
  EXPECT_EQ(t.code, 0);
  EXPECT_EQ(t.text, "Invalid request token.   ");  // control characters blanked
  EXPECT_LE(x_error_text(std::string(5000, 'a')).text.size(), 200u);
}

TEST(OAuthClientClassify, WrongAppKeyNamesTheConfigurePage) {
  auto f = classify_oauth_answer(
      OAuthStep::RequestToken, 401,
      R"({"errors":[{"code":32,"message":"Could not authenticate you."}]})", kCallback);
  EXPECT_EQ(f.kind, Kind::AppCredentials);
  EXPECT_EQ(f.error.code, core::Errc::Unauthorized);
  EXPECT_EQ(f.http_status, 401);
  EXPECT_NE(f.message.find("check Twitter Api Key and Secret on the Configure page"),
            std::string::npos)
      << f.message;
  EXPECT_NE(f.detail.find("code 32: Could not authenticate you."), std::string::npos) << f.detail;
}

TEST(OAuthClientClassify, CallbackNotApprovedNamesTheUrlToRegister) {
  for (int status : {401, 403}) {
    for (std::string body :
         {std::string(R"({"errors":[{"code":415,"message":"Callback URL not approved"}]})"),
          std::string("<errors><error code=\"415\">Callback URL not approved for this client "
                      "application.</error></errors>"),
          std::string(R"({"errors":[{"code":417,"message":"Desktop applications only support )"
                      R"(the oauth_callback value 'oob'"}]})")}) {
      auto f = classify_oauth_answer(OAuthStep::RequestToken, status, body, kCallback);
      EXPECT_EQ(f.kind, Kind::CallbackNotApproved) << body;
      EXPECT_NE(f.message.find(std::string("add ") + kCallback + " as a callback URL of the X app"),
                std::string::npos)
          << f.message;
    }
  }
}

TEST(OAuthClientClassify, AccessTokenRefusalsRateLimitsOutagesAndOthers) {
  auto v = classify_oauth_answer(OAuthStep::AccessToken, 401,
                                 "Error processing your OAuth request: Invalid oauth_verifier "
                                 "parameter",
                                 "");
  EXPECT_EQ(v.kind, Kind::VerifierRejected);
  EXPECT_NE(v.message.find("sign in with Twitter again"), std::string::npos) << v.message;
  EXPECT_NE(v.detail.find("Invalid oauth_verifier"), std::string::npos) << v.detail;

  auto r = classify_oauth_answer(OAuthStep::RequestToken, 429, "{}", kCallback);
  EXPECT_EQ(r.kind, Kind::RateLimited);
  EXPECT_EQ(r.error.code, core::Errc::RateLimited);
  EXPECT_NE(r.message.find("try again in a few minutes"), std::string::npos);

  auto u = classify_oauth_answer(OAuthStep::AccessToken, 503, "Over capacity", "");
  EXPECT_EQ(u.kind, Kind::Unavailable);
  EXPECT_NE(u.message.find("HTTP 503"), std::string::npos);

  auto o =
      classify_oauth_answer(OAuthStep::RequestToken, 403,
                            R"({"errors":[{"code":453,"message":"access level"}]})", kCallback);
  EXPECT_EQ(o.kind, Kind::Refused);
  EXPECT_EQ(o.error.code, core::Errc::Forbidden);
  EXPECT_NE(o.message.find("Configure page"), std::string::npos);
}

TEST(OAuthClientClassify, TransportFailureAndBadAnswer) {
  http::ClientResult res;
  res.ok = false;
  res.error = core::make_error(core::Errc::ConnectRefused, "connect");
  res.message = "127.0.0.1:9: connection refused";
  auto t = oauth_transport_failure(res);
  EXPECT_EQ(t.kind, Kind::Unreachable);
  EXPECT_EQ(t.http_status, 0);
  EXPECT_NE(t.message.find("X could not be reached (127.0.0.1:9: connection refused)"),
            std::string::npos)
      << t.message;
  auto b = oauth_bad_answer(OAuthStep::RequestToken,
                            core::make_error(core::Errc::Parse, "oauth_callback_confirmed"));
  EXPECT_EQ(b.kind, Kind::BadAnswer);
  EXPECT_NE(b.message.find("oauth_callback_confirmed"), std::string::npos);
  EXPECT_STREQ(oauth_failure_kind_name(Kind::CallbackNotApproved), "callback_not_approved");
}

TEST(OAuthClient, StartRefusalsNeverCallBackAndBuildXsBrowserUrl) {
  uv::Loop loop;
  core::ManualClock clock;
  core::SeededRng rng(7);
  std::string msg;
  auto http = http::Client::create(loop, {}, &msg);
  ASSERT_TRUE(http.ok()) << msg;
  {
    OAuthClient::Options o;
    o.base = "http://127.0.0.1:9";
    OAuthClient c(**http, o, clock, rng);
    EXPECT_EQ(c.authenticate_url("tok en"),
              "http://127.0.0.1:9/oauth/authenticate?oauth_token=tok%20en");
    int calls = 0;
    auto cb = [&](core::Result<oauth::RequestToken>, const OAuthFailure&) { ++calls; };
    EXPECT_EQ(c.request_token({"", "s"}, kCallback, cb).error().code, core::Errc::InvalidArgument);
    EXPECT_EQ(c.request_token({"k", ""}, kCallback, cb).error().code, core::Errc::InvalidArgument);
    auto acb = [&](core::Result<oauth::AccessToken>, const OAuthFailure&) { ++calls; };
    EXPECT_EQ(c.access_token({"k", "s"}, "", "sec", "v", acb).error().code,
              core::Errc::InvalidArgument);
    EXPECT_EQ(c.access_token({"k", "s"}, "t", "sec", "", acb).error().code,
              core::Errc::InvalidArgument);
    EXPECT_EQ(c.running(), 0u);
    loop.run();
    EXPECT_EQ(calls, 0);
  }
  {
    // A client destroyed with exchanges running cancels them: no callback, clean loop.
    OAuthClient::Options o;
    o.base = "http://127.0.0.1:9";
    o.max_running = 2;
    int calls = 0;
    auto c = std::make_unique<OAuthClient>(**http, o, clock, rng);
    auto cb = [&](core::Result<oauth::RequestToken>, const OAuthFailure&) { ++calls; };
    ASSERT_TRUE(c->request_token({"k", "s"}, kCallback, cb).ok());
    ASSERT_TRUE(c->request_token({"k", "s"}, kCallback, cb).ok());
    EXPECT_EQ(c->request_token({"k", "s"}, kCallback, cb).error().code, core::Errc::Busy);
    EXPECT_EQ(c->running(), 2u);
    c.reset();
    loop.run();
    EXPECT_EQ(calls, 0);
  }
  http->reset();
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
}
