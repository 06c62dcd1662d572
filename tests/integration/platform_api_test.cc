// The platform endpoints and api/Jobs through the real binary over real sockets with Basic
// auth, as the Microsoft 365 platform calls them: IsCreated, OnDownloadRequest (417 before
// configuration, 200 after, each refusal), OnRemediation, api/Jobs, OnDeleted. A task answered
// 200 survives kill -9 of the process (FileStore) and is still known after the restart.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <memory>

#include "core/clock.h"
#include "core/codec.h"
#include "json/json.h"
#include "store/file_store.h"
#include "support/raw_http.h"
#include "support/subprocess.h"
#include "uv/loop.h"

namespace ts = testing_support;

namespace {

constexpr char kTenant[] = "11111111-2222-3333-4444-555555555555";
constexpr char kSecret[] = "platform-api-s3cret";
constexpr char kSas[] =
    "https://acct.blob.core.windows.net/cont?sv=2018-03-28&sr=c&sp=w&se=2030-01-01&sig=S3CRETSIG";
// Every outbound service points at a closed loopback port: nothing here may leave the machine.
constexpr char kNowhere[] = "https://127.0.0.1:9";

std::string basic() { return "Basic " + core::base64_encode(std::string(kTenant) + ":" + kSecret); }

ts::HttpReply request(int port, const std::string& method, const std::string& path,
                      const std::string& body = "", const char* content_type = "application/json",
                      bool auth = true) {
  int fd = ts::connect_local(port);
  if (fd < 0) return {};
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (auth) req += "Authorization: " + basic() + "\r\n";
  if (content_type && !body.empty()) req += std::string("Content-Type: ") + content_type + "\r\n";
  if (!body.empty() || method == "POST")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  ts::send_all(fd, req);
  std::string raw = ts::read_until_close(fd, 5000);
  close(fd);
  return ts::parse_reply(std::move(raw));
}

std::string download_body(const std::string& job, const std::string& task) {
  return "{\"jobId\":\"" + job + "\",\"taskId\":\"" + task +
         "\",\"startTime\":\"2019-12-01T00:00:00\",\"endTime\":\"2019-12-02T01:00:00+01:00\","
         "\"dirtyEntities\":null,\"blobSasUri\":\"" +
         kSas + "\"}";
}

// Writes a job with a connected account into the data dir, as the setup flow would leave it.
void seed_job(const std::string& dir, const std::string& job_id) {
  uv::Loop loop;
  store::FileStore::Options o;
  o.dir = dir;
  std::string problem;
  auto opened = store::FileStore::open(loop.get(), core::SystemClock::instance(), o, &problem);
  ASSERT_TRUE(opened.ok()) << problem;
  store::Job j;
  j.job_id = job_id;
  j.tenant_id = kTenant;
  j.twitter_user_id = "4113725063";
  j.screen_name = "contoso";
  j.user_token = "seeded-user-token";
  j.user_token_secret = "seeded-user-secret";
  bool linked = false;
  (*opened)->link_account(j, [&](core::Status st) { linked = st.ok(); });
  bool closed = false;
  (*opened)->close([&](core::Status) { closed = true; });
  loop.run();
  EXPECT_TRUE(linked);
  EXPECT_TRUE(closed);
  opened->reset();
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
}

class Served {
 public:
  explicit Served(const std::string& data_dir) {
    std::vector<std::string> argv = {ts::binary_path(), "serve",      "--listen",
                                     "127.0.0.1:0",     "--data-dir", data_dir};
    std::map<std::string, std::string> env = {
        {"CONNECTOR_TENANT_ID", kTenant},
        {"CONNECTOR_API_SECRET_KEY", kSecret},
        {"CONNECTOR_TWITTER_API_BASE", kNowhere},
        {"CONNECTOR_EVENT_API_BASE", std::string(kNowhere) + "/"},
        {"CONNECTOR_AAD_AUTHORITY", kNowhere}};
    proc_ = std::make_unique<ts::Subprocess>(ts::Subprocess::Options{
        argv, env, {"PORT", "CONNECTOR_LISTEN", "CONNECTOR_ENCRYPTION_KEY"}});
    auto line = proc_->wait_for_line("\"msg\":\"listening\"", 10000);
    if (line) port_ = ts::port_from_log_line(*line);
  }
  ts::Subprocess& proc() { return *proc_; }
  int port() const { return port_; }

 private:
  std::unique_ptr<ts::Subprocess> proc_;
  int port_ = 0;
};

const cJSON* find_job(const cJSON* doc, const char* id) {
  const cJSON* jobs = json::get_array(doc, "Jobs");
  for (const cJSON* j = jobs ? jobs->child : nullptr; j; j = j->next)
    if (json::get_string(j, "JobId") == std::string_view(id)) return j;
  return nullptr;
}

}  // namespace

TEST(PlatformApiEndToEnd, EveryEndpointOverASocketAndATaskSurvivesKill9) {
  ts::TempDir tmp;
  std::string data = tmp.path() + "/data";
  seed_job(data, "job-1");
  {
    Served s(data);
    ASSERT_GT(s.port(), 0) << s.proc().output();
    int p = s.port();

    // Every route is protected.
    auto r = request(p, "GET", "/job/IsCreated?jobId=job-1", "", nullptr, /*auth=*/false);
    EXPECT_EQ(r.status, 401) << r.raw;
    r = request(p, "POST", "/data/OnDownloadRequest", download_body("job-1", "t"),
                "application/json", false);
    EXPECT_EQ(r.status, 401) << r.raw;
    r = request(p, "GET", "/api/Jobs", "", nullptr, false);
    EXPECT_EQ(r.status, 401) << r.raw;

    r = request(p, "GET", "/job/IsCreated?jobId=job-1");
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body, R"({"IsJobCreated":true,"Reason":null})");
    r = request(p, "GET", "/JOB/iscreated?JobId=job-2");  // paths and names in any case
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body, R"({"IsJobCreated":false,"Reason":null})");
    r = request(p, "GET", "/job/IsCreated");
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_NE(r.body.find("\"Message\":\"jobId is missing"), std::string::npos) << r.body;

    // Not configured yet: 417 like the generic sample.
    r = request(p, "POST", "/data/OnDownloadRequest", download_body("job-1", "task-1"));
    EXPECT_EQ(r.status, 417) << r.raw;
    EXPECT_NE(r.body.find("Connector is not configured. AAD Settings missing."), std::string::npos);
    r = request(
        p, "POST", "/api/Configuration",
        R"({"TwitterApiKeyValue":"ck","TwitterApiSecretKeyValue":"cs",)"
        R"("AADAppIdValue":"0b8e3a0c-aaaa-bbbb-cccc-123456789abc","AADAppSecretValue":"as"})");
    ASSERT_EQ(r.status, 200) << r.raw;

    // Refusals.
    r = request(p, "POST", "/data/OnDownloadRequest", download_body("job-9", "task-1"));
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_EQ(r.body.rfind(R"({"Message":"Failed to find job in the table)", 0), 0u) << r.body;
    r = request(p, "POST", "/data/OnDownloadRequest", "{\"JobId\":\"job-1\"");
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_NE(r.body.find("not valid JSON"), std::string::npos) << r.body;
    r = request(p, "POST", "/data/OnDownloadRequest", download_body("job-1", "task-1"),
                "text/plain");
    EXPECT_EQ(r.status, 415) << r.raw;
    r = request(p, "GET", "/data/OnDownloadRequest");
    EXPECT_EQ(r.status, 405) << r.raw;

    // The task is accepted (charset parameter and all) and then still there after kill -9.
    r = request(p, "POST", "/data/OnDownloadRequest", download_body("job-1", "task-1"),
                "application/json; charset=utf-8");
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body, "");
    EXPECT_TRUE(s.proc().wait_for_line("\"msg\":\"task queued\"", 2000)) << s.proc().output();

    r = request(p, "GET", "/job/OnRemediation?jobId=job-1&remediationType=Relogin");
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_TRUE(s.proc().wait_for_line("\"remediation_type\":\"Relogin\"", 2000));
    r = request(p, "GET", "/job/OnRemediation?jobId=job-1&remediationType=7");
    EXPECT_EQ(r.status, 400) << r.raw;

    r = request(p, "GET", "/api/Jobs");
    ASSERT_EQ(r.status, 200) << r.raw;
    auto doc = json::parse(r.body);
    ASSERT_TRUE(doc.ok()) << r.body;
    const cJSON* j = find_job(doc->get(), "job-1");
    ASSERT_NE(j, nullptr) << r.body;
    EXPECT_EQ(json::get_string(j, "AccountName"), "contoso");
    EXPECT_EQ(json::get_string(j, "TenantId"), kTenant);
    EXPECT_EQ(json::get_string(j, "SinceId"), "0");
    EXPECT_EQ(r.body.find("seeded-user"), std::string::npos) << "a token in api/Jobs";
    std::string out = s.proc().output();
    EXPECT_EQ(out.find("S3CRETSIG"), std::string::npos) << "the SAS signature was logged";
    ASSERT_TRUE(s.proc().signal(SIGKILL));
    s.proc().wait(5000);
  }
  {
    Served s(data);
    ASSERT_GT(s.port(), 0) << s.proc().output();
    int p = s.port();
    // The task answered 200 before the kill is still known: queued (or, once an import
    // worker runs in this binary, possibly already recorded on the job).
    auto r = request(p, "GET", "/api/Jobs");
    ASSERT_EQ(r.status, 200) << r.raw;
    auto doc = json::parse(r.body);
    ASSERT_TRUE(doc.ok());
    const cJSON* j = find_job(doc->get(), "job-1");
    ASSERT_NE(j, nullptr) << r.body;
    bool queued = json::get_number(j, "QueuedTasks") == 1;
    bool recorded = json::get_string(j, "LastTaskId") == std::string_view("task-1");
    EXPECT_TRUE(queued || recorded) << r.body;
    // A resend of the same task is recognised, not queued twice.
    r = request(p, "POST", "/data/OnDownloadRequest", download_body("job-1", "task-1"));
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_TRUE(s.proc().wait_for_line("(the platform sent it again)", 2000)) << s.proc().output();

    // OnDeleted: 200, then the job is gone (404 again, IsCreated false, not listed).
    r = request(p, "DELETE", "/job/OnDeleted?jobId=job-1");
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body, "");
    r = request(p, "DELETE", "/job/OnDeleted?jobId=job-1");
    EXPECT_EQ(r.status, 404) << r.raw;
    r = request(p, "GET", "/job/IsCreated?jobId=job-1");
    EXPECT_EQ(r.body, R"({"IsJobCreated":false,"Reason":null})");
    r = request(p, "GET", "/api/Jobs");
    EXPECT_EQ(r.body, R"({"Jobs":[]})");
    EXPECT_EQ(s.proc().stop(), 0) << s.proc().output();
  }
}
