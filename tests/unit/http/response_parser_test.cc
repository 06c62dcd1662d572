// Unit tests for http/response_parser.h, each case fed whole and byte by byte
// (picohttpparser's rule), plus split at every position for the chunked case.
#include "http/response_parser.h"

#include <gtest/gtest.h>

namespace {

struct Collect final : http::ResponseParser::Handler {
  int heads = 0;
  std::string body;
  core::Status on_head(http::ResponseParser&) override {
    ++heads;
    return core::ok_status();
  }
  core::Status on_body(std::string_view d) override {
    body.append(d);
    return core::ok_status();
  }
};

struct Outcome {
  bool ok;
  core::Errc code = core::Errc::Internal;
  int status = 0;
  std::string body;
  bool keep_alive = false;
  int heads = 0;
  size_t extra = 0;
  http::ClientHeaders headers;
};

// step 0 = whole; otherwise pieces of `step` bytes. eof: call finish() at the end.
Outcome parse(const std::string& in, size_t step, bool eof = false, bool head = false,
              size_t max_head = 64 * 1024) {
  http::ResponseParser p;
  Collect c;
  p.reset(&c, head, max_head);
  Outcome o{true};
  for (size_t off = 0; off < in.size();) {
    size_t n = step == 0 ? in.size() : std::min(step, in.size() - off);
    auto st = p.feed(in.data() + off, n);
    off += n;
    if (!st.ok()) {
      o.ok = false;
      o.code = st.error().code;
      return o;
    }
  }
  if (eof || !p.complete()) {
    auto st = p.finish();
    if (!st.ok()) {
      o.ok = false;
      o.code = st.error().code;
      return o;
    }
  }
  o.status = p.status();
  o.body = c.body;
  o.keep_alive = p.keep_alive();
  o.heads = c.heads;
  o.extra = p.extra_bytes();
  o.headers = p.headers();
  return o;
}

class ResponseParserTest : public ::testing::TestWithParam<size_t> {};

TEST_P(ResponseParserTest, ContentLength) {
  auto o =
      parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
            GetParam());
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.body, "hello");
  EXPECT_TRUE(o.keep_alive);
  EXPECT_EQ(o.heads, 1);
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(*http::find_header(o.headers, "content-type"), "application/json");
}

TEST_P(ResponseParserTest, Chunked) {
  auto o = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n "
      "\r\n6\r\nworld!\r\n0\r\nT: v\r\n\r\n",
      GetParam());
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.body, "hello world!");
  EXPECT_TRUE(o.keep_alive);
}

TEST_P(ResponseParserTest, CloseDelimited) {
  auto o = parse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", GetParam(), true);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.body, "until the end");
  EXPECT_FALSE(o.keep_alive);
}

TEST_P(ResponseParserTest, Http10NotKeptAlive) {
  auto o = parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", GetParam());
  ASSERT_TRUE(o.ok);
  EXPECT_FALSE(o.keep_alive);
}

TEST_P(ResponseParserTest, InterimResponseSkipped) {
  auto o = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
                 GetParam());
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.status, 201);
  EXPECT_EQ(o.heads, 1);
}

TEST_P(ResponseParserTest, HeadResponseHasNoBody) {
  auto o = parse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", GetParam(), false, true);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.body, "");
  EXPECT_TRUE(o.keep_alive);
}

TEST_P(ResponseParserTest, NoContentAndNotModified) {
  auto o = parse("HTTP/1.1 204 No Content\r\n\r\n", GetParam());
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.status, 204);
  auto o2 = parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", GetParam());
  ASSERT_TRUE(o2.ok);
  EXPECT_EQ(o2.body, "");
}

TEST_P(ResponseParserTest, EmptyHeaderValue) {
  auto o = parse("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-B: b\r\nContent-Length: 0\r\n\r\n", GetParam());
  ASSERT_TRUE(o.ok);
  ASSERT_EQ(o.headers.size(), 3u);
  EXPECT_EQ(o.headers[0].first, "X-Empty");
  EXPECT_EQ(o.headers[0].second, "");
  EXPECT_EQ(o.headers[1].second, "b");
}

TEST_P(ResponseParserTest, ExtraBytesCounted) {
  auto o = parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxJUNK", GetParam());
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.body, "x");
  EXPECT_EQ(o.extra, 4u);
}

TEST_P(ResponseParserTest, TruncatedBodyIsConnClosed) {
  auto o = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", GetParam(), true);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.code, core::Errc::ConnClosed);
  auto o2 =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", GetParam(), true);
  ASSERT_FALSE(o2.ok);
  EXPECT_EQ(o2.code, core::Errc::ConnClosed);
  auto o3 = parse("HTTP/1.1 200 O", GetParam(), true);
  ASSERT_FALSE(o3.ok);
  EXPECT_EQ(o3.code, core::Errc::ConnClosed);
}

TEST_P(ResponseParserTest, Malformed) {
  for (const char* bad : {"HTTP/1.1 2x0 OK\r\n\r\n", "XTTP/1.1 200 OK\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    auto o = parse(bad, GetParam());
    EXPECT_FALSE(o.ok) << bad;
    EXPECT_EQ(o.code, core::Errc::Parse) << bad;
  }
}

TEST_P(ResponseParserTest, HeadLimit) {
  std::string big =
      "HTTP/1.1 200 OK\r\nX-Big: " + std::string(3000, 'a') + "\r\nContent-Length: 0\r\n\r\n";
  auto o = parse(big, GetParam(), false, false, 1024);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.code, core::Errc::TooLarge);
  EXPECT_TRUE(parse(big, GetParam(), false, false, 4096).ok);
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 101; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  auto o2 = parse(many + "\r\n", GetParam());
  ASSERT_FALSE(o2.ok);
  EXPECT_EQ(o2.code, core::Errc::TooLarge);
}

INSTANTIATE_TEST_SUITE_P(WholeAndByteByByte, ResponseParserTest,
                         ::testing::Values(size_t{0}, size_t{1}, size_t{7}));

TEST(ResponseParser, ChunkedSplitAtEveryPosition) {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
      "chunked\r\n\r\na\r\n0123456789\r\n3\r\nabc\r\n0\r\n\r\n";
  for (size_t cut = 1; cut < in.size(); ++cut) {
    http::ResponseParser p;
    Collect c;
    p.reset(&c, false, 4096);
    ASSERT_TRUE(p.feed(in.data(), cut).ok()) << cut;
    ASSERT_TRUE(p.feed(in.data() + cut, in.size() - cut).ok()) << cut;
    EXPECT_TRUE(p.complete()) << cut;
    EXPECT_EQ(c.body, "0123456789abc") << cut;
  }
}

TEST(ResponseParser, HandlerErrorStopsParsing) {
  struct Refuse final : http::ResponseParser::Handler {
    core::Status on_head(http::ResponseParser&) override { return core::ok_status(); }
    core::Status on_body(std::string_view) override {
      return core::make_error(core::Errc::TooLarge, "test");
    }
  } h;
  http::ResponseParser p;
  p.reset(&h, false, 4096);
  auto st = p.feed("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 41);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::Errc::TooLarge);
}

TEST(ResponseParser, ReusableAfterReset) {
  http::ResponseParser p;
  Collect c;
  p.reset(&c, false, 4096);
  ASSERT_TRUE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", 39).ok());
  EXPECT_TRUE(p.complete());
  p.reset(&c, false, 4096);
  EXPECT_FALSE(p.complete());
  ASSERT_TRUE(p.feed("HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb", 46).ok());
  EXPECT_EQ(p.status(), 404);
  EXPECT_EQ(c.body, "ab");
}

}  // namespace
