// Unit tests for http/proxy.h: variable parsing, NO_PROXY matching, Basic credentials.
#include "http/proxy.h"

#include <gtest/gtest.h>

#include "core/codec.h"

namespace {

http::ProxyConfig make(const std::string& https, const std::string& http, const std::string& no) {
  http::ProxyEnv e{https, http, no};
  std::string msg;
  auto c = http::ProxyConfig::create(e, &msg);
  EXPECT_TRUE(c.ok()) << msg;
  return c.ok() ? *c : http::ProxyConfig();
}

TEST(Proxy, RoutesBySchemeWithCredentials) {
  auto c = make("http://u%40corp:p%3Ass@proxy.corp:3128", "proxy2:8080", "");
  auto r = c.route_for(*http::parse_url("https://api.twitter.com/x"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->proxy.authority(), "proxy.corp:3128");
  EXPECT_TRUE(r->proxy.userinfo.empty());
  EXPECT_EQ(r->authorization, "Basic " + core::base64_encode("u@corp:p:ss"));
  auto r2 = c.route_for(*http::parse_url("http://example.com/"));
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->proxy.authority(), "proxy2:8080");
  EXPECT_TRUE(r2->authorization.empty());
}

TEST(Proxy, NoProxyMatching) {
  auto c = make("http://p:1", "", "localhost, .internal.corp,example.com:8443,10.0.0.1,[::1]");
  EXPECT_TRUE(c.bypass("localhost", 443));
  EXPECT_TRUE(c.bypass("a.internal.corp", 443));
  EXPECT_TRUE(c.bypass("internal.corp", 443));
  EXPECT_FALSE(c.bypass("xinternal.corp", 443));
  EXPECT_TRUE(c.bypass("example.com", 8443));
  EXPECT_FALSE(c.bypass("example.com", 443));
  EXPECT_TRUE(c.bypass("10.0.0.1", 443));
  EXPECT_FALSE(c.bypass("10.0.0.10", 443));
  EXPECT_TRUE(c.bypass("::1", 443));
  EXPECT_FALSE(c.bypass("api.twitter.com", 443));
  EXPECT_FALSE(c.route_for(*http::parse_url("https://localhost/")).has_value());
  EXPECT_TRUE(c.route_for(*http::parse_url("https://api.twitter.com/")).has_value());
  EXPECT_TRUE(make("http://p:1", "", "*").bypass("anything", 1));
  EXPECT_TRUE(make("http://p:1", "", "LOCALHOST").bypass("localhost", 1));
}

TEST(Proxy, NoProxyVariableEmptyMeansDirectOnly) {
  auto c = make("", "", "");
  EXPECT_FALSE(c.route_for(*http::parse_url("https://api.twitter.com/")).has_value());
}

TEST(Proxy, RejectsBadProxyUrls) {
  std::string msg;
  EXPECT_FALSE(http::ProxyConfig::create({"https://proxy:443", "", ""}, &msg).ok());
  EXPECT_NE(msg.find("HTTPS_PROXY"), std::string::npos);
  EXPECT_NE(msg.find("only http://"), std::string::npos);
  EXPECT_FALSE(http::ProxyConfig::create({"", "http://pro xy", ""}, &msg).ok());
  EXPECT_NE(msg.find("HTTP_PROXY"), std::string::npos);
  EXPECT_FALSE(http::ProxyConfig::create({"http://user:secret@bad host", "", ""}, &msg).ok());
  EXPECT_EQ(msg.find("secret"), std::string::npos) << msg;
}

}  // namespace
