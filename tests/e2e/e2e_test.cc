// End to end: a test platform drives the real binary exactly as Microsoft 365 would —
// configuration through the API, the whole OAuth setup flow against the fake X, IsCreated,
// OnDownloadRequest with a SAS to a real Azurite, the completion at the fake Event API — and
// checks what arrived: exactly the tweets of the window, each once, each a valid Item, the same
// list in itemMetadata; a second task brings only newer tweets; OnDeleted removes the job.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "e2e/platform.h"
#include "json/json.h"

namespace e2e {
namespace {

constexpr int kTaskTimeoutMs = 120000;

bool succeeded(const Completion& c) { return c.status == 0 && c.answered_status == 200; }

// The completion lists exactly `want`, oldest first, with the Item's id, time and blob name.
void expect_items_reported(const Completion& c, const std::vector<Tweet>& want) {
  EXPECT_TRUE(c.shape_ok) << c.body.substr(0, 500);
  std::vector<Tweet> sorted = want;
  std::sort(sorted.begin(), sorted.end(),
            [](const Tweet& a, const Tweet& b) { return id_u64(a.id) < id_u64(b.id); });
  ASSERT_EQ(c.items.size(), sorted.size()) << c.body.substr(0, 500);
  for (size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(c.items[i].id, sorted[i].id) << "itemMetadata[" << i << "]";
    EXPECT_EQ(c.items[i].modified, sent_time(sorted[i].ms)) << c.items[i].id;
    EXPECT_EQ(c.items[i].file_name, sorted[i].id + ".json") << c.items[i].id;
  }
}

// The blobs under {job}/{task}/ are exactly one per tweet of `want`, each a valid Item of it.
void expect_blobs(Platform& p, const std::string& job, const std::string& task,
                  const std::vector<Tweet>& want) {
  std::string prefix = job + "/" + task + "/";
  auto names = p.blob_names(prefix);
  ASSERT_TRUE(names) << p.error();
  std::set<std::string> got(names->begin(), names->end());
  EXPECT_EQ(got.size(), names->size()) << "a blob name is listed twice";
  std::set<std::string> expected;
  for (const auto& t : want) expected.insert(prefix + t.id + ".json");
  EXPECT_EQ(got, expected);
  auto bodies = p.read_blobs(*names);
  for (const auto& t : want) {
    auto it = bodies.find(prefix + t.id + ".json");
    if (it == bodies.end()) {
      ADD_FAILURE() << "blob of tweet " << t.id << " could not be read";
      continue;
    }
    EXPECT_EQ(check_item(it->second, t), "") << "tweet " << t.id;
  }
}

std::string max_id(const std::vector<Tweet>& ts) {
  uint64_t m = 0;
  for (const auto& t : ts) m = std::max(m, id_u64(t.id));
  return std::to_string(m);
}

TEST(EndToEnd, SetupImportSecondTaskAndDelete) {
  Platform p;  // 200 synthetic tweets one minute apart, every 5th with a photo
  ASSERT_TRUE(p.start()) << p.error() << p.diagnostics();
  const std::string job = "e2e-job-1f7c";

  // The portal's "Validate connection", then the admin's configuration.
  auto v = p.call("GET", "/setup/Validate");
  EXPECT_EQ(v.status, 200) << v.raw;
  EXPECT_EQ(v.body, "{\"Status\":true,\"Message\":null}");
  // Without credentials the platform's routes are closed.
  auto anon = http_request(p.connector().port(), "GET", "/job/IsCreated?jobId=" + job);
  EXPECT_EQ(anon.status, 401) << anon.raw;

  // Before the setup: no job.
  EXPECT_EQ(p.is_created(job), std::optional<bool>(false)) << p.diagnostics();
  ASSERT_EQ(p.setup_job(job), "") << p.diagnostics();
  EXPECT_EQ(p.is_created(job), std::optional<bool>(true)) << p.diagnostics();
  auto j0 = p.job(job);
  ASSERT_TRUE(j0) << p.diagnostics();
  EXPECT_EQ(j0->account_id, "4113725063") << j0->raw;
  EXPECT_EQ(j0->account_name, "twitter_testaccount") << j0->raw;
  EXPECT_EQ(j0->since_id, "0") << j0->raw;
  EXPECT_EQ(j0->raw.find("fake-access"), std::string::npos) << "a token in api/Jobs: " << j0->raw;

  // Task 1: a window in the middle of the timeline (tweets 10..99, newest first).
  auto all = p.tweets();
  ASSERT_EQ(all.size(), 200u);
  int64_t start1 = all[99].ms - 30000, end1 = all[10].ms + 30000;
  auto want1 = in_window(all, start1, end1);
  ASSERT_EQ(want1.size(), 90u);
  auto r = p.download_request(job, "task-1", start1, end1, p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw << p.diagnostics();
  auto c1 = p.wait_completion("task-1", kTaskTimeoutMs, succeeded);
  ASSERT_TRUE(c1) << "no Success completion of task-1" << p.diagnostics();
  EXPECT_EQ(c1->job_id, job);
  EXPECT_EQ(c1->authorization.rfind("Bearer fake-access-token-", 0), 0u) << c1->authorization;
  EXPECT_EQ(c1->content_type.rfind("application/json", 0), 0u) << c1->content_type;
  expect_items_reported(*c1, want1);
  expect_blobs(p, job, "task-1", want1);
  auto j1 = p.job(job);
  ASSERT_TRUE(j1);
  EXPECT_EQ(j1->since_id, max_id(want1)) << j1->raw;
  EXPECT_EQ(j1->last_result, "Success") << j1->raw;
  EXPECT_EQ(j1->last_task_id, "task-1") << j1->raw;
  EXPECT_EQ(j1->items_imported, 90u) << j1->raw;
  EXPECT_EQ(j1->tasks_succeeded, 1u) << j1->raw;
  EXPECT_GE(p.metric("connector_items_uploaded_total"), 90) << p.diagnostics();

  // New posts appear; task 2's window covers everything, but only what is newer than the
  // cursor comes: the 10 newest of the first timeline and the 7 new ones.
  ASSERT_NE(p.twitter_control("{\"add_tweets\":7}"), "");
  auto all2 = p.tweets();
  ASSERT_EQ(all2.size(), 207u);
  int64_t start2 = all2.back().ms - 30000, end2 = all2.front().ms + 3600000;
  auto want2 = in_window(all2, start2, end2, id_u64(j1->since_id));
  ASSERT_EQ(want2.size(), 17u);
  r = p.download_request(job, "task-2", start2, end2, p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  auto c2 = p.wait_completion("task-2", kTaskTimeoutMs, succeeded);
  ASSERT_TRUE(c2) << "no Success completion of task-2" << p.diagnostics();
  expect_items_reported(*c2, want2);
  expect_blobs(p, job, "task-2", want2);
  auto j2 = p.job(job);
  ASSERT_TRUE(j2);
  EXPECT_EQ(j2->since_id, max_id(all2)) << j2->raw;
  EXPECT_EQ(j2->items_imported, 107u) << j2->raw;
  EXPECT_EQ(j2->tasks_succeeded, 2u) << j2->raw;
  // Every completion of the job was answered Success; nothing else was reported.
  for (const auto& c : p.completions()) EXPECT_EQ(c.status, 0) << c.body.substr(0, 300);

  // The platform deletes the connector: the job and its tokens go.
  auto d = p.call("DELETE", "/job/OnDeleted?jobId=" + job);
  EXPECT_EQ(d.status, 200) << d.raw;
  EXPECT_EQ(p.is_created(job), std::optional<bool>(false));
  EXPECT_FALSE(p.job(job)) << "job still listed after OnDeleted";
  r = p.download_request(job, "task-3", start2, end2, p.sas_uri());
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_NE(r.body.find("Failed to find job"), std::string::npos) << r.body;
  EXPECT_EQ(p.call("DELETE", "/job/OnDeleted?jobId=" + job).status, 404);
  EXPECT_EQ(p.connector().stop(), 0) << p.diagnostics();
}

// The whole shared fixture timeline (retweets, replies, quotes, a video, photos), its media
// served by the fake X: every tweet arrives once as a JSON Item with its attachments' bytes.
TEST(EndToEnd, FixtureTimelineArrivesWhole) {
  Platform::Options o;
  o.synthetic = 0;
  Platform p(o);
  ASSERT_TRUE(p.start()) << p.error() << p.diagnostics();
  const std::string job = "e2e-job-fixtures";
  ASSERT_EQ(p.setup_job(job), "") << p.diagnostics();
  auto all = p.tweets();
  ASSERT_FALSE(all.empty());
  int64_t start = all.back().ms - 60000, end = all.front().ms + 60000;
  auto r = p.download_request(job, "fixtures-1", start, end, p.sas_uri());
  ASSERT_EQ(r.status, 200) << r.raw;
  auto c = p.wait_completion("fixtures-1", kTaskTimeoutMs);
  ASSERT_TRUE(c) << p.diagnostics();
  ASSERT_EQ(c->status, 0) << c->body.substr(0, 500) << p.diagnostics();
  std::set<std::string> reported, expected;
  for (const auto& m : c->items) reported.insert(m.id);
  for (const auto& t : all) expected.insert(t.id);
  EXPECT_EQ(reported, expected);
  EXPECT_EQ(reported.size(), c->items.size()) << "an item reported twice";
  auto names = p.blob_names(job + "/fixtures-1/");
  ASSERT_TRUE(names);
  EXPECT_EQ(names->size(), all.size());
  auto bodies = p.read_blobs(*names);
  for (const auto& [name, body] : bodies) {
    auto item = json::parse(body);
    ASSERT_TRUE(item.ok()) << name;
    // Every attachment the connector listed carries the bytes the fake served for it.
    const cJSON* a = nullptr;
    cJSON_ArrayForEach(a, json::get_array(item->get(), "ContentAttachments")) {
      auto uri = json::get_string(a, "Uri");
      auto content = json::get_string(a, "Content");
      ASSERT_TRUE(uri && content) << name;
      EXPECT_EQ(*content, media_base64(std::string(*uri))) << name << " " << *uri;
    }
  }
}

}  // namespace
}  // namespace e2e
