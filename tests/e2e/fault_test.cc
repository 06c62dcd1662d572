// Faults the platform and the services around it really produce, against the real binary:
// X rate limits (a short wait is waited out; a long one puts the task back in the queue and the
// next task brings everything), Azure Storage unreachable for a while, the Event API
// failing before it accepts, and an expired SAS (PermanentFailure with a clear message). In each
// case nothing is reported as imported that is not in the container, and the cursor moves only
// after the Event API accepted a Success.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "e2e/platform.h"

namespace e2e {
namespace {

constexpr int kTaskTimeoutMs = 120000;

bool succeeded(const Completion& c) { return c.status == 0 && c.answered_status == 200; }
bool any_answered(const Completion& c) { return c.answered_status == 200; }

std::set<std::string> ids_of(const std::vector<Tweet>& ts) {
  std::set<std::string> out;
  for (const auto& t : ts) out.insert(t.id);
  return out;
}
std::set<std::string> ids_of(const Completion& c) {
  std::set<std::string> out;
  for (const auto& m : c.items) out.insert(m.id);
  return out;
}
std::string max_id(const std::vector<Tweet>& ts) {
  uint64_t m = 0;
  for (const auto& t : ts) m = std::max(m, id_u64(t.id));
  return std::to_string(m);
}

// A started platform with a set-up job and a window over the whole synthetic timeline.
struct Scenario {
  explicit Scenario(Platform::Options o = {}) : p(std::move(o)) {}
  void begin(const std::string& job_id) {
    job = job_id;
    ASSERT_TRUE(p.start()) << p.error() << p.diagnostics();
    ASSERT_EQ(p.setup_job(job), "") << p.diagnostics();
    all = p.tweets();
    ASSERT_FALSE(all.empty());
    start = all.back().ms - 30000;
    end = all.front().ms + 30000;
  }
  // The blobs of the task are exactly the window's tweets.
  void expect_blobs_complete(const std::string& task) {
    auto names = p.blob_names(job + "/" + task + "/");
    ASSERT_TRUE(names) << p.error();
    std::set<std::string> got(names->begin(), names->end()), want;
    for (const auto& t : all) want.insert(job + "/" + task + "/" + t.id + ".json");
    EXPECT_EQ(got, want);
    EXPECT_EQ(got.size(), names->size());
  }
  Platform p;
  std::string job;
  std::vector<Tweet> all;
  int64_t start = 0, end = 0;
};

Platform::Options with_rate_wait(int seconds) {
  Platform::Options o;
  o.synthetic = 150;
  o.env["CONNECTOR_TWITTER_MAX_RATE_WAIT"] = std::to_string(seconds);
  return o;
}

TEST(Faults, TwitterRateLimitIsWaitedOutThenRecovers) {
  Scenario s(with_rate_wait(30));
  s.begin("fault-429-short");
  if (HasFatalFailure()) return;
  // The first timeline page is refused with a window that resets in 2 s.
  ASSERT_NE(
      s.p.twitter_control("{\"inject\":[{\"status\":429,\"reset_in\":2,\"match\":\"/2/users\"}]}"),
      "");
  auto r = s.p.download_request(s.job, "rl-1", s.start, s.end, s.p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  auto c = s.p.wait_completion("rl-1", kTaskTimeoutMs, any_answered);
  ASSERT_TRUE(c) << s.p.diagnostics();
  EXPECT_EQ(c->status, 0) << c->body.substr(0, 300) << s.p.diagnostics();
  EXPECT_EQ(ids_of(*c), ids_of(s.all));
  s.expect_blobs_complete("rl-1");
  EXPECT_GE(s.p.metric("connector_rate_limit_waits_total"), 1) << s.p.diagnostics();
  // The 429 was consumed (the connector asked again after the reset).
  EXPECT_NE(s.p.twitter_control("{}").find("\"pending_faults\":0"), std::string::npos);
}

// A reset beyond CONNECTOR_TWITTER_MAX_RATE_WAIT: the task is put back in the queue until X's
// window resets (the worker retries a transient failure itself before it reports a
// TemporaryFailure), nothing is reported as imported and the cursor stays; a task the platform
// sends meanwhile, once X answers again, brings everything.
TEST(Faults, TwitterRateLimitBeyondTheWaitPutsTheTaskBackThenRecovers) {
  Scenario s(with_rate_wait(3));
  s.begin("fault-429-long");
  if (HasFatalFailure()) return;
  ASSERT_NE(s.p.twitter_control(
                "{\"inject\":[{\"status\":429,\"reset_in\":3600,\"match\":\"/2/users\"}]}"),
            "");
  auto r = s.p.download_request(s.job, "rl-long-1", s.start, s.end, s.p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  std::string line;
  for (int i = 0; i < 600 && line.empty(); ++i) {
    std::string log = s.p.connector().log();
    size_t at = log.find("\"task_id\":\"rl-long-1\",\"job_id\":\"fault-429-long\",\"outcome\"");
    if (at != std::string::npos) {
      size_t a = log.rfind('\n', at), b = log.find('\n', at);
      line = log.substr(a + 1, b - a - 1);
    }
    if (line.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(line.empty()) << "rl-long-1 did not finish its attempt" << s.p.diagnostics();
  EXPECT_NE(line.find("\"outcome\":\"released\""), std::string::npos) << line;
  size_t retry = line.find("\"retry_in_ms\":");
  ASSERT_NE(retry, std::string::npos) << line;
  // Not retried before the window resets (an hour away; the release is capped at 20 minutes).
  EXPECT_GE(strtoll(line.c_str() + retry + 14, nullptr, 10), 10 * 60 * 1000) << line;
  EXPECT_TRUE(s.p.completions().empty()) << "a report for a task that imported nothing yet";
  auto j = s.p.job(s.job);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->since_id, "0") << "cursor moved without a Success: " << j->raw;
  EXPECT_EQ(j->queued_tasks, 1u) << "the task must stay queued for its retry: " << j->raw;

  // X answers again; the platform's next task brings everything.
  r = s.p.download_request(s.job, "rl-long-2", s.start, s.end, s.p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  auto c2 = s.p.wait_completion("rl-long-2", kTaskTimeoutMs, succeeded);
  ASSERT_TRUE(c2) << s.p.diagnostics();
  EXPECT_EQ(ids_of(*c2), ids_of(s.all));
  s.expect_blobs_complete("rl-long-2");
  j = s.p.job(s.job);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->since_id, max_id(s.all)) << j->raw;
  EXPECT_EQ(j->last_result, "Success") << j->raw;
}

TEST(Faults, StorageUnavailableForAWhile) {
  Platform::Options o;
  o.synthetic = 120;
  Scenario s(o);
  s.begin("fault-storage");
  if (HasFatalFailure()) return;
  int port = s.p.azurite().port();
  s.p.azurite().stop();  // connections refused from now on
  auto r = s.p.download_request(s.job, "st-1", s.start, s.end, s.p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  // Storage stays away for 4 s: nothing may be reported as imported meanwhile.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  for (const auto& c : s.p.completions())
    EXPECT_NE(c.status, 0) << "Success reported while storage was down: " << c.body.substr(0, 300);
  auto j = s.p.job(s.job);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->since_id, "0") << j->raw;
  ASSERT_TRUE(s.p.azurite().start(port)) << s.p.azurite().error();

  // The platform asks again after each TemporaryFailure (as it does on its schedule) until a
  // task succeeds; the connector may also have waited the outage out within the first task.
  std::string task = "st-1";
  std::optional<Completion> done;
  for (int attempt = 2; attempt <= 6 && !done; ++attempt) {
    auto c = s.p.wait_completion(task, kTaskTimeoutMs, any_answered);
    ASSERT_TRUE(c) << "no completion of " << task << s.p.diagnostics();
    if (c->status == 0) {
      done = c;
      break;
    }
    EXPECT_EQ(c->status, 1) << "storage down is temporary: " << c->body.substr(0, 300);
    task = "st-" + std::to_string(attempt);
    r = s.p.download_request(s.job, task, s.start, s.end, s.p.sas_uri());
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  ASSERT_TRUE(done) << s.p.diagnostics();
  EXPECT_EQ(ids_of(*done), ids_of(s.all));
  s.expect_blobs_complete(task);
  j = s.p.job(s.job);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->since_id, max_id(s.all)) << j->raw;
  EXPECT_EQ(j->last_result, "Success") << j->raw;
}

TEST(Faults, EventApiFailsThenAccepts) {
  Platform::Options o;
  o.synthetic = 60;
  Scenario s(o);
  s.begin("fault-events");
  if (HasFatalFailure()) return;
  ASSERT_TRUE(s.p.event_api_fail(2, 500));
  auto r = s.p.download_request(s.job, "ev-1", s.start, s.end, s.p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  auto c = s.p.wait_completion("ev-1", kTaskTimeoutMs, any_answered);
  ASSERT_TRUE(c) << s.p.diagnostics();
  EXPECT_EQ(c->status, 0) << c->body.substr(0, 300);
  EXPECT_EQ(ids_of(*c), ids_of(s.all));
  // The two refused reports came first and carried the same result.
  auto all = s.p.completions();
  int refused = 0;
  for (const auto& x : all) {
    if (x.answered_status != 500) continue;
    ++refused;
    EXPECT_LT(x.seq, c->seq);
    EXPECT_EQ(x.body, c->body) << "a retried report must be the same report";
  }
  EXPECT_EQ(refused, 2);
  s.expect_blobs_complete("ev-1");
  auto j = s.p.job(s.job);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->since_id, max_id(s.all)) << j->raw;
  EXPECT_EQ(j->last_result, "Success") << j->raw;
  EXPECT_EQ(j->tasks_succeeded, 1u) << j->raw;
}

TEST(Faults, ExpiredSasIsAPermanentFailureWithAClearMessage) {
  Platform::Options o;
  o.synthetic = 20;
  Scenario s(o);
  s.begin("fault-sas");
  if (HasFatalFailure()) return;
  auto r = s.p.download_request(s.job, "sas-1", s.start, s.end, s.p.sas_uri(-3600));
  ASSERT_EQ(r.status, 200) << r.raw;
  auto c = s.p.wait_completion("sas-1", kTaskTimeoutMs, any_answered);
  ASSERT_TRUE(c) << s.p.diagnostics();
  EXPECT_EQ(c->status, 2) << c->body.substr(0, 300);
  EXPECT_TRUE(c->shape_ok) << c->body.substr(0, 300);
  EXPECT_TRUE(c->items.empty()) << "nothing was stored, nothing may be reported: " << c->body;
  auto names = s.p.blob_names(s.job + "/");
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
  auto j = s.p.job(s.job);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->last_result, "PermanentFailure") << j->raw;
  EXPECT_EQ(j->tasks_permanent_failed, 1u) << j->raw;
  EXPECT_EQ(j->since_id, "0") << j->raw;
  // The admin reads why: the storage refused the SAS (403), which has to be renewed.
  std::string m = j->last_message;
  for (char& ch : m) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  EXPECT_NE(m.find("403"), std::string::npos) << j->raw;
  EXPECT_NE(m.find("sas"), std::string::npos) << j->raw;
}

}  // namespace
}  // namespace e2e
