// jobs::TaskRun with the MemoryStore and a ManualClock, no network: the pure helpers (backoff,
// id order, item body), a task whose job was deleted (dropped quietly, nothing reported), a
// task whose lease is gone, and abandon(). Runs that reach X, storage or the Event API are
// covered by tests/integration/import_pipeline_test.cc against local servers.
#include "jobs/task_run.h"

#include <gtest/gtest.h>

#include <deque>

#include "http/client.h"
#include "store/memory_store.h"
#include "uv/timer.h"

namespace {

using jobs::TaskRunResult;

TEST(TaskRunHelpers, RetryDelayDoublesAndIsCapped) {
  EXPECT_EQ(jobs::retry_delay_ms(1, 30'000, 900'000), 30'000);
  EXPECT_EQ(jobs::retry_delay_ms(2, 30'000, 900'000), 60'000);
  EXPECT_EQ(jobs::retry_delay_ms(3, 30'000, 900'000), 120'000);
  EXPECT_EQ(jobs::retry_delay_ms(10, 30'000, 900'000), 900'000);
  EXPECT_EQ(jobs::retry_delay_ms(1000, 30'000, 900'000), 900'000);  // no overflow
  EXPECT_EQ(jobs::retry_delay_ms(0, 30'000, 900'000), 30'000);
}

TEST(TaskRunHelpers, TweetIdsCompareNumerically) {
  EXPECT_TRUE(jobs::tweet_id_less("9", "10"));
  EXPECT_FALSE(jobs::tweet_id_less("10", "9"));
  EXPECT_TRUE(jobs::tweet_id_less("1741609932026806273", "1741609932026806274"));
  EXPECT_FALSE(jobs::tweet_id_less("5", "5"));
}

// Hands out a token from a timer (never inside get_token).
class FakeTokens final : public m365::TokenProvider, uv::Timer::Handler {
 public:
  explicit FakeTokens(uv::Loop& loop) : loop_(loop) {}
  void get_token(const std::string&, Callback cb) override {
    pending_.push_back(std::move(cb));
    timer_ = uv::Timer::create(loop_.get(), this);
    timer_->start(0);
  }
  void invalidate(const std::string&) override {}
  void on_timer(uv::Timer*) override {
    auto p = std::move(pending_);
    pending_.clear();
    for (auto& cb : p) {
      m365::TokenResult t;
      t.ok = true;
      t.access_token = "t";
      cb(t);
    }
  }

 private:
  uv::Loop& loop_;
  std::deque<Callback> pending_;
  uv::Ptr<uv::Timer> timer_;
};

class TaskRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string msg;
    auto c = http::Client::create(loop_, {}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    http_ = std::move(*c);
    store_ = std::make_unique<store::MemoryStore>(loop_.get(), clock_);
    uploader_ = std::make_unique<m365::BlobUploader>(loop_, *http_, m365::BlobUploader::Options{});
    m365::EventApiClient::Options eo;
    eo.base = "https://127.0.0.1:1";
    events_ = std::make_unique<m365::EventApiClient>(loop_, *http_, tokens_, eo);
    media_ = std::make_unique<twitter::MediaFetcher>(*http_);
  }
  void TearDown() override {
    run_.reset();
    media_.reset();
    events_.reset();
    uploader_.reset();
    store_.reset();
    http_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  void drain() {
    loop_.run();  // until every store callback and timer ran (nothing here waits on a socket)
  }
  void seed_job_and_task() {
    store::Job j;
    j.job_id = "job-1";
    j.twitter_user_id = "42";
    j.user_token = "t";
    j.user_token_secret = "s";
    store_->put_job(j, [](core::Status st) { EXPECT_TRUE(st.ok()); });
    store::Task t;
    t.task_id = "task-1";
    t.job_id = "job-1";
    t.start_ms = 0;
    t.end_ms = 1000;
    t.blob_sas_uri = "https://acct.blob.core.windows.net/c?sv=2021-08-06&sig=x";
    store_->enqueue_task(t, [](core::Result<store::EnqueueOutcome> r) { EXPECT_TRUE(r.ok()); });
    store_->lease_task("test", 60'000, [this](core::Result<std::optional<store::Lease>> r) {
      ASSERT_TRUE(r.ok() && r->has_value());
      lease_ = **r;
    });
    drain();
    ASSERT_FALSE(lease_.lease_id.empty());
  }
  void start_run() {
    jobs::TaskRunDeps deps{loop_,   *store_, *http_, *uploader_, *events_,
                           *media_, clock_,  rng_,   nullptr};
    run_ =
        std::make_unique<jobs::TaskRun>(deps, jobs::TaskRunOptions{}, lease_,
                                        [this](const TaskRunResult& r) { results_.push_back(r); });
    ASSERT_TRUE(run_->start().ok());
    EXPECT_TRUE(results_.empty());  // never from inside start()
  }

  uv::Loop loop_;
  core::ManualClock clock_;
  core::SeededRng rng_{7};
  FakeTokens tokens_{loop_};
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<m365::BlobUploader> uploader_;
  std::unique_ptr<m365::EventApiClient> events_;
  std::unique_ptr<twitter::MediaFetcher> media_;
  store::Lease lease_;
  std::unique_ptr<jobs::TaskRun> run_;
  std::vector<TaskRunResult> results_;
};

TEST_F(TaskRunTest, JobDeletedBeforeTheRunIsDroppedQuietly) {
  seed_job_and_task();
  store_->delete_job("job-1", [](core::Status st) { EXPECT_TRUE(st.ok()); });
  drain();
  start_run();
  drain();
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_EQ(results_[0].kind, TaskRunResult::Kind::Dropped);
  EXPECT_EQ(results_[0].reported, store::TaskResult::None);
  EXPECT_EQ(run_->state(), jobs::TaskRun::State::Done);
  EXPECT_EQ(events_->in_flight(), 0u);
}

TEST_F(TaskRunTest, AbandonFinishesOnceAsDroppedAndLeavesTheTaskQueued) {
  seed_job_and_task();
  start_run();
  run_->abandon("stopping");
  run_->abandon("again");
  drain();
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_EQ(results_[0].kind, TaskRunResult::Kind::Dropped);
  EXPECT_EQ(results_[0].message, "stopping");
  size_t tasks = 0;
  store_->list_tasks(
      [&](core::Result<std::vector<store::Task>> r) { tasks = r.ok() ? r->size() : 0; });
  drain();
  EXPECT_EQ(tasks, 1u);  // not completed: the lease expires and the task comes back
}

TEST_F(TaskRunTest, StartTwiceIsRefused) {
  seed_job_and_task();
  start_run();
  EXPECT_FALSE(run_->start().ok());
  run_->abandon("done");
  drain();
}

TEST_F(TaskRunTest, LeaseWithoutIdsIsRefused) {
  jobs::TaskRunDeps deps{loop_,   *store_, *http_, *uploader_, *events_,
                         *media_, clock_,  rng_,   nullptr};
  jobs::TaskRun run(deps, {}, store::Lease{}, [](const TaskRunResult&) { FAIL(); });
  EXPECT_EQ(run.start().error().code, core::Errc::InvalidArgument);
}

}  // namespace
