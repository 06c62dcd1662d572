// The fake X API (tests/support/fake_twitter.js): its own Node self-test, then whole timelines
// paged over TLS by the C++ pagers and parsers with faults injected (429 with reset headers, a
// reset in the middle of a body). Requests are signed by the Node signer (signed_fetch.js)
// until the connector's HTTPS client and OAuth signer drive these walks themselves.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "json/json.h"
#include "support/subprocess.h"
#include "twitter/api_error.h"
#include "twitter/timeline_pager.h"
#include "twitter/tweet_parser.h"

using testing_support::project_root;
using testing_support::run_command;
using testing_support::Subprocess;
using testing_support::TempDir;

namespace {

const char* kCK = "it-consumer";
const char* kCS = "it consumer secret";
const char* kTK = "it-token";
const char* kTS = "it token secret";

struct Fetched {
  int rc = -1;
  int status = 0;
  std::string reset;  // x-rate-limit-reset
  std::string remaining;
  std::string limit;
  std::string body;
};

Fetched parse_fetch(int rc, const std::string& out) {
  Fetched f;
  f.rc = rc;
  size_t split = out.find("\n\n");
  std::string head = out.substr(0, split);
  f.body = split == std::string::npos ? "" : out.substr(split + 2);
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    std::string line = head.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    auto value = [&](const char* name) { return line.rfind(name, 0) == 0 ? line.substr(strlen(name)) : std::string(); };
    if (line.rfind("status: ", 0) == 0) f.status = std::stoi(value("status: "));
    if (line.rfind("x-rate-limit-reset: ", 0) == 0) f.reset = value("x-rate-limit-reset: ");
    if (line.rfind("x-rate-limit-remaining: ", 0) == 0) f.remaining = value("x-rate-limit-remaining: ");
    if (line.rfind("x-rate-limit-limit: ", 0) == 0) f.limit = value("x-rate-limit-limit: ");
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return f;
}

class FakeTwitterTls : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sh = [&](std::vector<std::string> argv) {
      auto r = run_command(argv, 30000);
      ASSERT_EQ(r.first, 0) << r.second;
    };
    std::string d = dir_.path();
    sh({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        d + "/ca.key", "-out", d + "/ca.pem", "-days", "1", "-subj", "/CN=integration test CA"});
    sh({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        d + "/srv.key", "-out", d + "/srv.csr", "-subj", "/CN=127.0.0.1"});
    FILE* ext = fopen((d + "/ext.cnf").c_str(), "w");
    ASSERT_TRUE(ext);
    fputs("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n", ext);
    fclose(ext);
    sh({"openssl", "x509", "-req", "-in", d + "/srv.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
        "-CAcreateserial", "-out", d + "/srv.pem", "-days", "1", "-extfile", d + "/ext.cnf"});
    server_ = std::make_unique<Subprocess>(Subprocess::Options{
        {"node", project_root() + "/tests/support/fake_twitter.js", "--synthetic", "250", "--cert", d + "/srv.pem",
         "--key", d + "/srv.key", "--consumer-key", kCK, "--consumer-secret", kCS, "--token", kTK, "--token-secret",
         kTS, "--user-id", "4113725063", "--max-lifetime", "120"}});
    auto line = server_->wait_for_line("listening on 127.0.0.1:");
    ASSERT_TRUE(line) << server_->output();
    port_ = line->substr(line->rfind(':') + 1);
    while (!port_.empty() && (port_.back() == '\n' || port_.back() == '\r')) port_.pop_back();
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0);
    }
  }

  Fetched fetch(const std::string& path_and_query, const std::string& json_body = "") {
    std::vector<std::string> argv = {"node", project_root() + "/tests/support/signed_fetch.js", "--url",
                                     "https://127.0.0.1:" + port_ + path_and_query, "--ca", dir_.path() + "/ca.pem",
                                     "--consumer-key", kCK, "--consumer-secret", kCS, "--token", kTK,
                                     "--token-secret", kTS};
    if (!json_body.empty()) {
      argv.push_back("--json");
      argv.push_back(json_body);
    }
    auto r = run_command(argv, 30000);
    return parse_fetch(r.first, r.second);
  }
  std::vector<uint64_t> server_ids() {
    Fetched f = fetch("/__control/state");
    auto root = json::parse(f.body);
    EXPECT_TRUE(root.ok()) << f.body;
    std::vector<uint64_t> ids;
    const cJSON* id;
    cJSON_ArrayForEach(id, json::get_array(root->get(), "ids")) ids.push_back(*json::parse_u64(id->valuestring));
    return ids;
  }

  // Pages a whole timeline, retrying the way the pipeline will: wait out 429s (bounded wait),
  // retry transport failures. Returns the accepted ids in order.
  template <class Pager>
  std::vector<uint64_t> walk(Pager& pager, int* rate_limited = nullptr, int* resets = nullptr) {
    std::vector<uint64_t> got;
    int attempts = 0;
    while (!pager.done() && attempts < 60) {
      ++attempts;
      Fetched f = fetch(pager.next_path());
      if (f.rc == 3) {  // connection died mid-body: a transport failure the client retries
        EXPECT_TRUE(twitter::is_retryable_transport(core::Errc::ConnReset));
        if (resets) ++*resets;
        continue;
      }
      EXPECT_EQ(f.rc, 0) << f.body;
      if (f.status != 200) {
        twitter::ApiError e = twitter::classify_response(f.status, f.body);
        EXPECT_EQ(e.code, core::Errc::RateLimited) << e.message;
        auto info = twitter::parse_rate_limit(f.limit, f.remaining, f.reset);
        auto d = twitter::decide_rate_limit(f.status, info, time(nullptr) * 1000LL, 10'000);
        EXPECT_EQ(d.kind, twitter::RateDecision::Kind::Wait);
        EXPECT_TRUE(d.retry_same_request);
        EXPECT_LE(d.wait_ms, 4000);
        if (rate_limited) ++*rate_limited;
        usleep(static_cast<useconds_t>(d.wait_ms) * 1000);
        continue;
      }
      std::string why;
      auto page = twitter::parse_timeline(f.body, &why);
      EXPECT_TRUE(page.ok()) << why;
      if (!page.ok()) break;
      auto out = pager.consume(*page);
      EXPECT_TRUE(out.ok());
      if (!out.ok()) break;
      for (size_t i : out->accepted) got.push_back(page->tweets[i].id);
    }
    EXPECT_TRUE(pager.done());
    return got;
  }

  TempDir dir_;
  std::unique_ptr<Subprocess> server_;
  std::string port_;
};

void expect_exactly(const std::vector<uint64_t>& got, const std::vector<uint64_t>& want) {
  EXPECT_EQ(std::set<uint64_t>(got.begin(), got.end()).size(), got.size()) << "a post was delivered twice";
  EXPECT_EQ(got, want);  // both newest first
}

}  // namespace

TEST(FakeTwitter, NodeSelfTestPasses) {
  auto r = run_command({"node", project_root() + "/tests/support/fake_twitter_selftest.js"}, 90000);
  EXPECT_EQ(r.first, 0) << r.second;
  size_t at = r.second.find("selftest: ");
  ASSERT_NE(at, std::string::npos) << r.second;
  int passed = 0, failed = -1;
  ASSERT_EQ(sscanf(r.second.c_str() + at, "selftest: %d passed, %d failed", &passed, &failed), 2);
  EXPECT_GE(passed, 13);
  EXPECT_EQ(failed, 0) << r.second;
}

TEST_F(FakeTwitterTls, V2WholeTimelineThenOnlyTheNewPosts) {
  std::vector<uint64_t> all = server_ids();
  ASSERT_EQ(all.size(), 250u);
  twitter::V2TimelinePager first("4113725063", {});
  expect_exactly(walk(first), all);
  EXPECT_EQ(first.pages(), 3u);
  ASSERT_TRUE(first.newest_id());
  EXPECT_EQ(*first.newest_id(), all.front());

  // 130 posts arrive: more than one page of new posts since the cursor.
  Fetched c = fetch("/__control", R"({"add_tweets":130})");
  ASSERT_EQ(c.status, 200) << c.body;
  std::vector<uint64_t> now = server_ids();
  twitter::V2TimelinePager next("4113725063", twitter::TimelineWindow{first.newest_id(), {}, {}});
  expect_exactly(walk(next), std::vector<uint64_t>(now.begin(), now.begin() + 130));
  EXPECT_EQ(*next.newest_id(), now.front());
}

TEST_F(FakeTwitterTls, V1WalkSurvivesA429AndAResetMidBody) {
  std::vector<uint64_t> all = server_ids();
  Fetched c = fetch("/__control",
                    R"({"inject":[{"status":429,"reset_in":1,"match":"/1.1/statuses"},)"
                    R"({"reset_mid_body":true,"match":"/1.1/statuses"}]})");
  ASSERT_EQ(c.status, 200) << c.body;
  twitter::V1TimelinePager pager("4113725063", twitter::TimelineWindow{all[230], {}, {}});
  int limited = 0, resets = 0;
  expect_exactly(walk(pager, &limited, &resets), std::vector<uint64_t>(all.begin(), all.begin() + 230));
  EXPECT_EQ(limited, 1);
  EXPECT_EQ(resets, 1);
  EXPECT_EQ(*pager.newest_id(), all.front());
}

TEST_F(FakeTwitterTls, WrongSecretsAreUnauthorizedWithAnActionableMessage) {
  auto r = run_command({"node", project_root() + "/tests/support/signed_fetch.js", "--url",
                        "https://127.0.0.1:" + port_ + "/2/users/me", "--ca", dir_.path() + "/ca.pem",
                        "--consumer-key", kCK, "--consumer-secret", kCS, "--token", kTK, "--token-secret", "stale"},
                       30000);
  Fetched f = parse_fetch(r.first, r.second);
  EXPECT_EQ(f.status, 401);
  twitter::ApiError e = twitter::classify_response(f.status, f.body);
  EXPECT_EQ(e.code, core::Errc::Unauthorized);
  EXPECT_TRUE(e.needs_relogin);
}
