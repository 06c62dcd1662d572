// Implementation of platform.h: child processes, blocking HTTP to the connector and the control
// ports, curl for the TLS-only fakes (X control, Azurite reads), cJSON for every answer.
#include "e2e/platform.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <mbedtls/md.h>

#include "core/codec.h"
#include "json/json.h"
#include "support/test_servers.h"

namespace e2e {
namespace ts = testing_support;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string read_file(const std::string& path, size_t from = 0) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(from));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
}

// Decodes a chunked body (the connector may stream answers).
std::string dechunk(const std::string& in) {
  std::string out;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) break;
    size_t n = strtoul(in.substr(pos, eol - pos).c_str(), nullptr, 16);
    if (n == 0) break;
    out += in.substr(eol + 2, n);
    pos = eol + 2 + n + 2;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string str(const cJSON* o, const char* key) {
  auto v = json::get_string(o, key);
  return v ? std::string(*v) : std::string();
}

int64_t parse_iso_ms(const std::string& s) {
  struct tm tm = {};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// Connector settings that must not leak in from the environment of whoever runs the tests.
const std::vector<std::string> kUnsetEnv = {"PORT",
                                            "CONNECTOR_LISTEN",
                                            "CONNECTOR_DATA_DIR",
                                            "CONNECTOR_TENANT_ID",
                                            "CONNECTOR_API_SECRET_KEY",
                                            "CONNECTOR_ENCRYPTION_KEY",
                                            "CONNECTOR_LOG_LEVEL",
                                            "CONNECTOR_TWITTER_API_BASE",
                                            "CONNECTOR_TWITTER_API_VERSION",
                                            "CONNECTOR_TWITTER_MAX_RATE_WAIT",
                                            "CONNECTOR_MEDIA_MAX_BYTES",
                                            "CONNECTOR_AAD_AUTHORITY",
                                            "CONNECTOR_AAD_OPENID_CONFIG",
                                            "CONNECTOR_AAD_APP_URI",
                                            "CONNECTOR_TRUST_PROXY",
                                            "CONNECTOR_EVENT_API_BASE",
                                            "CONNECTOR_CA_FILE",
                                            "CONNECTOR_MAX_BODY_BYTES",
                                            "CONNECTOR_MAX_CONNECTIONS",
                                            "CONNECTOR_UPLOAD_CONCURRENCY",
                                            "HTTPS_PROXY",
                                            "https_proxy",
                                            "HTTP_PROXY",
                                            "http_proxy",
                                            "ALL_PROXY",
                                            "all_proxy",
                                            "NO_PROXY",
                                            "no_proxy"};

}  // namespace

// ------------------------------------------------------------------------------------ HTTP
HttpReply http_request(int port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body, int timeout_ms) {
  int fd = ts::connect_local(port, timeout_ms);
  if (fd < 0) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  ts::send_all(fd, req);
  HttpReply r = ts::parse_reply(ts::read_until_close(fd, timeout_ms));
  close(fd);
  if (lower(r.head).find("\r\ntransfer-encoding: chunked") != std::string::npos)
    r.body = dechunk(r.body);
  return r;
}

std::string header_value(const HttpReply& r, const std::string& name) {
  std::string want = "\r\n" + lower(name) + ":";
  std::string head = lower(r.head);
  size_t p = head.find(want);
  if (p == std::string::npos) return {};
  size_t a = p + want.size();
  size_t b = r.head.find("\r\n", a);
  std::string v = r.head.substr(a, b == std::string::npos ? std::string::npos : b - a);
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  return v;
}

// ------------------------------------------------------------------------------- Connector
Connector::Connector(std::map<std::string, std::string> env, std::string log_file)
    : env_(std::move(env)), log_file_(std::move(log_file)) {}

Connector::~Connector() {
  if (proc_) proc_->stop(3000);
}

bool Connector::start(int timeout_ms) {
  if (proc_) proc_->stop(3000);
  ++starts_;
  port_ = 0;
  size_t from = file_size(log_file_);
  ts::Subprocess::Options o;
  // exec: the pid is the connector's own, so kill -9 hits it and nothing else.
  o.argv = {"sh", "-c", "exec \"$0\" serve >>\"$1\" 2>&1", ts::binary_path(), log_file_};
  o.env = env_;
  o.unset_env = kUnsetEnv;
  proc_ = std::make_unique<ts::Subprocess>(o);
  int64_t deadline = now_ms() + timeout_ms;
  while (now_ms() < deadline) {
    std::string text = read_file(log_file_, from);
    size_t p = text.find("\"msg\":\"listening\"");
    if (p != std::string::npos) {
      size_t a = text.rfind('\n', p);
      size_t b = text.find('\n', p);
      port_ = ts::port_from_log_line(
          text.substr(a == std::string::npos ? 0 : a, b == std::string::npos ? b : b - a));
      if (port_ > 0) return true;
    }
    if (proc_->wait(0)) {
      error_ = "the connector exited before listening: " + read_file(log_file_, from);
      return false;
    }
    sleep_ms(20);
  }
  error_ = "no \"listening\" line within " + std::to_string(timeout_ms) +
           " ms: " + read_file(log_file_, from);
  return false;
}

void Connector::kill9() {
  if (!proc_) return;
  proc_->signal(SIGKILL);
  proc_->wait(10000);
}

int Connector::stop() { return proc_ ? proc_->stop(6000) : -1; }

bool Connector::running() { return proc_ && !proc_->wait(0); }

std::string Connector::log() const { return read_file(log_file_); }

std::string Connector::log_tail(size_t bytes) const {
  size_t n = file_size(log_file_);
  return read_file(log_file_, n > bytes ? n - bytes : 0);
}

// -------------------------------------------------------------------------------- Platform
Platform::Platform(Options options) : options_(std::move(options)) {
  data_dir_ = tmp_.path() + "/data";
}

Platform::~Platform() {
  connector_.reset();  // the connector first: it must not see its peers vanish as failures
  for (auto* p : {&events_, &aad_, &twitter_})
    if (*p) (*p)->stop(2000);
}

bool Platform::start_node(const std::vector<std::string>& argv,
                          std::unique_ptr<ts::Subprocess>* proc, int* port, int* control_port) {
  *proc = std::make_unique<ts::Subprocess>(ts::Subprocess::Options{argv});
  auto line = (*proc)->wait_for_line("listening on 127.0.0.1:", 60000);
  if (!line) {
    error_ = argv[1] + " did not start: " + (*proc)->output();
    return false;
  }
  size_t p = line->find("127.0.0.1:");
  *port = static_cast<int>(strtol(line->c_str() + p + 10, nullptr, 10));
  size_t c = line->find(" control ");
  if (control_port)
    *control_port =
        c == std::string::npos ? 0 : static_cast<int>(strtol(line->c_str() + c + 9, nullptr, 10));
  return *port > 0 && (!control_port || *control_port > 0);
}

bool Platform::start_fakes() {
  const std::string& pki = ts::test_pki_dir();
  if (pki.empty()) {
    error_ = "test PKI generation failed (openssl)";
    return false;
  }
  std::string sup = ts::project_root() + "/tests/support/";
  std::string cert = pki + "/good.crt", key = pki + "/good.key";
  std::vector<std::string> tw = {
      "node", sup + "fake_twitter.js", "--cert", cert, "--key", key, "--media-base",
      "self", "--max-lifetime",        "900"};
  if (options_.synthetic > 0) {
    tw.push_back("--synthetic");
    tw.push_back(std::to_string(options_.synthetic));
  }
  if (!start_node(tw, &twitter_, &twitter_port_, nullptr)) return false;
  std::string keys = tmp_.path() + "/aad-keys";
  mkdir(keys.c_str(), 0700);
  if (!start_node({"node", sup + "fake_aad.js", "--cert", cert, "--key", key, "--keys-dir", keys,
                   "--tenant", kTenant, "--client-id", kAadClientId, "--client-secret",
                   kAadClientSecret, "--max-lifetime", "900"},
                  &aad_, &aad_port_, &aad_control_))
    return false;
  if (!start_node(
          {"node", sup + "fake_event_api.js", "--cert", cert, "--key", key, "--token-prefix",
           "fake-access-token-", "--control", "--quiet", "--max-lifetime", "900"},
          &events_, &events_port_, &events_control_))
    return false;
  if (!azurite_.start()) {
    error_ = azurite_.error();
    return false;
  }
  if (!azurite_.create_container(kContainer)) {
    error_ = azurite_.error();
    return false;
  }
  return true;
}

bool Platform::start() {
  std::string missing = ts::Azurite::missing_reason();
  if (!missing.empty()) {
    error_ = missing;
    return false;
  }
  if (!start_fakes()) return false;
  auto local = [](int port) { return "https://127.0.0.1:" + std::to_string(port); };
  std::map<std::string, std::string> env = {
      {"CONNECTOR_LISTEN", "127.0.0.1:0"},
      {"CONNECTOR_DATA_DIR", data_dir_},
      {"CONNECTOR_TENANT_ID", kTenant},
      {"CONNECTOR_API_SECRET_KEY", kApiSecret},
      {"CONNECTOR_CA_FILE", ts::test_pki_dir() + "/ca.crt"},
      {"CONNECTOR_TWITTER_API_BASE", local(twitter_port_)},
      {"CONNECTOR_AAD_AUTHORITY", local(aad_port_)},
      {"CONNECTOR_EVENT_API_BASE", local(events_port_)},
      {"CONNECTOR_LOG_LEVEL", "info"},
  };
  for (const auto& [k, v] : options_.env) env[k] = v;
  connector_ = std::make_unique<Connector>(env, tmp_.path() + "/connector.log");
  if (!connector_->start()) {
    error_ = connector_->error();
    return false;
  }
  return true;
}

std::string Platform::diagnostics() const {
  return connector_ ? "\n--- connector log (tail) ---\n" + connector_->log_tail() : "";
}

HttpReply Platform::call(const std::string& method, const std::string& target,
                         const std::string& body,
                         std::vector<std::pair<std::string, std::string>> headers) {
  headers.insert(
      headers.begin(),
      {"Authorization", "Basic " + core::base64_encode(std::string(kTenant) + ":" + kApiSecret)});
  if (!body.empty()) headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  return http_request(connector_->port(), method, target, headers, body);
}

bool Platform::configure() {
  auto body = json::object();
  json::add_string(body.get(), "TwitterApiKeyValue", "fake-consumer-key");
  json::add_string(body.get(), "TwitterApiSecretKeyValue", "fake-consumer-secret");
  json::add_string(body.get(), "TwitterAccessTokenValue", "fake-access-token");
  json::add_string(body.get(), "TwitterAccessTokenSecretValue", "fake-access-secret");
  json::add_string(body.get(), "AADAppIdValue", kAadClientId);
  json::add_string(body.get(), "AADAppSecretValue", kAadClientSecret);
  auto r = call("POST", "/api/Configuration", json::dump(body.get()));
  if (r.status != 200 || r.body != "true") {
    error_ = "POST /api/Configuration: " + r.raw;
    return false;
  }
  return true;
}

std::string Platform::connect_account(const std::string& job_id) {
  std::string origin = "http://127.0.0.1:" + std::to_string(connector_->port());
  auto r = call(
      "GET", "/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=" + core::percent_encode(job_id) +
                 "&redirectUrl=" + core::percent_encode(origin + "/Views/TwitterOAuth"));
  auto url = json::parse(r.body);
  if (r.status != 200 || !url.ok() || !cJSON_IsString(url->get())) {
    error_ = "OAuthUrl: " + r.raw;
    return {};
  }
  std::string login = url->get()->valuestring;
  // Every cookie the answer set goes back with the popup's requests, as a browser does.
  std::string cookies;
  for (size_t p = 0; (p = lower(r.head).find("\r\nset-cookie:", p)) != std::string::npos;) {
    p += 13;
    size_t e = r.head.find_first_of(";\r", p);
    std::string c = r.head.substr(p, e - p);
    while (!c.empty() && c.front() == ' ') c.erase(0, 1);
    cookies += (cookies.empty() ? "" : "; ") + c;
  }
  std::vector<std::pair<std::string, std::string>> cookie_header;
  if (!cookies.empty()) cookie_header.push_back({"Cookie", cookies});
  auto popup =
      http_request(connector_->port(), "GET",
                   "/Views/TwitterOAuth?loginUrl=" + core::percent_encode(login), cookie_header);
  if (popup.status != 302 || header_value(popup, "Location") != login) {
    error_ = "popup /Views/TwitterOAuth?loginUrl= did not redirect to " + login + ": " + popup.raw;
    return {};
  }
  // X's authenticate page: the fake answers at once with the redirect to our callback.
  auto [rc, out] = ts::run_command({"curl", "-sS", "--cacert", ts::test_pki_dir() + "/ca.crt", "-o",
                                    "/dev/null", "-w", "%{http_code} %{redirect_url}", login},
                                   30000);
  if (rc != 0 || out.rfind("302 ", 0) != 0 || out.find(origin + "/Views/TwitterOAuth?") != 4) {
    error_ = "X authenticate page: " + out;
    return {};
  }
  std::string callback = out.substr(4 + origin.size());
  while (!callback.empty() && isspace(static_cast<unsigned char>(callback.back())))
    callback.pop_back();
  auto done = http_request(connector_->port(), "GET", callback, cookie_header);
  std::string location = header_value(done, "Location");
  if (done.status != 302 || location.empty()) {
    error_ = "callback " + callback + ": " + done.raw;
    return {};
  }
  return location;
}

std::string Platform::finish_setup(const std::string& job_id) {
  std::string q = "jobType=Twitter&jobId=" + core::percent_encode(job_id);
  auto e = call("GET", "/api/ConnectorSetup/GetEntities?" + q);
  std::string want =
      "[{\"Id\":\"4113725063\",\"Name\":\"twitter_testaccount\","
      "\"AdditionalInfo\":null,\"AlreadyUsed\":true}]";
  if (e.status != 200 || e.body != want) return "GetEntities: " + e.raw;
  auto s = call(
      "POST",
      "/api/ConnectorSetup/SavePage?jobId=" + core::percent_encode(job_id) + "&tenantId=" + kTenant,
      "{\"Name\":\"twitter_testaccount\",\"Id\":\"4113725063\"}");
  if (s.status != 200 || s.body != "true") return "SavePage: " + s.raw;
  auto d = call("GET", "/api/ConnectorSetup/DeleteToken?" + q);
  if (d.status != 200 || d.body != "true") return "DeleteToken: " + d.raw;
  return "";
}

std::string Platform::setup_job(const std::string& job_id) {
  if (!configured_ && !configure()) return error_;
  configured_ = true;
  std::string done = connect_account(job_id);
  if (done.empty()) return error_;
  if (done != "/Views/TwitterOAuthDone?status=connected&account=twitter_testaccount")
    return "the sign-in ended at " + done;
  return finish_setup(job_id);
}

std::optional<bool> Platform::is_created(const std::string& job_id) {
  auto r = call("GET", "/job/IsCreated?jobId=" + core::percent_encode(job_id));
  auto v = json::parse(r.body);
  if (r.status != 200 || !v.ok()) return std::nullopt;
  auto created = json::get_bool(v->get(), "IsJobCreated");
  const cJSON* reason = cJSON_GetObjectItemCaseSensitive(v->get(), "Reason");
  if (!created || !reason || !cJSON_IsNull(reason)) return std::nullopt;
  return *created;
}

HttpReply Platform::download_request(const std::string& job_id, const std::string& task_id,
                                     int64_t start_ms, int64_t end_ms, const std::string& sas_uri) {
  auto body = json::object();
  json::add_string(body.get(), "JobId", job_id);
  json::add_string(body.get(), "TaskId", task_id);
  json::add_string(body.get(), "StartTime", iso_utc(start_ms));
  json::add_string(body.get(), "EndTime", iso_utc(end_ms));
  json::add_null(body.get(), "DirtyEntities");
  json::add_string(body.get(), "BlobSasUri", sas_uri);
  return call("POST", "/data/OnDownloadRequest", json::dump(body.get()));
}

std::string Platform::sas_uri(int64_t expires_in_s) const {
  return azurite_.container_sas_uri(kContainer, "rcwl", expires_in_s);
}

std::optional<JobView> Platform::job(const std::string& job_id) {
  auto r = call("GET", "/api/Jobs");
  auto v = json::parse(r.body);
  if (r.status != 200 || !v.ok()) return std::nullopt;
  const cJSON* jobs = json::get_array(v->get(), "Jobs");
  const cJSON* j = nullptr;
  cJSON_ArrayForEach(j, jobs) {
    if (str(j, "JobId") != job_id) continue;
    JobView out;
    out.job_id = job_id;
    out.account_id = str(j, "AccountId");
    out.account_name = str(j, "AccountName");
    out.since_id = str(j, "SinceId");
    out.last_task_id = str(j, "LastTaskId");
    out.last_result = str(j, "LastResult");
    out.last_message = str(j, "LastMessage");
    auto num = [&](const char* k) {
      return static_cast<uint64_t>(json::get_number(j, k).value_or(0));
    };
    out.items_imported = num("ItemsImported");
    out.tasks_succeeded = num("TasksSucceeded");
    out.tasks_temporary_failed = num("TasksTemporaryFailed");
    out.tasks_permanent_failed = num("TasksPermanentFailed");
    out.queued_tasks = num("QueuedTasks");
    out.raw = json::dump(j);
    return out;
  }
  return std::nullopt;
}

double Platform::metric(const std::string& name_with_labels) {
  auto r = http_request(connector_->port(), "GET", "/metrics");
  if (r.status != 200) return -1;
  std::istringstream in(r.body);
  std::string line;
  double sum = 0;
  bool found = false;
  bool bare = name_with_labels.find('{') == std::string::npos;
  while (std::getline(in, line)) {
    if (line.rfind(name_with_labels, 0) != 0 || line.size() <= name_with_labels.size()) continue;
    char next = line[name_with_labels.size()];
    if (next != ' ' && !(bare && next == '{') && !(!bare && next == ',')) continue;
    if (!bare && next == ',' && name_with_labels.back() == '}') continue;
    sum += strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
    found = true;
  }
  return found ? sum : -1;
}

// ------------------------------------------------------------------------- fake Event API
std::vector<Completion> Platform::completions() {
  std::vector<Completion> out;
  auto r = ts::http_get(events_control_, "/requests", 10000);
  auto v = json::parse(r.body);
  if (r.status != 200 || !v.ok()) return out;
  const cJSON* rec = nullptr;
  cJSON_ArrayForEach(rec, v->get()) {
    Completion c;
    c.seq = static_cast<int>(json::get_number(rec, "seq").value_or(0));
    c.answered_status = static_cast<int>(json::get_number(rec, "status").value_or(0));
    c.answered = json::get_bool(rec, "answered").value_or(false);
    c.job_id = str(rec, "jobId");
    c.authorization = str(rec, "authorization");
    c.content_type = str(rec, "contentType");
    c.shape_ok = json::get_bool(rec, "shapeOk").value_or(false);
    c.body = str(rec, "body");
    auto b = json::parse(c.body);
    if (b.ok()) {
      c.task_id = str(b->get(), "taskId");
      c.status = static_cast<int>(json::get_number(b->get(), "status").value_or(-1));
      const cJSON* m = nullptr;
      cJSON_ArrayForEach(m, json::get_array(b->get(), "itemMetadata")) {
        c.items.push_back({str(m, "id"), str(m, "modificationTimestampUtc"), str(m, "fileName")});
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Completion> Platform::wait_completion(const std::string& task_id, int timeout_ms,
                                                    bool (*pred)(const Completion&)) {
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    for (auto& c : completions())
      if (c.task_id == task_id && (!pred || pred(c))) return c;
    if (now_ms() >= deadline) return std::nullopt;
    sleep_ms(100);
  }
}

bool Platform::event_api_fail(int count, int status) {
  auto r =
      http_request(events_control_, "POST",
                   "/fail?count=" + std::to_string(count) + "&status=" + std::to_string(status));
  return r.status == 200;
}

bool Platform::event_api_delay(int ms) {
  return http_request(events_control_, "POST", "/delay?ms=" + std::to_string(ms)).status == 200;
}

// ------------------------------------------------------------------------------- fake X API
std::string Platform::twitter_control(const std::string& json_body) {
  auto [rc, out] =
      ts::run_command({"curl", "-sS", "-f", "--cacert", ts::test_pki_dir() + "/ca.crt", "-X",
                       "POST", "-H", "Content-Type: application/json", "--data-binary", json_body,
                       "https://127.0.0.1:" + std::to_string(twitter_port_) + "/__control"},
                      30000);
  return rc == 0 ? out : std::string();
}

std::vector<Tweet> Platform::tweets() {
  std::vector<Tweet> out;
  auto [rc, body] =
      ts::run_command({"curl", "-sS", "-f", "--cacert", ts::test_pki_dir() + "/ca.crt",
                       "https://127.0.0.1:" + std::to_string(twitter_port_) + "/__control/state"},
                      30000);
  auto v = json::parse(body);
  if (rc != 0 || !v.ok()) return out;
  const cJSON* t = nullptr;
  cJSON_ArrayForEach(t, json::get_array(v->get(), "tweets")) {
    Tweet x;
    x.id = str(t, "id");
    x.ms = parse_iso_ms(str(t, "created_at"));
    const cJSON* m = nullptr;
    cJSON_ArrayForEach(m, json::get_array(t, "media")) {
      if (cJSON_IsString(m)) x.media.push_back(m->valuestring);
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::string Platform::twitter_log() {
  auto [rc, body] =
      ts::run_command({"curl", "-sS", "-f", "--cacert", ts::test_pki_dir() + "/ca.crt",
                       "https://127.0.0.1:" + std::to_string(twitter_port_) + "/__control/log"},
                      30000);
  return rc == 0 ? body : std::string();
}

int64_t Platform::twitter_requests() {
  auto [rc, body] =
      ts::run_command({"curl", "-sS", "-f", "--cacert", ts::test_pki_dir() + "/ca.crt",
                       "https://127.0.0.1:" + std::to_string(twitter_port_) + "/__control/counts"},
                      30000);
  auto v = json::parse(body);
  if (rc != 0 || !v.ok()) return -1;
  return static_cast<int64_t>(json::get_number(v->get(), "requests").value_or(-1));
}

// ------------------------------------------------------------------------------------ blobs
std::optional<std::vector<std::string>> Platform::blob_names(const std::string& prefix) {
  auto blobs = azurite_.list_blobs(kContainer);
  if (!blobs) {
    error_ = azurite_.error();
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& b : *blobs)
    if (b.name.rfind(prefix, 0) == 0) out.push_back(b.name);
  return out;
}

std::map<std::string, std::string> Platform::read_blobs(const std::vector<std::string>& names) {
  std::map<std::string, std::string> out;
  if (names.empty()) return out;
  std::string dir = tmp_.path() + "/read-" + std::to_string(now_ms());
  mkdir(dir.c_str(), 0700);
  std::string sas = sas_uri();
  size_t q = sas.find('?');
  std::string config;
  for (size_t i = 0; i < names.size(); ++i) {
    config += "url = \"" + sas.substr(0, q) + "/" + names[i] + sas.substr(q) + "\"\n";
    config += "output = \"" + dir + "/" + std::to_string(i) + "\"\n";
  }
  std::string cfg = dir + "/curl.cfg";
  std::ofstream(cfg) << config;
  ts::run_command({"curl", "-sS", "-f", "--cacert", ts::test_pki_dir() + "/ca.crt", "-K", cfg},
                  120000);
  for (size_t i = 0; i < names.size(); ++i) {
    std::string f = dir + "/" + std::to_string(i);
    struct stat st;
    if (stat(f.c_str(), &st) == 0) out[names[i]] = read_file(f);
  }
  ts::run_command({"rm", "-rf", dir});
  return out;
}

// ---------------------------------------------------------------------------------- helpers
std::string iso_utc(int64_t ms) {
  time_t t = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string sent_time(int64_t ms) {
  std::string s = iso_utc(ms);
  return s.substr(0, s.size() - 1);
}

std::string media_base64(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path_at = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  path = path.substr(0, path.find('?'));
  unsigned char h[32];
  mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
             reinterpret_cast<const unsigned char*>(path.data()), path.size(), h);
  size_t size = 1024 + static_cast<size_t>(h[1]) * 16;
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<char>((h[0] + i * 131 + (i >> 11)) & 0xff);
  return core::base64_encode(bytes);
}

uint64_t id_u64(const std::string& id) { return strtoull(id.c_str(), nullptr, 10); }

std::vector<Tweet> in_window(const std::vector<Tweet>& tweets, int64_t start_ms, int64_t end_ms,
                             uint64_t since_id) {
  std::vector<Tweet> out;
  for (const auto& t : tweets)
    if (t.ms >= start_ms && t.ms <= end_ms && id_u64(t.id) > since_id) out.push_back(t);
  return out;
}

std::string check_item(const std::string& blob_body, const Tweet& t) {
  auto v = json::parse(blob_body);
  if (!v.ok()) return "not JSON: " + blob_body.substr(0, 200);
  const cJSON* o = v->get();
  auto expect = [&](const char* key, const std::string& want) -> std::string {
    std::string got = str(o, key);
    return got == want ? "" : std::string(key) + " is \"" + got + "\", expected \"" + want + "\"";
  };
  for (auto [k, want] :
       std::vector<std::pair<const char*, std::string>>{{"SchemaVersion", "1.0"},
                                                        {"Id", t.id},
                                                        {"SourceType", "Twitter"},
                                                        {"ItemType", "Tweet"},
                                                        {"SentTimeUtc", sent_time(t.ms)}}) {
    std::string e = expect(k, want);
    if (!e.empty()) return e;
  }
  if (!json::get_object(o, "Sender")) return "Sender is not an object";
  if (!json::get_array(o, "Recipients")) return "Recipients is not an array";
  if (json::get_number(o, "ContentType").value_or(-1) != 1) return "ContentType is not 1";
  if (!json::get_string(o, "Content")) return "Content is not a string";
  const cJSON* att = cJSON_GetObjectItemCaseSensitive(o, "ContentAttachments");
  if (t.media.empty()) {
    if (!att || !cJSON_IsNull(att))
      return "ContentAttachments is not null for a tweet without media";
    return "";
  }
  if (!cJSON_IsArray(att) || cJSON_GetArraySize(att) != static_cast<int>(t.media.size()))
    return "ContentAttachments does not hold " + std::to_string(t.media.size()) + " attachments";
  const cJSON* a = nullptr;
  size_t i = 0;
  cJSON_ArrayForEach(a, att) {
    std::string uri = str(a, "Uri");
    if (uri != t.media[i]) return "attachment " + std::to_string(i) + " Uri is " + uri;
    // Full item style names the kind (the fake's media are photos); Reference style: "media".
    std::string type = str(a, "AttachmentType");
    if (type != "photo" && type != "media") return "AttachmentType is " + type;
    if (str(a, "Content") != media_base64(uri)) return "attachment Content of " + uri + " is wrong";
    ++i;
  }
  return "";
}

}  // namespace e2e
