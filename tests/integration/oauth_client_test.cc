// twitter::OAuthClient against the fake X (tests/support/fake_twitter.js) over TLS with the
// test CA: the fake verifies every signature, nonce and the request token's secret. The whole
// three-legged exchange (the consent step answered by the fake's /oauth/authenticate), and each
// refusal classified: wrong app secret, callback not in the app's list, wrong verifier, a
// request token used twice, X unreachable. Each test counts callbacks and ends with a clean loop.
#include "twitter/oauth_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/rand.h"
#include "http/client.h"
#include "support/loop_helpers.h"
#include "support/subprocess.h"
#include "support/test_servers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using twitter::OAuthFailure;

const char* kCK = "oc-consumer";
const char* kCS = "oc consumer secret";
const char* kCallback = "https://connector.example/Views/TwitterOAuth";

class OAuthClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(test_pki_dir().empty()); }
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"node",
                                     project_root() + "/tests/support/fake_twitter.js",
                                     "--synthetic",
                                     "5",
                                     "--cert",
                                     test_pki_dir() + "/good.crt",
                                     "--key",
                                     test_pki_dir() + "/good.key",
                                     "--consumer-key",
                                     kCK,
                                     "--consumer-secret",
                                     kCS,
                                     "--screen-name",
                                     "contoso_media",
                                     "--max-lifetime",
                                     "120"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    fake_ = std::make_unique<Subprocess>(Subprocess::Options{argv});
    auto line = fake_->wait_for_line("listening on 127.0.0.1:");
    ASSERT_TRUE(line) << fake_->output();
    port_ = std::stoi(line->substr(line->rfind(':') + 1));
    std::string msg;
    http::Client::Options o;
    o.ca_file = test_pki_dir() + "/ca.crt";
    auto c = http::Client::create(loop_, std::move(o), &msg);
    ASSERT_TRUE(c.ok()) << msg;
    http_ = std::move(*c);
    make_client(base());
  }
  void make_client(const std::string& b) {
    twitter::OAuthClient::Options oo;
    oo.base = b;
    oo.timeout_ms = 10'000;
    oauth_ = std::make_unique<twitter::OAuthClient>(*http_, oo, clock_, rng_);
  }
  void TearDown() override {
    oauth_.reset();
    http_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
    if (fake_) {
      EXPECT_EQ(fake_->stop(), 0);
    }
  }
  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
  void run_loop(uint64_t limit_ms = 20000) {
    Watchdog w;
    w.loop = &loop_;
    auto t = uv::Timer::create(loop_.get(), &w);
    t->unref();
    t->start(limit_ms);
    loop_.run();
    t.reset();
    EXPECT_FALSE(w.fired) << "loop still busy after " << limit_ms << " ms";
  }
  // Step 1; the failure when it fails.
  core::Result<oauth::RequestToken> request_token(oauth::AppCredentials app,
                                                  OAuthFailure* failure = nullptr) {
    std::optional<core::Result<oauth::RequestToken>> out;
    int calls = 0;
    auto st = oauth_->request_token(
        app, kCallback, [&](core::Result<oauth::RequestToken> t, const OAuthFailure& f) {
          ++calls;
          out.emplace(std::move(t));
          if (failure) *failure = f;
        });
    EXPECT_TRUE(st.ok());
    if (!st.ok()) return st.error();
    EXPECT_EQ(calls, 0);  // never from inside the call
    run_loop();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(oauth_->running(), 0u);
    return out ? std::move(*out) : core::make_error(core::Errc::Internal, "no callback");
  }
  // Step 2, as the browser does it: the fake answers consent at once with a 302 to the callback.
  std::string consent(const std::string& request_token) {
    http::ClientRequest req;
    req.url = oauth_->authenticate_url(request_token);
    req.follow_redirects = false;
    std::string location;
    auto id = http::fetch(*http_, std::move(req), [&](http::ClientResult& r) {
      ASSERT_TRUE(r.ok) << r.message;
      EXPECT_EQ(r.response.status, 302);
      if (const std::string* l = r.response.header("location")) location = *l;
    });
    EXPECT_TRUE(id.ok());
    run_loop();
    return location;
  }
  static std::string query_value(const std::string& url, const std::string& key) {
    size_t at = url.find(key + "=");
    if (at == std::string::npos) return "";
    size_t end = url.find('&', at);
    return url.substr(at + key.size() + 1,
                      end == std::string::npos ? end : end - at - key.size() - 1);
  }
  core::Result<oauth::AccessToken> access_token(const oauth::RequestToken& rt,
                                                const std::string& verifier,
                                                OAuthFailure* failure = nullptr) {
    std::optional<core::Result<oauth::AccessToken>> out;
    auto st = oauth_->access_token({kCK, kCS}, rt.token, rt.secret, verifier,
                                   [&](core::Result<oauth::AccessToken> t, const OAuthFailure& f) {
                                     out.emplace(std::move(t));
                                     if (failure) *failure = f;
                                   });
    EXPECT_TRUE(st.ok());
    if (!st.ok()) return st.error();
    run_loop();
    return out ? std::move(*out) : core::make_error(core::Errc::Internal, "no callback");
  }

  uv::Loop loop_;
  core::SystemClock& clock_ = core::SystemClock::instance();
  core::SystemRng& rng_ = core::SystemRng::instance();
  std::unique_ptr<Subprocess> fake_;
  int port_ = 0;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<twitter::OAuthClient> oauth_;
};

}  // namespace

TEST_F(OAuthClientTest, ThreeLeggedExchangeWithSignaturesVerifiedByX) {
  start();
  auto rt = request_token({kCK, kCS});
  ASSERT_TRUE(rt.ok());
  EXPECT_FALSE(rt->token.empty());
  EXPECT_FALSE(rt->secret.empty());
  std::string back = consent(rt->token);
  ASSERT_EQ(back.rfind(std::string(kCallback) + "?oauth_token=", 0), 0u) << back;
  EXPECT_EQ(query_value(back, "oauth_token"), rt->token);
  std::string verifier = query_value(back, "oauth_verifier");
  ASSERT_FALSE(verifier.empty());
  auto at = access_token(*rt, verifier);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->user_id, "4113725063");
  EXPECT_EQ(at->screen_name, "contoso_media");
  EXPECT_FALSE(at->token.empty());
  EXPECT_FALSE(at->secret.empty());
  // The request token is single use at X.
  OAuthFailure again;
  auto replay = access_token(*rt, verifier, &again);
  EXPECT_FALSE(replay.ok());
  EXPECT_EQ(again.kind, OAuthFailure::Kind::VerifierRejected);
  EXPECT_NE(again.message.find("sign in with Twitter again"), std::string::npos);
}

TEST_F(OAuthClientTest, WrongAppSecretAndWrongVerifierAreClassified) {
  start();
  OAuthFailure f;
  auto bad = request_token({kCK, "not the secret"}, &f);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(f.kind, OAuthFailure::Kind::AppCredentials);
  EXPECT_EQ(f.http_status, 401);
  EXPECT_NE(f.message.find("check Twitter Api Key and Secret on the Configure page"),
            std::string::npos)
      << f.message;
  auto unknown_key = request_token({"someone-else", kCS}, &f);
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_EQ(f.kind, OAuthFailure::Kind::AppCredentials);

  auto rt = request_token({kCK, kCS});
  ASSERT_TRUE(rt.ok());
  ASSERT_FALSE(consent(rt->token).empty());
  OAuthFailure v;
  auto wrong = access_token(*rt, "not-the-verifier", &v);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(v.kind, OAuthFailure::Kind::VerifierRejected);
  EXPECT_NE(v.detail.find("Invalid oauth_verifier"), std::string::npos) << v.detail;
}

TEST_F(OAuthClientTest, CallbackNotInTheAppsListNamesTheUrlToAdd) {
  start({"--callback-urls", "https://other.example/Views/TwitterOAuth"});
  OAuthFailure f;
  auto rt = request_token({kCK, kCS}, &f);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(f.kind, OAuthFailure::Kind::CallbackNotApproved);
  EXPECT_EQ(f.http_status, 403);
  EXPECT_NE(f.message.find(std::string("add ") + kCallback + " as a callback URL of the X app"),
            std::string::npos)
      << f.message;
}

TEST_F(OAuthClientTest, UnreachableXIsOneSentence) {
  start();
  // A port nobody listens on: the fake's own port after it stopped.
  EXPECT_EQ(fake_->stop(), 0);
  fake_.reset();
  OAuthFailure f;
  auto rt = request_token({kCK, kCS}, &f);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(f.kind, OAuthFailure::Kind::Unreachable);
  EXPECT_EQ(f.message.rfind("X could not be reached (", 0), 0u) << f.message;
}
