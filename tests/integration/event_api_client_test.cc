// m365::EventApiClient against a fake Event API (tests/support/fake_event_api.js, HTTPS with
// the test CA) that checks the bearer token and the exact JSON shape: acknowledged first
// time, 500s retried with backoff, a 401 answered with one fresh token, a 401 that persists,
// retries that run out, a 400 not retried, and a token provider that fails.
#include <gtest/gtest.h>

#include <deque>

#include "http/client.h"
#include "json/json.h"
#include "m365/event_api.h"
#include "support/loop_helpers.h"
#include "support/test_servers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using core::Errc;
using m365::FailureClass;

// Hands out tokens[generation] from a timer (never inside get_token); invalidate() moves on.
class FakeTokens final : public m365::TokenProvider, uv::Timer::Handler {
 public:
  explicit FakeTokens(uv::Loop& loop) : loop_(loop) {}
  void get_token(const std::string& tenant, Callback cb) override {
    ++gets;
    last_tenant = tenant;
    pending_.push_back(std::move(cb));
    timer_ = uv::Timer::create(loop_.get(), this);
    timer_->start(0);
  }
  void invalidate(const std::string&) override {
    ++invalidations;
    ++generation_;
  }
  void on_timer(uv::Timer*) override {
    timer_.reset();
    auto waiting = std::move(pending_);
    for (auto& cb : waiting) {
      m365::TokenResult t;
      if (fail) {
        t.error = core::make_error(Errc::Unauthorized, "aad");
        t.permanent = true;
        t.message = "AADSTS7000215: invalid client secret";
      } else {
        t.ok = true;
        t.access_token = tokens[std::min(generation_, tokens.size() - 1)];
      }
      cb(t);
    }
  }

  std::vector<std::string> tokens{"tok-1"};
  bool fail = false;
  int gets = 0, invalidations = 0;
  std::string last_tenant;

 private:
  uv::Loop& loop_;
  size_t generation_ = 0;
  std::deque<Callback> pending_;
  uv::Ptr<uv::Timer> timer_;
};

struct Seen {
  std::string authorization, body, path, job_id, content_type;
  bool shape_ok = false;
  int status = 0;
};

class EventApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(test_pki_dir().empty()) << "test PKI generation failed"; }
  void TearDown() override {
    events_.reset();
    client_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  void start(std::vector<std::string> extra, uint32_t max_attempts = 5) {
    const std::string& d = test_pki_dir();
    std::vector<std::string> argv = {"node",   project_root() + "/tests/support/fake_event_api.js",
                                     "--cert", d + "/good.crt",
                                     "--key",  d + "/good.key"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<Subprocess>(Subprocess::Options{argv});
    auto line = server_->wait_for_line("listening on 127.0.0.1:", 15000);
    ASSERT_TRUE(line) << server_->output();
    port_ = static_cast<int>(strtol(line->c_str() + line->rfind(':') + 1, nullptr, 10));
    std::string msg;
    auto c = http::Client::create(loop_, {.ca_file = d + "/ca.crt"}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    client_ = std::move(*c);
    m365::EventApiClient::Options o;
    o.base = "https://127.0.0.1:" + std::to_string(port_) + "/";
    o.retry.max_attempts = max_attempts;
    o.retry.base_delay_ms = 10;
    o.retry.max_delay_ms = 50;
    events_ = std::make_unique<m365::EventApiClient>(loop_, *client_, tokens_, o);
  }
  m365::EventResult send(m365::Completion c) {
    int calls = 0;
    m365::EventResult out;
    std::string msg;
    auto id = events_->send(
        std::move(c),
        [&](m365::EventResult& r) {
          ++calls;
          out = std::move(r);
        },
        &msg);
    EXPECT_TRUE(id.ok()) << msg;
    EXPECT_EQ(calls, 0);
    Watchdog w;
    w.loop = &loop_;
    auto t = uv::Timer::create(loop_.get(), &w);
    t->unref();
    t->start(30000);
    loop_.run();
    t.reset();
    EXPECT_FALSE(w.fired);
    EXPECT_EQ(calls, 1);
    return out;
  }
  std::vector<Seen> seen() {
    std::vector<Seen> out;
    const std::string& text = server_->output();
    size_t pos = 0;
    while ((pos = text.find("REQUEST ", pos)) != std::string::npos) {
      size_t end = text.find('\n', pos);
      auto j = json::parse(std::string_view(text).substr(pos + 8, end - pos - 8));
      pos = end;
      if (!j.ok()) continue;
      Seen s;
      s.authorization = std::string(json::get_string(j->get(), "authorization").value_or(""));
      s.body = std::string(json::get_string(j->get(), "body").value_or(""));
      s.path = std::string(json::get_string(j->get(), "path").value_or(""));
      s.job_id = std::string(json::get_string(j->get(), "jobId").value_or(""));
      s.content_type = std::string(json::get_string(j->get(), "contentType").value_or(""));
      s.shape_ok = json::get_bool(j->get(), "shapeOk").value_or(false);
      s.status = static_cast<int>(json::get_int(j->get(), "status").value_or(0));
      out.push_back(s);
    }
    return out;
  }
  static m365::Completion completion() {
    return {"contoso-tenant",
            "job-7",
            "task-9",
            m365::TaskStatus::Success,
            {{"1106451391000834048", "2019-03-15T07:05:43", "1552633543123.json"},
             {"1106451391000834049", "2019-03-15T07:06:00", "1552633543124.json"}}};
  }

  uv::Loop loop_;
  FakeTokens tokens_{loop_};
  std::unique_ptr<Subprocess> server_;
  int port_ = 0;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<m365::EventApiClient> events_;
};

TEST_F(EventApiClientTest, AcknowledgedWithExactBody) {
  start({"--token", "tok-1"});
  auto r = send(completion());
  ASSERT_TRUE(r.acknowledged) << r.message;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_FALSE(r.token_refreshed);
  EXPECT_EQ(tokens_.last_tenant, "contoso-tenant");
  auto s = seen();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].path, "/api/data/ondownloadcomplete/");
  EXPECT_EQ(s[0].job_id, "job-7");
  EXPECT_EQ(s[0].authorization, "Bearer tok-1");
  EXPECT_EQ(s[0].content_type, "application/json; charset=utf-8");
  EXPECT_TRUE(s[0].shape_ok) << s[0].body;
  EXPECT_EQ(s[0].body,
            "{\"taskId\":\"task-9\",\"status\":0,\"itemMetadata\":["
            "{\"id\":\"1106451391000834048\",\"modificationTimestampUtc\":\"2019-03-15T07:05:43\","
            "\"fileName\":\"1552633543123.json\"},"
            "{\"id\":\"1106451391000834049\",\"modificationTimestampUtc\":\"2019-03-15T07:06:00\","
            "\"fileName\":\"1552633543124.json\"}]}");
}

TEST_F(EventApiClientTest, ServerErrorsRetriedThenAcknowledged) {
  start({"--token", "tok-1", "--fail", "2"});
  auto r = send(completion());
  ASSERT_TRUE(r.acknowledged) << r.message;
  EXPECT_EQ(r.requests, 3u);
  auto s = seen();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].status, 500);
  EXPECT_EQ(s[1].status, 500);
  EXPECT_EQ(s[2].status, 200);
  for (const auto& x : s) EXPECT_EQ(x.body, s[0].body);
}

TEST_F(EventApiClientTest, RateLimitRetried) {
  start({"--token", "tok-1", "--fail", "1", "--fail-status", "429"});
  auto r = send(completion());
  ASSERT_TRUE(r.acknowledged) << r.message;
  EXPECT_EQ(r.requests, 2u);
}

TEST_F(EventApiClientTest, UnauthorizedRefreshesTheTokenOnce) {
  tokens_.tokens = {"stale", "fresh"};
  start({"--token", "fresh"});
  auto r = send(completion());
  ASSERT_TRUE(r.acknowledged) << r.message;
  EXPECT_TRUE(r.token_refreshed);
  EXPECT_EQ(tokens_.invalidations, 1);
  EXPECT_EQ(tokens_.gets, 2);
  auto s = seen();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].authorization, "Bearer stale");
  EXPECT_EQ(s[0].status, 401);
  EXPECT_EQ(s[1].authorization, "Bearer fresh");
  EXPECT_EQ(s[1].status, 200);
}

TEST_F(EventApiClientTest, PersistentUnauthorizedIsPermanentAfterOneRefresh) {
  tokens_.tokens = {"a", "b", "c"};
  start({"--token", "never"});
  auto r = send(completion());
  ASSERT_FALSE(r.acknowledged);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_EQ(r.error.code, Errc::Unauthorized);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(tokens_.invalidations, 1);
  EXPECT_EQ(seen().size(), 2u);
  EXPECT_EQ(r.message.find("Bearer"), std::string::npos);
  EXPECT_NE(r.message.find("AAD app registration"), std::string::npos) << r.message;
}

TEST_F(EventApiClientTest, RetriesRunOutAsTemporary) {
  start({"--token", "tok-1", "--fail", "100"}, 3);
  auto r = send(completion());
  ASSERT_FALSE(r.acknowledged);
  EXPECT_EQ(r.failure, FailureClass::Temporary);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_EQ(r.requests, 3u);
  EXPECT_EQ(seen().size(), 3u);
  EXPECT_NE(r.message.find("send it again later"), std::string::npos) << r.message;
}

TEST_F(EventApiClientTest, BadRequestIsPermanentWithoutRetry) {
  start({"--token", "tok-1", "--fail", "5", "--fail-status", "400"});
  auto r = send(completion());
  ASSERT_FALSE(r.acknowledged);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(seen().size(), 1u);
}

TEST_F(EventApiClientTest, TokenFailureSendsNothing) {
  tokens_.fail = true;
  start({"--token", "tok-1"});
  auto r = send(completion());
  ASSERT_FALSE(r.acknowledged);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_NE(r.message.find("AADSTS7000215"), std::string::npos) << r.message;
  EXPECT_EQ(seen().size(), 0u);
}

TEST_F(EventApiClientTest, ServerDownIsTemporary) {
  start({"--token", "tok-1"}, 2);
  server_->stop();
  auto r = send(completion());
  ASSERT_FALSE(r.acknowledged);
  EXPECT_EQ(r.failure, FailureClass::Temporary);
  EXPECT_EQ(r.error.code, Errc::ConnectRefused) << r.message;
}

TEST_F(EventApiClientTest, InvalidCompletionRefusedUpFront) {
  start({"--token", "tok-1"});
  auto c = completion();
  c.task_id.clear();
  std::string msg;
  int calls = 0;
  auto id = events_->send(
      std::move(c), [&](m365::EventResult&) { ++calls; }, &msg);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(msg.find("task id"), std::string::npos);
  loop_.run();
  EXPECT_EQ(calls, 0);
}

TEST_F(EventApiClientTest, CancelDropsTheCallback) {
  start({"--token", "tok-1"});
  int calls = 0;
  auto id = events_->send(completion(), [&](m365::EventResult&) { ++calls; });
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(events_->cancel(*id));
  EXPECT_FALSE(events_->cancel(*id));
  loop_.run();
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(events_->in_flight(), 0u);
}

}  // namespace
