// The setup flow end to end over real sockets: the real binary, the fake X
// (tests/support/fake_twitter.js, which verifies every OAuth signature and answers the consent
// step itself), and this test as the admin's browser. Configuration → OAuthUrl (keeping the
// cookie) → the popup's loginUrl → X's consent → X's redirect to our callback (with the
// cookie) → connected; GetEntities, SavePage, DeleteToken; then a cancelled sign-in, a
// replayed callback, a callback from another browser, a foreign loginUrl (no open redirect),
// and routes that need auth refusing without it. Nothing secret reaches the log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "core/codec.h"
#include "support/raw_http.h"
#include "support/subprocess.h"

namespace {

namespace ts = testing_support;

const char* kTenant = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const char* kApiSecret = "setup-flow-api-secret";
const char* kCK = "sf-consumer-key";
const char* kCS = "sf consumer secret";

using Headers = std::vector<std::pair<std::string, std::string>>;

ts::HttpReply request(int port, const std::string& method, const std::string& target,
                      Headers headers = {}, const std::string& body = "") {
  int fd = ts::connect_local(port);
  if (fd < 0) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  for (auto& h : headers) req += h.first + ": " + h.second + "\r\n";
  if (method == "POST")
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  ts::send_all(fd, req);
  std::string raw = ts::read_until_close(fd, 10000);
  close(fd);
  return ts::parse_reply(std::move(raw));
}

// A response header's value ("" when absent); names compare case-insensitively.
std::string header(const ts::HttpReply& r, const std::string& name) {
  std::string lower_head, want = "\r\n" + name + ":";
  for (char c : r.head) lower_head += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  for (char& c : want) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  size_t at = lower_head.find(want);
  if (at == std::string::npos) return "";
  size_t start = at + want.size();
  size_t end = r.head.find("\r\n", start);
  std::string v = r.head.substr(start, end == std::string::npos ? end : end - start);
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  return v;
}

std::string basic() {
  return "Basic " + core::base64_encode(std::string(kTenant) + ":" + kApiSecret);
}

// "http://127.0.0.1:P/path?q" → "/path?q"
std::string target_of(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

class SetupFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<ts::Subprocess>(ts::Subprocess::Options{
        {"node", ts::project_root() + "/tests/support/fake_twitter.js", "--synthetic", "3",
         "--consumer-key", kCK, "--consumer-secret", kCS, "--max-lifetime", "120"}});
    auto fl = fake_->wait_for_line("listening on 127.0.0.1:");
    ASSERT_TRUE(fl) << fake_->output();
    fake_port_ = std::stoi(fl->substr(fl->rfind(':') + 1));
    data_dir_ = tmp_.path() + "/data";
    std::vector<std::string> argv = {ts::binary_path(), "serve",      "--listen",
                                     "127.0.0.1:0",     "--data-dir", data_dir_};
    std::map<std::string, std::string> env = {
        {"CONNECTOR_TENANT_ID", kTenant},
        {"CONNECTOR_API_SECRET_KEY", kApiSecret},
        {"CONNECTOR_TWITTER_API_BASE", "http://127.0.0.1:" + std::to_string(fake_port_)},
        {"CONNECTOR_LOG_LEVEL", "debug"}};
    proc_ = std::make_unique<ts::Subprocess>(ts::Subprocess::Options{
        argv,
        env,
        {"PORT", "CONNECTOR_LISTEN", "CONNECTOR_ENCRYPTION_KEY", "CONNECTOR_AAD_APP_URI"}});
    auto line = proc_->wait_for_line("\"msg\":\"listening\"", 10000);
    ASSERT_TRUE(line) << proc_->output();
    port_ = ts::port_from_log_line(*line);
    redirect_ = "http://127.0.0.1:" + std::to_string(port_) + "/Views/TwitterOAuth";
  }
  void TearDown() override {
    if (proc_) {
      EXPECT_EQ(proc_->stop(), 0);
    }
    if (fake_) {
      EXPECT_EQ(fake_->stop(), 0);
    }
  }
  ts::HttpReply api_get(const std::string& target) {
    return request(port_, "GET", target, {{"Authorization", basic()}});
  }
  ts::HttpReply api_post(const std::string& target, const std::string& body) {
    return request(port_, "POST", target, {{"Authorization", basic()}}, body);
  }
  void configure() {
    auto r =
        api_post("/api/Configuration", std::string(R"({"TwitterApiKeyValue":")") + kCK +
                                           R"(","TwitterApiSecretKeyValue":")" + kCS + R"("})");
    ASSERT_EQ(r.status, 200) << r.raw;
  }
  // OAuthUrl: the authenticate URL and the cookie's "name=value".
  std::pair<std::string, std::string> oauth_url(const std::string& job) {
    auto r = api_get("/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=" + job +
                     "&redirectUrl=" + core::percent_encode(redirect_));
    EXPECT_EQ(r.status, 200) << r.raw;
    std::string cookie = header(r, "Set-Cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
    std::string url = r.body.size() >= 2 ? r.body.substr(1, r.body.size() - 2) : "";
    return {url, cookie.substr(0, cookie.find(';'))};
  }
  // The popup: our page redirects to X, X answers consent with a redirect to our callback.
  std::string through_x(const std::string& login_url) {
    auto popup =
        request(port_, "GET", "/Views/TwitterOAuth?loginUrl=" + core::percent_encode(login_url));
    EXPECT_EQ(popup.status, 302) << popup.raw;
    EXPECT_EQ(header(popup, "Location"), login_url);
    auto x = request(fake_port_, "GET", target_of(header(popup, "Location")));
    EXPECT_EQ(x.status, 302) << x.raw;
    std::string back = header(x, "Location");
    EXPECT_EQ(back.rfind(redirect_ + "?", 0), 0u) << back;
    return back;
  }
  ts::HttpReply callback(const std::string& back, const std::string& cookie) {
    Headers h;
    if (!cookie.empty()) h.push_back({"Cookie", cookie});
    return request(port_, "GET", target_of(back), h);
  }

  ts::TempDir tmp_;
  std::string data_dir_;
  std::unique_ptr<ts::Subprocess> fake_;
  std::unique_ptr<ts::Subprocess> proc_;
  int fake_port_ = 0;
  int port_ = 0;
  std::string redirect_;
};

}  // namespace

TEST_F(SetupFlowTest, AdminConnectsAnAccountThroughXAndTheSetupPageFinishes) {
  // Before configuration: 409 that names the Configure page.
  auto unset = api_get("/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=job-1&redirectUrl=" +
                       core::percent_encode(redirect_));
  EXPECT_EQ(unset.status, 409) << unset.raw;
  EXPECT_NE(unset.body.find("Configure page"), std::string::npos) << unset.body;
  configure();

  auto [login, cookie] = oauth_url("job-1");
  ASSERT_EQ(
      login.rfind(
          "http://127.0.0.1:" + std::to_string(fake_port_) + "/oauth/authenticate?oauth_token=", 0),
      0u)
      << login;
  std::string back = through_x(login);
  std::string verifier = back.substr(back.find("oauth_verifier=") + 15);
  auto done = callback(back, cookie);
  EXPECT_EQ(done.status, 302) << done.raw;
  EXPECT_EQ(header(done, "Location"),
            "/Views/TwitterOAuthDone?status=connected&account=twitter_testaccount");
  EXPECT_EQ(header(done, "Cache-Control"), "no-store");
  EXPECT_EQ(header(done, "Referrer-Policy"), "no-referrer");
  // The same callback again: single use.
  auto replay = callback(back, cookie);
  EXPECT_EQ(header(replay, "Location"), "/Views/TwitterOAuthDone?status=expired");

  auto entities = api_get("/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=job-1");
  EXPECT_EQ(entities.status, 200) << entities.raw;
  EXPECT_EQ(
      entities.body,
      R"([{"Id":"4113725063","Name":"twitter_testaccount","AdditionalInfo":null,"AlreadyUsed":true}])");
  auto save = api_post("/api/ConnectorSetup/SavePage?jobId=job-1&tenantId=" + std::string(kTenant),
                       R"({"Name":"twitter_testaccount","Id":"4113725063"})");
  EXPECT_EQ(save.status, 200) << save.raw;
  EXPECT_EQ(save.body, "true");
  auto del = api_get("/api/ConnectorSetup/DeleteToken?jobType=Twitter&jobId=job-1");
  EXPECT_EQ(del.status, 200) << del.raw;
  EXPECT_EQ(del.body, "true");
  auto unknown = api_get("/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=no-such-job");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body.rfind("{\"Message\":\"Failed to find job in the table", 0), 0u)
      << unknown.body;

  // The verifier never reaches the log.
  std::string out = proc_->output();
  EXPECT_EQ(out.find(verifier), std::string::npos);
  EXPECT_NE(out.find("twitter account connected"), std::string::npos);

  // The account survives a restart (the store is durable).
  EXPECT_EQ(proc_->stop(), 0);
  proc_.reset();
  std::vector<std::string> argv = {ts::binary_path(), "serve",      "--listen",
                                   "127.0.0.1:0",     "--data-dir", data_dir_};
  proc_ = std::make_unique<ts::Subprocess>(ts::Subprocess::Options{
      argv,
      {{"CONNECTOR_TENANT_ID", kTenant},
       {"CONNECTOR_API_SECRET_KEY", kApiSecret},
       {"CONNECTOR_TWITTER_API_BASE", "http://127.0.0.1:" + std::to_string(fake_port_)}},
      {"PORT", "CONNECTOR_LISTEN", "CONNECTOR_ENCRYPTION_KEY", "CONNECTOR_AAD_APP_URI"}});
  auto line = proc_->wait_for_line("\"msg\":\"listening\"", 10000);
  ASSERT_TRUE(line) << proc_->output();
  port_ = ts::port_from_log_line(*line);
  auto again = api_get("/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=job-1");
  EXPECT_EQ(again.status, 200) << again.raw;
  EXPECT_NE(again.body.find("twitter_testaccount"), std::string::npos);
}

TEST_F(SetupFlowTest, CancelledReplayedForeignBrowserAndOpenRedirectAttempts) {
  configure();
  // The user cancels at X.
  auto [login1, cookie1] = oauth_url("job-2");
  auto ctl = request(fake_port_, "POST", "/__control", {}, R"({"deny_next_authorize":true})");
  ASSERT_EQ(ctl.status, 200) << ctl.raw;
  std::string denied = through_x(login1);
  EXPECT_NE(denied.find("denied="), std::string::npos) << denied;
  auto d = callback(denied, cookie1);
  EXPECT_EQ(d.status, 302);
  EXPECT_EQ(header(d, "Location"), "/Views/TwitterOAuthDone?status=denied");

  // X's redirect arrives in a browser that did not start the sign-in (no cookie, then another
  // browser's cookie): expired, and the sign-in cannot be finished afterwards either.
  auto [login2, cookie2] = oauth_url("job-2");
  std::string back2 = through_x(login2);
  EXPECT_EQ(header(callback(back2, ""), "Location"), "/Views/TwitterOAuthDone?status=expired");
  EXPECT_EQ(header(callback(back2, cookie2), "Location"), "/Views/TwitterOAuthDone?status=expired");
  auto [login3, cookie3] = oauth_url("job-2");
  std::string back3 = through_x(login3);
  EXPECT_EQ(header(callback(back3, cookie1), "Location"), "/Views/TwitterOAuthDone?status=expired");
  auto none = api_get("/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=job-2");
  EXPECT_EQ(none.status, 400) << none.raw;

  // No open redirect through the popup page.
  for (std::string bad : {std::string("https://evil.example/oauth/authenticate?oauth_token=x"),
                          std::string("https://api.twitter.com/oauth/authenticate?oauth_token=x"),
                          "http://127.0.0.1:" + std::to_string(fake_port_) + "/__control?x=1"}) {
    auto r = request(port_, "GET", "/Views/TwitterOAuth?loginUrl=" + core::percent_encode(bad));
    EXPECT_EQ(r.status, 400) << bad << "\n" << r.raw;
    EXPECT_EQ(header(r, "Location"), "") << bad;
  }
  // A redirectUrl that is not our callback page.
  auto badcb = api_get("/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=job-2&redirectUrl=" +
                       core::percent_encode("https://evil.example/steal"));
  EXPECT_EQ(badcb.status, 400) << badcb.raw;
  // The setup API needs auth; the callback page does not.
  for (std::string t : {"/api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=j&redirectUrl=" +
                            core::percent_encode(redirect_),
                        std::string("/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=j"),
                        std::string("/api/ConnectorSetup/DeleteToken?jobType=Twitter&jobId=j")}) {
    EXPECT_EQ(request(port_, "GET", t).status, 401) << t;
  }
  EXPECT_EQ(request(port_, "POST", "/api/ConnectorSetup/StoreToken", {}, "{}").status, 401);
  EXPECT_EQ(request(port_, "POST", "/api/ConnectorSetup/SavePage?jobId=j", {}, "{}").status, 401);
  EXPECT_EQ(request(port_, "GET", "/Views/TwitterOAuth").status, 400);
}

TEST_F(SetupFlowTest, StoreTokenFinishesTheSignInLikeTheReference) {
  configure();
  auto [login, cookie] = oauth_url("job-3");
  std::string back = through_x(login);
  std::string verifier = back.substr(back.find("oauth_verifier=") + 15);
  auto r = api_post("/api/ConnectorSetup/StoreToken", R"({"temporaryAccessCode":")" + verifier +
                                                          R"(","redirectUrl":")" + redirect_ +
                                                          R"(","jobId":"job-3"})");
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, "true");
  auto e = api_get("/api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=job-3");
  EXPECT_EQ(e.status, 200) << e.raw;
  EXPECT_NE(e.body.find("\"Name\":\"twitter_testaccount\""), std::string::npos) << e.body;
  // The sign-in was used: a second StoreToken has nothing pending.
  auto again = api_post("/api/ConnectorSetup/StoreToken", R"({"temporaryAccessCode":")" + verifier +
                                                              R"(","redirectUrl":")" + redirect_ +
                                                              R"(","jobId":"job-3"})");
  EXPECT_EQ(again.status, 400) << again.raw;
  EXPECT_NE(again.body.find("no sign-in is pending"), std::string::npos) << again.body;
}
