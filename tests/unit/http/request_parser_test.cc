// RequestParser: every case is fed whole and byte by byte (and split in two at every
// position for the pipelining cases); limits and smuggling attempts end in the right status.
#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace http {
namespace {

struct Outcome {
  std::vector<std::unique_ptr<Request>> requests;
  std::vector<bool> keep_alive;
  int error_status = 0;
  std::string error_message;
  RequestParser::Phase final_phase = RequestParser::Phase::Idle;
};

// Feeds `in` in pieces of `piece` bytes (0 = whole), taking each complete request.
Outcome run(const std::string& in, size_t piece, const ParserLimits& limits = ParserLimits()) {
  Outcome out;
  RequestParser p(&limits);
  size_t pos = 0;
  while (pos < in.size()) {
    size_t n = piece == 0 ? in.size() - pos : std::min(piece, in.size() - pos);
    const char* data = in.data() + pos;
    size_t left = n;
    while (left > 0) {
      auto step = p.feed(data, left);
      data += step.consumed;
      left -= step.consumed;
      if (step.phase == RequestParser::Phase::Complete) {
        out.keep_alive.push_back(p.keep_alive());
        out.requests.push_back(p.take());
      } else if (step.phase == RequestParser::Phase::Error) {
        out.error_status = p.error_status();
        out.error_message = p.error_message();
        out.final_phase = p.phase();
        return out;
      } else if (step.consumed == 0) {
        ADD_FAILURE() << "parser made no progress";
        return out;
      }
    }
    pos += n;
  }
  out.final_phase = p.phase();
  return out;
}

// Runs whole and byte by byte and checks that both give the same outcome.
Outcome both(const std::string& in, const ParserLimits& limits = ParserLimits()) {
  Outcome whole = run(in, 0, limits);
  Outcome bytes = run(in, 1, limits);
  EXPECT_EQ(whole.requests.size(), bytes.requests.size()) << in;
  EXPECT_EQ(whole.error_status, bytes.error_status) << in;
  EXPECT_EQ(whole.error_message, bytes.error_message) << in;
  for (size_t i = 0; i < whole.requests.size() && i < bytes.requests.size(); ++i) {
    EXPECT_EQ(whole.requests[i]->target, bytes.requests[i]->target);
    EXPECT_EQ(whole.requests[i]->body, bytes.requests[i]->body);
    EXPECT_EQ(whole.requests[i]->headers.all(), bytes.requests[i]->headers.all());
  }
  return whole;
}

TEST(RequestParser, SimpleGet) {
  Outcome o = both(
      "GET /api/x%20y?a=1&b=two+words&c=%2F HTTP/1.1\r\nHost: example\r\nX-Thing:  v \r\n\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  const Request& r = *o.requests[0];
  EXPECT_EQ(r.method, Method::Get);
  EXPECT_EQ(r.target, "/api/x%20y?a=1&b=two+words&c=%2F");
  EXPECT_EQ(r.path, "/api/x y");
  EXPECT_EQ(r.query, "a=1&b=two+words&c=%2F");
  ASSERT_EQ(r.query_params.size(), 3u);
  EXPECT_EQ(r.query_param("B"), "two words");
  EXPECT_EQ(r.query_param("c"), "/");
  EXPECT_FALSE(r.query_param("zzz"));
  EXPECT_EQ(r.headers.get("host"), "example");
  EXPECT_EQ(r.headers.get("x-thing"), "v");
  EXPECT_EQ(r.http_minor, 1);
  EXPECT_TRUE(o.keep_alive[0]);
  EXPECT_EQ(o.final_phase, RequestParser::Phase::Idle);
}

TEST(RequestParser, EmptyHeaderValuesKeepTheirOwnField) {
  Outcome o = both("GET / HTTP/1.1\r\nX-Empty:\r\nX-Spaces:   \r\nHost: h\r\n\r\n");
  ASSERT_EQ(o.requests.size(), 1u) << o.error_message;
  const Headers& h = o.requests[0]->headers;
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.get("x-empty"), "");
  EXPECT_EQ(h.get("x-spaces"), "");
  EXPECT_EQ(h.get("host"), "h");
}

TEST(RequestParser, PostWithContentLength) {
  Outcome o = both("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.requests[0]->method, Method::Post);
  EXPECT_EQ(o.requests[0]->body, "hello world");
}

TEST(RequestParser, ChunkedBodyIsDecoded) {
  Outcome o = both(
      "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer-A: x\r\n\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_EQ(o.requests[0]->method, Method::Put);
  EXPECT_EQ(o.requests[0]->body, "hello world");
}

TEST(RequestParser, PipelinedRequestsComeOutInOrder) {
  std::string in =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab"
      "DELETE /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  for (size_t split = 0; split <= in.size(); ++split) {
    ParserLimits limits;
    RequestParser p(&limits);
    std::vector<std::string> targets;
    bool last_keep_alive = true;
    for (auto [data, len] :
         {std::pair{in.data(), split}, std::pair{in.data() + split, in.size() - split}}) {
      while (len > 0) {
        auto s = p.feed(data, len);
        data += s.consumed;
        len -= s.consumed;
        ASSERT_NE(s.phase, RequestParser::Phase::Error) << p.error_message();
        if (s.phase == RequestParser::Phase::Complete) {
          last_keep_alive = p.keep_alive();
          targets.push_back(p.take()->target);
        }
      }
    }
    ASSERT_EQ(targets, (std::vector<std::string>{"/1", "/2", "/3"})) << "split at " << split;
    EXPECT_FALSE(last_keep_alive);
  }
}

TEST(RequestParser, Http10KeepAliveOnlyWhenAsked) {
  Outcome a = both("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(a.requests.size(), 1u);
  EXPECT_EQ(a.requests[0]->http_minor, 0);
  EXPECT_FALSE(a.keep_alive[0]);
  Outcome b = both("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(b.requests.size(), 1u);
  EXPECT_TRUE(b.keep_alive[0]);
  Outcome c = both("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(c.keep_alive[0]);
}

TEST(RequestParser, UpgradeIsAnsweredThenClosed) {
  Outcome o =
      both("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  ASSERT_EQ(o.requests.size(), 1u);
  EXPECT_FALSE(o.keep_alive[0]);
}

TEST(RequestParser, MethodsAreMapped) {
  EXPECT_EQ(both("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").requests.at(0)->method, Method::Head);
  EXPECT_EQ(both("OPTIONS / HTTP/1.1\r\nHost: h\r\n\r\n").requests.at(0)->method, Method::Options);
  EXPECT_EQ(both("PATCH / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").requests.at(0)->method,
            Method::Patch);
  EXPECT_EQ(both("PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n").requests.at(0)->method, Method::Other);
}

void expect_error(const std::string& in, int status, const std::string& fragment,
                  const ParserLimits& limits = ParserLimits()) {
  Outcome o = both(in, limits);
  EXPECT_EQ(o.error_status, status) << in;
  EXPECT_NE(o.error_message.find(fragment), std::string::npos) << o.error_message;
  EXPECT_EQ(o.final_phase, RequestParser::Phase::Error);
  EXPECT_TRUE(o.requests.empty());
}

TEST(RequestParser, SmugglingAttemptsAreRejected) {
  expect_error(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n",
      400, "");
  expect_error(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: "
      "3\r\n\r\n0\r\n\r\n",
      400, "");
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
               400, "");
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
               400, "");
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc", 400, "");
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400, "");
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400, "");
  expect_error(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400,
      "");
  expect_error(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400,
      "");
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400, "");
  expect_error(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400,
      "");
  expect_error("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400, "");          // bare LF
  expect_error("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, "");               // space before colon
  expect_error("GET / HTTP/1.1\r\nHost: h\r\n X: folded\r\n\r\n", 400, "");  // obs-fold
  expect_error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host");
  expect_error("GET / HTTP/1.1\r\n\r\n", 400, "without a Host");
  expect_error("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "");
}

TEST(RequestParser, ErrorMessagesSayWhatWasWrong) {
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
               400, "malformed request: ");
  expect_error("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400,
               "malformed percent-escape in request path");
  expect_error("GET /a?x=%g HTTP/1.1\r\nHost: h\r\n\r\n", 400,
               "malformed percent-escape in query string");
  expect_error("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "NUL");
  expect_error("GET http://other/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "absolute path");
  expect_error("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "HTTP/1.0 and HTTP/1.1");
}

TEST(RequestParser, HeaderBytesLimitGives431) {
  ParserLimits limits;
  limits.max_header_bytes = 256;
  std::string ok = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(200, 'a') + "\r\n\r\n";
  ASSERT_LE(ok.size(), 256u);
  EXPECT_EQ(both(ok, limits).requests.size(), 1u);
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(300, 'a') + "\r\n\r\n";
  expect_error(big, 431, "request header fields exceed 256 bytes", limits);
  // Exactly at the limit is fine; one byte more is not.
  std::string exact = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
  exact += std::string(256 - exact.size() - 4, 'b') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 256u);
  EXPECT_EQ(both(exact, limits).requests.size(), 1u);
  std::string over = exact;
  over.insert(over.size() - 4, "c");
  expect_error(over, 431, "exceed 256", limits);
}

TEST(RequestParser, EndlessWhitespaceStillHitsTheHeadLimit) {
  ParserLimits limits;
  limits.max_header_bytes = 512;
  std::string in = "GET / HTTP/1.1\r\nHost: h\r\nX:" + std::string(2000, ' ');
  expect_error(in, 431, "exceed 512", limits);
}

TEST(RequestParser, DefaultHeaderLimitIs16KiB) {
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + std::string(17000, 'c') + "\r\n\r\n";
  expect_error(big, 431, "request header fields exceed 16384 bytes");
}

TEST(RequestParser, HeaderCountLimitGives431) {
  auto make = [](int n) {
    std::string s = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 1; i < n; ++i) s += "X-" + std::to_string(i) + ": v\r\n";
    return s + "\r\n";
  };
  EXPECT_EQ(both(make(100)).requests.size(), 1u);
  expect_error(make(101), 431, "more than 100 header fields");
}

TEST(RequestParser, UrlLimitGives414) {
  ParserLimits limits;
  std::string ok =
      "GET /" + std::string(limits.max_url_bytes - 1, 'u') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(both(ok).requests.size(), 1u);
  std::string big =
      "GET /" + std::string(limits.max_url_bytes, 'u') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  expect_error(big, 414, "request target exceeds 8192 bytes");
}

TEST(RequestParser, BodyLimitGives413) {
  ParserLimits limits;
  limits.max_body_bytes = 10;
  EXPECT_EQ(both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits)
                .requests.size(),
            1u);
  // Declared too large: refused before any body byte arrives.
  expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 413,
               "request body exceeds 10 bytes", limits);
  // Chunked: refused once the decoded body passes the limit.
  expect_error(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
      "chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n",
      413, "request body exceeds 10 bytes", limits);
}

TEST(RequestParser, TrailersCountAgainstTheHeaderLimit) {
  ParserLimits limits;
  limits.max_header_bytes = 128;
  std::string in =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n";
  for (int i = 0; i < 20; ++i) in += "T" + std::to_string(i) + ": " + std::string(10, 'x') + "\r\n";
  in += "\r\n";
  expect_error(in, 431, "exceed 128", limits);
}

TEST(RequestParser, PhasesAndExpectContinue) {
  ParserLimits limits;
  RequestParser p(&limits);
  EXPECT_EQ(p.phase(), RequestParser::Phase::Idle);
  std::string head = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n";
  auto s = p.feed(head.data(), head.size());
  EXPECT_EQ(s.phase, RequestParser::Phase::Head);
  EXPECT_EQ(p.head_bytes(), head.size());
  ASSERT_NE(p.current(), nullptr);
  s = p.feed("\r\n", 2);
  EXPECT_EQ(s.phase, RequestParser::Phase::Body);
  EXPECT_TRUE(p.expects_continue());
  s = p.feed("hiGET", 5);
  EXPECT_EQ(s.consumed, 2u);
  EXPECT_EQ(s.phase, RequestParser::Phase::Complete);
  EXPECT_EQ(p.feed("x", 1).consumed, 0u);  // nothing more until take()
  auto r = p.take();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hi");
  EXPECT_EQ(p.phase(), RequestParser::Phase::Idle);
  EXPECT_EQ(p.current(), nullptr);
  EXPECT_EQ(p.take(), nullptr);
}

}  // namespace
}  // namespace http
