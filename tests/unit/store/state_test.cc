// State: what a backend replays is exactly what ran. Every journal applied to a fresh State
// gives the same snapshot as the live one; damaged ops are refused, not guessed at.
#include "store/state.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "json/json.h"

using namespace store;

namespace {

std::string snapshot_of(const State& s) {
  json::Json j = json::array();
  s.snapshot(j.get());
  return json::dump(j.get());
}

}  // namespace

TEST(State, ReplayOfTheJournalRebuildsTheSameState) {
  core::ManualClock clock;
  State live(clock), replay(clock);
  json::Json journal = json::array();
  Job j;
  j.job_id = "job1";
  j.user_token = "t";
  ASSERT_TRUE(live.put_job(j, journal.get()).ok());
  Settings st;
  st.aad_app_id = "a";
  ASSERT_TRUE(live.put_settings(st, journal.get()).ok());
  ASSERT_TRUE(live.put_pending_auth(PendingAuth{"rt", "s", "job1", "x", 0}, journal.get()).ok());
  for (const char* id : {"t1", "t2", "t3"}) {
    Task t;
    t.task_id = id;
    t.job_id = "job1";
    t.blob_sas_uri = "https://x/";
    ASSERT_TRUE(live.enqueue_task(t, journal.get()).ok());
  }
  auto l1 = live.lease_task("w", 1000, journal.get());
  ASSERT_TRUE(l1.ok() && l1->has_value());
  Checkpoint c{9, "p", {{"9", "2019-01-01T00:00:00", "9.json"}}};
  ASSERT_TRUE(live.save_progress("t1", (*l1)->lease_id, c, journal.get()).ok());
  auto l2 = live.lease_task("w", 1000, journal.get());
  ASSERT_TRUE(live.complete_task("t2", (*l2)->lease_id,
                                 TaskOutcome{TaskResult::Success, "m", 1, 99}, journal.get())
                  .ok());
  ASSERT_TRUE(live.take_pending_auth("rt", journal.get()).ok());
  ASSERT_TRUE(live.delete_task("t3", journal.get()).ok());
  for (const cJSON* op = journal->child; op; op = op->next)
    ASSERT_TRUE(replay.apply(op).ok()) << json::dump(op);
  EXPECT_EQ(snapshot_of(live), snapshot_of(replay));
  // And the snapshot itself replays to the same state.
  State again(clock);
  json::Json snap = json::array();
  live.snapshot(snap.get());
  for (const cJSON* op = snap->child; op; op = op->next) ASSERT_TRUE(again.apply(op).ok());
  EXPECT_EQ(snapshot_of(again), snapshot_of(live));
  EXPECT_EQ(again.job("job1")->since_id, 99u);
}

TEST(State, FailedMutationsJournalNothing) {
  core::ManualClock clock;
  State s(clock);
  json::Json journal = json::array();
  Job bad;
  EXPECT_FALSE(s.put_job(bad, journal.get()).ok());
  EXPECT_FALSE(s.delete_job("nope", journal.get()).ok());
  EXPECT_FALSE(s.take_pending_auth("nope", journal.get()).ok());
  EXPECT_FALSE(s.take_latest_pending_auth_for_job("nope", journal.get()).ok());
  EXPECT_FALSE(s.complete_task("t", "L1", TaskOutcome{}, journal.get()).ok());
  auto none = s.lease_task("w", 1000, journal.get());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(cJSON_GetArraySize(journal.get()), 0);
}

TEST(State, DamagedOpsAreRefused) {
  core::ManualClock clock;
  State s(clock);
  for (const char* text : {
           "{}",
           "{\"op\":\"nonsense\",\"id\":\"x\"}",
           "{\"op\":\"job\"}",
           "{\"op\":\"job\",\"v\":{\"job_id\":\"j\"}}",
           "{\"op\":\"attempt\",\"id\":\"unknown-task\",\"n\":1}",
           "{\"op\":\"task\",\"v\":{},\"seq\":\"1\"}",
           "{\"op\":\"done\",\"id\":\"t\"}",
           "{\"op\":\"auth_del\"}",
       }) {
    auto op = json::parse(text);
    ASSERT_TRUE(op.ok()) << text;
    core::Status st = s.apply(op->get());
    ASSERT_FALSE(st.ok()) << text;
    EXPECT_EQ(st.error().code, core::Errc::Corrupt) << text;
  }
}

TEST(State, RememberedTaskIdsAreBounded) {
  core::ManualClock clock;
  State s(clock);
  json::Json journal = json::array();
  Job j;
  j.job_id = "job";
  ASSERT_TRUE(s.put_job(j, journal.get()).ok());
  for (size_t i = 0; i < core::limits::kMaxRememberedTasks + 1; ++i) {
    auto op = json::parse("{\"op\":\"done\",\"id\":\"t" + std::to_string(i) + "\",\"at\":1}");
    ASSERT_TRUE(s.apply(op->get()).ok());
  }
  Task t;
  t.job_id = "job";
  t.blob_sas_uri = "https://x/";
  t.task_id = "t0";  // the oldest was forgotten
  EXPECT_EQ(*s.enqueue_task(t, journal.get()), EnqueueOutcome::Queued);
  t.task_id = "t1";
  EXPECT_EQ(*s.enqueue_task(t, journal.get()), EnqueueOutcome::AlreadyDone);
}
