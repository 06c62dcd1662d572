// Unit tests for http/url.h: parsing, normalisation, origins, references, redaction.
#include "http/url.h"

#include <gtest/gtest.h>

namespace {

TEST(Url, ParsesAndNormalises) {
  auto u =
      http::parse_url("HTTPS://API.Twitter.com/1.1/statuses/user_timeline.json?count=200#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.twitter.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/1.1/statuses/user_timeline.json?count=200");
  EXPECT_EQ(u->path(), "/1.1/statuses/user_timeline.json");
  EXPECT_EQ(u->authority(), "api.twitter.com");
  EXPECT_EQ(u->origin(), "https://api.twitter.com:443");
  EXPECT_EQ(u->str(), "https://api.twitter.com/1.1/statuses/user_timeline.json?count=200");
}

TEST(Url, EmptyPathAndQueryOnly) {
  EXPECT_EQ(http::parse_url("https://h")->target, "/");
  EXPECT_EQ(http::parse_url("https://h?x=1")->target, "/?x=1");
}

TEST(Url, PortsAndIpv6) {
  auto u = http::parse_url("http://127.0.0.1:8080/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->authority(), "127.0.0.1:8080");
  auto v6 = http::parse_url("https://[::1]:8443/a");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:8443");
  EXPECT_EQ(v6->origin(), "https://[::1]:8443");
  EXPECT_EQ(http::parse_url("https://[::1]/")->port, 443);
}

TEST(Url, Userinfo) {
  auto u = http::parse_url("http://user:p%40ss@proxy:3128");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->userinfo, "user:p%40ss");
  EXPECT_EQ(u->host, "proxy");
  EXPECT_EQ(u->str(), "http://proxy:3128/");
}

TEST(Url, Rejects) {
  for (const char* bad :
       {"", "api.twitter.com/x", "ftp://h/", "https://", "https://:443/", "https://h:0/",
        "https://h:65536/", "https://h:12a/", "https://h /x", "https://h/\x01", "https://[::1/",
        "https://ex ample.com/", "https://h\r\nX: y/"}) {
    EXPECT_FALSE(http::parse_url(bad).ok()) << bad;
  }
  EXPECT_FALSE(http::parse_url("https://h/" + std::string(9000, 'a')).ok());
}

TEST(Url, ResolvesReferences) {
  auto base = *http::parse_url("https://a.example/dir/page?q=1");
  EXPECT_EQ(http::resolve_reference(base, "https://b.example/x")->str(), "https://b.example/x");
  EXPECT_EQ(http::resolve_reference(base, "//c.example/y")->str(), "https://c.example/y");
  EXPECT_EQ(http::resolve_reference(base, "/abs?z=2")->str(), "https://a.example/abs?z=2");
  EXPECT_EQ(http::resolve_reference(base, "rel")->str(), "https://a.example/dir/rel");
  EXPECT_EQ(http::resolve_reference(base, "../up/./x")->str(), "https://a.example/up/x");
  EXPECT_EQ(http::resolve_reference(base, "../../../x")->str(), "https://a.example/x");
  EXPECT_EQ(http::resolve_reference(base, "?only")->str(), "https://a.example/dir/page?only");
  EXPECT_FALSE(http::resolve_reference(base, "ftp://x/").ok());
  EXPECT_FALSE(http::resolve_reference(base, "/a b").ok());
}

TEST(Url, RedactsSecrets) {
  EXPECT_EQ(http::redact_url("https://acct.blob.core.windows.net/c/"
                             "b.json?sv=2018-03-28&sr=c&sp=w&se=2026-01-01&sig=abc%2Bdef"),
            "https://acct.blob.core.windows.net/c/b.json?sv=2018-03-28&sr=c&sp=w&se=***&sig=***");
  EXPECT_EQ(
      http::redact_url("https://api.twitter.com/1.1/x.json?count=200&since_id=5&oauth_token=T"),
      "https://api.twitter.com/1.1/x.json?count=200&since_id=5&oauth_token=***");
  EXPECT_EQ(http::redact_url("http://user:secret@proxy:3128/"), "http://***@proxy:3128/");
  EXPECT_EQ(http::redact_url("https://h/p?flag&empty=&k=v#frag"), "https://h/p?flag&empty=&k=***");
  EXPECT_EQ(http::redact_url("not a url ?password=x"), "not a url ?password=***");
  EXPECT_EQ(http::redact_url("https://h/p"), "https://h/p");
}

}  // namespace
