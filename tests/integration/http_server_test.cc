// The HTTP server over real sockets: keep-alive, pipelining, Connection: close, HTTP/1.0,
// HEAD, 404/405, limits, smuggling attempts, 100-continue, async handlers, 500 for a dropped
// responder. Each test ends with a graceful shutdown and a loop with zero live handles.
#include "http_test_harness.h"

#include "json/json.h"

namespace http::test {
namespace {

void add_echo_routes(Router& r) {
  r.get("/hello", [](Request&, Responder res) { res.respond(Response::text(200, "hello")); });
  r.get("/path", [](Request& req, Responder res) {
    res.respond(
        Response::text(200, req.path + "|" + std::string(req.query_param("q").value_or("-"))));
  });
  r.post("/echo", [](Request& req, Responder res) { res.respond(Response::text(200, req.body)); });
  r.get("/peer",
        [](Request& req, Responder res) { res.respond(Response::text(200, req.peer_ip)); });
  r.get("/forget", [](Request&, Responder) {});
}

class HttpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    add_echo_routes(h.router());
    h.start();
  }
  ServerHarness h;
};

TEST_F(HttpServer, KeepAliveReusesTheConnection) {
  Client c(h.port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send(get("/hello")));
    ParsedResponse r = c.read_response();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.header("Connection"), "");
  }
  EXPECT_EQ(h.open_connections(), 1u);
  EXPECT_EQ(h.metric_value("http_requests_total",
                           {{"route", "/hello"}, {"method", "GET"}, {"status", "200"}}),
            3);
}

TEST_F(HttpServer, PipelinedResponsesComeBackInOrder) {
  Client c(h.port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += get("/path?q=" + std::to_string(i));
  batch += "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nlast";
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 20; ++i) {
    ParsedResponse r = c.read_response();
    ASSERT_TRUE(r.ok) << i;
    EXPECT_EQ(r.body, "/path|" + std::to_string(i));
  }
  EXPECT_EQ(c.read_response().body, "last");
}

TEST_F(HttpServer, PipelinedBehindAnAsyncResponseStaysInOrder) {
  h.call([&] { add_delayed_route(h, "/async", 100, "async"); });  // on the loop thread
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/async") + get("/hello") + get("/async") + get("/path?q=z")));
  EXPECT_EQ(c.read_response().body, "async");
  EXPECT_EQ(c.read_response().body, "hello");
  EXPECT_EQ(c.read_response().body, "async");
  EXPECT_EQ(c.read_response().body, "/path|z");
}

TEST_F(HttpServer, ConnectionCloseIsHonoured) {
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/hello", "Connection: close\r\n") + get("/hello")));
  ParsedResponse r = c.read_response();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());  // the pipelined second request is not answered
}

TEST_F(HttpServer, Http10ClosesUnlessKeepAliveAsked) {
  {
    Client c(h.port());
    ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\n\r\n"));
    ParsedResponse r = c.read_response();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.head.substr(0, 8), "HTTP/1.0");
    EXPECT_EQ(r.header("Connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
  }
  Client c(h.port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    ParsedResponse r = c.read_response();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.header("Connection"), "keep-alive");
  }
}

TEST_F(HttpServer, HeadAnswersGetRoutesWithoutBody) {
  Client c(h.port());
  ASSERT_TRUE(c.send("HEAD /HELLO HTTP/1.1\r\nHost: t\r\n\r\n" + get("/hello")));
  ParsedResponse r = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length"), "5");
  // The next bytes on the wire are the second response, so HEAD sent no body.
  ParsedResponse r2 = c.read_response();
  ASSERT_TRUE(r2.ok);
  EXPECT_EQ(r2.body, "hello");
}

TEST_F(HttpServer, NotFoundAndMethodNotAllowed) {
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/nothing/here")));
  ParsedResponse r = c.read_response();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"error\":\"no route for GET /nothing/here\"}");
  ASSERT_TRUE(c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = c.read_response();
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, OPTIONS");
  ASSERT_TRUE(c.send("OPTIONS /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = c.read_response();
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("Allow"), "POST, OPTIONS");
  // Still the same, healthy connection.
  ASSERT_TRUE(c.send(get("/hello")));
  EXPECT_EQ(c.read_response().status, 200);
  EXPECT_EQ(h.metric_value("http_requests_total",
                           {{"route", "unmatched"}, {"method", "GET"}, {"status", "404"}}),
            1);
  EXPECT_EQ(h.metric_value("http_requests_total",
                           {{"route", "/hello"}, {"method", "DELETE"}, {"status", "405"}}),
            1);
}

TEST_F(HttpServer, PercentDecodedPathAndQuery) {
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/p%61th?Q=a%20b+c")));
  EXPECT_EQ(c.read_response().body, "/path|a b c");
  ASSERT_TRUE(c.send(get("/peer")));
  EXPECT_EQ(c.read_response().body, "127.0.0.1");
}

TEST_F(HttpServer, ChunkedRequestBody) {
  Client c(h.port());
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
             "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  ParsedResponse r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abcde");
}

TEST_F(HttpServer, ExpectContinue) {
  Client c(h.port());
  ASSERT_TRUE(c.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  ParsedResponse interim = c.read_response();
  ASSERT_TRUE(interim.ok);
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(c.send("xyz"));
  ParsedResponse r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "xyz");
}

TEST_F(HttpServer, DroppedResponderGives500) {
  Client c(h.port());
  ASSERT_TRUE(c.send(get("/forget")));
  ParsedResponse r = c.read_response();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "{\"error\":\"request handler finished without a response\"}");
}

// Each malformed or over-limit request gets its status, a JSON error, and a closed connection.
struct BadCase {
  const char* name;
  std::string request;
  int status;
  const char* message_fragment;
};

class HttpServerRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(HttpServerRejects, AnswersAndCloses) {
  ServerOptions o = ServerHarness::fast_options();
  o.max_body_bytes = 1000;
  ServerHarness h(o);
  add_echo_routes(h.router());
  h.start();
  const BadCase& bc = GetParam();
  Client c(h.port());
  ASSERT_TRUE(c.send(bc.request));
  ParsedResponse r = c.read_response();
  ASSERT_TRUE(r.ok) << bc.name;
  EXPECT_EQ(r.status, bc.status) << bc.name;
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_NE(r.body.find(bc.message_fragment), std::string::npos) << r.body;
  EXPECT_EQ(r.body.substr(0, 10), "{\"error\":\"");
  EXPECT_TRUE(c.closed_by_peer()) << bc.name;
}

std::string many_headers(int n) {
  std::string s = "GET /hello HTTP/1.1\r\nHost: t\r\n";
  for (int i = 1; i < n; ++i) s += "X-H" + std::to_string(i) + ": v\r\n";
  return s + "\r\n";
}

INSTANTIATE_TEST_SUITE_P(
    Limits, HttpServerRejects,
    ::testing::Values(
        BadCase{"BodyTooLarge", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n",
                413, "request body exceeds 1000 bytes"},
        BadCase{"ChunkedBodyTooLarge",
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n" +
                    std::string(1001, 'a') + "\r\n0\r\n\r\n",
                413, "request body exceeds 1000 bytes"},
        BadCase{"UrlTooLong", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
                414, "request target exceeds 8192 bytes"},
        BadCase{"HeadersTooLarge",
                "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(17000, 'b') + "\r\n\r\n",
                431, "request header fields exceed 16384 bytes"},
        BadCase{"TooManyHeaders", many_headers(101), 431, "more than 100 header fields"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Smuggling, HttpServerRejects,
    ::testing::Values(
        BadCase{"ContentLengthAndChunked",
                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: "
                "chunked\r\n\r\n0\r\n\r\n"
                "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n",
                400, "Content-Length"},
        BadCase{"ChunkedAndContentLength",
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                "4\r\n\r\n0\r\n\r\n",
                400, "malformed request"},
        BadCase{"DuplicateContentLength",
                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
                400, "malformed request"},
        BadCase{
            "ConflictingContentLength",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
            400, "malformed request"},
        BadCase{"MalformedContentLength",
                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\nx", 400,
                "malformed request"},
        BadCase{"InvalidChunkSize",
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                "chunked\r\n\r\nq\r\nx\r\n0\r\n\r\n",
                400, "malformed request"},
        BadCase{"ChunkSizeOverflow",
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                "chunked\r\n\r\n10000000000000000\r\n",
                400, "malformed request"},
        BadCase{"TransferEncodingNotChunked",
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400,
                "malformed request"},
        BadCase{"BareLfInHeaders", "GET /hello HTTP/1.1\nHost: t\n\n", 400, "malformed request"},
        BadCase{"SpaceBeforeColon", "GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length : 0\r\n\r\n",
                400, "malformed request"},
        BadCase{"TwoHosts", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
                "more than one Host"},
        BadCase{"NoHostIn11", "GET /hello HTTP/1.1\r\n\r\n", 400, "without a Host"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace http::test

namespace http::test {
namespace {

TEST(HttpServerListen, ErrorsSayWhatFailed) {
  uv::Loop loop;
  core::Metrics metrics;
  Router router;
  {
    ServerOptions o;
    o.port = 0;
    Server first(loop, router, metrics, o);
    ASSERT_TRUE(first.listen().ok());
    EXPECT_TRUE(first.listening());
    o.port = first.port();
    Server second(loop, router, metrics, o);
    core::Status st = second.listen();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::Errc::Config);  // EADDRINUSE
    EXPECT_EQ(st.error().detail, UV_EADDRINUSE);
    EXPECT_FALSE(second.listening());
    ServerOptions bad;
    bad.host = "not-an-ip";
    Server third(loop, router, metrics, bad);
    st = third.listen();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::Errc::Config);
  }
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
}

TEST(HttpServerMetrics, CountsBytesBothWays) {
  ServerHarness h;
  h.router().get("/x",
                 [](Request&, Responder res) { res.respond(Response::text(200, "0123456789")); });
  h.start();
  Client c(h.port());
  std::string req = get("/x");
  ASSERT_TRUE(c.send(req));
  ParsedResponse r = c.read_response();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(h.metric_value("http_request_bytes_total"), static_cast<double>(req.size()));
  EXPECT_EQ(h.metric_value("http_response_bytes_total"),
            static_cast<double>(r.head.size() + 2 + r.body.size()));
  EXPECT_EQ(h.metric_value("http_open_connections"), 1);
  c.close();
  for (int i = 0; i < 300 && h.open_connections() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(h.metric_value("http_open_connections"), 0);
}

}  // namespace
}  // namespace http::test
