// The pure rules of the setup flow: redirectUrl and loginUrl acceptance (no open redirect),
// the sign-in cookie, Cookie parsing, https detection behind a trusted proxy, and the shapes
// of the responses.
#include "connector/setup_flow.h"

#include <gtest/gtest.h>

#include "core/limits.h"

using namespace connector;

TEST(SetupFlow, RedirectUrlMustBeTheAbsoluteCallbackPage) {
  std::string why;
  EXPECT_TRUE(check_redirect_url("https://contoso.example/Views/TwitterOAuth", &why)) << why;
  EXPECT_TRUE(check_redirect_url("http://127.0.0.1:8080/Views/TwitterOAuth", &why)) << why;
  EXPECT_TRUE(check_redirect_url("https://contoso.example/views/twitteroauth", &why)) << why;
  struct Bad {
    const char* url;
    const char* says;
  } bad[] = {
      {"", "missing"},
      {"/Views/TwitterOAuth", "https://"},
      {"ftp://contoso.example/Views/TwitterOAuth", "https://"},
      {"javascript:alert(1)//Views/TwitterOAuth", "https://"},
      {"https://contoso.example/Views/Other", "/Views/TwitterOAuth"},
      {"https://contoso.example/", "/Views/TwitterOAuth"},
      {"https://contoso.example/Views/TwitterOAuth/", "/Views/TwitterOAuth"},
      {"https://contoso.example/Views/TwitterOAuth?x=1", "query"},
      {"https://contoso.example/Views/TwitterOAuth#top", "not a valid URL"},
      {"https://user:pw@contoso.example/Views/TwitterOAuth", "not a valid URL"},
      {"https://contoso.example/Views/Twitter OAuth", "not a valid URL"},
      {"https:///Views/TwitterOAuth", "not a valid URL"},
  };
  for (const Bad& b : bad) {
    why.clear();
    EXPECT_FALSE(check_redirect_url(b.url, &why)) << b.url;
    EXPECT_NE(why.find(b.says), std::string::npos) << b.url << ": " << why;
    EXPECT_NE(why.find("/Views/TwitterOAuth"), std::string::npos) << why;  // says what to send
  }
  std::string long_url = "https://contoso.example/Views/TwitterOAuth";
  long_url.insert(8, std::string(core::limits::kMaxSetupUrlBytes, 'a'));
  EXPECT_FALSE(check_redirect_url(long_url, &why));
  EXPECT_NE(why.find("longer than"), std::string::npos) << why;
}

TEST(SetupFlow, LoginUrlOnlyLeadsToTheConfiguredXSignInPages) {
  const std::string base = "https://api.twitter.com";
  EXPECT_TRUE(is_allowed_login_url(base + "/oauth/authenticate?oauth_token=abc", base));
  EXPECT_TRUE(is_allowed_login_url(base + "/oauth/authorize?oauth_token=abc", base));
  EXPECT_TRUE(is_allowed_login_url("http://127.0.0.1:9/x/oauth/authorize?oauth_token=abc",
                                   "http://127.0.0.1:9/x"));
  for (std::string bad : {
           std::string("https://evil.example/oauth/authenticate?oauth_token=abc"),
           base + "/oauth/authenticate",                   // no query
           base + "/oauth/authenticate?",                  // empty query
           base + "/oauth/request_token?oauth_token=abc",  // not a browser page
           base + "/oauth/authenticate/../../x?y",
           base + ".evil.example/oauth/authenticate?oauth_token=abc",
           base + "@evil.example/oauth/authenticate?oauth_token=abc",
           base + "/oauth/authenticate?oauth_token=abc#frag",
           base + "/oauth/authenticate?oauth_token=a b",
           base + "/oauth/authenticate?oauth_token=a\r\nSet-Cookie: x=y",
           std::string("//evil.example/oauth/authenticate?x"),
           std::string("/oauth/authenticate?oauth_token=abc"),
           std::string("HTTPS://API.TWITTER.COM/oauth/authenticate?oauth_token=abc"),
           std::string(""),
       }) {
    EXPECT_FALSE(is_allowed_login_url(bad, base)) << bad;
  }
  std::string huge =
      base + "/oauth/authenticate?oauth_token=" + std::string(core::limits::kMaxSetupUrlBytes, 'a');
  EXPECT_FALSE(is_allowed_login_url(huge, base));
}

TEST(SetupFlow, SignInCookieIsHttpOnlyLaxScopedToTheCallbackAndSecureOverHttps) {
  std::string c = sign_in_cookie("abc123", false);
  EXPECT_EQ(c, "tc_signin=abc123; Path=/Views/TwitterOAuth; Max-Age=900; HttpOnly; SameSite=Lax");
  EXPECT_EQ(sign_in_cookie("abc123", true), c + "; Secure");
  EXPECT_EQ(expired_sign_in_cookie(false),
            "tc_signin=; Path=/Views/TwitterOAuth; Max-Age=0; HttpOnly; SameSite=Lax");
  EXPECT_EQ(core::limits::kPendingAuthTtlMs / 1000, 900);  // cookie and sign-in expire together
}

TEST(SetupFlow, CookieValueFromOneOrSeveralCookieHeaders) {
  http::Headers h;
  EXPECT_FALSE(cookie_value(h, "tc_signin"));
  h.add("Cookie", "a=1; tc_signinx=no;  tc_signin=s1 ; b=2");
  EXPECT_EQ(cookie_value(h, "tc_signin").value_or("?"), "s1");
  http::Headers h2;
  h2.add("cookie", "a=1");
  h2.add("Cookie", "tc_signin=\"quoted\"");
  EXPECT_EQ(cookie_value(h2, "tc_signin").value_or("?"), "quoted");
  http::Headers h3;
  h3.add("Cookie", "tc_signin");  // no '=': not a value
  EXPECT_FALSE(cookie_value(h3, "tc_signin"));
  http::Headers h4;
  h4.add("Cookie", "tc_signin=");
  EXPECT_EQ(cookie_value(h4, "tc_signin").value_or("?"), "");
}

TEST(SetupFlow, HttpsOnlyThroughATrustedProxy) {
  http::Request r;
  EXPECT_FALSE(request_is_https(r, true));
  r.headers.add("X-Forwarded-Proto", "https");
  EXPECT_TRUE(request_is_https(r, true));
  EXPECT_FALSE(request_is_https(r, false));  // anyone can send the header
  http::Request chain;
  chain.headers.add("X-Forwarded-Proto", " HTTPS , http");
  EXPECT_TRUE(request_is_https(chain, true));
  http::Request plain;
  plain.headers.add("X-Forwarded-Proto", "http");
  EXPECT_FALSE(request_is_https(plain, true));
}

TEST(SetupFlow, DoneLocationNamesTheStatusAndTheAccount) {
  EXPECT_EQ(done_location(SignInStatus::Connected, "contoso_media"),
            "/Views/TwitterOAuthDone?status=connected&account=contoso_media");
  EXPECT_EQ(done_location(SignInStatus::Connected, "a b&c"),
            "/Views/TwitterOAuthDone?status=connected&account=a%20b%26c");
  EXPECT_EQ(done_location(SignInStatus::Connected, ""), "/Views/TwitterOAuthDone?status=connected");
  EXPECT_EQ(done_location(SignInStatus::Denied, "x"), "/Views/TwitterOAuthDone?status=denied");
  EXPECT_EQ(done_location(SignInStatus::Expired, ""), "/Views/TwitterOAuthDone?status=expired");
  EXPECT_EQ(done_location(SignInStatus::Failed, ""), "/Views/TwitterOAuthDone?status=failed");
}

TEST(SetupFlow, ResponsesAreNeverCachedAndCallbackOnesSendNoReferrer) {
  http::Response r = callback_redirect("/Views/TwitterOAuthDone?status=denied");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.headers.get("Location").value_or(""), "/Views/TwitterOAuthDone?status=denied");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(r.headers.get("Referrer-Policy").value_or(""), "no-referrer");
  http::Response p = callback_page(400, "Start again.");
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.body, "Start again.\n");
  EXPECT_EQ(p.headers.get("Referrer-Policy").value_or(""), "no-referrer");
  http::Response m = setup_message(409, "say \"what\"");
  EXPECT_EQ(m.status, 409);
  EXPECT_EQ(m.body, R"({"Message":"say \"what\""})");
  EXPECT_EQ(m.headers.get("Cache-Control").value_or(""), "no-store");
  http::Response t = setup_json("true");
  EXPECT_EQ(t.body, "true");
  EXPECT_EQ(t.headers.get("Content-Type").value_or(""), "application/json; charset=utf-8");
}
