// Headers, target/query decoding and response serialisation.
#include "http/message.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace http {
namespace {

TEST(Headers, CaseInsensitiveAndOrdered) {
  Headers h;
  h.add("Content-Type", "a");
  h.add("X-Two", "1");
  h.add("x-two", "2");
  EXPECT_EQ(h.get("content-type"), "a");
  EXPECT_EQ(h.get("X-TWO"), "1");
  EXPECT_EQ(h.count("x-two"), 2u);
  EXPECT_FALSE(h.get("missing"));
  h.set("X-TWO", "3");
  EXPECT_EQ(h.count("x-two"), 1u);
  EXPECT_EQ(h.all().back().second, "3");
  h.remove("content-type");
  EXPECT_EQ(h.size(), 1u);
}

TEST(Target, DecodesPathAndQuery) {
  const char* why = "";
  auto t = parse_target("/a%2Fb/c%20d?x=1+2&y=%26&z&&w=", &why);
  ASSERT_TRUE(t) << why;
  EXPECT_EQ(t->path, "/a/b/c d");
  EXPECT_EQ(t->query, "x=1+2&y=%26&z&&w=");
  ASSERT_EQ(t->params.size(), 4u);
  EXPECT_EQ(t->params[0], (std::pair<std::string, std::string>{"x", "1 2"}));
  EXPECT_EQ(t->params[1], (std::pair<std::string, std::string>{"y", "&"}));
  EXPECT_EQ(t->params[2], (std::pair<std::string, std::string>{"z", ""}));
  EXPECT_EQ(t->params[3], (std::pair<std::string, std::string>{"w", ""}));
}

TEST(Target, PlusInPathIsLiteral) {
  const char* why = "";
  auto t = parse_target("/a+b", &why);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/a+b");
}

TEST(Target, RejectsMalformed) {
  const char* why = "";
  EXPECT_FALSE(parse_target("", &why));
  EXPECT_FALSE(parse_target("*", &why));
  EXPECT_FALSE(parse_target("http://h/x", &why));
  EXPECT_FALSE(parse_target("/a%2", &why));
  EXPECT_STREQ(why, "malformed percent-escape in request path");
  EXPECT_FALSE(parse_target("/a?b=%zz", &why));
  EXPECT_STREQ(why, "malformed percent-escape in query string");
  EXPECT_FALSE(parse_target("/%00", &why));
}

TEST(Query, Utf8AndEmpty) {
  std::vector<std::pair<std::string, std::string>> out;
  ASSERT_TRUE(parse_query("name=J%C3%BCrgen&", &out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].second, "J\xC3\xBCrgen");
  out.clear();
  EXPECT_TRUE(parse_query("", &out));
  EXPECT_TRUE(out.empty());
}

TEST(Response, ErrorIsSmallJson) {
  Response r = Response::error(413, "request body exceeds 10 bytes");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers.get("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.body, "{\"error\":\"request body exceeds 10 bytes\"}");
}

TEST(Response, JsonAndText) {
  json::Json o = json::object();
  json::add_number(o.get(), "n", 3);
  EXPECT_EQ(Response::json(201, o.get()).body, "{\"n\":3}");
  Response t = Response::text(200, "hi");
  EXPECT_EQ(t.headers.get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "hi");
}

TEST(Serialize, StatusLineHeadersAndLength) {
  Response r = Response::text(200, "hello");
  r.headers.add("X-A", "1");
  EXPECT_EQ(serialize_head(r, {}),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nX-A: "
            "1\r\nContent-Length: 5\r\n\r\n");
  SerializeOptions close;
  close.close = true;
  EXPECT_EQ(
      serialize_head(Response::text(404, ""), close),
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n");
}

TEST(Serialize, Http10KeepAlive) {
  SerializeOptions o;
  o.http_minor = 0;
  Response r;
  r.body = "x";
  EXPECT_EQ(serialize_head(r, o),
            "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n");
}

TEST(Serialize, HeadKeepsLengthOfBody) {
  SerializeOptions o;
  o.head = true;
  Response r = Response::text(200, "12345");
  EXPECT_NE(serialize_head(r, o).find("Content-Length: 5\r\n"), std::string::npos);
}

TEST(Serialize, FramingAndInvalidHeadersAreDropped) {
  Response r;
  r.status = 204;
  r.headers.add("Content-Length", "99");
  r.headers.add("Transfer-Encoding", "chunked");
  r.headers.add("Connection", "upgrade");
  r.headers.add("X-Evil", "a\r\nSet-Cookie: x=1");
  r.headers.add("Bad Name", "v");
  r.headers.add("X-Ok", "fine");
  EXPECT_EQ(serialize_head(r, {}), "HTTP/1.1 204 No Content\r\nX-Ok: fine\r\n\r\n");
}

TEST(Serialize, UnknownStatusBecomes500AndReasons) {
  Response r;
  r.status = 42;
  EXPECT_EQ(serialize_head(r, {}).substr(0, 34), "HTTP/1.1 500 Internal Server Error");
  EXPECT_STREQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_STREQ(reason_phrase(414), "URI Too Long");
  EXPECT_STREQ(reason_phrase(599), "Unknown");
}

TEST(Method, Names) {
  EXPECT_STREQ(method_name(Method::Delete), "DELETE");
  EXPECT_STREQ(method_name(Method::Other), "OTHER");
}

}  // namespace
}  // namespace http
