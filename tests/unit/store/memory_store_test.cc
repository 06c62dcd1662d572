// Store semantics through MemoryStore on a real loop with a ManualClock: every operation, the
// queue's leases, expiry and poison cap, sign-in TTL, and the async contract.
#include "store/memory_store.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "unit/store/store_harness.h"

using namespace store;
using store_test::call;
using store_test::done;
namespace lim = core::limits;

namespace {

class MemoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { s = std::make_unique<MemoryStore>(loop.get(), clock); }
  void TearDown() override {
    store_test::close_store(loop, *s);
    s.reset();
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
  }

  Job job(const std::string& id) {
    Job j;
    j.job_id = id;
    j.tenant_id = "11111111-2222-3333-4444-555555555555";
    j.twitter_user_id = "4113725063";
    j.screen_name = "contoso";
    j.user_token = "tok-" + id;
    j.user_token_secret = "sec-" + id;
    return j;
  }
  Task task(const std::string& id, const std::string& job_id = "job1") {
    Task t;
    t.task_id = id;
    t.job_id = job_id;
    t.start_ms = 1000;
    t.end_ms = 2000;
    t.blob_sas_uri = "https://acct.blob.core.windows.net/c?sv=2018-03-28&sig=x";
    return t;
  }
  core::Status put_job(Job j) {
    return done(loop, [&](DoneCallback cb) { s->put_job(std::move(j), std::move(cb)); });
  }
  core::Result<EnqueueOutcome> enqueue(Task t) {
    return call<EnqueueOutcome>(loop, [&](Callback<EnqueueOutcome> cb) { s->enqueue_task(t, cb); });
  }
  core::Result<std::optional<Lease>> lease(int64_t vis = lim::kTaskVisibilityMs) {
    return call<std::optional<Lease>>(
        loop, [&](Callback<std::optional<Lease>> cb) { s->lease_task("worker-1", vis, cb); });
  }
  core::Status complete(const Lease& l, TaskOutcome o) {
    return done(loop,
                [&](DoneCallback cb) { s->complete_task(l.task.task_id, l.lease_id, o, cb); });
  }
  core::Result<Job> get_job(const std::string& id) {
    return call<Job>(loop, [&](Callback<Job> cb) { s->get_job(id, cb); });
  }
  std::vector<Task> tasks() {
    auto r =
        call<std::vector<Task>>(loop, [&](Callback<std::vector<Task>> cb) { s->list_tasks(cb); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Task>{};
  }

  uv::Loop loop;
  core::ManualClock clock;
  std::unique_ptr<MemoryStore> s;
};

}  // namespace

TEST_F(MemoryStoreTest, SettingsRoundTrip) {
  auto empty = call<Settings>(loop, [&](Callback<Settings> cb) { s->get_settings(cb); });
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->twitter_api_key, "");
  Settings st;
  st.twitter_api_key = "ck";
  st.twitter_api_secret_key = "cs";
  st.twitter_access_token = "at";
  st.twitter_access_token_secret = "as";
  st.aad_app_id = "app";
  st.aad_app_secret = "appsecret";
  st.extra["event_api_base"] = "https://127.0.0.1:1/";
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_settings(st, cb); }).ok());
  auto got = call<Settings>(loop, [&](Callback<Settings> cb) { s->get_settings(cb); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->aad_app_secret, "appsecret");
  EXPECT_EQ(got->extra.at("event_api_base"), "https://127.0.0.1:1/");
  EXPECT_EQ(got->updated_ms, clock.now_unix_ms());
}

TEST_F(MemoryStoreTest, SettingsLimits) {
  Settings st;
  st.aad_app_secret.assign(lim::kMaxStoreValueBytes + 1, 'x');
  auto r = done(loop, [&](DoneCallback cb) { s->put_settings(st, cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::InvalidArgument);
  st.aad_app_secret.assign(lim::kMaxStoreValueBytes, 'x');
  EXPECT_TRUE(done(loop, [&](DoneCallback cb) { s->put_settings(st, cb); }).ok());
  Settings many;
  for (size_t i = 0; i <= lim::kMaxExtraSettings; ++i) many.extra["k" + std::to_string(i)] = "v";
  r = done(loop, [&](DoneCallback cb) { s->put_settings(many, cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::TooLarge);
}

TEST_F(MemoryStoreTest, JobsCrud) {
  EXPECT_EQ(get_job("job1").error().code, core::Errc::NotFound);
  ASSERT_TRUE(put_job(job("job1")).ok());
  int64_t created = clock.now_unix_ms();
  clock.advance_ms(5000);
  Job j = job("job1");
  j.since_id = 42;
  ASSERT_TRUE(put_job(j).ok());
  auto got = get_job("job1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->since_id, 42u);
  EXPECT_EQ(got->created_ms, created);
  EXPECT_EQ(got->updated_ms, created + 5000);
  EXPECT_EQ(got->user_token, "tok-job1");
  ASSERT_TRUE(put_job(job("job0")).ok());
  auto list =
      call<std::vector<Job>>(loop, [&](Callback<std::vector<Job>> cb) { s->list_jobs(cb); });
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].job_id, "job0");
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->delete_job("job0", cb); }).ok());
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->delete_job("job0", cb); }).error().code,
            core::Errc::NotFound);
}

TEST_F(MemoryStoreTest, JobValidation) {
  Job j = job("");
  EXPECT_EQ(put_job(j).error().code, core::Errc::InvalidArgument);
  j = job(std::string(lim::kMaxStoreIdBytes + 1, 'j'));
  EXPECT_EQ(put_job(j).error().code, core::Errc::InvalidArgument);
  j = job(std::string(lim::kMaxStoreIdBytes, 'j'));
  EXPECT_TRUE(put_job(j).ok());
  j = job("bad\nid");
  EXPECT_EQ(put_job(j).error().code, core::Errc::InvalidArgument);
  j = job("long-message");
  j.last_message = std::string(lim::kMaxResultMessageBytes - 1, 'm') + "\xC3\xA9" + "tail";
  ASSERT_TRUE(put_job(j).ok());
  auto got = get_job("long-message");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->last_message.size(), lim::kMaxResultMessageBytes - 1);  // not split inside é
}

TEST_F(MemoryStoreTest, LinkAccountKeepsCursorAndHistory) {
  Job j = job("job1");
  j.since_id = 777;
  j.items_imported = 10;
  ASSERT_TRUE(put_job(j).ok());
  Job relink;
  relink.job_id = "job1";
  relink.twitter_user_id = "99";
  relink.screen_name = "new_name";
  relink.user_token = "t2";
  relink.user_token_secret = "s2";
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->link_account(relink, cb); }).ok());
  auto got = get_job("job1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->since_id, 777u);
  EXPECT_EQ(got->items_imported, 10u);
  EXPECT_EQ(got->user_token, "t2");
  EXPECT_EQ(got->screen_name, "new_name");
  relink.job_id = "job2";
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->link_account(relink, cb); }).ok());
  EXPECT_EQ(get_job("job2")->since_id, 0u);
}

TEST_F(MemoryStoreTest, PendingAuthSingleUseAndTtl) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  PendingAuth a{"rt1", "rts1", "job1", "state1", 0};
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(a, cb); }).ok());
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->put_pending_auth(a, cb); }).error().code,
            core::Errc::AlreadyExists);
  auto take = [&](const std::string& t) {
    return call<PendingAuth>(loop, [&](Callback<PendingAuth> cb) { s->take_pending_auth(t, cb); });
  };
  auto got = take("rt1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->request_token_secret, "rts1");
  EXPECT_EQ(got->state, "state1");
  EXPECT_EQ(got->created_ms, clock.now_unix_ms());
  EXPECT_EQ(take("rt1").error().code, core::Errc::NotFound);  // single use

  PendingAuth b{"rt2", "rts2", "job1", "s", 0};
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(b, cb); }).ok());
  clock.advance_ms(lim::kPendingAuthTtlMs - 1);
  PendingAuth c{"rt3", "rts3", "job1", "s", 0};
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(c, cb); }).ok());
  clock.advance_ms(1);
  EXPECT_EQ(take("rt2").error().code, core::Errc::NotFound);  // expired at exactly the TTL
  EXPECT_TRUE(take("rt3").ok());
}

TEST_F(MemoryStoreTest, TakeLatestPendingAuthForJobIsNewestFirstSingleUseAndSkipsExpired) {
  auto put = [&](const char* token, const char* job_id) {
    PendingAuth a{token, std::string("secret-") + token, job_id, "s", 0};
    return done(loop, [&](DoneCallback cb) { s->put_pending_auth(a, cb); });
  };
  auto take_latest = [&](const std::string& job_id) {
    return call<PendingAuth>(
        loop, [&](Callback<PendingAuth> cb) { s->take_latest_pending_auth_for_job(job_id, cb); });
  };
  ASSERT_TRUE(put("old", "job1").ok());
  clock.advance_ms(1000);
  ASSERT_TRUE(put("other-job", "job2").ok());
  clock.advance_ms(1000);
  ASSERT_TRUE(put("new", "job1").ok());
  auto a = take_latest("job1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->request_token, "new");
  EXPECT_EQ(a->request_token_secret, "secret-new");
  // Taken means gone, by either way of taking it.
  EXPECT_EQ(
      call<PendingAuth>(loop, [&](Callback<PendingAuth> cb) { s->take_pending_auth("new", cb); })
          .error()
          .code,
      core::Errc::NotFound);
  auto b = take_latest("job1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->request_token, "old");
  EXPECT_EQ(take_latest("job1").error().code, core::Errc::NotFound);
  EXPECT_EQ(take_latest("no-such-job").error().code, core::Errc::NotFound);
  // The other job's sign-in was untouched, until it expires.
  clock.advance_ms(lim::kPendingAuthTtlMs);
  EXPECT_EQ(take_latest("job2").error().code, core::Errc::NotFound);
}

TEST_F(MemoryStoreTest, TakeLatestPendingAuthBreaksTiesByToken) {
  for (const char* t : {"tok-a", "tok-c", "tok-b"}) {
    PendingAuth a{t, "x", "job1", "s", 0};
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(a, cb); }).ok());
  }
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto a = call<PendingAuth>(
        loop, [&](Callback<PendingAuth> cb) { s->take_latest_pending_auth_for_job("job1", cb); });
    ASSERT_TRUE(a.ok());
    order.push_back(a->request_token);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"tok-c", "tok-b", "tok-a"}));
}

TEST_F(MemoryStoreTest, PendingAuthCountIsBounded) {
  for (size_t i = 0; i < lim::kMaxPendingAuths; ++i) {
    PendingAuth a{"rt" + std::to_string(i), "x", "job", "s", 0};
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(a, cb); }).ok());
  }
  PendingAuth extra{"one-more", "x", "job", "s", 0};
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->put_pending_auth(extra, cb); }).error().code,
            core::Errc::Busy);
  clock.advance_ms(lim::kPendingAuthTtlMs);  // all expire: room again
  EXPECT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(extra, cb); }).ok());
  auto n =
      call<size_t>(loop, [&](Callback<size_t> cb) { s->delete_pending_auths_for_job("job", cb); });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
}

TEST_F(MemoryStoreTest, EnqueueIsIdempotentAndNeedsTheJob) {
  EXPECT_EQ(enqueue(task("t1")).error().code, core::Errc::NotFound);
  ASSERT_TRUE(put_job(job("job1")).ok());
  EXPECT_EQ(*enqueue(task("t1")), EnqueueOutcome::Queued);
  EXPECT_EQ(*enqueue(task("t1")), EnqueueOutcome::AlreadyQueued);
  EXPECT_EQ(tasks().size(), 1u);
  auto l = lease();
  ASSERT_TRUE(l.ok() && l->has_value());
  ASSERT_TRUE(complete(**l, TaskOutcome{}).ok());
  EXPECT_EQ(*enqueue(task("t1")), EnqueueOutcome::AlreadyDone);  // resent after completion
  EXPECT_TRUE(tasks().empty());
  Task bad = task("t2");
  bad.end_ms = bad.start_ms - 1;
  EXPECT_EQ(enqueue(bad).error().code, core::Errc::InvalidArgument);
  bad = task("t2");
  bad.blob_sas_uri.clear();
  EXPECT_EQ(enqueue(bad).error().code, core::Errc::InvalidArgument);
  bad = task("t2");
  bad.blob_sas_uri.assign(lim::kMaxStoreUriBytes + 1, 'u');
  EXPECT_EQ(enqueue(bad).error().code, core::Errc::InvalidArgument);
  bad.blob_sas_uri.assign(lim::kMaxStoreUriBytes, 'u');
  bad.task_id = "t-max-uri";
  EXPECT_EQ(*enqueue(bad), EnqueueOutcome::Queued);
  bad = task("t2");
  bad.dirty_entities.assign(lim::kMaxDirtyEntities + 1, "e");
  EXPECT_EQ(enqueue(bad).error().code, core::Errc::TooLarge);
}

TEST_F(MemoryStoreTest, LeaseIsFifoAndExclusive) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(enqueue(task("b")).ok());
  ASSERT_TRUE(enqueue(task("a")).ok());
  auto l1 = lease();
  auto l2 = lease();
  auto l3 = lease();
  ASSERT_TRUE(l1.ok() && l2.ok() && l3.ok());
  ASSERT_TRUE(l1->has_value() && l2->has_value());
  EXPECT_EQ((*l1)->task.task_id, "b");  // enqueue order, not id order
  EXPECT_EQ((*l2)->task.task_id, "a");
  EXPECT_FALSE(l3->has_value());
  EXPECT_EQ((*l1)->task.attempts, 1u);
  EXPECT_EQ((*l1)->task.lease_owner, "worker-1");
  EXPECT_EQ((*l1)->task.lease_expiry_ms, clock.now_unix_ms() + lim::kTaskVisibilityMs);
  EXPECT_NE((*l1)->lease_id, (*l2)->lease_id);
  auto bad = call<std::optional<Lease>>(loop, [&](Callback<std::optional<Lease>> cb) {
    s->lease_task("w", lim::kMaxTaskVisibilityMs + 1, cb);
  });
  EXPECT_EQ(bad.error().code, core::Errc::InvalidArgument);
  bad = call<std::optional<Lease>>(
      loop, [&](Callback<std::optional<Lease>> cb) { s->lease_task("w", 0, cb); });
  EXPECT_EQ(bad.error().code, core::Errc::InvalidArgument);
}

TEST_F(MemoryStoreTest, ExpiredLeaseReappearsAndOldLeaseIsLost) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(enqueue(task("t1")).ok());
  auto first = lease();
  ASSERT_TRUE(first.ok() && first->has_value());
  clock.advance_ms(lim::kTaskVisibilityMs - 1);
  EXPECT_FALSE(lease()->has_value());  // still leased
  clock.advance_ms(1);
  auto second = lease();
  ASSERT_TRUE(second.ok() && second->has_value());  // reappeared at the visibility timeout
  EXPECT_EQ((*second)->task.attempts, 2u);
  // The first worker's lease is gone: it can neither extend, checkpoint nor complete.
  const Lease& old = **first;
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->extend_lease("t1", old.lease_id, 1000, cb); })
                .error()
                .code,
            core::Errc::NotFound);
  EXPECT_EQ(
      done(loop, [&](DoneCallback cb) { s->save_progress("t1", old.lease_id, Checkpoint{}, cb); })
          .error()
          .code,
      core::Errc::NotFound);
  EXPECT_EQ(complete(old, TaskOutcome{}).error().code, core::Errc::NotFound);
  EXPECT_TRUE(complete(**second, TaskOutcome{}).ok());
}

TEST_F(MemoryStoreTest, ExtendAndRelease) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(enqueue(task("t1")).ok());
  auto l = lease(1000);
  ASSERT_TRUE(l.ok() && l->has_value());
  const Lease le = **l;
  clock.advance_ms(900);
  ASSERT_TRUE(
      done(loop, [&](DoneCallback cb) { s->extend_lease("t1", le.lease_id, 1000, cb); }).ok());
  clock.advance_ms(900);
  EXPECT_FALSE(lease()->has_value());  // extended: still ours
  auto listed = tasks();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].lease_owner, "worker-1");
  ASSERT_TRUE(
      done(loop, [&](DoneCallback cb) { s->release_task("t1", le.lease_id, 5000, cb); }).ok());
  EXPECT_EQ(tasks()[0].lease_owner, "");
  clock.advance_ms(4999);
  EXPECT_FALSE(lease()->has_value());  // backoff delay
  clock.advance_ms(1);
  EXPECT_TRUE(lease()->has_value());
  EXPECT_EQ(
      done(loop, [&](DoneCallback cb) { s->release_task("t1", le.lease_id, 0, cb); }).error().code,
      core::Errc::NotFound);  // released lease cannot be used again
}

TEST_F(MemoryStoreTest, PoisonTaskIsParkedNotDropped) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(enqueue(task("poison")).ok());
  ASSERT_TRUE(enqueue(task("good")).ok());
  for (uint32_t i = 1; i <= lim::kMaxTaskAttempts; ++i) {
    auto l = lease(10);
    ASSERT_TRUE(l.ok() && l->has_value());
    ASSERT_EQ((*l)->task.task_id, "poison");
    ASSERT_EQ((*l)->task.attempts, i);
    clock.advance_ms(10);  // the worker "crashes": the lease expires
  }
  auto next = lease(10);  // poison is parked, the next task is served
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->task.task_id, "good");
  auto all = tasks();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[0].parked);
  EXPECT_EQ(all[0].attempts, lim::kMaxTaskAttempts);
  EXPECT_NE(all[0].park_reason.find("5 times"), std::string::npos);
  clock.advance_ms(1000);
  auto again = lease();  // "good" reappears, "poison" stays parked
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->task.task_id, "good");
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->unpark_task("good", cb); }).error().code,
            core::Errc::InvalidArgument);
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->unpark_task("poison", cb); }).ok());
  auto revived = lease();
  ASSERT_TRUE(revived->has_value());
  EXPECT_EQ((*revived)->task.task_id, "poison");
  EXPECT_EQ((*revived)->task.attempts, 1u);
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->delete_task("poison", cb); }).ok());
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->delete_task("poison", cb); }).error().code,
            core::Errc::NotFound);
}

// A long task killed now and then is not poison: each lease that saved uploaded items resets
// the count, so only leases in a row without progress park it.
TEST_F(MemoryStoreTest, ProgressResetsTheAttemptCount) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(enqueue(task("long")).ok());
  for (uint32_t i = 1; i <= 3 * lim::kMaxTaskAttempts; ++i) {
    auto l = lease(10);
    ASSERT_TRUE(l.ok() && l->has_value()) << "lease " << i;
    const Lease le = **l;
    EXPECT_LE(le.task.attempts, 2u);
    std::string id = std::to_string(1000 + i);
    Checkpoint d{1000 + i, "", {{id, "2019-03-15T07:05:43", id + ".json"}}};
    ASSERT_TRUE(
        done(loop, [&](DoneCallback cb) { s->save_progress("long", le.lease_id, d, cb); }).ok());
    clock.advance_ms(10);  // killed after some progress: the lease expires
  }
  // Progress without uploaded items (a page with nothing new) does not count as progress: the
  // lease that last saved items counts as the first of the run, so kMaxTaskAttempts - 1 more
  // leases park the task.
  for (uint32_t i = 1; i < lim::kMaxTaskAttempts; ++i) {
    auto l = lease(10);
    ASSERT_TRUE(l.ok() && l->has_value());
    Checkpoint empty{1, "page", {}};
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) {
                  s->save_progress("long", (*l)->lease_id, empty, cb);
                }).ok());
    clock.advance_ms(10);
  }
  auto parked = lease(10);
  ASSERT_TRUE(parked.ok());
  EXPECT_FALSE(parked->has_value());
  EXPECT_TRUE(tasks()[0].parked);
}

TEST_F(MemoryStoreTest, CheckpointAccumulatesAndIsBounded) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(enqueue(task("t1")).ok());
  auto l = lease();
  ASSERT_TRUE(l->has_value());
  const Lease le = **l;
  Checkpoint d1{500, "page-2", {{"500", "2019-03-15T07:05:43", "500.json"}}};
  Checkpoint d2{400, "page-3", {{"450", "2019-03-15T07:05:40", "450.json"}}};
  ASSERT_TRUE(
      done(loop, [&](DoneCallback cb) { s->save_progress("t1", le.lease_id, d1, cb); }).ok());
  ASSERT_TRUE(
      done(loop, [&](DoneCallback cb) { s->save_progress("t1", le.lease_id, d2, cb); }).ok());
  auto c = call<Checkpoint>(loop, [&](Callback<Checkpoint> cb) { s->get_checkpoint("t1", cb); });
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->newest_id_seen, 500u);  // never moves back
  EXPECT_EQ(c->page_token, "page-3");
  ASSERT_EQ(c->uploaded.size(), 2u);
  EXPECT_EQ(c->uploaded[1].file_name, "450.json");
  Checkpoint big;
  big.uploaded.assign(lim::kMaxCheckpointItems - 1, UploadedItem{"1", "t", "f"});
  EXPECT_EQ(done(loop, [&](DoneCallback cb) { s->save_progress("t1", le.lease_id, big, cb); })
                .error()
                .code,
            core::Errc::TooLarge);
  big.uploaded.pop_back();
  EXPECT_TRUE(
      done(loop, [&](DoneCallback cb) { s->save_progress("t1", le.lease_id, big, cb); }).ok());
  EXPECT_EQ(call<Checkpoint>(loop, [&](Callback<Checkpoint> cb) { s->get_checkpoint("nope", cb); })
                .error()
                .code,
            core::Errc::NotFound);
}

TEST_F(MemoryStoreTest, CompleteMovesCursorForwardOnlyAndCounts) {
  Job j = job("job1");
  j.since_id = 1000;
  ASSERT_TRUE(put_job(j).ok());
  ASSERT_TRUE(enqueue(task("t1")).ok());
  ASSERT_TRUE(enqueue(task("t2")).ok());
  ASSERT_TRUE(enqueue(task("t3")).ok());
  auto l1 = lease();
  ASSERT_TRUE(complete(**l1, TaskOutcome{TaskResult::Success, "ok", 7, 2000}).ok());
  auto got = get_job("job1");
  EXPECT_EQ(got->since_id, 2000u);
  EXPECT_EQ(got->items_imported, 7u);
  EXPECT_EQ(got->tasks_succeeded, 1u);
  EXPECT_EQ(got->last_task_id, "t1");
  EXPECT_EQ(got->last_window_start_ms, 1000);
  EXPECT_EQ(got->last_window_end_ms, 2000);
  auto l2 = lease();
  ASSERT_TRUE(complete(**l2, TaskOutcome{TaskResult::TemporaryFailure, "429", 0, 1500}).ok());
  got = get_job("job1");
  EXPECT_EQ(got->since_id, 2000u);  // an older cursor never moves it back
  EXPECT_EQ(got->tasks_temporary_failed, 1u);
  EXPECT_EQ(got->last_result, TaskResult::TemporaryFailure);
  EXPECT_EQ(got->last_message, "429");
  auto l3 = lease();
  // The job is deleted while its task runs: completing still removes the task.
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->delete_job("job1", cb); }).ok());
  EXPECT_EQ(complete(**l3, TaskOutcome{TaskResult::PermanentFailure, "", 0, 0}).error().code,
            core::Errc::NotFound);  // delete_job removed the task with the job
  EXPECT_TRUE(tasks().empty());
}

TEST_F(MemoryStoreTest, DeleteJobRemovesItsTasksAndSignIns) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  ASSERT_TRUE(put_job(job("job2")).ok());
  ASSERT_TRUE(enqueue(task("t1", "job1")).ok());
  ASSERT_TRUE(enqueue(task("t2", "job2")).ok());
  PendingAuth a{"rt", "x", "job1", "s", 0};
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(a, cb); }).ok());
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->delete_job("job1", cb); }).ok());
  auto left = tasks();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].task_id, "t2");
  EXPECT_EQ(
      call<PendingAuth>(loop, [&](Callback<PendingAuth> cb) { s->take_pending_auth("rt", cb); })
          .error()
          .code,
      core::Errc::NotFound);
}

TEST_F(MemoryStoreTest, CallbacksRunInCallOrderOnLaterTurns) {
  std::vector<int> order;
  bool inside = true;
  s->put_job(job("job1"), [&](core::Status st) {
    EXPECT_FALSE(inside);
    EXPECT_TRUE(st.ok());
    order.push_back(1);
  });
  s->get_job("job1", [&](core::Result<Job> r) {
    EXPECT_TRUE(r.ok());
    order.push_back(2);
  });
  s->get_job("nope", [&](core::Result<Job> r) {
    EXPECT_FALSE(r.ok());
    order.push_back(3);
  });
  s->delete_job("job1", [&](core::Status st) {
    EXPECT_TRUE(st.ok());
    order.push_back(4);
  });
  inside = false;
  EXPECT_TRUE(order.empty());
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST_F(MemoryStoreTest, CallsAfterCloseAreCancelled) {
  bool closed = false;
  s->close([&](core::Status st) {
    EXPECT_TRUE(st.ok());
    closed = true;
  });
  core::Status late;
  s->get_settings([&](core::Result<Settings> r) {
    late = r.ok() ? core::ok_status() : core::Status(r.error());
  });
  loop.run();
  EXPECT_TRUE(closed);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, core::Errc::Cancelled);
  EXPECT_EQ(loop.live_handles(), 0);
  // TearDown closes again: that call is answered with Cancelled, and nothing is left open.
}

TEST_F(MemoryStoreTest, JobAndTaskCountsAreBounded) {
  // Filled through the API, many calls per loop turn, so the limits are the ones callers hit.
  ASSERT_TRUE(put_job(job("job1")).ok());
  for (size_t i = 0; i < lim::kMaxStoreTasks; ++i)
    s->enqueue_task(task("t" + std::to_string(i)), [](auto r) { ASSERT_TRUE(r.ok()); });
  loop.run();
  EXPECT_EQ(enqueue(task("overflow")).error().code, core::Errc::Busy);
  EXPECT_EQ(*enqueue(task("t0")), EnqueueOutcome::AlreadyQueued);  // still idempotent when full
  for (size_t i = 1; i < lim::kMaxStoreJobs; ++i)
    s->put_job(job("j" + std::to_string(i)), [](core::Status st) { ASSERT_TRUE(st.ok()); });
  loop.run();
  EXPECT_EQ(put_job(job("overflow")).error().code, core::Errc::Busy);
  EXPECT_TRUE(put_job(job("job1")).ok());  // replacing an existing job is fine when full
}

TEST_F(MemoryStoreTest, CompleteKeepsThePreviousWindowEndForTheSchedulePeriod) {
  ASSERT_TRUE(put_job(job("job1")).ok());
  Task t1 = task("t1");
  t1.start_ms = 0;  // a window may start at the epoch; it is still a known window
  t1.end_ms = 10'000;
  Task t2 = task("t2");
  t2.start_ms = 10'000;
  t2.end_ms = 25'000;
  ASSERT_TRUE(enqueue(t1).ok());
  ASSERT_TRUE(enqueue(t2).ok());
  auto l1 = lease();
  ASSERT_TRUE(complete(**l1, TaskOutcome{}).ok());
  auto got = get_job("job1");
  EXPECT_FALSE(got->previous_window_end_ms.has_value());  // one window: no period yet
  EXPECT_EQ(got->last_window_end_ms, 10'000);
  auto l2 = lease();
  ASSERT_TRUE(complete(**l2, TaskOutcome{TaskResult::TemporaryFailure, "x", 0, 0}).ok());
  got = get_job("job1");
  EXPECT_EQ(got->previous_window_end_ms, std::optional<int64_t>(10'000));
  EXPECT_EQ(got->last_window_end_ms, 25'000);
  // Reconnecting the account keeps the history.
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->link_account(job("job1"), cb); }).ok());
  EXPECT_EQ(get_job("job1")->previous_window_end_ms, std::optional<int64_t>(10'000));
}
