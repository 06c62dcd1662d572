// web::Pages: the embedded files, the routes of every page, the security headers, ETag/304,
// caching by fingerprint, HEAD, and the named size limit of all pages together.
#include "web/pages.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "web/embedded.h"

namespace {

http::Request get(std::string_view path, std::string_view query = {}) {
  http::Request r;
  r.method = http::Method::Get;
  r.path = std::string(path);
  r.query = std::string(query);
  if (!query.empty()) EXPECT_TRUE(http::parse_query(query, &r.query_params));
  r.target = r.path + (query.empty() ? "" : "?" + r.query);
  return r;
}

// Runs the route the router picks for (method, path) and returns what it answered.
struct Answer {
  bool answered = false;
  http::Response response;
};
struct Capture : http::Exchange {
  Answer* out;
  explicit Capture(Answer* a) : out(a) {}
  void send(http::Response r) override {
    out->answered = true;
    out->response = std::move(r);
  }
};
Answer call(const http::Router& router, http::Request req) {
  Answer a;
  auto m = router.match(req.method, req.path);
  if (!m.route) {
    a.response.status = m.status;
    return a;
  }
  Capture cap(&a);
  auto link = std::make_shared<http::ExchangeLink>();
  link->target = &cap;
  m.route->handler(req, http::Responder(link));
  return a;
}

class WebPagesRoutes : public ::testing::Test {
 protected:
  void SetUp() override { pages.add_routes(router); }
  web::Pages pages;
  http::Router router;
};

TEST(WebEmbedded, AllPagesTogetherFitTheNamedLimit) {
  size_t total = 0;
  for (size_t i = 0; i < web::kEmbeddedFileCount; ++i) total += web::kEmbeddedFiles[i].size;
  EXPECT_EQ(total, web::embedded_bytes());
  EXPECT_GT(total, 0u);
  EXPECT_LE(total, core::limits::web::kMaxPagesBytes)
      << "the admin pages weigh " << total << " bytes; the limit is "
      << core::limits::web::kMaxPagesBytes;
}

TEST(WebEmbedded, EveryFileIsEmbeddedWholeWithItsName) {
  bool seen_style = false;
  for (size_t i = 0; i < web::kEmbeddedFileCount; ++i) {
    const web::EmbeddedFile& f = web::kEmbeddedFiles[i];
    ASSERT_NE(f.data, nullptr);
    EXPECT_EQ(f.data[f.size], 0) << f.name;  // the generator's terminator, outside the file
    EXPECT_EQ(web::contents(f).size(), f.size);
    if (std::string_view(f.name) == "style.css") {
      seen_style = true;
      EXPECT_NE(web::contents(f).find("[hidden]"), std::string_view::npos);
    }
  }
  EXPECT_TRUE(seen_style);
}

TEST(WebPages, ContentTypesCarryCharset) {
  EXPECT_EQ(web::content_type_for("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(web::content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(web::content_type_for("a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(web::content_type_for("a.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(web::content_type_for("a.bin"), "application/octet-stream");
}

TEST(WebPages, IfNoneMatchComparesWeaklyOverAList) {
  const char* tag = "\"abc\"";
  EXPECT_TRUE(web::if_none_match("\"abc\"", tag));
  EXPECT_TRUE(web::if_none_match("W/\"abc\"", tag));
  EXPECT_TRUE(web::if_none_match("\"x\", \"abc\"", tag));
  EXPECT_TRUE(web::if_none_match(" * ", tag));
  EXPECT_FALSE(web::if_none_match("\"abcd\"", tag));
  EXPECT_FALSE(web::if_none_match("abc", tag));
  EXPECT_FALSE(web::if_none_match("", tag));
  EXPECT_FALSE(web::if_none_match(",,", tag));
}

TEST_F(WebPagesRoutes, EveryPageRouteServesItsPageWithSecurityHeaders) {
  ASSERT_GE(web::page_routes().size(), 9u);
  for (const web::PageRoute& route : web::page_routes()) {
    SCOPED_TRACE(route.path);
    Answer a = call(router, get(route.path));
    ASSERT_TRUE(a.answered);
    const http::Response& r = a.response;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
    EXPECT_EQ(r.headers.get("Content-Security-Policy").value_or(""), web::kContentSecurityPolicy);
    EXPECT_EQ(r.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
    EXPECT_EQ(r.headers.get("Referrer-Policy").value_or(""), "no-referrer");
    EXPECT_EQ(r.headers.get("X-Frame-Options").value_or(""), "DENY");
    EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-cache");
    EXPECT_EQ(r.body, pages.find(route.file)->body);
    EXPECT_NE(r.body.find("<!doctype html>"), std::string::npos);
    EXPECT_NE(r.body.find("name=\"viewport\""), std::string::npos);
  }
}

TEST_F(WebPagesRoutes, TheSamePagesAnswerAliasPathsCaseInsensitively) {
  auto body = [&](const char* p) { return call(router, get(p)).response.body; };
  EXPECT_EQ(body("/preview/OnJobCreating"), body("/Views/NativeConnectorSetup"));
  EXPECT_EQ(body("/NativeConnectorSetup"), body("/views/nativeconnectorsetup/"));
  EXPECT_EQ(body("/Configure"), body("/Views/Configure"));
  EXPECT_NE(body("/Configure"), body("/"));
  EXPECT_EQ(call(router, get("/Views/Nothing")).response.status, 404);
}

TEST_F(WebPagesRoutes, ThePolicyForbidsInlineCodeFramingAndOtherOrigins) {
  std::string csp = web::kContentSecurityPolicy;
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(csp.find("http"), std::string::npos);
  // And the pages keep to it: no inline script, style attribute or handler attribute.
  for (const web::Asset& a : pages.assets()) {
    if (!a.html) continue;
    SCOPED_TRACE(a.name);
    size_t pos = 0;
    while ((pos = a.body.find("<script", pos)) != std::string::npos) {
      size_t end = a.body.find('>', pos);
      EXPECT_NE(a.body.substr(pos, end - pos).find(" src=\"/assets/"), std::string::npos);
      EXPECT_EQ(a.body.compare(end, 10, "></script>"), 0);
      pos = end;
    }
    EXPECT_EQ(a.body.find("<style"), std::string::npos);
    EXPECT_EQ(a.body.find(" style="), std::string::npos);
    EXPECT_EQ(a.body.find(" onclick="), std::string::npos);
    EXPECT_EQ(a.body.find("http://"), std::string::npos);
    EXPECT_EQ(a.body.find("https://"), std::string::npos);
  }
}

TEST_F(WebPagesRoutes, PagesCarryTheVersionAndFingerprintedAssetLinks) {
  const web::Asset* home = pages.find("index.html");
  ASSERT_NE(home, nullptr);
  EXPECT_NE(home->body.find(TC_VERSION), std::string::npos);
  EXPECT_EQ(home->body.find("{{"), std::string::npos);
  const web::Asset* css = pages.find("style.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->fingerprint.size(), 12u);
  EXPECT_NE(home->body.find("/assets/style.css?v=" + css->fingerprint + "\""), std::string::npos);
  const web::Asset* jobs = pages.find("jobs.html");
  ASSERT_NE(jobs, nullptr);
  EXPECT_NE(jobs->body.find("data-refresh-seconds=\"" +
                            std::to_string(core::limits::web::kJobsRefreshSeconds) + "\""),
            std::string::npos);
  EXPECT_EQ(jobs->body.find("{{"), std::string::npos);
}

TEST_F(WebPagesRoutes, AssetsAreServedWithTypeETagAndImmutableCachingWhenFingerprinted) {
  const web::Asset* js = pages.find("common.js");
  ASSERT_NE(js, nullptr);
  Answer plain = call(router, get("/assets/common.js"));
  EXPECT_EQ(plain.response.status, 200);
  EXPECT_EQ(plain.response.headers.get("Content-Type").value_or(""),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.response.headers.get("Cache-Control").value_or(""), "no-cache");
  EXPECT_EQ(plain.response.headers.get("ETag").value_or(""), js->etag);
  EXPECT_EQ(js->etag.size(), 34u);
  EXPECT_EQ(plain.response.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
  Answer tagged = call(router, get("/assets/common.js", "v=" + js->fingerprint));
  EXPECT_EQ(tagged.response.headers.get("Cache-Control").value_or(""),
            "public, max-age=31536000, immutable");
  Answer old = call(router, get("/assets/common.js", "v=000000000000"));
  EXPECT_EQ(old.response.headers.get("Cache-Control").value_or(""), "no-cache");
  // HTML files are pages, not assets.
  EXPECT_EQ(call(router, get("/assets/configure.html")).response.status, 404);
}

TEST_F(WebPagesRoutes, IfNoneMatchWithTheCurrentETagAnswers304WithoutBody) {
  http::Request req = get("/Views/Configure");
  Answer first = call(router, req);
  std::string etag(first.response.headers.get("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());
  req.headers.set("If-None-Match", etag);
  Answer again = call(router, req);
  EXPECT_EQ(again.response.status, 304);
  EXPECT_TRUE(again.response.body.empty());
  EXPECT_EQ(again.response.headers.get("ETag").value_or(""), etag);
  EXPECT_EQ(again.response.headers.get("Content-Security-Policy").value_or(""),
            web::kContentSecurityPolicy);
  req.headers.set("If-None-Match", "\"stale\"");
  EXPECT_EQ(call(router, req).response.status, 200);
}

TEST_F(WebPagesRoutes, HeadIsRoutedToTheSameHandler) {
  http::Request req = get("/");
  req.method = http::Method::Head;
  Answer a = call(router, req);
  EXPECT_EQ(a.response.status, 200);  // the server drops the body of a HEAD answer
  EXPECT_EQ(a.response.headers.get("ETag"), call(router, get("/")).response.headers.get("ETag"));
  http::Request post = get("/");
  post.method = http::Method::Post;
  EXPECT_EQ(call(router, post).response.status, 405);
}

TEST_F(WebPagesRoutes, ETagsAreDistinctAndStable) {
  web::Pages again;
  for (const web::Asset& a : pages.assets()) {
    EXPECT_EQ(again.find(a.name)->etag, a.etag);
    for (const web::Asset& b : pages.assets())
      if (&a != &b) {
        EXPECT_NE(a.etag, b.etag) << a.name << " " << b.name;
      }
  }
}

}  // namespace
