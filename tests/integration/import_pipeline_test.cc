// The import pipeline (jobs::Worker, jobs::TaskRun) against the real network pieces on
// 127.0.0.1: the fake X API (synthetic timeline, faults through /__control), Azurite over HTTPS,
// the fake Azure AD token endpoint and the fake Event API. Covers a window imported once each
// and reported, resume after a run destroyed mid-way, Event API 500s then 200, a 429 beyond the
// bounded wait, an expired SAS (PermanentFailure) and a job deleted while its task runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "http/client.h"
#include "jobs/task_run.h"
#include "jobs/worker.h"
#include "json/json.h"
#include "m365/aad_token_client.h"
#include "m365/aad_token_provider.h"
#include "store/memory_store.h"
#include "support/azurite.h"
#include "support/loop_helpers.h"
#include "support/subprocess.h"
#include "support/test_servers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using store::TaskResult;

const char* kCK = "it-consumer";
const char* kCS = "it consumer secret";
const char* kTK = "it-token";
const char* kTS = "it token secret";
const char* kUserId = "4113725063";
const char* kTenant = "11111111-2222-3333-4444-555555555555";
const char* kAadClient = "aad-client-id";
const char* kAadSecret = "aad client secret";
// The fake's synthetic timeline: tweet i (0 = newest) at 2024-01-01T00:00Z minus i minutes.
constexpr int64_t kNewestMs = 1704067200000LL;

int port_of(const std::string& line) {
  size_t p = line.find("127.0.0.1:");
  return p == std::string::npos ? 0 : static_cast<int>(strtol(line.c_str() + p + 10, nullptr, 10));
}

// Runs the loop until pred() holds (checked every 20 ms) or the limit passes.
bool run_until(uv::Loop& loop, const std::function<bool()>& pred, uint64_t limit_ms = 60000) {
  struct Poller final : uv::Timer::Handler {
    uv::Loop* loop;
    const std::function<bool()>* pred;
    uint64_t left;
    bool met = false;
    void on_timer(uv::Timer*) override {
      if ((*pred)()) {
        met = true;
        loop->stop();
      } else if (left < 20) {
        loop->stop();
      } else {
        left -= 20;
      }
    }
  } p;
  p.loop = &loop;
  p.pred = &pred;
  p.left = limit_ms;
  auto t = uv::Timer::create(loop.get(), &p);  // referenced: keeps run() going until stop()
  t->start(0, 20);
  loop.run();
  t.reset();
  return p.met;
}

struct EventRequest {
  std::string body;
  int status = 0;
  bool shape_ok = false;
};

class ImportPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!Azurite::missing_reason().empty()) return;
    azurite_ = new Azurite();
    if (!azurite_->start()) start_error_ = azurite_->error();
    aad_keys_ = new TempDir();
    const std::string& pki = test_pki_dir();
    aad_ = new Subprocess(Subprocess::Options{
        {"node", project_root() + "/tests/support/fake_aad.js", "--cert", pki + "/good.crt",
         "--key", pki + "/good.key", "--keys-dir", aad_keys_->path(), "--tenant", kTenant,
         "--client-id", kAadClient, "--client-secret", kAadSecret}});
    auto line = aad_->wait_for_line("listening on 127.0.0.1:", 15000);
    if (line) aad_port_ = port_of(*line);
  }
  static void TearDownTestSuite() {
    delete azurite_;
    azurite_ = nullptr;
    delete aad_;
    aad_ = nullptr;
    delete aad_keys_;
    aad_keys_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(Azurite::missing_reason().empty()) << Azurite::missing_reason();
    ASSERT_TRUE(azurite_ && azurite_->running()) << "Azurite is not running: " << start_error_;
    ASSERT_GT(aad_port_, 0) << "fake AAD did not start";
    std::string msg;
    auto c = http::Client::create(loop_, {.ca_file = test_pki_dir() + "/ca.crt"}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    http_ = std::move(*c);
    store_ = std::make_unique<store::MemoryStore>(loop_.get(), clock_);
    m365::AadTokenClient::Options ao;
    ao.authority = "https://127.0.0.1:" + std::to_string(aad_port_);
    aad_client_ = std::make_unique<m365::AadTokenClient>(loop_, *http_, clock_, ao);
    aad_client_->set_credentials(kAadClient, kAadSecret);
  }

  void TearDown() override {
    worker_.reset();
    pipeline_.reset();
    aad_client_.reset();
    store_.reset();
    http_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }

  void start_twitter(int synthetic) {
    const std::string& pki = test_pki_dir();
    twitter_ = std::make_unique<Subprocess>(
        Subprocess::Options{{"node",
                             project_root() + "/tests/support/fake_twitter.js",
                             "--synthetic",
                             std::to_string(synthetic),
                             "--cert",
                             pki + "/good.crt",
                             "--key",
                             pki + "/good.key",
                             "--consumer-key",
                             kCK,
                             "--consumer-secret",
                             kCS,
                             "--token",
                             kTK,
                             "--token-secret",
                             kTS,
                             "--user-id",
                             kUserId,
                             "--max-lifetime",
                             "170",
                             "--media-self",
                             "true"}});
    auto line = twitter_->wait_for_line("listening on 127.0.0.1:", 15000);
    ASSERT_TRUE(line) << twitter_->output();
    twitter_port_ = port_of(*line);
  }
  void start_events(int fail = 0) {
    const std::string& pki = test_pki_dir();
    events_ = std::make_unique<Subprocess>(
        Subprocess::Options{{"node", project_root() + "/tests/support/fake_event_api.js", "--cert",
                             pki + "/good.crt", "--key", pki + "/good.key", "--token-prefix",
                             "fake-access-token-", "--fail", std::to_string(fail)}});
    auto line = events_->wait_for_line("listening on 127.0.0.1:", 15000);
    ASSERT_TRUE(line) << events_->output();
    events_port_ = port_of(*line);
  }
  std::string twitter_base() const { return "https://127.0.0.1:" + std::to_string(twitter_port_); }

  // POST /__control to the fake X API.
  void control(const std::string& body) {
    auto [rc, out] = run_command({"curl", "-sS", "--cacert", test_pki_dir() + "/ca.crt", "-X",
                                  "POST", "--data", body, twitter_base() + "/__control"});
    ASSERT_EQ(rc, 0) << out;
  }

  // Settings, one job and one task for the window [start, end].
  void seed(const std::string& container, int64_t start_ms, int64_t end_ms,
            int64_t sas_expires_in_s = 3600, bool twitter_keys = true) {
    ASSERT_TRUE(azurite_->create_container(container)) << azurite_->error();
    sas_ = azurite_->container_sas_uri(container, "rcwl", sas_expires_in_s);
    container_ = container;
    store::Settings s;
    if (twitter_keys) {
      s.twitter_api_key = kCK;
      s.twitter_api_secret_key = kCS;
    }
    s.aad_app_id = kAadClient;
    s.aad_app_secret = kAadSecret;
    ASSERT_TRUE(await_status([&](auto cb) { store_->put_settings(s, cb); }));
    store::Job j;
    j.job_id = "job-1";
    j.tenant_id = kTenant;
    j.twitter_user_id = kUserId;
    j.screen_name = "twitter_testaccount";
    j.user_token = kTK;
    j.user_token_secret = kTS;
    ASSERT_TRUE(await_status([&](auto cb) { store_->put_job(j, cb); }));
    store::Task t;
    t.task_id = "task-1";
    t.job_id = "job-1";
    t.tenant_id = kTenant;
    t.start_ms = start_ms;
    t.end_ms = end_ms;
    t.blob_sas_uri = sas_;
    bool done = false;
    store_->enqueue_task(t, [&](core::Result<store::EnqueueOutcome> r) {
      EXPECT_TRUE(r.ok());
      done = true;
    });
    ASSERT_TRUE(run_until(loop_, [&] { return done; }));
  }

  bool await_status(const std::function<void(store::DoneCallback)>& call) {
    bool done = false, ok = false;
    call([&](core::Status st) {
      ok = st.ok();
      if (!ok)
        ADD_FAILURE() << "store: " << core::errc_name(st.error().code) << " " << st.error().where;
      done = true;
    });
    return run_until(loop_, [&] { return done; }) && ok;
  }
  store::Job job() {
    store::Job out;
    bool done = false;
    store_->get_job("job-1", [&](core::Result<store::Job> r) {
      if (r.ok()) out = *r;
      done = true;
    });
    run_until(loop_, [&] { return done; });
    return out;
  }
  size_t checkpoint_items(const std::string& task_id) {
    size_t n = 0;
    bool done = false;
    store_->get_checkpoint(task_id, [&](core::Result<store::Checkpoint> r) {
      if (r.ok()) n = r->uploaded.size();
      done = true;
    });
    run_until(loop_, [&] { return done; });
    return n;
  }
  size_t tasks_left() {
    size_t n = 0;
    bool done = false;
    store_->list_tasks([&](core::Result<std::vector<store::Task>> r) {
      if (r.ok()) n = r->size();
      done = true;
    });
    run_until(loop_, [&] { return done; });
    return n;
  }

  jobs::WorkerOptions worker_options() {
    jobs::WorkerOptions o;
    o.task.twitter_base = twitter_base();
    o.task.max_rate_wait_ms = 1000;
    o.task.tenant = kTenant;
    o.task.upload_concurrency = 4;
    o.task.checkpoint_batch = 8;
    o.task.retry_base_ms = 50;
    o.task.retry_max_ms = 200;
    o.task.max_rate_release_ms = 300;
    o.event_api_base = "https://127.0.0.1:" + std::to_string(events_port_);
    o.events.retry.max_attempts = 2;
    o.events.retry.base_delay_ms = 10;
    o.events.retry.max_delay_ms = 20;
    o.poll_interval_ms = 50;
    o.lease_visibility_ms = 30000;
    return o;
  }
  void start_worker(jobs::WorkerOptions o) {
    worker_ = std::make_unique<jobs::Worker>(loop_, *store_, *http_, *aad_client_, &metrics_,
                                             clock_, rng_, std::move(o));
    std::string msg;
    ASSERT_TRUE(worker_->start(&msg).ok()) << msg;
  }
  // Runs the worker until a task run completed (or dropped); stops it cleanly.
  void run_worker_until_completed(uint64_t limit_ms = 90000) {
    auto finished = [&] {
      for (const auto& r : worker_->recent())
        if (r.kind != jobs::TaskRunResult::Kind::Released) return true;
      return false;
    };
    EXPECT_TRUE(run_until(loop_, finished, limit_ms)) << "no task finished";
    bool stopped = false;
    worker_->stop([&] { stopped = true; });
    EXPECT_TRUE(run_until(
        loop_, [&] { return stopped; }, 5000));
  }

  std::vector<EventRequest> event_requests() {
    std::vector<EventRequest> out;
    const std::string& text = events_->output();
    size_t pos = 0;
    while ((pos = text.find("REQUEST ", pos)) != std::string::npos) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) break;
      auto j = json::parse(std::string_view(text).substr(pos + 8, end - pos - 8));
      pos = end;
      if (!j.ok()) continue;
      EventRequest r;
      r.body = std::string(json::get_string(j->get(), "body").value_or(""));
      r.status = static_cast<int>(json::get_int(j->get(), "status").value_or(0));
      r.shape_ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j->get(), "shapeOk"));
      out.push_back(std::move(r));
    }
    return out;
  }
  // The fake's timeline ids (newest first) whose tweet lies in [start, end].
  std::vector<std::string> window_ids(size_t total, int64_t start_ms, int64_t end_ms) {
    auto [rc, out] = run_command({"curl", "-sS", "--cacert", test_pki_dir() + "/ca.crt",
                                  twitter_base() + "/__control/state"});
    EXPECT_EQ(rc, 0);
    auto root = json::parse(out);
    std::vector<std::string> ids;
    if (!root.ok()) return ids;
    const cJSON* id;
    size_t i = 0;
    cJSON_ArrayForEach(id, json::get_array(root->get(), "ids")) {
      int64_t at = kNewestMs - static_cast<int64_t>(i) * 60000;
      if (i < total && at >= start_ms && at <= end_ms) ids.push_back(id->valuestring);
      ++i;
    }
    return ids;
  }
  // Checks the single acknowledged report: status, and items = ids oldest first, each once.
  void expect_report(const EventRequest& r, int status, std::vector<std::string> ids) {
    EXPECT_TRUE(r.shape_ok) << r.body;
    auto j = json::parse(r.body);
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(json::get_string(j->get(), "taskId").value_or(""), "task-1");
    EXPECT_EQ(json::get_int(j->get(), "status").value_or(-1), status);
    std::vector<std::string> got;
    const cJSON* m;
    cJSON_ArrayForEach(m, json::get_array(j->get(), "itemMetadata")) {
      std::string id(json::get_string(m, "id").value_or(""));
      EXPECT_EQ(json::get_string(m, "fileName").value_or(""), id + ".json");
      got.push_back(id);
    }
    std::sort(ids.begin(), ids.end(), jobs::tweet_id_less);
    EXPECT_EQ(got, ids);
  }
  void expect_blobs(const std::vector<std::string>& ids) {
    auto list = azurite_->list_blobs(container_);
    ASSERT_TRUE(list) << azurite_->error();
    std::set<std::string> got, want;
    for (const auto& b : *list) got.insert(b.name);
    for (const auto& id : ids) want.insert("job-1/task-1/" + id + ".json");
    EXPECT_EQ(got, want);
    EXPECT_EQ(list->size(), ids.size());
  }
  double metric(const char* name, std::initializer_list<core::Label> labels = {}) {
    return metrics_.counter(name, "", labels).value();
  }

  static Azurite* azurite_;
  static TempDir* aad_keys_;
  static Subprocess* aad_;
  static int aad_port_;
  static std::string start_error_;

  uv::Loop loop_;
  core::SystemClock& clock_ = core::SystemClock::instance();
  core::SystemRng& rng_ = core::SystemRng::instance();
  core::Metrics metrics_;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<m365::AadTokenClient> aad_client_;
  std::unique_ptr<Subprocess> twitter_, events_;
  int twitter_port_ = 0, events_port_ = 0;
  std::string sas_, container_;
  std::unique_ptr<jobs::Worker> worker_;

  // A TaskRun driven by hand (resume tests), with the pieces a Worker would own.
  struct Pipeline {
    Pipeline(uv::Loop& loop, http::Client& http, m365::AadTokenClient& aad,
             const jobs::WorkerOptions& o)
        : tokens(loop, aad),
          uploader(loop, http, {}),
          events(loop, http, tokens,
                 [&] {
                   auto e = o.events;
                   e.base = o.event_api_base;
                   return e;
                 }()),
          media(http) {}
    m365::AadTokenProvider tokens;
    m365::BlobUploader uploader;
    m365::EventApiClient events;
    twitter::MediaFetcher media;
    std::unique_ptr<jobs::TaskRun> run;
    std::vector<jobs::TaskRunResult> results;
  };
  std::unique_ptr<Pipeline> pipeline_;
  std::optional<store::Lease> lease(int64_t visibility_ms) {
    std::optional<store::Lease> out;
    bool done = false;
    store_->lease_task("test", visibility_ms, [&](core::Result<std::optional<store::Lease>> r) {
      if (r.ok()) out = *r;
      done = true;
    });
    run_until(loop_, [&] { return done; });
    return out;
  }
  void start_run(const jobs::WorkerOptions& o, store::Lease l) {
    jobs::TaskRunDeps deps{
        loop_,  *store_, *http_,   pipeline_->uploader, pipeline_->events, pipeline_->media,
        clock_, rng_,    &metrics_};
    Pipeline* p = pipeline_.get();
    pipeline_->run = std::make_unique<jobs::TaskRun>(
        deps, o.task, std::move(l), [p](const jobs::TaskRunResult& r) { p->results.push_back(r); });
    ASSERT_TRUE(pipeline_->run->start().ok());
  }
};

Azurite* ImportPipelineTest::azurite_ = nullptr;
TempDir* ImportPipelineTest::aad_keys_ = nullptr;
Subprocess* ImportPipelineTest::aad_ = nullptr;
int ImportPipelineTest::aad_port_ = 0;
std::string ImportPipelineTest::start_error_;

TEST_F(ImportPipelineTest, WindowUploadedOnceEachAndReported) {
  start_twitter(300);
  start_events();
  int64_t start = kNewestMs - 150 * 60000, end = kNewestMs - 10 * 60000;  // 141 tweets
  seed("window", start, end);
  start_worker(worker_options());
  run_worker_until_completed();
  ASSERT_EQ(worker_->recent().size(), 1u);
  const auto& r = worker_->recent().back();
  EXPECT_EQ(r.kind, jobs::TaskRunResult::Kind::Completed) << r.message;
  EXPECT_EQ(r.reported, TaskResult::Success);
  auto ids = window_ids(300, start, end);
  ASSERT_EQ(ids.size(), 141u);
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].status, 200);
  expect_report(reqs[0], 0, ids);
  expect_blobs(ids);
  // Tweet 15 of the synthetic timeline (ids[4]) has a photo: embedded, not null.
  auto blob = azurite_->read_blob("window", "job-1/task-1/" + ids[4] + ".json");
  ASSERT_TRUE(blob) << azurite_->error();
  EXPECT_NE(blob->find("\"AttachmentType\""), std::string::npos) << *blob;
  EXPECT_EQ(blob->find("\"Content\":null"), std::string::npos) << *blob;
  EXPECT_NE(blob->find("\"Content\":\""), std::string::npos) << *blob;
  store::Job j = job();
  EXPECT_EQ(std::to_string(j.since_id), ids.front());  // the newest id of the window
  EXPECT_EQ(j.last_result, TaskResult::Success);
  EXPECT_EQ(j.items_imported, 141u);
  EXPECT_EQ(tasks_left(), 0u);
  EXPECT_EQ(metric("connector_items_uploaded_total"), 141);
  EXPECT_EQ(metric("connector_tweets_fetched_total"), 141);
  EXPECT_EQ(metric("connector_tasks_total", {{"result", "success"}}), 1);
  EXPECT_GT(metric("connector_upload_bytes_total"), 141 * 100);
}

TEST_F(ImportPipelineTest, ResumesFromCheckpointAfterInterruptedRun) {
  start_twitter(300);
  start_events();
  int64_t start = kNewestMs - 250 * 60000, end = kNewestMs;  // 251 tweets
  seed("resume", start, end);
  jobs::WorkerOptions o = worker_options();
  o.task.upload_concurrency = 2;
  o.task.checkpoint_batch = 5;
  pipeline_ = std::make_unique<Pipeline>(loop_, *http_, *aad_client_, o);
  auto first = lease(400);
  ASSERT_TRUE(first);
  start_run(o, *first);
  // Interrupted as a crash would: the run disappears mid-way, its lease simply expires.
  ASSERT_TRUE(run_until(loop_, [&] { return checkpoint_items("task-1") >= 20; }));
  pipeline_->run.reset();
  size_t saved = checkpoint_items("task-1");
  EXPECT_LT(saved, 251u);
  EXPECT_TRUE(pipeline_->results.empty());
  EXPECT_TRUE(event_requests().empty());
  // The lease must expire before the task can be leased again.
  std::optional<store::Lease> second;
  ASSERT_TRUE(run_until(
      loop_, [&] { return (second = lease(30000)).has_value(); }, 10000));
  start_run(o, *second);
  ASSERT_TRUE(run_until(
      loop_, [&] { return !pipeline_->results.empty(); }, 90000));
  const auto& r = pipeline_->results.back();
  EXPECT_EQ(r.kind, jobs::TaskRunResult::Kind::Completed) << r.message;
  EXPECT_EQ(r.uploaded_before, saved);
  EXPECT_EQ(r.uploaded_before + r.uploaded_now, 251u);  // nothing uploaded twice
  auto ids = window_ids(300, start, end);
  ASSERT_EQ(ids.size(), 251u);
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 1u);
  expect_report(reqs[0], 0, ids);
  expect_blobs(ids);
  EXPECT_EQ(std::to_string(job().since_id), ids.front());
}

// A checkpoint's pagination token X no longer accepts (400) does not fail the task: the walk
// starts again from the newest page.
TEST_F(ImportPipelineTest, RefusedCheckpointTokenReadsTheWindowFromTheTop) {
  start_twitter(300);
  start_events();
  int64_t start = kNewestMs - 50 * 60000, end = kNewestMs;  // 51 tweets
  seed("stale-token", start, end);
  jobs::WorkerOptions o = worker_options();
  pipeline_ = std::make_unique<Pipeline>(loop_, *http_, *aad_client_, o);
  auto first = lease(60000);
  ASSERT_TRUE(first);
  bool saved = false;
  store::Checkpoint stale;
  stale.page_token = "bm90LWEtdG9rZW4";  // base64url of "not-a-token": refused with a 400
  store_->save_progress(first->task.task_id, first->lease_id, stale,
                        [&](core::Status st) { saved = st.ok(); });
  ASSERT_TRUE(run_until(loop_, [&] { return saved; }));
  start_run(o, *first);
  ASSERT_TRUE(run_until(
      loop_, [&] { return !pipeline_->results.empty(); }, 60000));
  const auto& r = pipeline_->results.back();
  EXPECT_EQ(r.kind, jobs::TaskRunResult::Kind::Completed) << r.message;
  auto ids = window_ids(300, start, end);
  ASSERT_EQ(ids.size(), 51u);
  EXPECT_EQ(r.uploaded_now, 51u);
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 1u);
  expect_report(reqs[0], 0, ids);
}

TEST_F(ImportPipelineTest, EventApiFailuresReleaseThenSucceed) {
  start_twitter(60);
  start_events(3);  // two attempts per run: the first run gives up, the second succeeds
  int64_t start = kNewestMs - 59 * 60000, end = kNewestMs;
  seed("events", start, end);
  start_worker(worker_options());
  run_worker_until_completed();
  const auto& recent = worker_->recent();
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].kind, jobs::TaskRunResult::Kind::Released);
  EXPECT_NE(recent[0].message.find("Event API"), std::string::npos) << recent[0].message;
  EXPECT_EQ(recent[1].kind, jobs::TaskRunResult::Kind::Completed) << recent[1].message;
  EXPECT_EQ(recent[1].uploaded_before, 60u);
  EXPECT_EQ(recent[1].uploaded_now, 0u);
  auto ids = window_ids(60, start, end);
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[3].status, 200);
  for (const auto& r : reqs) expect_report(r, 0, ids);
  expect_blobs(ids);
  EXPECT_EQ(job().last_result, TaskResult::Success);
  EXPECT_EQ(std::to_string(job().since_id), ids.front());
}

TEST_F(ImportPipelineTest, RateLimitBeyondWaitReleasesThenSucceeds) {
  start_twitter(30);
  start_events();
  control("{\"inject\":[{\"status\":429,\"reset_in\":120,\"match\":\"/2/users\"}]}");
  int64_t start = kNewestMs - 29 * 60000, end = kNewestMs;
  seed("ratelimit", start, end);
  start_worker(worker_options());
  run_worker_until_completed();
  const auto& recent = worker_->recent();
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].kind, jobs::TaskRunResult::Kind::Released);
  EXPECT_NE(recent[0].message.find("rate limit"), std::string::npos) << recent[0].message;
  EXPECT_EQ(recent[0].release_delay_ms, 300);  // the reset, capped by the named maximum
  EXPECT_EQ(recent[1].kind, jobs::TaskRunResult::Kind::Completed) << recent[1].message;
  auto ids = window_ids(30, start, end);
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 1u);
  expect_report(reqs[0], 0, ids);
  expect_blobs(ids);
}

TEST_F(ImportPipelineTest, ExpiredSasIsPermanentFailure) {
  start_twitter(20);
  start_events();
  seed("expired", kNewestMs - 19 * 60000, kNewestMs, -3600);
  start_worker(worker_options());
  run_worker_until_completed();
  ASSERT_EQ(worker_->recent().size(), 1u);
  const auto& r = worker_->recent().back();
  EXPECT_EQ(r.kind, jobs::TaskRunResult::Kind::Completed);
  EXPECT_EQ(r.reported, TaskResult::PermanentFailure);
  std::string sig = sas_.substr(sas_.find("sig=") + 4);
  sig = sig.substr(0, sig.find('&'));
  ASSERT_GT(sig.size(), 10u);
  EXPECT_EQ(r.message.find(sig), std::string::npos) << "SAS signature leaked: " << r.message;
  EXPECT_NE(r.message.find("sig=***"), std::string::npos) << r.message;
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 1u);
  expect_report(reqs[0], 2, {});
  store::Job j = job();
  EXPECT_EQ(j.last_result, TaskResult::PermanentFailure);
  EXPECT_NE(j.last_message.find("403"), std::string::npos) << j.last_message;
  EXPECT_EQ(j.since_id, 0u);  // the cursor does not move
  EXPECT_EQ(metric("connector_tasks_total", {{"result", "permanent_failure"}}), 1);
}

TEST_F(ImportPipelineTest, JobDeletedWhileRunningIsDroppedQuietly) {
  start_twitter(300);
  start_events();
  seed("deleted", kNewestMs - 290 * 60000, kNewestMs);
  jobs::WorkerOptions o = worker_options();
  o.task.upload_concurrency = 1;
  o.task.checkpoint_batch = 2;
  start_worker(o);
  ASSERT_TRUE(run_until(loop_, [&] { return checkpoint_items("task-1") >= 4; }));
  ASSERT_TRUE(await_status([&](auto cb) { store_->delete_job("job-1", cb); }));
  run_worker_until_completed();
  ASSERT_EQ(worker_->recent().size(), 1u);
  EXPECT_EQ(worker_->recent()[0].kind, jobs::TaskRunResult::Kind::Dropped);
  EXPECT_TRUE(event_requests().empty());
  EXPECT_EQ(tasks_left(), 0u);
}

TEST_F(ImportPipelineTest, MissingTwitterKeysIsPermanentFailureWithWhatToDo) {
  start_twitter(5);
  start_events();
  seed("nokeys", kNewestMs - 10 * 60000, kNewestMs, 3600, /*twitter_keys=*/false);
  start_worker(worker_options());
  run_worker_until_completed();
  ASSERT_EQ(worker_->recent().size(), 1u);
  EXPECT_EQ(worker_->recent()[0].reported, TaskResult::PermanentFailure);
  auto reqs = event_requests();
  ASSERT_EQ(reqs.size(), 1u);
  expect_report(reqs[0], 2, {});
  store::Job j = job();
  EXPECT_EQ(j.last_result, TaskResult::PermanentFailure);
  EXPECT_NE(j.last_message.find("Twitter API key"), std::string::npos) << j.last_message;
  EXPECT_NE(j.last_message.find("configuration page"), std::string::npos) << j.last_message;
  auto list = azurite_->list_blobs("nokeys");
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

}  // namespace
