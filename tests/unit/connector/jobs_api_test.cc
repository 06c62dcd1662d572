// GET /api/Jobs: the exact shape of wave 3's contract 7 for a fresh and a busy job, queue
// counts by job, NextExpectedRunUtc from the last two windows (through real completed tasks
// in a MemoryStore), and no token or secret in the answer.
#include "connector/jobs_api.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "store/memory_store.h"
#include "uv/loop.h"

using namespace connector;

namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kDec1 = 1575158400000;  // 2019-12-01T00:00:00Z

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

store::Job linked(const std::string& id) {
  store::Job j;
  j.job_id = id;
  j.tenant_id = "tenant-1";
  j.twitter_user_id = "4113725063";
  j.screen_name = "contoso";
  j.user_token = "USER-TOKEN";
  j.user_token_secret = "USER-SECRET";
  return j;
}

}  // namespace

TEST(JobsView, FreshJobHasNullsWhereNothingIsKnown) {
  store::Job j;
  j.job_id = "job-1";
  json::Json v = jobs_view({j}, {});
  EXPECT_EQ(
      json::dump(v.get()),
      R"({"Jobs":[{"JobId":"job-1","TenantId":null,"AccountId":null,"AccountName":null,)"
      R"("SinceId":"0","CreatedUtc":null,"UpdatedUtc":null,"LastTaskId":null,)"
      R"("LastWindowStartUtc":null,"LastWindowEndUtc":null,"LastResult":null,)"
      R"("LastMessage":null,"ItemsImported":0,"TasksSucceeded":0,"TasksTemporaryFailed":0,)"
      R"("TasksPermanentFailed":0,"QueuedTasks":0,"ParkedTasks":0,"NextExpectedRunUtc":null}]})");
  EXPECT_EQ(json::dump(jobs_view({}, {}).get()), R"({"Jobs":[]})");
}

TEST(JobsView, BusyJobShowsEverythingButItsTokens) {
  store::Job j = linked("job-1");
  j.since_id = 1212092628029698048ull;  // beyond 2^53: must stay a string
  j.created_ms = kDec1;
  j.updated_ms = kDec1 + 1234;
  j.last_task_id = "task-9";
  j.last_window_start_ms = 0;  // the epoch is a real start, not "unknown"
  j.last_window_end_ms = kDec1 + kDay;
  j.previous_window_end_ms = kDec1;
  j.last_result = store::TaskResult::TemporaryFailure;
  j.last_message = "Twitter answered 503";
  j.items_imported = 42;
  j.tasks_succeeded = 3;
  j.tasks_temporary_failed = 1;
  j.tasks_permanent_failed = 2;
  store::Task queued, parked, other;
  queued.job_id = "job-1";
  parked.job_id = "job-1";
  parked.parked = true;
  other.job_id = "job-2";
  json::Json v = jobs_view({j}, {queued, parked, queued, other});
  std::string body = json::dump(v.get());
  EXPECT_EQ(body,
            R"({"Jobs":[{"JobId":"job-1","TenantId":"tenant-1","AccountId":"4113725063",)"
            R"("AccountName":"contoso","SinceId":"1212092628029698048",)"
            R"("CreatedUtc":"2019-12-01T00:00:00.000Z","UpdatedUtc":"2019-12-01T00:00:01.234Z",)"
            R"("LastTaskId":"task-9","LastWindowStartUtc":"1970-01-01T00:00:00.000Z",)"
            R"("LastWindowEndUtc":"2019-12-02T00:00:00.000Z","LastResult":"TemporaryFailure",)"
            R"("LastMessage":"Twitter answered 503","ItemsImported":42,"TasksSucceeded":3,)"
            R"("TasksTemporaryFailed":1,"TasksPermanentFailed":2,"QueuedTasks":2,"ParkedTasks":1,)"
            R"("NextExpectedRunUtc":"2019-12-03T00:00:00.000Z"}]})");
  EXPECT_EQ(body.find("USER-TOKEN"), std::string::npos);
  EXPECT_EQ(body.find("USER-SECRET"), std::string::npos);
}

TEST(JobsView, NextExpectedRunNeedsTwoWindowsMovingForward) {
  store::Job j = linked("j");
  EXPECT_FALSE(next_expected_run_ms(j).has_value());
  j.last_task_id = "t1";
  j.last_window_end_ms = kDec1;
  EXPECT_FALSE(next_expected_run_ms(j).has_value());  // one window: no period yet
  j.previous_window_end_ms = kDec1;
  EXPECT_FALSE(next_expected_run_ms(j).has_value());  // the same window again
  j.previous_window_end_ms = kDec1 + kDay;
  EXPECT_FALSE(next_expected_run_ms(j).has_value());  // went backwards
  j.previous_window_end_ms = kDec1 - 6 * 3600000;
  EXPECT_EQ(next_expected_run_ms(j), kDec1 + 6 * 3600000);
  j.last_task_id.clear();
  EXPECT_FALSE(next_expected_run_ms(j).has_value());
}

class JobsApiTest : public ::testing::Test {
 protected:
  void SetUp() override { store = std::make_unique<store::MemoryStore>(loop.get(), clock); }
  void TearDown() override {
    bool closed = false;
    store->close([&](core::Status) { closed = true; });
    loop.run();
    EXPECT_TRUE(closed);
    store.reset();
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
  }
  void ok(const std::function<void(store::DoneCallback)>& start) {
    bool done = false;
    start([&](core::Status st) {
      EXPECT_TRUE(st.ok());
      done = true;
    });
    loop.run();
    ASSERT_TRUE(done);
  }
  // Enqueues, leases and completes one task with the window [start, end].
  void finish_task(const std::string& id, int64_t start, int64_t end, store::TaskResult result) {
    store::Task t;
    t.task_id = id;
    t.job_id = "job-1";
    t.start_ms = start;
    t.end_ms = end;
    t.blob_sas_uri = "https://a.blob.core.windows.net/c?sig=x";
    store->enqueue_task(t, [](core::Result<store::EnqueueOutcome> o) { ASSERT_TRUE(o.ok()); });
    loop.run();
    std::string lease;
    store->lease_task("w", 60000, [&](core::Result<std::optional<store::Lease>> l) {
      ASSERT_TRUE(l.ok() && l->has_value());
      lease = (*l)->lease_id;
    });
    loop.run();
    store::TaskOutcome o;
    o.result = result;
    o.items = 5;
    o.message = result == store::TaskResult::Success ? "" : "failed for a test";
    ok([&](store::DoneCallback cb) { store->complete_task(id, lease, o, cb); });
  }
  http::Response get() {
    JobsApi api(*store);
    auto cap = std::make_shared<Capture>();
    auto link = std::make_shared<http::ExchangeLink>();
    link->target = cap.get();
    http::Request req;
    api.list_handler()(req, http::Responder(link));
    EXPECT_TRUE(cap->sent.empty());
    loop.run();
    EXPECT_EQ(cap->sent.size(), 1u);
    return cap->sent.empty() ? http::Response{} : cap->sent[0];
  }

  uv::Loop loop;
  core::ManualClock clock{kDec1};
  std::unique_ptr<store::MemoryStore> store;
};

TEST_F(JobsApiTest, ListsJobsWithCountersAndTheNextExpectedRun) {
  http::Response r = get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Jobs":[]})");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");

  ok([&](store::DoneCallback cb) { store->link_account(linked("job-1"), cb); });
  ok([&](store::DoneCallback cb) { store->link_account(linked("job-0"), cb); });
  finish_task("t1", kDec1 - kDay, kDec1, store::TaskResult::Success);
  r = get();
  EXPECT_NE(r.body.find(R"("LastTaskId":"t1")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("NextExpectedRunUtc":null)"), std::string::npos) << r.body;
  finish_task("t2", kDec1, kDec1 + kDay, store::TaskResult::PermanentFailure);
  // One task still waiting.
  store::Task waiting;
  waiting.task_id = "t3";
  waiting.job_id = "job-1";
  waiting.start_ms = kDec1 + kDay;
  waiting.end_ms = kDec1 + 2 * kDay;
  waiting.blob_sas_uri = "https://a.blob.core.windows.net/c?sig=x";
  store->enqueue_task(waiting, [](core::Result<store::EnqueueOutcome> o) { ASSERT_TRUE(o.ok()); });
  loop.run();

  r = get();
  EXPECT_EQ(r.status, 200);
  auto doc = json::parse(r.body);
  ASSERT_TRUE(doc.ok()) << r.body;
  const cJSON* jobs = json::get_array(doc->get(), "Jobs");
  ASSERT_EQ(cJSON_GetArraySize(jobs), 2);
  // Ordered by job id.
  EXPECT_EQ(json::get_string(cJSON_GetArrayItem(jobs, 0), "JobId"), "job-0");
  const cJSON* j = cJSON_GetArrayItem(jobs, 1);
  EXPECT_EQ(json::get_string(j, "JobId"), "job-1");
  EXPECT_EQ(json::get_string(j, "LastTaskId"), "t2");
  EXPECT_EQ(json::get_string(j, "LastResult"), "PermanentFailure");
  EXPECT_EQ(json::get_string(j, "LastMessage"), "failed for a test");
  EXPECT_EQ(json::get_string(j, "LastWindowStartUtc"), "2019-12-01T00:00:00.000Z");
  EXPECT_EQ(json::get_string(j, "LastWindowEndUtc"), "2019-12-02T00:00:00.000Z");
  EXPECT_EQ(json::get_string(j, "NextExpectedRunUtc"), "2019-12-03T00:00:00.000Z");
  EXPECT_EQ(json::get_number(j, "ItemsImported"), 10);
  EXPECT_EQ(json::get_number(j, "TasksSucceeded"), 1);
  EXPECT_EQ(json::get_number(j, "TasksPermanentFailed"), 1);
  EXPECT_EQ(json::get_number(j, "QueuedTasks"), 1);
  EXPECT_EQ(json::get_number(j, "ParkedTasks"), 0);
  EXPECT_EQ(json::get_string(j, "CreatedUtc"), "2019-12-01T00:00:00.000Z");
  EXPECT_EQ(r.body.find("USER-TOKEN"), std::string::npos);
  EXPECT_EQ(r.body.find("USER-SECRET"), std::string::npos);
}
