// Crash test: a large task (3000 tweets, every 5th with a photo) during which the connector is
// killed with SIGKILL at 20 random instants and restarted on the same data directory each time.
// The instants are drawn from a seeded generator (the seed is printed; E2E_CRASH_SEED repeats a
// run): after each restart the test waits for a random amount of progress at the fake X (0-40
// requests served, or a random time bound), then a random extra 0-250 ms. At the end: every tweet
// of the window is in the container, no blob beyond them, a final Success report lists each of
// them once, and the cursor shown by GET /api/Jobs was never ahead of what the Event API had
// acknowledged — checked after every kill and every restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "e2e/platform.h"

namespace e2e {
namespace {

constexpr int kTweets = 3000;
constexpr int kKills = 20;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The log lines about the task's attempts and the store's parking decisions.
std::string task_lines(const std::string& log) {
  std::string out;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t eol = log.find('\n', pos);
    if (eol == std::string::npos) eol = log.size();
    std::string line = log.substr(pos, eol - pos);
    if (line.find("\"msg\":\"setting\"") != std::string::npos) {
      pos = eol + 1;
      continue;
    }
    if (line.find("task") != std::string::npos || line.find("store") != std::string::npos ||
        line.find("parked") != std::string::npos || line.find("\"error\"") != std::string::npos)
      out += line.substr(0, 600) + "\n";
    pos = eol + 1;
  }
  return out;
}

bool succeeded(const Completion& c) { return c.status == 0 && c.answered_status == 200; }

// Newest tweet id the Event API has accepted in a Success report of the job (0: none).
uint64_t acknowledged(Platform& p, const std::string& job) {
  uint64_t m = 0;
  for (const auto& c : p.completions()) {
    if (c.job_id != job || !succeeded(c) || !c.answered) continue;
    for (const auto& it : c.items) m = std::max(m, id_u64(it.id));
  }
  return m;
}

TEST(Crash, KillNineAtTwentyRandomInstantsLosesAndDuplicatesNothing) {
  uint64_t seed = std::random_device{}();
  if (const char* s = getenv("E2E_CRASH_SEED"); s && *s) seed = strtoull(s, nullptr, 10);
  printf("crash test seed: %llu (E2E_CRASH_SEED=%llu repeats the kill instants)\n",
         static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  fflush(stdout);
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  Platform::Options o;
  o.synthetic = kTweets;
  Platform p(o);
  ASSERT_TRUE(p.start()) << p.error() << p.diagnostics();
  const std::string job = "crash-job";
  ASSERT_EQ(p.setup_job(job), "") << p.diagnostics();
  auto all = p.tweets();
  ASSERT_EQ(all.size(), static_cast<size_t>(kTweets));
  int64_t start = all.back().ms - 30000, end = all.front().ms + 30000;
  // A paced X (a slow timeline and slow media, as over a real network) so the task spans the
  // kills.
  ASSERT_NE(p.twitter_control("{\"delay\":{\"timeline_ms\":150,\"media_ms\":40}}"), "");

  auto r = p.download_request(job, "crash-task", start, end, p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw << p.diagnostics();

  // The cursor is read before the acknowledgements, so every acknowledgement that could justify
  // it is already recorded.
  int cursor_checks = 0;
  auto check_cursor = [&](const char* when, int kill) {
    auto j = p.job(job);
    ASSERT_TRUE(j) << "GET /api/Jobs " << when << " kill " << kill << p.diagnostics();
    uint64_t acked = acknowledged(p, job);
    EXPECT_LE(id_u64(j->since_id), acked) << "cursor ahead of the platform's acknowledgement "
                                          << when << " kill " << kill << ": " << j->raw;
    ++cursor_checks;
  };

  int kills = 0;
  int kill_target = kKills;
  if (const char* s = getenv("E2E_CRASH_KILLS"); s && *s)
    kill_target = static_cast<int>(strtol(s, nullptr, 10));
  for (int k = 1; k <= kill_target; ++k) {
    int need = uniform(0, 40), bound_ms = uniform(300, 3000), extra_ms = uniform(0, 250);
    int64_t base = p.twitter_requests();
    int64_t t0 = steady_ms();
    while (steady_ms() - t0 < bound_ms && p.twitter_requests() - base < need)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(extra_ms));
    if (p.wait_completion("crash-task", 0, succeeded)) break;  // done before this kill
    ASSERT_TRUE(p.connector().running()) << "the connector died on its own" << p.diagnostics();
    check_cursor("just before", k);
    p.connector().kill9();
    ++kills;
    ASSERT_TRUE(p.connector().start()) << p.connector().error();
    check_cursor("after the restart following", k);
  }
  EXPECT_EQ(kills, kKills) << "the task finished after " << kills
                           << " kills: the kill instants were not all during the task";

  int64_t wait_from = steady_ms();
  auto done = p.wait_completion("crash-task", 150000, succeeded);
  printf("crash test: the task finished %lld ms after the last restart\n",
         static_cast<long long>(steady_ms() - wait_from));
  ASSERT_TRUE(done) << "no Success report after the last restart; the tasks' attempts:\n"
                    << task_lines(p.connector().log()) << "blobs so far: "
                    << p.blob_names().value_or(std::vector<std::string>{}).size()
                    << p.diagnostics();
  check_cursor("at the end,", kills);

  // The final report lists every tweet of the window exactly once.
  std::set<std::string> want, reported;
  for (const auto& t : all) want.insert(t.id);
  for (const auto& m : done->items) reported.insert(m.id);
  EXPECT_EQ(done->items.size(), reported.size()) << "an item reported twice";
  EXPECT_EQ(reported, want) << "the final Success report does not cover the window";
  EXPECT_TRUE(done->shape_ok);

  // The container holds exactly one blob per tweet, under this task, and nothing else.
  auto names = p.blob_names();
  ASSERT_TRUE(names) << p.error();
  ASSERT_LT(names->size(), 5000u) << "the listing may be cut at 5000 blobs";
  std::set<std::string> got(names->begin(), names->end()), expected;
  for (const auto& t : all) expected.insert(job + "/crash-task/" + t.id + ".json");
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " tweets missing, first "
                               << (missing.empty() ? "" : missing[0]);
  EXPECT_TRUE(extra.empty()) << extra.size() << " unexpected blobs, first "
                             << (extra.empty() ? "" : extra[0]);

  // Items written around the kills are whole: every media tweet and every 10th other one.
  std::vector<std::string> sample;
  std::map<std::string, const Tweet*> by_name;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].media.empty() && i % 10 != 0) continue;
    std::string n = job + "/crash-task/" + all[i].id + ".json";
    sample.push_back(n);
    by_name[n] = &all[i];
  }
  auto bodies = p.read_blobs(sample);
  EXPECT_EQ(bodies.size(), sample.size());
  for (const auto& [name, body] : bodies) EXPECT_EQ(check_item(body, *by_name[name]), "") << name;

  auto j = p.job(job);
  ASSERT_TRUE(j);
  uint64_t newest = 0;
  for (const auto& t : all) newest = std::max(newest, id_u64(t.id));
  EXPECT_EQ(j->since_id, std::to_string(newest)) << j->raw;
  EXPECT_EQ(j->last_result, "Success") << j->raw;
  EXPECT_GT(cursor_checks, 2 * kills);
  printf("crash test: %d kills, %d restarts, %zu blobs, %zu reports\n", kills,
         p.connector().restarts(), names->size(), p.completions().size());
}

}  // namespace
}  // namespace e2e
