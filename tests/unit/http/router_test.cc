// Router matching (case-insensitive, 404, 405 + Allow, HEAD via GET, OPTIONS) and the
// Responder contract (exactly once, nothing after the client left, 500 when dropped).
#include "http/router.h"

#include <gtest/gtest.h>

namespace http {
namespace {

void noop(Request&, Responder) {}

TEST(Router, MatchesCaseInsensitively) {
  Router r;
  r.get("/api/Connector/Config", noop);
  auto m = r.match(Method::Get, "/API/connector/config");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.label, "/api/Connector/Config");
  EXPECT_NE(r.match(Method::Get, "/api/connector/config/").route, nullptr);  // trailing slash
  EXPECT_EQ(r.match(Method::Get, "/api/connector/configx").status, 404);
  EXPECT_EQ(r.match(Method::Get, "/api/connector").status, 404);
}

TEST(Router, NotFoundIsLabelledUnmatched) {
  Router r;
  r.get("/a", noop);
  auto m = r.match(Method::Get, "/b");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 404);
  EXPECT_EQ(m.label, "unmatched");
}

TEST(Router, MethodNotAllowedListsAllow) {
  Router r;
  r.add(Method::Post, "/jobs", noop, "jobs");
  r.get("/jobs", noop);
  r.del("/jobs", noop);
  auto m = r.match(Method::Put, "/jobs");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, HEAD, POST, DELETE, OPTIONS");
  EXPECT_EQ(m.label, "jobs");
}

TEST(Router, HeadUsesGetRoute) {
  Router r;
  r.get("/x", noop);
  auto m = r.match(Method::Head, "/X");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, Method::Get);
  Router only_post;
  only_post.post("/x", noop);
  EXPECT_EQ(only_post.match(Method::Head, "/x").status, 405);
  EXPECT_EQ(only_post.match(Method::Head, "/x").allow, "POST, OPTIONS");
}

TEST(Router, OptionsOnKnownPathGives204WithAllow) {
  Router r;
  r.post("/x", noop);
  auto m = r.match(Method::Options, "/x");
  EXPECT_EQ(m.status, 204);
  EXPECT_EQ(m.allow, "POST, OPTIONS");
}

TEST(Router, ReRegisteringReplaces) {
  Router r;
  int which = 0;
  r.get("/x", [&](Request&, Responder) { which = 1; });
  r.get("/X", [&](Request&, Responder) { which = 2; });
  ASSERT_EQ(r.routes().size(), 1u);
  Request req;
  r.match(Method::Get, "/x").route->handler(req, Responder());
  EXPECT_EQ(which, 2);
}

struct FakeExchange : Exchange {
  std::vector<Response> sent;
  void send(Response r) override { sent.push_back(std::move(r)); }
};

TEST(Responder, RespondsExactlyOnce) {
  FakeExchange ex;
  auto link = std::make_shared<ExchangeLink>();
  link->target = &ex;
  Responder res(link);
  EXPECT_TRUE(res.alive());
  res.respond(Response::text(200, "a"));
  res.respond(Response::text(200, "b"));
  EXPECT_FALSE(res.alive());
  ASSERT_EQ(ex.sent.size(), 1u);
  EXPECT_EQ(ex.sent[0].body, "a");
}

TEST(Responder, DoesNothingOnceTheClientLeft) {
  FakeExchange ex;
  auto link = std::make_shared<ExchangeLink>();
  link->target = &ex;
  Responder res(link);
  link->target = nullptr;  // the connection closed
  EXPECT_FALSE(res.alive());
  res.respond(Response::text(200, "late"));
  EXPECT_TRUE(ex.sent.empty());
}

TEST(Responder, DroppedWithoutAnswerSends500) {
  FakeExchange ex;
  auto link = std::make_shared<ExchangeLink>();
  link->target = &ex;
  {
    Responder res(link);
    Responder moved = std::move(res);  // the moved-from one owes nothing
  }
  ASSERT_EQ(ex.sent.size(), 1u);
  EXPECT_EQ(ex.sent[0].status, 500);
  EXPECT_NE(ex.sent[0].body.find("without a response"), std::string::npos);
}

}  // namespace
}  // namespace http
