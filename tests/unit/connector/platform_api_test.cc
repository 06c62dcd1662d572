// Platform endpoints over a MemoryStore on a real loop: IsCreated, OnDeleted, OnRemediation and
// OnDownloadRequest, including every refusal (415, 400, 413, 417, 503) and the rule that the
// 200 for a download request is sent only from the store's callback (the task is durable).
#include "connector/platform_api.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "store/memory_store.h"
#include "uv/loop.h"

using namespace connector;

namespace {

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

struct LogCapture : core::log::Sink {
  std::string lines;
  void write_line(std::string_view line) override { lines.append(line); }
};

constexpr char kSas[] =
    "https://acct.blob.core.windows.net/cont?sv=2018-03-28&sr=c&sp=w&se=2030-01-01&sig=S3CRETSIG";

std::string download_body(const std::string& job, const std::string& task) {
  return "{\"JobId\":\"" + job + "\",\"TaskId\":\"" + task +
         "\",\"StartTime\":\"2019-12-01T00:00:00Z\",\"EndTime\":\"2019-12-02T00:00:00Z\","
         "\"DirtyEntities\":null,\"BlobSasUri\":\"" +
         kSas + "\"}";
}

class PlatformApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::log::set_sink(&log);
    store = std::make_unique<store::MemoryStore>(loop.get(), clock);
    api = std::make_unique<PlatformApi>(*store, PlatformApiOptions{"tenant-1"});
    api->on_task_queued([this] { ++woken; });
  }
  void TearDown() override {
    api.reset();
    bool closed = false;
    store->close([&](core::Status) { closed = true; });
    loop.run();
    EXPECT_TRUE(closed);
    store.reset();
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
    core::log::set_sink(nullptr);
  }

  std::shared_ptr<Capture> send(const http::Handler& h, http::Request req) {
    auto cap = std::make_shared<Capture>();
    auto link = std::make_shared<http::ExchangeLink>();
    link->target = cap.get();
    links.push_back(link);
    h(req, http::Responder(link));
    return cap;
  }
  http::Response run_one(const http::Handler& h, http::Request req) {
    auto cap = send(h, std::move(req));
    loop.run();
    EXPECT_EQ(cap->sent.size(), 1u);
    return cap->sent.empty() ? http::Response{} : cap->sent[0];
  }
  static http::Request query(std::vector<std::pair<std::string, std::string>> params,
                             http::Method m = http::Method::Get) {
    http::Request r;
    r.method = m;
    r.query_params = std::move(params);
    return r;
  }
  static http::Request post(std::string body, const char* content_type = "application/json") {
    http::Request r;
    r.method = http::Method::Post;
    r.body = std::move(body);
    if (content_type) r.headers.add("Content-Type", content_type);
    return r;
  }

  // Store helpers: run one call to completion.
  void ok(const std::function<void(store::DoneCallback)>& start) {
    bool done = false;
    start([&](core::Status st) {
      EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().where);
      done = true;
    });
    loop.run();
    ASSERT_TRUE(done);
  }
  void link_job(const std::string& id) {
    store::Job j;
    j.job_id = id;
    j.tenant_id = "tenant-1";
    j.twitter_user_id = "4113725063";
    j.screen_name = "contoso";
    j.user_token = "user-token";
    j.user_token_secret = "user-secret";
    ok([&](store::DoneCallback cb) { store->link_account(j, cb); });
  }
  void configure(bool aad = true, bool twitter = true) {
    store::Settings s;
    if (aad) s.aad_app_id = "app", s.aad_app_secret = "secret";
    if (twitter) s.twitter_api_key = "ck", s.twitter_api_secret_key = "cs";
    ok([&](store::DoneCallback cb) { store->put_settings(s, cb); });
  }
  std::vector<store::Task> tasks() {
    std::vector<store::Task> out;
    store->list_tasks([&](core::Result<std::vector<store::Task>> t) {
      ASSERT_TRUE(t.ok());
      out = *t;
    });
    loop.run();
    return out;
  }
  std::optional<store::Job> job(const std::string& id) {
    std::optional<store::Job> out;
    store->get_job(id, [&](core::Result<store::Job> j) {
      if (j.ok()) out = *j;
    });
    loop.run();
    return out;
  }

  LogCapture log;
  uv::Loop loop;
  core::ManualClock clock;
  std::unique_ptr<store::MemoryStore> store;
  std::unique_ptr<PlatformApi> api;
  std::vector<std::shared_ptr<http::ExchangeLink>> links;
  int woken = 0;
};

}  // namespace

TEST(PlatformApiHelpers, JsonContentTypes) {
  auto is_json = [](const char* ct) {
    http::Headers h;
    if (ct) h.add("Content-Type", ct);
    return is_json_content_type(h);
  };
  EXPECT_TRUE(is_json(nullptr));
  EXPECT_TRUE(is_json("application/json"));
  EXPECT_TRUE(is_json("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json("Application/JSON;charset=UTF-8"));
  EXPECT_TRUE(is_json(" application/json "));
  EXPECT_TRUE(is_json("text/json"));
  EXPECT_FALSE(is_json("text/plain"));
  EXPECT_FALSE(is_json("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json("application/jsonx"));
  EXPECT_FALSE(is_json(""));
}

TEST(PlatformApiHelpers, MessageResponseShape) {
  http::Response r = message_response(400, "say \"why\"");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"Message":"say \"why\""})");
  EXPECT_NE(r.headers.get("Content-Type")->find("application/json"), std::string::npos);
}

TEST_F(PlatformApiTest, IsCreatedIsTrueOnlyForAJobWithAConnectedAccount) {
  http::Response r = run_one(api->is_created_handler(), query({{"jobId", "job-1"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"IsJobCreated":false,"Reason":null})");
  // A job record without tokens (setup started, sign-in not finished) is not created yet.
  store::Job bare;
  bare.job_id = "job-1";
  ok([&](store::DoneCallback cb) { store->put_job(bare, cb); });
  r = run_one(api->is_created_handler(), query({{"jobId", "job-1"}}));
  EXPECT_EQ(r.body, R"({"IsJobCreated":false,"Reason":null})");
  link_job("job-1");
  // Parameter names bind case-insensitively, as in ASP.NET.
  r = run_one(api->is_created_handler(), query({{"JOBID", "job-1"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"IsJobCreated":true,"Reason":null})");
}

TEST_F(PlatformApiTest, MissingOrBadJobIdIs400SayingWhatIsMissing) {
  http::Response r = run_one(api->is_created_handler(), query({}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"Message":"jobId is missing; call /job/IsCreated?jobId=<the connector job id>"})");
  r = run_one(api->is_created_handler(), query({{"jobId", ""}}));
  EXPECT_EQ(r.status, 400);
  r = run_one(api->on_deleted_handler(), query({}, http::Method::Delete));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("/job/OnDeleted?jobId="), std::string::npos) << r.body;
  r = run_one(api->on_remediation_handler(), query({{"remediationType", "Relogin"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("jobId is missing"), std::string::npos) << r.body;
  r = run_one(api->is_created_handler(),
              query({{"jobId", std::string(core::limits::kMaxStoreIdBytes + 1, 'j')}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("jobId is 257 bytes long"), std::string::npos) << r.body;
  r = run_one(api->is_created_handler(), query({{"jobId", "a\nb"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("control character"), std::string::npos) << r.body;
}

TEST_F(PlatformApiTest, OnDeletedRemovesTheJobItsTasksAndSignInsAndIs404WhenUnknown) {
  http::Response r = run_one(api->on_deleted_handler(), query({{"jobId", "job-1"}}));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "");
  link_job("job-1");
  link_job("job-2");
  configure();
  EXPECT_EQ(run_one(api->on_download_request_handler(), post(download_body("job-1", "t1"))).status,
            200);
  EXPECT_EQ(run_one(api->on_download_request_handler(), post(download_body("job-2", "t2"))).status,
            200);
  store::PendingAuth auth;
  auth.request_token = "rt";
  auth.request_token_secret = "rts";
  auth.job_id = "job-1";
  auth.state = "st";
  ok([&](store::DoneCallback cb) { store->put_pending_auth(auth, cb); });

  r = run_one(api->on_deleted_handler(), query({{"jobId", "job-1"}}, http::Method::Delete));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_FALSE(job("job-1").has_value());
  EXPECT_TRUE(job("job-2").has_value());
  auto left = tasks();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].task_id, "t2");
  bool taken = true;
  store->take_pending_auth("rt", [&](core::Result<store::PendingAuth> a) { taken = a.ok(); });
  loop.run();
  EXPECT_FALSE(taken);
  EXPECT_NE(log.lines.find("job deleted by the platform"), std::string::npos) << log.lines;
  // Deleting again: unknown now.
  EXPECT_EQ(run_one(api->on_deleted_handler(), query({{"jobId", "job-1"}})).status, 404);
  // IsCreated follows.
  EXPECT_EQ(run_one(api->is_created_handler(), query({{"jobId", "job-1"}})).body,
            R"({"IsJobCreated":false,"Reason":null})");
}

TEST_F(PlatformApiTest, OnRemediationValidatesTheTypeAndLogsWhatToDo) {
  link_job("job-1");
  for (const char* t : {"Relogin", "relogin", "RELOGIN", "0"}) {
    log.lines.clear();
    http::Response r =
        run_one(api->on_remediation_handler(), query({{"jobId", "job-1"}, {"remediationType", t}}));
    EXPECT_EQ(r.status, 200) << t;
    EXPECT_EQ(r.body, "") << t;
    EXPECT_NE(log.lines.find("\"remediation_type\":\"Relogin\""), std::string::npos) << log.lines;
    EXPECT_NE(log.lines.find("Login with Twitter"), std::string::npos) << log.lines;
    EXPECT_NE(log.lines.find("\"account\":\"contoso\""), std::string::npos) << log.lines;
  }
  for (const char* t : {"Unknown", "unknown", "1"}) {
    log.lines.clear();
    http::Response r =
        run_one(api->on_remediation_handler(), query({{"jobId", "job-1"}, {"remediationType", t}}));
    EXPECT_EQ(r.status, 200) << t;
    EXPECT_NE(log.lines.find("\"remediation_type\":\"Unknown\""), std::string::npos) << log.lines;
  }
  log.lines.clear();
  EXPECT_EQ(run_one(api->on_remediation_handler(),
                    query({{"jobId", "nope"}, {"remediationType", "Relogin"}}))
                .status,
            200);
  EXPECT_NE(log.lines.find("does not know"), std::string::npos) << log.lines;
  for (const char* t : {"2", "Reauth", "-1", " 0"}) {
    http::Response r =
        run_one(api->on_remediation_handler(), query({{"jobId", "job-1"}, {"remediationType", t}}));
    EXPECT_EQ(r.status, 400) << t;
    EXPECT_EQ(r.body, R"({"Message":"remediationType must be Relogin, Unknown, 0 or 1"})");
  }
  http::Response r = run_one(api->on_remediation_handler(), query({{"jobId", "job-1"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("remediationType is missing"), std::string::npos);
}

TEST_F(PlatformApiTest, DownloadRequestIsAnswered200OnlyOnceTheTaskIsStored) {
  link_job("job-1");
  configure();
  auto cap = send(api->on_download_request_handler(),
                  post(download_body("job-1", "task-1"), "application/json; charset=utf-8"));
  // Nothing is answered from inside the call: the store has not made the task durable yet.
  EXPECT_TRUE(cap->sent.empty());
  EXPECT_EQ(woken, 0);
  loop.run();
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 200);
  EXPECT_EQ(cap->sent[0].body, "");
  EXPECT_EQ(woken, 1);
  auto t = tasks();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].task_id, "task-1");
  EXPECT_EQ(t[0].job_id, "job-1");
  EXPECT_EQ(t[0].tenant_id, "tenant-1");
  EXPECT_EQ(t[0].start_ms, 1575158400000);
  EXPECT_EQ(t[0].end_ms, 1575158400000 + 86400000);
  EXPECT_EQ(t[0].blob_sas_uri, kSas);
  EXPECT_NE(log.lines.find("\"msg\":\"task queued\""), std::string::npos) << log.lines;
  EXPECT_EQ(log.lines.find("S3CRETSIG"), std::string::npos) << "the SAS signature was logged";
}

TEST_F(PlatformApiTest, ResentTasksAre200AndLoggedWithoutASecondCopy) {
  link_job("job-1");
  configure();
  ASSERT_EQ(run_one(api->on_download_request_handler(), post(download_body("job-1", "t"))).status,
            200);
  // Without Content-Type (accepted as JSON).
  http::Response again =
      run_one(api->on_download_request_handler(), post(download_body("job-1", "t"), nullptr));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(tasks().size(), 1u);
  EXPECT_EQ(woken, 2);
  EXPECT_NE(log.lines.find("task already queued"), std::string::npos) << log.lines;
  // Once the task completed, a resend is AlreadyDone: 200, and the worker is not woken.
  std::optional<store::Lease> lease;
  store->lease_task("w", 60000, [&](core::Result<std::optional<store::Lease>> l) {
    ASSERT_TRUE(l.ok());
    lease = **l;
  });
  loop.run();
  ASSERT_TRUE(lease.has_value());
  ok([&](store::DoneCallback cb) {
    store->complete_task("t", lease->lease_id, store::TaskOutcome{}, cb);
  });
  EXPECT_EQ(run_one(api->on_download_request_handler(), post(download_body("job-1", "t"))).status,
            200);
  EXPECT_TRUE(tasks().empty());
  EXPECT_EQ(woken, 2);
  EXPECT_NE(log.lines.find("task already done"), std::string::npos) << log.lines;
}

TEST_F(PlatformApiTest, UnknownJobIs400WithTheReferencePrefix) {
  configure();
  http::Response r = run_one(api->on_download_request_handler(), post(download_body("job-x", "t")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind(R"({"Message":"Failed to find job in the table: no job job-x)", 0), 0u)
      << r.body;
  store::Job bare;
  bare.job_id = "job-x";
  ok([&](store::DoneCallback cb) { store->put_job(bare, cb); });
  r = run_one(api->on_download_request_handler(), post(download_body("job-x", "t")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind(R"({"Message":"Failed to find job in the table: job job-x has no )", 0),
            0u)
      << r.body;
  EXPECT_TRUE(tasks().empty());
  EXPECT_EQ(woken, 0);
  EXPECT_NE(log.lines.find("download request refused"), std::string::npos);
}

TEST_F(PlatformApiTest, UnconfiguredConnectorIs417LikeTheGenericSample) {
  link_job("job-1");
  http::Response r = run_one(api->on_download_request_handler(), post(download_body("job-1", "t")));
  EXPECT_EQ(r.status, 417);
  EXPECT_EQ(r.body, "\"Connector is not configured. AAD Settings missing.\"");
  configure(/*aad=*/true, /*twitter=*/false);
  r = run_one(api->on_download_request_handler(), post(download_body("job-1", "t")));
  EXPECT_EQ(r.status, 417);
  EXPECT_EQ(r.body, "\"Connector is not configured. Twitter Settings missing.\"");
  configure(/*aad=*/false, /*twitter=*/true);
  r = run_one(api->on_download_request_handler(), post(download_body("job-1", "t")));
  EXPECT_EQ(r.body, "\"Connector is not configured. AAD Settings missing.\"");
  EXPECT_TRUE(tasks().empty());
  EXPECT_NE(log.lines.find("Configure page"), std::string::npos) << log.lines;
}

TEST_F(PlatformApiTest, BadBodiesAndContentTypesAreRefusedBeforeTheStore) {
  link_job("job-1");
  configure();
  http::Response r =
      run_one(api->on_download_request_handler(), post(download_body("job-1", "t"), "text/plain"));
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("Content-Type: application/json"), std::string::npos) << r.body;
  r = run_one(api->on_download_request_handler(), post("{not json"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind(R"({"Message":"the body is not valid JSON)", 0), 0u) << r.body;
  r = run_one(api->on_download_request_handler(), post("{}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("missing JobId, TaskId"), std::string::npos) << r.body;
  std::string bad_window = download_body("job-1", "t");
  bad_window.replace(bad_window.find("2019-12-02"), 10, "2019-11-30");
  r = run_one(api->on_download_request_handler(), post(bad_window));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("is before StartTime"), std::string::npos) << r.body;
  std::string http_sas = download_body("job-1", "t");
  http_sas.replace(http_sas.find("https://"), 8, "http://");
  r = run_one(api->on_download_request_handler(), post(http_sas));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("must use https"), std::string::npos) << r.body;
  r = run_one(api->on_download_request_handler(),
              post(std::string(core::limits::kMaxScheduleRequestBodyBytes + 1, ' ')));
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(tasks().empty());
  EXPECT_EQ(woken, 0);
  EXPECT_EQ(log.lines.find("S3CRETSIG"), std::string::npos);
}

TEST_F(PlatformApiTest, FullQueueIs503WithRetryAfter) {
  link_job("job-1");
  configure();
  size_t queued = 0;
  for (size_t i = 0; i < core::limits::kMaxStoreTasks; ++i) {
    store::Task t;
    t.task_id = "fill-" + std::to_string(i);
    t.job_id = "job-1";
    t.blob_sas_uri = kSas;
    store->enqueue_task(std::move(t), [&](core::Result<store::EnqueueOutcome> o) {
      if (o.ok()) ++queued;
    });
  }
  loop.run();
  ASSERT_EQ(queued, core::limits::kMaxStoreTasks);
  http::Response r =
      run_one(api->on_download_request_handler(), post(download_body("job-1", "one-more")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.get("Retry-After").value_or(""),
            std::to_string(core::limits::kTaskQueueBusyRetryAfterS));
  EXPECT_NE(r.body.find("busy"), std::string::npos) << r.body;
  EXPECT_EQ(woken, 0);
}
