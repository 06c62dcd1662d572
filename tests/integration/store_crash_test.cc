// Durability under crashes: a child process writes to a FileStore as fast as it can and
// reports every acknowledged write on a pipe; the parent SIGKILLs it at a random instant
// (mid-write, mid-group-commit, mid-snapshot-rewrite), reopens the store and checks that
// every acknowledged write is there, nothing is corrupt, and the cursor never went back.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>

#include "core/clock.h"
#include "store/file_store.h"
#include "support/subprocess.h"
#include "unit/store/store_harness.h"
#include "uv/loop.h"

using namespace store;
using store_test::call;
using store_test::done;

namespace {

constexpr int kIterations = 50;
constexpr int kInFlight = 8;            // writes issued before waiting: exercises group commit
constexpr size_t kCompactBytes = 8192;  // small, so crashes also hit snapshot rewrites

Job make_job(const std::string& id, uint64_t since) {
  Job j;
  j.job_id = id;
  j.tenant_id = "tenant";
  j.twitter_user_id = "1";
  j.screen_name = "s";
  j.user_token = "token-" + id;
  j.user_token_secret = "secret-" + id;
  j.since_id = since;
  return j;
}

// Child: write forever; each acknowledged write k is reported as "k\n" on fd.
[[noreturn]] void child_main(const std::string& dir, int fd, uint64_t first) {
  uv::Loop loop;
  core::SystemClock clock;
  FileStore::Options o;
  o.dir = dir;
  o.compact_min_bytes = kCompactBytes;
  std::string problem;
  auto s = FileStore::open(loop.get(), clock, o, &problem);
  if (!s) {
    dprintf(fd, "open failed: %s\n", problem.c_str());
    _exit(2);
  }
  FileStore* fs = s->get();
  uint64_t next = first;
  int in_flight = 0;
  std::function<void()> issue = [&]() {
    while (in_flight < kInFlight) {
      uint64_t k = next++;
      ++in_flight;
      auto ack = [&, k](bool ok) {
        --in_flight;
        if (!ok) _exit(3);
        dprintf(fd, "%llu\n", static_cast<unsigned long long>(k));
        issue();
      };
      if (k % 3 == 0) {
        // The cursor job moves forward; a reader must never see it go back.
        fs->put_job(make_job("cursor", k), [ack](core::Status st) { ack(st.ok()); });
      } else if (k % 3 == 1) {
        fs->put_job(make_job("job-" + std::to_string(k), k),
                    [ack](core::Status st) { ack(st.ok()); });
      } else {
        Task t;
        t.task_id = "task-" + std::to_string(k);
        t.job_id = "job-" + std::to_string(k - 1);
        t.start_ms = 1;
        t.end_ms = 2;
        t.blob_sas_uri = "https://a.blob.core.windows.net/c?sig=x";
        fs->enqueue_task(t, [ack](core::Result<EnqueueOutcome> r) { ack(r.ok()); });
      }
    }
  };
  dprintf(fd, "ready\n");
  issue();
  loop.run();
  _exit(4);
}

struct ChildRun {
  std::set<uint64_t> acked;
  std::string junk;  // anything that is not an ack (an error line)
};

ChildRun run_and_kill(const std::string& dir, uint64_t first, int kill_after_ms) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child_main(dir, fds[1], first);
  }
  close(fds[1]);
  ChildRun run;
  std::string buf;
  auto consume = [&](bool final) {
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (line == "ready") continue;
      char* end = nullptr;
      unsigned long long v = strtoull(line.c_str(), &end, 10);
      if (end && *end == '\0' && !line.empty())
        run.acked.insert(v);
      else
        run.junk += line + "\n";
    }
    if (final && !buf.empty())
      run.junk += "partial line: " + buf;  // dprintf of a short line is atomic
  };
  auto read_some = [&](int timeout_ms) -> bool {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char chunk[4096];
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  };
  // Wait for "ready", then let it write for kill_after_ms before SIGKILL.
  while (buf.find("ready\n") == std::string::npos && read_some(5000)) {}
  uint64_t deadline =
      core::SystemClock::instance().monotonic_ms() + static_cast<uint64_t>(kill_after_ms);
  while (core::SystemClock::instance().monotonic_ms() < deadline) {
    int left = static_cast<int>(deadline - core::SystemClock::instance().monotonic_ms());
    read_some(left > 0 ? left : 0);
    consume(false);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  while (read_some(0)) {}
  consume(true);
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended early: " << status << " " << run.junk;
  return run;
}

}  // namespace

TEST(StoreCrash, EveryAcknowledgedWriteSurvivesSigkill) {
  testing_support::TempDir tmp;
  const std::string dir = tmp.path() + "/data";
  std::mt19937 rng(20261204);
  std::set<uint64_t> all_acked;
  uint64_t first = 1;
  uint64_t max_cursor_seen = 0;
  size_t total_acks = 0;
  for (int iter = 0; iter < kIterations; ++iter) {
    int kill_after = static_cast<int>(rng() % 100);  // 0..99 ms: from before the first write on
    ChildRun run = run_and_kill(dir, first, kill_after);
    ASSERT_TRUE(run.junk.empty()) << run.junk;
    total_acks += run.acked.size();
    all_acked.insert(run.acked.begin(), run.acked.end());

    uv::Loop loop;
    core::SystemClock clock;
    FileStore::Options o;
    o.dir = dir;
    o.compact_min_bytes = kCompactBytes;
    std::string problem;
    auto opened = FileStore::open(loop.get(), clock, o, &problem);
    ASSERT_TRUE(opened.ok()) << "iteration " << iter << ": " << problem;
    FileStore& s = **opened;
    auto jobs =
        call<std::vector<Job>>(loop, [&](Callback<std::vector<Job>> cb) { s.list_jobs(cb); });
    auto tasks =
        call<std::vector<Task>>(loop, [&](Callback<std::vector<Task>> cb) { s.list_tasks(cb); });
    ASSERT_TRUE(jobs.ok() && tasks.ok());
    std::set<std::string> job_ids, task_ids;
    uint64_t cursor = 0;
    for (const Job& j : *jobs) {
      job_ids.insert(j.job_id);
      if (j.job_id == "cursor")
        cursor = j.since_id;
      else
        EXPECT_EQ(j.user_token_secret, "secret-" + j.job_id);  // records intact
    }
    for (const Task& t : *tasks) task_ids.insert(t.task_id);
    for (uint64_t k : all_acked) {
      if (k % 3 == 1) {
        EXPECT_TRUE(job_ids.count("job-" + std::to_string(k)))
            << "lost job " << k << " iter " << iter;
      } else if (k % 3 == 2) {
        EXPECT_TRUE(task_ids.count("task-" + std::to_string(k)))
            << "lost task " << k << " iter " << iter;
      } else {
        EXPECT_GE(cursor, k) << "cursor went back below an acknowledged value, iter " << iter;
      }
    }
    EXPECT_GE(cursor, max_cursor_seen);  // never backwards across crashes
    max_cursor_seen = cursor;
    // Nothing appeared that was never issued: the child issues ids in order with at most
    // kInFlight unacknowledged, so every id is below first + acks + kInFlight.
    const uint64_t bound = first + run.acked.size() + kInFlight;
    for (const auto& id : job_ids) {
      if (id != "cursor") {
        EXPECT_LT(std::stoull(id.substr(4)), bound) << id;
      }
    }
    for (const auto& id : task_ids) EXPECT_LT(std::stoull(id.substr(5)), bound) << id;
    EXPECT_LT(cursor, bound);
    store_test::close_store(loop, s);
    opened->reset();
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
    // The next child starts after everything issued so far (acknowledged or not).
    uint64_t issued_max = all_acked.empty() ? first : *all_acked.rbegin() + kInFlight + 1;
    for (const auto& id : job_ids)
      if (id != "cursor")
        issued_max = std::max<uint64_t>(issued_max, std::stoull(id.substr(4)) + 2);
    for (const auto& id : task_ids)
      issued_max = std::max<uint64_t>(issued_max, std::stoull(id.substr(5)) + 1);
    first = issued_max + 3 - issued_max % 3;  // keep k % 3 classes aligned with fresh ids
    if (HasFailure()) break;
  }
  EXPECT_GT(total_acks, 0u);
  // The log was rewritten as a snapshot along the way, so crashes could hit rewrites too.
  std::string log;
  {
    FILE* f = fopen((dir + "/state.log").c_str(), "rb");
    ASSERT_TRUE(f);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) log.append(chunk, n);
    fclose(f);
  }
  size_t g = log.find("\"generation\":\"");
  ASSERT_NE(g, std::string::npos);
  EXPECT_GT(std::stoull(log.substr(g + 14, 20)), 3u)
      << "too few snapshot rewrites to mean anything";
  RecordProperty("acknowledged_writes", static_cast<int>(total_acks));
  printf("store crash test: %d kills, %zu acknowledged writes checked\n", kIterations, total_acks);
}
