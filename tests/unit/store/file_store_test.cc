// FileStore on a real directory: persistence across reopen, file modes, the lock, damage
// detection with clear messages, sealed secrets, snapshot rewrites and the write-failure path.
#include "store/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/limits.h"
#include "store/log_format.h"
#include "support/subprocess.h"
#include "unit/store/store_harness.h"

using namespace store;
using store_test::call;
using store_test::done;
namespace lim = core::limits;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

mode_t mode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class FileStoreTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp.path() + "/data"; }
  std::string log_path() const { return dir() + "/state.log"; }

  core::Result<std::unique_ptr<FileStore>> open(SecretCodec* codec = nullptr, size_t compact = 0) {
    FileStore::Options o;
    o.dir = dir();
    o.codec = codec;
    if (compact) o.compact_min_bytes = compact;
    problem.clear();
    return FileStore::open(loop.get(), clock, o, &problem);
  }
  std::unique_ptr<FileStore> open_ok(SecretCodec* codec = nullptr, size_t compact = 0) {
    auto r = open(codec, compact);
    EXPECT_TRUE(r.ok()) << problem;
    return r.ok() ? std::move(*r) : nullptr;
  }
  void close(std::unique_ptr<FileStore>& s) {
    store_test::close_store(loop, *s);
    s.reset();
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
  }
  Job job(const std::string& id) {
    Job j;
    j.job_id = id;
    j.tenant_id = "tenant";
    j.twitter_user_id = "4113725063";
    j.screen_name = "contoso";
    j.user_token = "USER-TOKEN-" + id;
    j.user_token_secret = "USER-SECRET-" + id;
    return j;
  }
  Task task(const std::string& id) {
    Task t;
    t.task_id = id;
    t.job_id = "job1";
    t.tenant_id = "tenant";
    t.start_ms = 10;
    t.end_ms = 20;
    t.blob_sas_uri = "https://acct.blob.core.windows.net/c?sig=s";
    t.dirty_entities = {"e1", "e2"};
    return t;
  }
  // A store holding one of everything.
  void fill(FileStore& s) {
    Settings st;
    st.twitter_api_key = "CONSUMER-KEY";
    st.twitter_api_secret_key = "CONSUMER-SECRET";
    st.aad_app_id = "aad-app";
    st.aad_app_secret = "AAD-SECRET";
    st.extra["x"] = "y";
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s.put_settings(st, cb); }).ok());
    Job j = job("job1");
    j.since_id = 1212092628029698048ULL;  // beyond 2^53: must survive as a decimal string
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s.put_job(j, cb); }).ok());
    PendingAuth a{"req-token", "REQ-SECRET", "job1", "st", 0};
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s.put_pending_auth(a, cb); }).ok());
    for (const char* id : {"t1", "t2", "t3"})
      ASSERT_TRUE(call<EnqueueOutcome>(loop, [&](Callback<EnqueueOutcome> cb) {
                    s.enqueue_task(task(id), cb);
                  }).ok());
    auto l = call<std::optional<Lease>>(
        loop, [&](Callback<std::optional<Lease>> cb) { s.lease_task("w", 1000, cb); });
    ASSERT_TRUE(l.ok() && l->has_value());
    Checkpoint c{777, "next", {{"777", "2019-03-15T07:05:43", "777.json"}}};
    ASSERT_TRUE(
        done(loop, [&](DoneCallback cb) { s.save_progress("t1", (*l)->lease_id, c, cb); }).ok());
    auto l2 = call<std::optional<Lease>>(
        loop, [&](Callback<std::optional<Lease>> cb) { s.lease_task("w", 1000, cb); });
    ASSERT_TRUE(l2.ok() && l2->has_value());
    ASSERT_TRUE(done(loop, [&](DoneCallback cb) {
                  s.complete_task(
                      "t2", (*l2)->lease_id,
                      TaskOutcome{TaskResult::Success, "fine", 3, 1212092628029698049ULL}, cb);
                }).ok());
  }
  void expect_filled(FileStore& s, bool take_auth = true) {
    auto st = call<Settings>(loop, [&](Callback<Settings> cb) { s.get_settings(cb); });
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->twitter_api_secret_key, "CONSUMER-SECRET");
    EXPECT_EQ(st->aad_app_secret, "AAD-SECRET");
    EXPECT_EQ(st->extra.at("x"), "y");
    auto j = call<Job>(loop, [&](Callback<Job> cb) { s.get_job("job1", cb); });
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j->since_id, 1212092628029698049ULL);
    EXPECT_EQ(j->user_token_secret, "USER-SECRET-job1");
    EXPECT_EQ(j->items_imported, 3u);
    EXPECT_EQ(j->tasks_succeeded, 1u);
    EXPECT_EQ(j->last_message, "fine");
    auto ts =
        call<std::vector<Task>>(loop, [&](Callback<std::vector<Task>> cb) { s.list_tasks(cb); });
    ASSERT_TRUE(ts.ok());
    ASSERT_EQ(ts->size(), 2u);
    EXPECT_EQ((*ts)[0].task_id, "t1");
    EXPECT_EQ((*ts)[0].attempts, 1u);     // persisted
    EXPECT_EQ((*ts)[0].lease_owner, "");  // leases end with the process
    EXPECT_EQ((*ts)[0].dirty_entities, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_EQ((*ts)[1].task_id, "t3");
    auto c = call<Checkpoint>(loop, [&](Callback<Checkpoint> cb) { s.get_checkpoint("t1", cb); });
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->newest_id_seen, 777u);
    ASSERT_EQ(c->uploaded.size(), 1u);
    EXPECT_EQ(c->uploaded[0].file_name, "777.json");
    auto e = call<EnqueueOutcome>(
        loop, [&](Callback<EnqueueOutcome> cb) { s.enqueue_task(task("t2"), cb); });
    EXPECT_EQ(*e, EnqueueOutcome::AlreadyDone);  // completion remembered across restarts
    if (!take_auth) return;
    auto a = call<PendingAuth>(
        loop, [&](Callback<PendingAuth> cb) { s.take_pending_auth("req-token", cb); });
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->request_token_secret, "REQ-SECRET");
  }

  testing_support::TempDir tmp;
  uv::Loop loop;
  core::ManualClock clock;
  std::string problem;
};

}  // namespace

TEST_F(FileStoreTest, CreatesPrivateDirAndFiles) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(mode_of(dir()), 0700u);
  EXPECT_EQ(mode_of(log_path()), 0600u);
  EXPECT_EQ(mode_of(dir() + "/state.mark"), 0600u);
  EXPECT_EQ(mode_of(dir() + "/lock"), 0600u);
  EXPECT_EQ(slurp(dir() + "/lock"), std::to_string(getpid()) + "\n");
  fill(*s);
  EXPECT_EQ(mode_of(log_path()), 0600u);
  close(s);
}

TEST_F(FileStoreTest, EverythingSurvivesReopen) {
  auto s = open_ok();
  fill(*s);
  close(s);
  s = open_ok();
  ASSERT_TRUE(s);
  expect_filled(*s);
  close(s);
}

TEST_F(FileStoreTest, TakingTheLatestSignInOfAJobIsDurable) {
  auto s = open_ok();
  fill(*s);
  clock.advance_ms(1000);
  PendingAuth newer{"req-token-2", "REQ-SECRET-2", "job1", "st2", 0};
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_pending_auth(newer, cb); }).ok());
  close(s);
  s = open_ok();
  auto a = call<PendingAuth>(
      loop, [&](Callback<PendingAuth> cb) { s->take_latest_pending_auth_for_job("job1", cb); });
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->request_token, "req-token-2");
  EXPECT_EQ(a->request_token_secret, "REQ-SECRET-2");
  EXPECT_EQ(a->state, "st2");
  close(s);
  s = open_ok();  // the take was journaled: only the older sign-in is left
  auto b = call<PendingAuth>(
      loop, [&](Callback<PendingAuth> cb) { s->take_latest_pending_auth_for_job("job1", cb); });
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->request_token, "req-token");
  EXPECT_EQ(
      call<PendingAuth>(
          loop, [&](Callback<PendingAuth> cb) { s->take_latest_pending_auth_for_job("job1", cb); })
          .error()
          .code,
      core::Errc::NotFound);
  close(s);
}

TEST_F(FileStoreTest, LeasedTaskIsVisibleAfterRestartWithItsAttempts) {
  auto s = open_ok();
  fill(*s);
  close(s);
  s = open_ok();
  auto l = call<std::optional<Lease>>(
      loop, [&](Callback<std::optional<Lease>> cb) { s->lease_task("w2", 1000, cb); });
  ASSERT_TRUE(l.ok() && l->has_value());
  EXPECT_EQ((*l)->task.task_id, "t1");
  EXPECT_EQ((*l)->task.attempts, 2u);
  close(s);
}

TEST_F(FileStoreTest, PoisonCountSurvivesCrashLoops) {
  auto s = open_ok();
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_job(job("job1"), cb); }).ok());
  ASSERT_TRUE(call<EnqueueOutcome>(loop, [&](Callback<EnqueueOutcome> cb) {
                s->enqueue_task(task("p"), cb);
              }).ok());
  for (uint32_t i = 0; i < lim::kMaxTaskAttempts; ++i) {  // each lease "crashes" the process
    auto l = call<std::optional<Lease>>(
        loop, [&](Callback<std::optional<Lease>> cb) { s->lease_task("w", 1000, cb); });
    ASSERT_TRUE(l.ok() && l->has_value());
    close(s);
    s = open_ok();
  }
  auto l = call<std::optional<Lease>>(
      loop, [&](Callback<std::optional<Lease>> cb) { s->lease_task("w", 1000, cb); });
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->has_value());
  close(s);
  s = open_ok();
  auto ts =
      call<std::vector<Task>>(loop, [&](Callback<std::vector<Task>> cb) { s->list_tasks(cb); });
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_TRUE((*ts)[0].parked);  // kept, not dropped
  close(s);
}

TEST_F(FileStoreTest, RefusesADirOthersCanRead) {
  ASSERT_EQ(mkdir(dir().c_str(), 0700), 0);
  ASSERT_EQ(chmod(dir().c_str(), 0750), 0);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Config);
  EXPECT_NE(problem.find("mode 0750"), std::string::npos) << problem;
  EXPECT_NE(problem.find("chmod 700"), std::string::npos) << problem;
  ASSERT_EQ(chmod(dir().c_str(), 0700), 0);
  auto s = open_ok();
  close(s);
}

TEST_F(FileStoreTest, RefusesAGroupReadableLog) {
  auto s = open_ok();
  close(s);
  ASSERT_EQ(chmod(log_path().c_str(), 0640), 0);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(problem.find("chmod 600 " + log_path()), std::string::npos) << problem;
}

TEST_F(FileStoreTest, RefusesAFileAsDataDirAndAMissingParent) {
  spit(dir(), "x");
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(problem.find("not a directory"), std::string::npos) << problem;
  FileStore::Options o;
  o.dir = tmp.path() + "/no/such/parent";
  r = FileStore::open(loop.get(), clock, o, &problem);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(problem.find("cannot create data dir"), std::string::npos) << problem;
}

TEST_F(FileStoreTest, RefusesAReadOnlyDir) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  ASSERT_EQ(mkdir(dir().c_str(), 0500), 0);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(problem.find("not writable"), std::string::npos) << problem;
  chmod(dir().c_str(), 0700);
}

TEST_F(FileStoreTest, SecondOpenIsRefusedWhileLocked) {
  auto s = open_ok();
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Locked);
  EXPECT_NE(problem.find("is in use by pid " + std::to_string(getpid())), std::string::npos)
      << problem;
  close(s);
  auto again = open_ok();  // the lock went with the first store
  close(again);
}

TEST_F(FileStoreTest, FlippedByteIsReportedWithFileAndOffset) {
  auto s = open_ok();
  fill(*s);
  close(s);
  std::string bytes = slurp(log_path());
  size_t at = bytes.find("USER-SECRET-job1");
  ASSERT_NE(at, std::string::npos);
  bytes[at] ^= 0x20;
  spit(log_path(), bytes);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Corrupt);
  EXPECT_NE(problem.find("checksum mismatch"), std::string::npos) << problem;
  EXPECT_NE(problem.find(log_path() + " at offset "), std::string::npos) << problem;
  EXPECT_NE(problem.find("Restore the data dir from a backup"), std::string::npos) << problem;
}

TEST_F(FileStoreTest, TruncationOfAcknowledgedDataIsReported) {
  auto s = open_ok();
  fill(*s);
  close(s);
  std::string bytes = slurp(log_path());
  // Cut in the middle of a record (looks like a torn tail) and at a record boundary: both lose
  // acknowledged data, which the commit mark proves.
  for (size_t cut : {bytes.size() - 5, bytes.size() / 2}) {
    spit(log_path(), bytes.substr(0, cut));
    auto r = open();
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.error().code, core::Errc::Corrupt);
    EXPECT_NE(problem.find("truncated"), std::string::npos) << problem;
  }
  spit(log_path(), "");
  EXPECT_FALSE(open().ok());
  spit(log_path(), bytes);  // restored: fine again
  s = open_ok();
  expect_filled(*s);
  close(s);
}

TEST_F(FileStoreTest, TornTailOfAnUnacknowledgedWriteIsDroppedAndLogged) {
  auto s = open_ok();
  fill(*s);
  close(s);
  std::string bytes = slurp(log_path());
  size_t acknowledged = bytes.size();
  // A crash in the middle of a write that was never acknowledged: part of a record at the end.
  std::string record;
  frame_record("[{\"op\":\"job_del\",\"id\":\"job1\"}]", &record);
  for (size_t part : {size_t{3}, kRecordHeaderBytes, record.size() - 1}) {
    spit(log_path(), bytes + record.substr(0, part));
    s = open_ok();
    ASSERT_TRUE(s) << part;
    EXPECT_EQ(s->log_bytes(), acknowledged);
    EXPECT_EQ(slurp(log_path()).size(), acknowledged);  // cut back before anything is appended
    close(s);
  }
  s = open_ok();
  expect_filled(*s);
  close(s);
}

TEST_F(FileStoreTest, DamagedMarkAndMissingLogAreReported) {
  auto s = open_ok();
  fill(*s);
  close(s);
  std::string mark = slurp(dir() + "/state.mark");
  spit(dir() + "/state.mark", std::string(mark.size(), 'x'));
  ASSERT_FALSE(open().ok());
  EXPECT_NE(problem.find("state.mark is damaged"), std::string::npos) << problem;
  spit(dir() + "/state.mark", mark);
  ASSERT_EQ(unlink(log_path().c_str()), 0);
  ASSERT_FALSE(open().ok());
  EXPECT_NE(problem.find("is missing"), std::string::npos) << problem;
}

TEST_F(FileStoreTest, GarbageInsteadOfALogIsReported) {
  ASSERT_EQ(mkdir(dir().c_str(), 0700), 0);
  spit(log_path(), "{\"not\":\"a store\"}\n");
  chmod(log_path().c_str(), 0600);
  ASSERT_FALSE(open().ok());
  EXPECT_NE(problem.find("corrupt"), std::string::npos) << problem;
}

TEST_F(FileStoreTest, SecretsAreSealedWithACodec) {
  store_test::ToyCodec codec('k');
  auto s = open_ok(&codec);
  fill(*s);
  close(s);
  std::string bytes = slurp(log_path());
  for (const char* secret :
       {"CONSUMER-SECRET", "AAD-SECRET", "USER-TOKEN-job1", "USER-SECRET-job1", "REQ-SECRET"})
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  EXPECT_NE(bytes.find("aad-app"), std::string::npos);  // not a secret
  EXPECT_NE(bytes.find("\"sealed\""), std::string::npos);
  s = open_ok(&codec);
  expect_filled(*s);
  close(s);
  // Without the key, or with another one, the store refuses to start and says why.
  ASSERT_FALSE(open().ok());
  EXPECT_NE(problem.find("start with the data key"), std::string::npos) << problem;
  store_test::ToyCodec other('z');
  auto r = open(&other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Crypto);
}

TEST_F(FileStoreTest, AddingACodecSealsSecretsWrittenInClear) {
  auto s = open_ok();
  fill(*s);
  close(s);
  EXPECT_NE(slurp(log_path()).find("AAD-SECRET"), std::string::npos);
  store_test::ToyCodec codec('k');
  s = open_ok(&codec);
  expect_filled(*s, false);
  close(s);
  EXPECT_EQ(slurp(log_path()).find("AAD-SECRET"), std::string::npos);
  s = open_ok(&codec);
  expect_filled(*s);
  close(s);
}

TEST_F(FileStoreTest, LogIsRewrittenAsASnapshotAndStaysReadable) {
  auto s = open_ok(nullptr, 4096);
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_job(job("job1"), cb); }).ok());
  for (int i = 0; i < 200; ++i) {
    Job j = job("job1");
    j.since_id = static_cast<uint64_t>(i);
    s->put_job(j, [](core::Status st) { ASSERT_TRUE(st.ok()); });
    if (i % 10 == 0) loop.run();
  }
  loop.run();
  EXPECT_GT(s->compactions(), 0u);
  EXPECT_LT(s->log_bytes(), 3 * 4096u);
  fill(*s);
  close(s);
  s = open_ok(nullptr, 4096);
  expect_filled(*s);
  close(s);
  EXPECT_EQ(access((dir() + "/state.log.tmp").c_str(), F_OK), -1);
}

TEST_F(FileStoreTest, LeftoverRewriteTempFileIsRemoved) {
  auto s = open_ok();
  fill(*s);
  close(s);
  spit(dir() + "/state.log.tmp", "half a snapshot");
  s = open_ok();
  expect_filled(*s);
  close(s);
  EXPECT_EQ(access((dir() + "/state.log.tmp").c_str(), F_OK), -1);
}

TEST_F(FileStoreTest, WriteFailureStopsTheStoreAndLosesNothingAcknowledged) {
  auto s = open_ok();
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_job(job("kept"), cb); }).ok());
  s->fail_next_write_for_test(ENOSPC);
  auto r = done(loop, [&](DoneCallback cb) { s->put_job(job("lost"), cb); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Io);
  EXPECT_EQ(r.error().detail, ENOSPC);
  ASSERT_TRUE(s->failure());
  // Every later call fails too: the index may hold what the disk does not.
  auto g = call<Job>(loop, [&](Callback<Job> cb) { s->get_job("kept", cb); });
  EXPECT_EQ(g.error().code, core::Errc::Io);
  close(s);
  s = open_ok();
  EXPECT_TRUE(call<Job>(loop, [&](Callback<Job> cb) { s->get_job("kept", cb); }).ok());
  EXPECT_EQ(call<Job>(loop, [&](Callback<Job> cb) { s->get_job("lost", cb); }).error().code,
            core::Errc::NotFound);
  close(s);
}

TEST_F(FileStoreTest, ManyCallsInOneTurnAreGroupCommitted) {
  auto s = open_ok();
  ASSERT_TRUE(done(loop, [&](DoneCallback cb) { s->put_job(job("job1"), cb); }).ok());
  int ok = 0;
  for (int i = 0; i < 500; ++i)
    s->enqueue_task(task("t" + std::to_string(i)),
                    [&](core::Result<EnqueueOutcome> r) { ok += r.ok(); });
  loop.run();
  EXPECT_EQ(ok, 500);
  close(s);
  s = open_ok();
  auto ts =
      call<std::vector<Task>>(loop, [&](Callback<std::vector<Task>> cb) { s->list_tasks(cb); });
  EXPECT_EQ(ts->size(), 500u);
  close(s);
}

TEST_F(FileStoreTest, DestroyingWithAWriteInFlightIsSafe) {
  auto s = open_ok();
  s->put_job(job("job1"), [](core::Status) { ADD_FAILURE() << "dropped callbacks must not run"; });
  s.reset();  // the thread pool finishes the write and closes the files
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
  s = open_ok();  // lock released
  EXPECT_TRUE(call<Job>(loop, [&](Callback<Job> cb) { s->get_job("job1", cb); }).ok());
  close(s);
}

TEST_F(FileStoreTest, WriteBacklogIsBounded) {
  FileStore::Options defaults;
  EXPECT_EQ(defaults.max_pending_bytes, lim::kMaxStorePendingBytes);
  EXPECT_EQ(defaults.compact_min_bytes, lim::kStoreCompactMinBytes);
  FileStore::Options o;
  o.dir = dir();
  o.max_pending_bytes = 2000;
  auto s = FileStore::open(loop.get(), clock, o, &problem);
  ASSERT_TRUE(s.ok()) << problem;
  int ok = 0, busy = 0;
  for (int i = 0; i < 50; ++i)  // one loop turn: the first write is in flight, the rest queue
    (*s)->put_job(job("job" + std::to_string(i)), [&](core::Status st) {
      if (st.ok())
        ++ok;
      else if (st.error().code == core::Errc::Busy)
        ++busy;
    });
  loop.run();
  EXPECT_GT(ok, 1);
  EXPECT_GT(busy, 0);
  EXPECT_EQ(ok + busy, 50);
  close(*s);
}

TEST_F(FileStoreTest, OversizedLogIsRefused) {
  auto s = open_ok();
  close(s);
  ASSERT_EQ(truncate(log_path().c_str(), static_cast<off_t>(lim::kMaxStoreLogBytes) + 1),
            0);  // sparse
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::TooLarge);
  EXPECT_NE(problem.find("over the"), std::string::npos) << problem;
}
