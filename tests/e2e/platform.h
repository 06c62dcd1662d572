// The end-to-end test "platform": everything Microsoft 365 and X would be, around the real
// `twitter-connector serve`. Azurite (blob service over HTTPS with the test CA), the fake X API
// (TLS, OAuth-checked, synthetic timelines with media served by itself), fake Azure AD (TLS) and
// the fake Event API (TLS, records every completion, scripted failures through its control
// port), then the binary with a temporary data directory, every outbound base URL pointing at
// the fakes and port 0. The helpers call the connector exactly as the platform and the setup
// page do (Basic auth, the OAuth popup flow with its cookie) and read back what arrived.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/azurite.h"
#include "support/raw_http.h"
#include "support/subprocess.h"

namespace e2e {

using testing_support::HttpReply;

// One blocking HTTP/1.1 request to 127.0.0.1:port (Connection: close).
HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "", int timeout_ms = 10000);
// The value of a response header (case-insensitive name), or "".
std::string header_value(const HttpReply& r, const std::string& name);

// The real binary, restartable (or killed) on the same data directory. Its stdout and stderr
// are appended to one log file, so nothing blocks on a full pipe and the log of every run
// survives a kill -9.
class Connector {
 public:
  Connector(std::map<std::string, std::string> env, std::string log_file);
  ~Connector();
  // Starts `serve` and waits for its "listening" line; false (error()) otherwise.
  bool start(int timeout_ms = 15000);
  void kill9();    // SIGKILL, then reaps it
  int stop();      // SIGTERM; the exit status
  bool running();  // started and not exited
  int port() const { return port_; }
  std::string log() const;  // every run's output so far
  std::string log_tail(size_t bytes = 4000) const;
  const std::string& error() const { return error_; }
  int restarts() const { return starts_ - 1; }

 private:
  std::map<std::string, std::string> env_;
  std::string log_file_;
  std::unique_ptr<testing_support::Subprocess> proc_;
  int port_ = 0;
  int starts_ = 0;
  std::string error_;
};

// A tweet of the fake X timeline (GET /__control/state).
struct Tweet {
  std::string id;
  int64_t ms = 0;                  // created_at, unix ms
  std::vector<std::string> media;  // media_url_https of entities + extended_entities
};

// One itemMetadata entry of a completion.
struct ItemMeta {
  std::string id, modified, file_name;
};
// One POST the fake Event API received.
struct Completion {
  int seq = 0;
  int answered_status = 0;  // what the fake answered (200, or a scripted failure)
  bool answered = false;    // the answer could be written (connection still open)
  std::string job_id;       // from the query
  std::string authorization;
  std::string content_type;
  bool shape_ok = false;  // exactly the §9.1 body shape, compact, keys in order
  std::string body;
  // Parsed body (when it is JSON).
  std::string task_id;
  int status = -1;  // 0 Success, 1 TemporaryFailure, 2 PermanentFailure
  std::vector<ItemMeta> items;
};

// A job as GET /api/Jobs shows it; the raw JSON object too.
struct JobView {
  std::string job_id, account_id, account_name, since_id, last_task_id, last_result, last_message;
  uint64_t items_imported = 0, tasks_succeeded = 0, tasks_temporary_failed = 0,
           tasks_permanent_failed = 0, queued_tasks = 0;
  std::string raw;
};

class Platform {
 public:
  static constexpr char kTenant[] = "3f6d1c2a-8b4e-4d7f-9a21-5c0e7b9d4f13";
  static constexpr char kApiSecret[] = "e2e-platform-secret-7Qx9";
  static constexpr char kAadClientId[] = "5a8e3b1c-2d4f-4e6a-8b9c-0d1e2f3a4b5c";
  static constexpr char kAadClientSecret[] = "e2e-aad-secret";
  static constexpr char kContainer[] = "platform";

  struct Options {
    int synthetic = 200;  // synthetic tweets of the fake X timeline (every 5th with media)
    std::map<std::string, std::string> env;  // extra connector settings
  };
  explicit Platform(Options options);
  Platform() : Platform(Options{}) {}
  ~Platform();

  // Starts every fake and the connector, and creates the blob container. false: error().
  bool start();
  const std::string& error() const { return error_; }
  std::string diagnostics() const;  // the connector's log tail, for failure messages

  testing_support::Azurite& azurite() { return azurite_; }
  int twitter_port() const { return twitter_port_; }
  int aad_port() const { return aad_port_; }
  int events_port() const { return events_port_; }
  Connector& connector() { return *connector_; }
  const std::string& data_dir() const { return data_dir_; }

  // --- the platform's and the admin's calls (Basic tenant:secret) -------------------------
  HttpReply call(const std::string& method, const std::string& target, const std::string& body = "",
                 std::vector<std::pair<std::string, std::string>> headers = {});
  // POST /api/Configuration with the fake X app and fake AAD app credentials; true on `true`.
  bool configure();
  // The setup page's flow for job_id: OAuthUrl with the cookie → /Views/TwitterOAuth
  // ?loginUrl → X's authenticate page (answers at once) → our callback → 302 to
  // /Views/TwitterOAuthDone?status=…; returns that final Location ("" and error() on a break).
  std::string connect_account(const std::string& job_id);
  // The setup page's remaining steps after the popup closed: GetEntities (the account of the
  // fake X), SavePage, DeleteToken. "" when each answered as the page expects, else what broke.
  std::string finish_setup(const std::string& job_id);
  // configure() (once), connect_account() and finish_setup(): "" on success, else what broke.
  std::string setup_job(const std::string& job_id);
  // GET /job/IsCreated: nullopt if the answer is not {"IsJobCreated":bool,"Reason":null}.
  std::optional<bool> is_created(const std::string& job_id);
  // POST /data/OnDownloadRequest.
  HttpReply download_request(const std::string& job_id, const std::string& task_id,
                             int64_t start_ms, int64_t end_ms, const std::string& sas_uri);
  std::string sas_uri(int64_t expires_in_s = 3600) const;
  // GET /api/Jobs, the one job (nullopt: not listed or the call failed).
  std::optional<JobView> job(const std::string& job_id);
  // A counter of GET /metrics (sum over label sets of the name with the label text), or -1.
  double metric(const std::string& name_with_labels);

  // --- the fake Event API -------------------------------------------------------------------
  std::vector<Completion> completions();
  // Waits for a completion of task_id for which pred holds (any when pred is empty).
  std::optional<Completion> wait_completion(const std::string& task_id, int timeout_ms,
                                            bool (*pred)(const Completion&) = nullptr);
  bool event_api_fail(int count, int status);
  bool event_api_delay(int ms);

  // --- the fake X API -------------------------------------------------------------------------
  // POST /__control with a JSON body; the answer body ("" on failure).
  std::string twitter_control(const std::string& json_body);
  std::vector<Tweet> tweets();  // newest first
  std::string twitter_log();    // GET /__control/log
  int64_t twitter_requests();   // requests the fake X served so far (-1: no answer)

  // --- the blob container ---------------------------------------------------------------------
  // Names (full paths) of every blob of the container under prefix; nullopt if listing failed.
  std::optional<std::vector<std::string>> blob_names(const std::string& prefix = "");
  // Downloads the blobs (one curl, one connection): name → body; missing ones are absent.
  std::map<std::string, std::string> read_blobs(const std::vector<std::string>& names);

 private:
  bool start_fakes();
  bool start_node(const std::vector<std::string>& argv,
                  std::unique_ptr<testing_support::Subprocess>* proc, int* port, int* control_port);

  Options options_;
  testing_support::TempDir tmp_;
  std::string data_dir_;
  testing_support::Azurite azurite_;
  std::unique_ptr<testing_support::Subprocess> twitter_, aad_, events_;
  int twitter_port_ = 0, aad_port_ = 0, aad_control_ = 0, events_port_ = 0, events_control_ = 0;
  std::unique_ptr<Connector> connector_;
  bool configured_ = false;
  std::string error_;
};

// --- helpers the tests share -----------------------------------------------------------------
// "2024-01-01T00:00:00Z" for unix ms (whole seconds).
std::string iso_utc(int64_t ms);
// "yyyy-MM-ddTHH:mm:ss" (the Item's SentTimeUtc shape) for unix ms.
std::string sent_time(int64_t ms);
// The fake X's media bytes for a URL path (fake_twitter.js "Media bytes"), base64.
std::string media_base64(const std::string& url);
// Tweets of the timeline whose time is in [start_ms, end_ms] and id above since_id.
std::vector<Tweet> in_window(const std::vector<Tweet>& tweets, int64_t start_ms, int64_t end_ms,
                             uint64_t since_id = 0);
uint64_t id_u64(const std::string& id);
// Checks one blob as an Item of tweet t; "" when valid, else what is wrong.
std::string check_item(const std::string& blob_body, const Tweet& t);

}  // namespace e2e
