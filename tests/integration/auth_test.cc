// Authentication end to end against a fake Azure AD (tests/support/fake_aad.js: HTTPS with the
// test CA, OpenID configuration, rotating JWKS, v1 token endpoint, control port): the real
// binary for Basic/Bearer/throttling/Configuration/secrets at rest, and the loop in-process for
// key rotation and the AAD token client. Every secret used is searched for in every captured
// log line and response body: none may appear.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "connector/auth_middleware.h"
#include "connector/jwks_fetcher.h"
#include "core/codec.h"
#include "core/log.h"
#include "json/json.h"
#include "m365/aad_token_client.h"
#include "support/jwt_signer.h"
#include "support/raw_http.h"
#include "support/subprocess.h"
#include "support/test_servers.h"
#include "uv/loop.h"

namespace ts = testing_support;

namespace {

constexpr char kTenant[] = "11111111-2222-3333-4444-555555555555";
constexpr char kOtherTenant[] = "99999999-2222-3333-4444-555555555555";
constexpr char kApiSecret[] = "api-secret-Zq81xPw";
constexpr char kAppUri[] = "https://contoso-twitterconnector.azurewebsites.net";
constexpr char kImportApp[] = "570d0bec-d001-4c4e-985e-3ab17fdc3073";
constexpr char kAadClientId[] = "0b8e3a0c-aaaa-bbbb-cccc-123456789abc";
constexpr char kAadSecret[] = "aad-client-secret-Q7w9e";
constexpr char kEncKeyHex[] = "8c1f0e4d2b3a59687766554433221100ffeeddccbbaa99887766554433221100";

ts::HttpReply request(int port, const std::string& method, const std::string& path,
                      std::vector<std::pair<std::string, std::string>> headers = {},
                      const std::string& body = "") {
  int fd = ts::connect_local(port);
  if (fd < 0) return {};
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (auto& h : headers) req += h.first + ": " + h.second + "\r\n";
  if (!body.empty() || method == "POST")
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  ts::send_all(fd, req);
  std::string raw = ts::read_until_close(fd, 5000);
  close(fd);
  return ts::parse_reply(std::move(raw));
}

struct FakeAad {
  FakeAad() {
    const std::string& pki = ts::test_pki_dir();
    proc = std::make_unique<ts::Subprocess>(ts::Subprocess::Options{
        {"node", ts::project_root() + "/tests/support/fake_aad.js", "--cert", pki + "/good.crt",
         "--key", pki + "/good.key", "--keys-dir", keys.path(), "--tenant", kTenant, "--client-id",
         kAadClientId, "--client-secret", kAadSecret}});
    auto line = proc->wait_for_line("listening on 127.0.0.1:", 10000);
    if (!line) return;
    port = static_cast<int>(strtol(line->c_str() + line->find("127.0.0.1:") + 10, nullptr, 10));
    control_port = static_cast<int>(strtol(line->c_str() + line->rfind(' ') + 1, nullptr, 10));
  }
  std::string base() const { return "https://127.0.0.1:" + std::to_string(port); }
  std::string openid() const {
    return base() + "/" + kTenant + "/v2.0/.well-known/openid-configuration";
  }
  std::string control(const std::string& path) { return request(control_port, "POST", path).body; }
  long long stat(const char* name) {
    auto j = json::parse(request(control_port, "GET", "/stats").body);
    return j.ok() ? json::get_int(j->get(), name).value_or(-1) : -1;
  }
  ts::RsaPrivateJwk key() {
    std::string kid = request(control_port, "GET", "/kid").body;
    return ts::load_private_jwk(keys.path() + "/" + kid + ".jwk.json");
  }
  ts::TempDir keys;
  std::unique_ptr<ts::Subprocess> proc;
  int port = 0, control_port = 0;
};

// A v1 access token as the Office 365 Import service would send, signed by `key`.
std::string bearer_token(const ts::RsaPrivateJwk& key, const std::string& aud = kAppUri,
                         const std::string& appid = kImportApp,
                         const std::string& tenant = kTenant) {
  long long now = static_cast<long long>(time(nullptr));
  std::string payload = "{\"aud\":\"" + aud + "\",\"iss\":\"https://sts.windows.net/" + tenant +
                        "/\",\"iat\":" + std::to_string(now - 60) +
                        ",\"nbf\":" + std::to_string(now - 60) +
                        ",\"exp\":" + std::to_string(now + 3600) + ",\"appid\":\"" + appid +
                        "\",\"appidacr\":\"2\",\"oid\":\"o\",\"sub\":\"s\",\"tid\":\"" + tenant +
                        "\",\"ver\":\"1.0\"}";
  return ts::sign_rs256(key, "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"" + key.kid + "\"}",
                        payload);
}

std::string basic(const std::string& user_pass) {
  return "Basic " + core::base64_encode(user_pass);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Served {
  Served(const FakeAad& aad, const std::string& data_dir) {
    std::vector<std::string> argv = {ts::binary_path(), "serve",      "--listen",
                                     "127.0.0.1:0",     "--data-dir", data_dir};
    std::map<std::string, std::string> env = {{"CONNECTOR_TENANT_ID", kTenant},
                                              {"CONNECTOR_API_SECRET_KEY", kApiSecret},
                                              {"CONNECTOR_AAD_APP_URI", kAppUri},
                                              {"CONNECTOR_AAD_OPENID_CONFIG", aad.openid()},
                                              {"CONNECTOR_AAD_AUTHORITY", aad.base()},
                                              {"CONNECTOR_CA_FILE", ts::test_pki_dir() + "/ca.crt"},
                                              {"CONNECTOR_ENCRYPTION_KEY", kEncKeyHex},
                                              {"CONNECTOR_TRUST_PROXY", "true"},
                                              {"CONNECTOR_LOG_LEVEL", "debug"}};
    proc = std::make_unique<ts::Subprocess>(
        ts::Subprocess::Options{argv, env, {"PORT", "CONNECTOR_LISTEN"}});
    auto line = proc->wait_for_line("\"msg\":\"listening\"", 10000);
    if (line) port = ts::port_from_log_line(*line);
  }
  ts::HttpReply get(const std::string& path, const std::string& from,
                    std::optional<std::string> auth) {
    std::vector<std::pair<std::string, std::string>> h = {{"X-Forwarded-For", from}};
    if (auth) h.push_back({"Authorization", *auth});
    auto r = request(port, "GET", path, h);
    bodies += r.raw;
    return r;
  }
  ts::HttpReply post(const std::string& path, const std::string& from, const std::string& auth,
                     const std::string& body) {
    auto r =
        request(port, "POST", path, {{"X-Forwarded-For", from}, {"Authorization", auth}}, body);
    bodies += r.raw;
    return r;
  }
  std::unique_ptr<ts::Subprocess> proc;
  int port = 0;
  std::string bodies;  // every response, for the secret scan
};

void expect_no_secret(const std::string& text, const std::vector<std::string>& secrets,
                      const char* where) {
  for (const auto& s : secrets)
    EXPECT_EQ(text.find(s), std::string::npos) << "secret " << s << " found in " << where;
}

constexpr char kConfigBody[] =
    R"({"TwitterApiKeyValue":"tw-consumer-key-A1","TwitterApiSecretKeyValue":"tw-consumer-secret-B2",)"
    R"("TwitterAccessTokenValue":"tw-access-token-C3","TwitterAccessTokenSecretValue":"tw-access-secret-D4",)"
    R"("AADAppIdValue":"0b8e3a0c-aaaa-bbbb-cccc-123456789abc","AADAppSecretValue":"aad-client-secret-Q7w9e"})";

}  // namespace

TEST(AuthEndToEnd, BasicBearerThrottlingConfigurationAndNoSecretLeaks) {
  FakeAad aad;
  ASSERT_GT(aad.port, 0) << aad.proc->output();
  ts::TempDir tmp;
  std::string data = tmp.path() + "/data";
  Served s(aad, data);
  ASSERT_GT(s.port, 0) << s.proc->output();
  ASSERT_TRUE(s.proc->wait_for_line("signing keys refreshed", 10000)) << s.proc->output();
  std::string good = basic(std::string(kTenant) + ":" + kApiSecret);

  // Missing header: 401 with the challenge, never 500.
  auto r = s.get("/setup/Validate", "198.51.100.1", std::nullopt);
  EXPECT_EQ(r.status, 401) << r.raw;
  EXPECT_NE(r.head.find("WWW-Authenticate: Basic realm=\"twitter-connector\""), std::string::npos)
      << r.head;
  EXPECT_NE(r.head.find("Bearer realm=\"twitter-connector\""), std::string::npos) << r.head;
  // Basic accepted; wrong secret refused.
  r = s.get("/setup/Validate", "198.51.100.1", good);
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, R"({"Status":true,"Message":null})");
  r = s.get("/setup/Validate", "198.51.100.1", basic(std::string(kTenant) + ":wrong-secret-guess"));
  EXPECT_EQ(r.status, 401);

  // Configuration: stored, answered without secrets.
  r = s.post("/api/Configuration", "198.51.100.1", good, kConfigBody);
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, "true");
  r = s.post("/api/Configuration", "198.51.100.1", good, "{oops");
  EXPECT_EQ(r.status, 400);
  r = s.get("/api/Configuration", "198.51.100.1", good);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("TwitterApiKeyValue":null,"TwitterApiKeySet":true)"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("AADAppIdValue":"0b8e3a0c-aaaa-bbbb-cccc-123456789abc")"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(s.post("/api/Configuration", "198.51.100.1", "", kConfigBody).status, 401);

  // Bearer: accepted with the right claims; wrong audience, caller or tenant refused.
  auto key = aad.key();
  std::vector<std::string> tokens = {
      bearer_token(key), bearer_token(key, "https://evil.example"),
      bearer_token(key, kAppUri, "00000000-1111-2222-3333-444444444444"),
      bearer_token(key, kAppUri, kImportApp, kOtherTenant)};
  EXPECT_EQ(s.get("/setup/Validate", "198.51.100.2", "Bearer " + tokens[0]).status, 200);
  EXPECT_EQ(s.get("/setup/Validate", "198.51.100.3", "Bearer " + tokens[1]).status, 401);
  EXPECT_EQ(s.get("/setup/Validate", "198.51.100.4", "Bearer " + tokens[2]).status, 401);
  EXPECT_EQ(s.get("/setup/Validate", "198.51.100.5", "Bearer " + tokens[3]).status, 401);

  // Throttling: one address fails repeatedly and is made to wait; another is still served.
  std::string wrong = basic(std::string(kTenant) + ":wrong-secret-guess");
  for (uint32_t i = 0; i <= core::limits::kAuthFreeFailures; ++i)
    s.get("/setup/Validate", "203.0.113.66", wrong);
  r = s.get("/setup/Validate", "203.0.113.66", good);
  EXPECT_EQ(r.status, 429) << r.raw;
  EXPECT_NE(r.head.find("Retry-After: "), std::string::npos);
  EXPECT_EQ(s.get("/setup/Validate", "203.0.113.67", good).status, 200);

  EXPECT_EQ(s.proc->stop(), 0);
  std::string log = s.proc->output();
  EXPECT_NE(log.find("\"msg\":\"authentication failed\""), std::string::npos);
  std::vector<std::string> secrets = {
      kApiSecret,           kEncKeyHex,
      "tw-consumer-key-A1", "tw-consumer-secret-B2",
      "tw-access-token-C3", "tw-access-secret-D4",
      kAadSecret,           core::base64_encode(std::string(kTenant) + ":" + kApiSecret)};
  for (const auto& t : tokens) secrets.push_back(t);
  expect_no_secret(log, secrets, "the service log");
  expect_no_secret(s.bodies, secrets, "the responses");

  // At rest: every file in the data dir is 0600 and holds no secret in clear (key is set).
  DIR* d = opendir(data.c_str());
  ASSERT_NE(d, nullptr);
  int files = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    ASSERT_EQ(stat((data + "/" + name).c_str(), &st), 0);
    if (!S_ISREG(st.st_mode)) continue;
    ++files;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    expect_no_secret(read_all(data + "/" + name), secrets, name.c_str());
  }
  closedir(d);
  EXPECT_GT(files, 0);
  std::string stored = read_all(data + "/state.log");
  EXPECT_NE(stored.find("sealed"), std::string::npos);

  // Restarted with the same key: the sealed configuration opens again.
  Served again(aad, data);
  ASSERT_GT(again.port, 0) << again.proc->output();
  r = again.get("/api/Configuration", "198.51.100.9", good);
  EXPECT_NE(r.body.find(R"("AADAppSecretSet":true)"), std::string::npos) << r.body;
  again.proc->stop();
}

TEST(AuthEndToEnd, KeyEndpointDownFailsClosed) {
  FakeAad aad;
  ASSERT_GT(aad.port, 0);
  aad.control("/down");
  ts::TempDir tmp;
  Served s(aad, tmp.path() + "/data");
  ASSERT_GT(s.port, 0) << s.proc->output();
  ASSERT_TRUE(s.proc->wait_for_line("signing keys could not be fetched", 10000))
      << s.proc->output();
  auto r = s.get("/setup/Validate", "198.51.100.1", "Bearer " + bearer_token(aad.key()));
  EXPECT_EQ(r.status, 503) << r.raw;
  EXPECT_NE(r.head.find("Retry-After: "), std::string::npos);
  // Basic still works while the key endpoint is down.
  EXPECT_EQ(s.get("/setup/Validate", "198.51.100.1", basic(std::string(kTenant) + ":" + kApiSecret))
                .status,
            200);
  s.proc->stop();
  EXPECT_NE(s.proc->output().find("HTTP 503"), std::string::npos) << s.proc->output();
}

TEST(AuthEndToEnd, StoreErrorIsAClearStartupError) {
  ts::TempDir tmp;
  std::string data = tmp.path() + "/data";
  ASSERT_EQ(mkdir(data.c_str(), 0700), 0);
  { std::ofstream(data + "/state.log") << "this is not a store log"; }
  FakeAad aad;
  Served s(aad, data);
  EXPECT_EQ(s.port, 0);
  auto st = s.proc->wait(10000);
  ASSERT_TRUE(st);
  EXPECT_NE(*st, 0);
  EXPECT_NE(s.proc->output().find("cannot open the store in " + data), std::string::npos)
      << s.proc->output();
}

namespace {

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

struct LogCapture : core::log::Sink {
  std::string text;
  void write_line(std::string_view line) override { text += line; }
};

// Runs the loop until `done` or 10 s pass (bounded: a lost callback fails the test, not hangs it).
template <class Pred>
bool run_until(uv::Loop& loop, Pred done) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < end) loop.run(UV_RUN_ONCE);
  return done();
}

std::unique_ptr<http::Client> make_client(uv::Loop& loop) {
  http::Client::Options o;
  o.ca_file = ts::test_pki_dir() + "/ca.crt";
  std::string message;
  auto c = http::Client::create(loop, std::move(o), &message);
  EXPECT_TRUE(c.ok()) << message;
  return c.ok() ? std::move(*c) : nullptr;
}

}  // namespace

TEST(AuthInProcess, UnknownKidAfterRotationIsAcceptedAfterOneRefresh) {
  FakeAad aad;
  ASSERT_GT(aad.port, 0);
  LogCapture logs;
  core::log::set_sink(&logs);
  {
    uv::Loop loop;
    {
      auto client = make_client(loop);
      ASSERT_TRUE(client);
      jwt::KeyCache keys(/*min_forced_interval_ms=*/1);
      connector::JwksFetcher fetcher(loop, *client, keys, core::SystemClock::instance(),
                                     aad.openid());
      connector::InboundAuthConfig ac;
      ac.basic = {kTenant, kApiSecret};
      ac.bearer_enabled = true;
      ac.bearer.tenant_id = kTenant;
      ac.bearer.audiences = {kAppUri};
      connector::InboundAuth auth(ac);
      connector::AuthMiddleware mw(auth, &keys, &fetcher, core::SystemClock::instance());
      int calls = 0;
      http::Handler h = mw.protect([&](http::Request&, http::Responder res) {
        ++calls;
        res.respond(http::Response::text(200, "ok"));
      });
      std::vector<std::shared_ptr<http::ExchangeLink>> links;
      auto call = [&](const std::string& token) {
        auto cap = std::make_shared<Capture>();
        auto link = std::make_shared<http::ExchangeLink>();
        link->target = cap.get();
        links.push_back(link);
        http::Request req;
        req.path = "/setup/Validate";
        req.peer_ip = "127.0.0.1";
        req.headers.add("Authorization", "Bearer " + token);
        h(req, http::Responder(link));
        EXPECT_TRUE(run_until(loop, [&] { return !cap->sent.empty(); }));
        return cap->sent.empty() ? 0 : cap->sent[0].status;
      };
      // No keys yet: the first token waits for the first fetch and passes.
      EXPECT_EQ(call(bearer_token(aad.key())), 200);
      EXPECT_EQ(aad.stat("jwksRequests"), 1);
      // Rotation: a token signed by the new key names an unknown kid; one refresh, then accepted.
      aad.control("/rotate");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      EXPECT_EQ(call(bearer_token(aad.key())), 200);
      EXPECT_EQ(aad.stat("jwksRequests"), 2);
      EXPECT_EQ(fetcher.fetches(), 2u);
      // Key endpoint down and another rotation: fail closed with 503 and a clear log line.
      aad.control("/rotate");
      aad.control("/down");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      EXPECT_EQ(call(bearer_token(aad.key())), 503);
      EXPECT_EQ(calls, 2);
    }
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
  }
  core::log::set_sink(nullptr);
  EXPECT_NE(logs.text.find("signing keys could not be fetched"), std::string::npos) << logs.text;
  EXPECT_NE(logs.text.find("HTTP 503"), std::string::npos);
}

TEST(AuthInProcess, AadTokenClientSharesOneRequestCachesAndRefreshesAhead) {
  FakeAad aad;
  ASSERT_GT(aad.port, 0);
  aad.control("/delay?ms=300");
  LogCapture logs;
  core::log::set_sink(&logs);
  {
    uv::Loop loop;
    {
      auto client = make_client(loop);
      ASSERT_TRUE(client);
      core::ManualClock clock(static_cast<int64_t>(time(nullptr)) * 1000);
      m365::AadTokenClient::Options o;
      o.authority = aad.base();
      m365::AadTokenClient tokens(loop, *client, clock, o);
      EXPECT_EQ(
          tokens
              .acquire(kTenant, [](const auto&) { ADD_FAILURE() << "called without credentials"; })
              .error()
              .code,
          core::Errc::Config);
      tokens.set_credentials(kAadClientId, kAadSecret);

      // Five concurrent callers: one request, one token for all.
      std::vector<std::string> got;
      for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(tokens
                        .acquire(kTenant,
                                 [&](const core::Result<m365::AadToken>& t) {
                                   ASSERT_TRUE(t.ok());
                                   got.push_back(t->access_token);
                                 })
                        .ok());
      }
      EXPECT_TRUE(got.empty());  // never inside acquire()
      ASSERT_TRUE(run_until(loop, [&] { return got.size() == 5; }));
      EXPECT_EQ(aad.stat("tokenRequests"), 1);
      for (const auto& t : got) EXPECT_EQ(t, got[0]);

      // Cache hit: no request, still delivered from the loop.
      bool hit = false;
      ASSERT_TRUE(tokens
                      .acquire(kTenant,
                               [&](const core::Result<m365::AadToken>& t) {
                                 hit = t.ok() && t->access_token == got[0];
                               })
                      .ok());
      EXPECT_FALSE(hit);
      ASSERT_TRUE(run_until(loop, [&] { return hit; }));
      EXPECT_EQ(aad.stat("tokenRequests"), 1);

      // Within kAadRefreshAheadS of expiry: renewed.
      clock.advance_ms((3600 - core::limits::kAadRefreshAheadS + 10) * 1000);
      std::string renewed;
      ASSERT_TRUE(tokens
                      .acquire(kTenant,
                               [&](const core::Result<m365::AadToken>& t) {
                                 if (t.ok()) renewed = t->access_token;
                               })
                      .ok());
      ASSERT_TRUE(run_until(loop, [&] { return !renewed.empty(); }));
      EXPECT_NE(renewed, got[0]);
      EXPECT_EQ(aad.stat("tokenRequests"), 2);

      // A wrong secret: AAD's AADSTS answer is logged verbatim, the secret never.
      tokens.set_credentials(kAadClientId, "wrong-aad-secret-Xy12");
      bool failed = false;
      core::Errc code = core::Errc::Internal;
      ASSERT_TRUE(tokens
                      .acquire(kTenant,
                               [&](const core::Result<m365::AadToken>& t) {
                                 failed = !t.ok();
                                 if (!t.ok()) code = t.error().code;
                               })
                      .ok());
      ASSERT_TRUE(run_until(loop, [&] { return failed; }));
      EXPECT_EQ(code, core::Errc::Config);
      EXPECT_NE(tokens.last_error().find("AADSTS7000215: Invalid client secret provided."),
                std::string::npos);
      // Destroyed with a request in flight: the callback is dropped, nothing leaks or runs late.
      aad.control("/delay?ms=2000");
      tokens.set_credentials(kAadClientId, kAadSecret);
      ASSERT_TRUE(tokens
                      .acquire(kTenant,
                               [](const core::Result<m365::AadToken>&) {
                                 ADD_FAILURE() << "a dropped callback ran";
                               })
                      .ok());
      loop.run(UV_RUN_NOWAIT);
    }
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
  }
  core::log::set_sink(nullptr);
  EXPECT_NE(logs.text.find("AADSTS7000215: Invalid client secret provided."), std::string::npos)
      << logs.text;
  EXPECT_NE(logs.text.find("\"aadsts\":\"AADSTS7000215\""), std::string::npos) << logs.text;
  expect_no_secret(logs.text, {kAadSecret, "wrong-aad-secret-Xy12"}, "the token client log");
}
