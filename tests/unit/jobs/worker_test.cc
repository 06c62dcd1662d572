// jobs::Worker with the MemoryStore and no network: option validation, polling an empty queue,
// wake(), stop() answering exactly once and later, abandoning a running task without completing
// it (the task stays queued for the next process), and the AAD token adapter's error mapping.
#include "jobs/worker.h"

#include <gtest/gtest.h>

#include "http/client.h"
#include "m365/aad_token_provider.h"
#include "store/memory_store.h"

namespace {

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string msg;
    auto c = http::Client::create(loop_, {}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    http_ = std::move(*c);
    store_ = std::make_unique<store::MemoryStore>(loop_.get(), clock_);
    aad_ = std::make_unique<m365::AadTokenClient>(loop_, *http_, clock_,
                                                  m365::AadTokenClient::Options{});
  }
  void TearDown() override {
    worker_.reset();
    aad_.reset();
    store_.reset();
    http_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  jobs::WorkerOptions options() {
    jobs::WorkerOptions o;
    o.event_api_base = "https://127.0.0.1:1";
    o.poll_interval_ms = 10;
    return o;
  }
  void make(jobs::WorkerOptions o) {
    worker_ = std::make_unique<jobs::Worker>(loop_, *store_, *http_, *aad_, &metrics_, clock_, rng_,
                                             std::move(o));
  }
  // Stops the worker and runs the loop until its callback ran; returns how often it ran.
  int stop_and_wait() {
    int calls = 0;
    worker_->stop([&] { ++calls; });
    EXPECT_EQ(calls, 0);  // never inside stop()
    loop_.run();
    return calls;
  }

  uv::Loop loop_;
  core::ManualClock clock_;
  core::SeededRng rng_{1};
  core::Metrics metrics_;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<m365::AadTokenClient> aad_;
  std::unique_ptr<jobs::Worker> worker_;
};

TEST_F(WorkerTest, RefusesBadOptions) {
  struct Case {
    void (*edit)(jobs::WorkerOptions&);
    const char* says;
  } cases[] = {
      {[](jobs::WorkerOptions& o) { o.poll_interval_ms = 0; }, "poll interval"},
      {[](jobs::WorkerOptions& o) { o.lease_visibility_ms = 0; }, "visibility"},
      {[](jobs::WorkerOptions& o) { o.lease_visibility_ms = 25LL * 3600 * 1000; }, "visibility"},
      {[](jobs::WorkerOptions& o) { o.max_running_tasks = 0; }, "task"},
      {[](jobs::WorkerOptions& o) { o.task.upload_concurrency = 0; }, "UPLOAD_CONCURRENCY"},
      {[](jobs::WorkerOptions& o) { o.task.upload_concurrency = 65; }, "UPLOAD_CONCURRENCY"},
      {[](jobs::WorkerOptions& o) { o.event_api_base = "ftp://x"; }, "EVENT_API_BASE"},
  };
  for (const Case& c : cases) {
    jobs::WorkerOptions o = options();
    c.edit(o);
    make(o);
    std::string msg;
    core::Status st = worker_->start(&msg);
    ASSERT_FALSE(st.ok()) << c.says;
    EXPECT_EQ(st.error().code, core::Errc::Config);
    EXPECT_NE(msg.find(c.says), std::string::npos) << msg;
    worker_.reset();
  }
}

TEST_F(WorkerTest, PollsAnEmptyQueueAndStopsOnce) {
  make(options());
  ASSERT_TRUE(worker_->start().ok());
  EXPECT_FALSE(worker_->start().ok());  // twice is refused
  for (int i = 0; i < 5; ++i) loop_.run(UV_RUN_ONCE);
  worker_->wake();
  for (int i = 0; i < 5; ++i) loop_.run(UV_RUN_ONCE);
  EXPECT_EQ(worker_->tasks_started(), 0u);
  EXPECT_EQ(stop_and_wait(), 1);
  worker_->wake();  // after stop: ignored
  EXPECT_EQ(worker_->running(), 0u);
}

TEST_F(WorkerTest, StopAbandonsARunningTaskWithoutCompletingIt) {
  store::Job j;
  j.job_id = "job-1";
  j.twitter_user_id = "42";
  j.user_token = "t";
  j.user_token_secret = "s";
  store_->put_job(j, [](core::Status st) { EXPECT_TRUE(st.ok()); });
  store::Task t;
  t.task_id = "task-1";
  t.job_id = "job-1";
  t.end_ms = 1000;
  t.blob_sas_uri = "https://acct.blob.core.windows.net/c?sv=2021-08-06&sig=x";
  store_->enqueue_task(t, [](core::Result<store::EnqueueOutcome> r) { EXPECT_TRUE(r.ok()); });
  make(options());
  ASSERT_TRUE(worker_->start().ok());
  // Lease, then LoadJob/LoadSettings/LoadCheckpoint: the run is past leasing.
  for (int i = 0; i < 10 && worker_->tasks_started() == 0; ++i) loop_.run(UV_RUN_ONCE);
  ASSERT_EQ(worker_->tasks_started(), 1u);
  EXPECT_EQ(stop_and_wait(), 1);
  ASSERT_EQ(worker_->recent().size(), 1u);
  EXPECT_EQ(worker_->recent()[0].kind, jobs::TaskRunResult::Kind::Dropped);
  std::vector<store::Task> tasks;
  store_->list_tasks([&](core::Result<std::vector<store::Task>> r) {
    if (r.ok()) tasks = *r;
  });
  loop_.run();
  ASSERT_EQ(tasks.size(), 1u);  // still queued: the next process resumes it
  EXPECT_EQ(tasks[0].attempts, 1u);
}

TEST(AadTokenProvider, MapsConfigErrorsToPermanent) {
  auto ok = m365::token_result(m365::AadToken{"tok", "Bearer", 1, 0}, "");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.access_token, "tok");
  auto config = m365::token_result(core::make_error(core::Errc::Config, "aad"),
                                   "AADSTS7000215: Invalid client secret provided.");
  EXPECT_FALSE(config.ok);
  EXPECT_TRUE(config.permanent);
  EXPECT_NE(config.message.find("AADSTS7000215"), std::string::npos);
  auto net = m365::token_result(core::make_error(core::Errc::Timeout, "aad"), "timed out");
  EXPECT_FALSE(net.permanent);
}

TEST(AadTokenProvider, WithoutCredentialsAnswersLaterAndPermanent) {
  uv::Loop loop;
  core::ManualClock clock;
  {
    std::string msg;
    auto c = http::Client::create(loop, {}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    m365::AadTokenClient aad(loop, **c, clock, {});
    m365::AadTokenProvider tokens(loop, aad);
    int calls = 0;
    m365::TokenResult got;
    tokens.get_token("11111111-2222-3333-4444-555555555555", [&](const m365::TokenResult& r) {
      ++calls;
      got = r;
    });
    EXPECT_EQ(calls, 0);  // never inside get_token
    loop.run();
    EXPECT_EQ(calls, 1);
    EXPECT_FALSE(got.ok);
    EXPECT_TRUE(got.permanent);
    EXPECT_NE(got.message.find("not configured"), std::string::npos) << got.message;
  }
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
}

}  // namespace
