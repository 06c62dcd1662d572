// The setup handlers over a MemoryStore on a real loop, with X played by an in-process
// http::Server on 127.0.0.1 (canned answers, recorded Authorization headers): OAuthUrl, the
// X callback (connected, denied, expired, replayed, wrong cookie, failed exchange), the popup's
// loginUrl, StoreToken, GetEntities, SavePage, DeleteToken, and every refusal's status and
// sentence. Signatures are verified by the fake X in tests/integration/setup_flow_test.cc.
#include "connector/setup_api.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "core/clock.h"
#include "core/limits.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "http/server.h"
#include "store/memory_store.h"
#include "uv/loop.h"

using namespace connector;

namespace {

const char* kRedirect = "https://contoso.example/Views/TwitterOAuth";
const char* kTenant = "9d6e3a44-0000-4000-8000-000000000001";

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

// What the fake X answers on a path, and what it saw.
struct Canned {
  int status = 200;
  std::string body;
};

class SetupApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    answers["/oauth/request_token"] = {
        200, "oauth_token=rt1&oauth_token_secret=rts1&oauth_callback_confirmed=true"};
    answers["/oauth/access_token"] = {
        200,
        "oauth_token=4113725063-at&oauth_token_secret=ats&user_id=4113725063&screen_name="
        "contoso_media"};
    answers["/2/users/me"] = {
        200, R"({"data":{"id":"4113725063","name":"Contoso","username":"contoso_media"}})"};
    for (const char* path : {"/oauth/request_token", "/oauth/access_token"})
      x_router.post(path, fake_x(path));
    x_router.get("/2/users/me", fake_x("/2/users/me"));
    http::ServerOptions so;
    so.port = 0;
    x_server = std::make_unique<http::Server>(loop, x_router, x_metrics, so);
    ASSERT_TRUE(x_server->listen().ok());
    base = "http://127.0.0.1:" + std::to_string(x_server->port());

    store = std::make_unique<store::MemoryStore>(loop.get(), clock);
    std::string msg;
    auto c = http::Client::create(loop, {}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    client = std::move(*c);
    make_api(false);
  }
  void make_api(bool trust_proxy) {
    api.reset();
    oauth.reset();
    twitter::OAuthClient::Options oo;
    oo.base = base;
    oauth = std::make_unique<twitter::OAuthClient>(*client, oo, clock, rng);
    SetupApiOptions o;
    o.twitter_base = base;
    o.tenant_id = kTenant;
    o.trust_proxy = trust_proxy;
    api = std::make_unique<SetupApi>(loop, *store, *client, *oauth, clock, rng, o);
  }
  void TearDown() override {
    api.reset();
    oauth.reset();
    client.reset();
    x_server.reset();
    bool closed = false;
    store->close([&](core::Status) { closed = true; });
    loop.run();
    EXPECT_TRUE(closed);
    store.reset();
    loop.run();
    EXPECT_EQ(loop.live_handles(), 0);
  }

  http::Handler fake_x(std::string path) {
    return [this, path](http::Request& req, http::Responder res) {
      seen[path].push_back(std::string(req.headers.get("Authorization").value_or("")));
      const Canned& c = answers[path];
      res.respond(http::Response::text(c.status, c.body));
    };
  }

  // Runs one handler to its single answer (the fake X keeps the loop alive, so run by turns).
  http::Response call(const http::Handler& h, std::vector<std::pair<std::string, std::string>> q,
                      std::vector<std::pair<std::string, std::string>> headers = {},
                      std::string body = {}) {
    auto cap = std::make_shared<Capture>();
    auto link = std::make_shared<http::ExchangeLink>();
    link->target = cap.get();
    http::Request req;
    req.query_params = std::move(q);
    for (auto& [k, v] : headers) req.headers.add(k, v);
    req.body = std::move(body);
    req.peer_ip = "127.0.0.1";
    h(req, http::Responder(link));
    for (int turns = 0; cap->sent.empty() && turns < 100000; ++turns) loop.run(UV_RUN_ONCE);
    EXPECT_EQ(cap->sent.size(), 1u);
    link->target = nullptr;
    return cap->sent.empty() ? http::Response{} : cap->sent[0];
  }
  void configure(std::string key = "ck", std::string secret = "cs") {
    store::Settings s;
    s.twitter_api_key = std::move(key);
    s.twitter_api_secret_key = std::move(secret);
    bool done = false;
    store->put_settings(s, [&](core::Status st) {
      EXPECT_TRUE(st.ok());
      done = true;
    });
    while (!done) loop.run(UV_RUN_ONCE);
  }
  http::Response oauth_url(const std::string& job = "job1",
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    return call(api->oauth_url_handler(),
                {{"jobType", "Twitter"}, {"jobId", job}, {"redirectUrl", kRedirect}}, headers);
  }
  // The state value of a Set-Cookie answer.
  static std::string state_of(const http::Response& r) {
    std::string c(r.headers.get("Set-Cookie").value_or(""));
    size_t eq = c.find('='), semi = c.find(';');
    return eq == std::string::npos ? "" : c.substr(eq + 1, semi - eq - 1);
  }
  http::Response callback(std::vector<std::pair<std::string, std::string>> q,
                          const std::string& state) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!state.empty()) h.push_back({"Cookie", "other=1; tc_signin=" + state});
    return call(api->callback_handler(), std::move(q), h);
  }
  static std::string location(const http::Response& r) {
    return std::string(r.headers.get("Location").value_or(""));
  }
  core::Result<store::Job> job(const std::string& id) {
    std::optional<core::Result<store::Job>> out;
    store->get_job(id, [&](core::Result<store::Job> j) { out.emplace(std::move(j)); });
    while (!out) loop.run(UV_RUN_ONCE);
    return std::move(*out);
  }
  core::Status put_job(store::Job j) {
    std::optional<core::Status> out;
    store->put_job(std::move(j), [&](core::Status st) { out.emplace(st); });
    while (!out) loop.run(UV_RUN_ONCE);
    return *out;
  }
  // Takes a pending sign-in (true if it existed).
  bool take(const std::string& token) {
    std::optional<bool> out;
    store->take_pending_auth(token, [&](core::Result<store::PendingAuth> p) { out = p.ok(); });
    while (!out) loop.run(UV_RUN_ONCE);
    return *out;
  }

  uv::Loop loop;
  core::ManualClock clock{1'700'000'000'000};
  core::SeededRng rng{42};
  core::Metrics x_metrics;
  http::Router x_router;
  std::unique_ptr<http::Server> x_server;
  std::map<std::string, Canned> answers;
  std::map<std::string, std::vector<std::string>> seen;
  std::string base;
  std::unique_ptr<store::MemoryStore> store;
  std::unique_ptr<http::Client> client;
  std::unique_ptr<twitter::OAuthClient> oauth;
  std::unique_ptr<SetupApi> api;
};

}  // namespace

TEST_F(SetupApiTest, OAuthUrlReturnsXsSignInUrlStoresTheSignInAndSetsTheCookie) {
  configure();
  http::Response r = oauth_url();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "\"" + base + "/oauth/authenticate?oauth_token=rt1\"");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");
  std::string cookie(r.headers.get("Set-Cookie").value_or(""));
  EXPECT_NE(cookie.find("; HttpOnly; SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;  // plain http, no proxy
  std::string state = state_of(r);
  EXPECT_EQ(state.size(), 64u);
  // Signed with the app only, carrying the callback (oauth/three_legged does the signing).
  ASSERT_EQ(seen["/oauth/request_token"].size(), 1u);
  const std::string& auth = seen["/oauth/request_token"][0];
  EXPECT_NE(auth.find("oauth_consumer_key=\"ck\""), std::string::npos) << auth;
  EXPECT_NE(auth.find("oauth_callback=\"https%3A%2F%2Fcontoso.example%2FViews%2FTwitterOAuth\""),
            std::string::npos)
      << auth;
  EXPECT_EQ(auth.find("oauth_token="), std::string::npos) << auth;
  // The sign-in is remembered by request token, for job1, with the cookie's state.
  std::optional<store::PendingAuth> p;
  store->take_pending_auth("rt1", [&](core::Result<store::PendingAuth> a) {
    ASSERT_TRUE(a.ok());
    p = *a;
  });
  while (!p) loop.run(UV_RUN_ONCE);
  EXPECT_EQ(p->job_id, "job1");
  EXPECT_EQ(p->request_token_secret, "rts1");
  EXPECT_EQ(p->state, state);
}

TEST_F(SetupApiTest, OAuthUrlCookieIsSecureBehindATrustedHttpsProxyOnly) {
  configure();
  make_api(true);
  http::Response r = oauth_url("job1", {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(std::string(r.headers.get("Set-Cookie").value_or("")).find("; Secure"),
            std::string::npos);
  make_api(false);
  answers["/oauth/request_token"].body =
      "oauth_token=rt2&oauth_token_secret=rts2&oauth_callback_confirmed=true";
  http::Response r2 = oauth_url("job1", {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(r2.status, 200) << r2.body;
  EXPECT_EQ(std::string(r2.headers.get("Set-Cookie").value_or("")).find("Secure"),
            std::string::npos);
}

TEST_F(SetupApiTest, OAuthUrlRefusesBadQueriesAndMissingSettingsWithoutCallingX) {
  auto msg = [](const http::Response& r) { return r.body; };
  http::Response nojob =
      call(api->oauth_url_handler(), {{"jobType", "Twitter"}, {"redirectUrl", kRedirect}});
  EXPECT_EQ(nojob.status, 400);
  EXPECT_NE(msg(nojob).find("jobId is missing"), std::string::npos) << nojob.body;
  http::Response type = call(api->oauth_url_handler(),
                             {{"jobType", "Facebook"}, {"jobId", "j"}, {"redirectUrl", kRedirect}});
  EXPECT_EQ(type.status, 400);
  EXPECT_NE(type.body.find("jobType must be Twitter"), std::string::npos) << type.body;
  http::Response url =
      call(api->oauth_url_handler(),
           {{"jobType", "twitter"}, {"jobId", "j"}, {"redirectUrl", "https://evil.example/steal"}});
  EXPECT_EQ(url.status, 400);
  EXPECT_NE(url.body.find("/Views/TwitterOAuth"), std::string::npos) << url.body;
  http::Response unset = oauth_url();
  EXPECT_EQ(unset.status, 409);
  EXPECT_NE(unset.body.find("Configure page"), std::string::npos) << unset.body;
  EXPECT_TRUE(seen["/oauth/request_token"].empty());
}

TEST_F(SetupApiTest, OAuthUrlTurnsXsRefusalsInto502SentencesThatNameTheFix) {
  configure();
  answers["/oauth/request_token"] = {
      401, R"({"errors":[{"code":32,"message":"Could not authenticate you."}]})"};
  http::Response key = oauth_url();
  EXPECT_EQ(key.status, 502);
  EXPECT_NE(key.body.find("check Twitter Api Key and Secret on the Configure page"),
            std::string::npos)
      << key.body;
  answers["/oauth/request_token"] = {
      403,
      "<errors><error code=\"415\">Callback URL not approved for this client "
      "application.</error></errors>"};
  http::Response cb = oauth_url();
  EXPECT_EQ(cb.status, 502);
  EXPECT_NE(cb.body.find(std::string("add ") + kRedirect + " as a callback URL of the X app"),
            std::string::npos)
      << cb.body;
  answers["/oauth/request_token"] = {200, "oauth_token=rt1&oauth_token_secret=x"};
  http::Response bad = oauth_url();
  EXPECT_EQ(bad.status, 502);
  EXPECT_NE(bad.body.find("unexpected"), std::string::npos) << bad.body;
  EXPECT_FALSE(bad.headers.get("Set-Cookie"));
  // X down: nothing listens on the port any more.
  x_server.reset();
  http::Response down = oauth_url();
  EXPECT_EQ(down.status, 502);
  EXPECT_NE(down.body.find("X could not be reached"), std::string::npos) << down.body;
  EXPECT_FALSE(take("rt1"));  // no sign-in was stored by any of these
}

TEST_F(SetupApiTest, CallbackConnectsTheAccountOnceAndOnlyForTheBrowserThatStartedIt) {
  configure();
  store::Job existing;
  existing.job_id = "job1";
  existing.since_id = 1212092628029698048ULL;
  existing.items_imported = 7;
  ASSERT_TRUE(put_job(existing).ok());
  std::string state = state_of(oauth_url());
  http::Response r = callback({{"oauth_token", "rt1"}, {"oauth_verifier", "ver1"}}, state);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(location(r), "/Views/TwitterOAuthDone?status=connected&account=contoso_media");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(r.headers.get("Referrer-Policy").value_or(""), "no-referrer");
  EXPECT_NE(std::string(r.headers.get("Set-Cookie").value_or("")).find("Max-Age=0"),
            std::string::npos);
  ASSERT_EQ(seen["/oauth/access_token"].size(), 1u);
  const std::string& auth = seen["/oauth/access_token"][0];
  EXPECT_NE(auth.find("oauth_token=\"rt1\""), std::string::npos) << auth;
  EXPECT_NE(auth.find("oauth_verifier=\"ver1\""), std::string::npos) << auth;
  auto j = job("job1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->tenant_id, kTenant);
  EXPECT_EQ(j->twitter_user_id, "4113725063");
  EXPECT_EQ(j->screen_name, "contoso_media");
  EXPECT_EQ(j->user_token, "4113725063-at");
  EXPECT_EQ(j->user_token_secret, "ats");
  EXPECT_EQ(j->since_id, 1212092628029698048ULL);  // a reconnect keeps the cursor
  EXPECT_EQ(j->items_imported, 7u);
  // Replayed callback: the sign-in was single use.
  http::Response again = callback({{"oauth_token", "rt1"}, {"oauth_verifier", "ver1"}}, state);
  EXPECT_EQ(location(again), "/Views/TwitterOAuthDone?status=expired");
  EXPECT_EQ(seen["/oauth/access_token"].size(), 1u);
}

TEST_F(SetupApiTest, CallbackWithAWrongOrMissingCookieEndsTheSignInAsExpired) {
  configure();
  std::string state = state_of(oauth_url());
  http::Response wrong =
      callback({{"oauth_token", "rt1"}, {"oauth_verifier", "v"}}, std::string(64, '0'));
  EXPECT_EQ(location(wrong), "/Views/TwitterOAuthDone?status=expired");
  // The sign-in is gone: the right browser cannot finish it either now.
  http::Response right = callback({{"oauth_token", "rt1"}, {"oauth_verifier", "v"}}, state);
  EXPECT_EQ(location(right), "/Views/TwitterOAuthDone?status=expired");
  answers["/oauth/request_token"].body =
      "oauth_token=rt2&oauth_token_secret=rts2&oauth_callback_confirmed=true";
  state_of(oauth_url());
  http::Response none = callback({{"oauth_token", "rt2"}, {"oauth_verifier", "v"}}, "");
  EXPECT_EQ(location(none), "/Views/TwitterOAuthDone?status=expired");
  EXPECT_TRUE(seen["/oauth/access_token"].empty());
  EXPECT_EQ(job("job1").error().code, core::Errc::NotFound);
}

TEST_F(SetupApiTest, CallbackDeniedExpiredFailedAndMalformed) {
  configure();
  std::string state = state_of(oauth_url());
  http::Response denied = callback({{"denied", "rt1"}}, state);
  EXPECT_EQ(location(denied), "/Views/TwitterOAuthDone?status=denied");
  EXPECT_FALSE(take("rt1"));  // the cancelled sign-in is discarded

  answers["/oauth/request_token"].body =
      "oauth_token=rt2&oauth_token_secret=rts2&oauth_callback_confirmed=true";
  state = state_of(oauth_url());
  clock.advance_ms(core::limits::kPendingAuthTtlMs);
  http::Response late = callback({{"oauth_token", "rt2"}, {"oauth_verifier", "v"}}, state);
  EXPECT_EQ(location(late), "/Views/TwitterOAuthDone?status=expired");

  answers["/oauth/request_token"].body =
      "oauth_token=rt3&oauth_token_secret=rts3&oauth_callback_confirmed=true";
  state = state_of(oauth_url());
  answers["/oauth/access_token"] = {401, "Invalid request token."};
  http::Response failed = callback({{"oauth_token", "rt3"}, {"oauth_verifier", "v"}}, state);
  EXPECT_EQ(location(failed), "/Views/TwitterOAuthDone?status=failed");
  EXPECT_EQ(job("job1").error().code, core::Errc::NotFound);

  http::Response unknown = callback({{"oauth_token", "nope"}, {"oauth_verifier", "v"}}, state);
  EXPECT_EQ(location(unknown), "/Views/TwitterOAuthDone?status=expired");
  http::Response half = callback({{"oauth_token", "rt9"}}, state);
  EXPECT_EQ(location(half), "/Views/TwitterOAuthDone?status=expired");
  http::Response bare = callback({}, "");
  EXPECT_EQ(bare.status, 400);
  EXPECT_NE(bare.body.find("setup page"), std::string::npos);
  EXPECT_EQ(bare.headers.get("Referrer-Policy").value_or(""), "no-referrer");
}

TEST_F(SetupApiTest, LoginUrlRedirectsOnlyToXsSignInPage) {
  std::string good = base + "/oauth/authenticate?oauth_token=rt1";
  http::Response r = call(api->callback_handler(), {{"loginUrl", good}});
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(location(r), good);
  EXPECT_EQ(r.headers.get("Referrer-Policy").value_or(""), "no-referrer");
  http::Response az =
      call(api->callback_handler(), {{"loginUrl", base + "/oauth/authorize?oauth_token=x"}});
  EXPECT_EQ(az.status, 302);
  for (std::string bad : {std::string("https://evil.example/oauth/authenticate?oauth_token=rt1"),
                          std::string("/oauth/authenticate?oauth_token=rt1"),
                          base + "/oauth/access_token?oauth_token=rt1", std::string("")}) {
    http::Response b = call(api->callback_handler(), {{"loginUrl", bad}});
    EXPECT_EQ(b.status, 400) << bad;
    EXPECT_FALSE(b.headers.get("Location")) << bad;
  }
}

TEST_F(SetupApiTest, StoreTokenFinishesTheJobsLatestSignIn) {
  configure();
  auto store_token = [&](std::string body) {
    return call(api->store_token_handler(), {}, {}, std::move(body));
  };
  http::Response none = store_token(
      R"({"temporaryAccessCode":"v","redirectUrl":"https://contoso.example/Views/TwitterOAuth","jobId":"job1"})");
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.body.find("no sign-in is pending for job job1"), std::string::npos) << none.body;
  for (
      const char* bad :
      {"", "[]", R"({"redirectUrl":"https://c.example/Views/TwitterOAuth","jobId":"j"})",
       R"({"temporaryAccessCode":"v","jobId":"j"})",
       R"({"temporaryAccessCode":"v","redirectUrl":"https://c.example/Views/TwitterOAuth"})",
       R"({"temporaryAccessCode":"","redirectUrl":"https://c.example/Views/TwitterOAuth","jobId":"j"})",
       R"({"temporaryAccessCode":"v","redirectUrl":"https://c.example/","jobId":"j"})"}) {
    http::Response r = store_token(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("\"Message\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(store_token(std::string(core::limits::kMaxStoreTokenBodyBytes + 1, ' ')).status, 413);
  ASSERT_EQ(oauth_url().status, 200);
  http::Response ok = store_token(
      R"({"temporaryAccessCode":"ver9","redirectUrl":"https://contoso.example/Views/TwitterOAuth","jobId":"job1"})");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "true");
  ASSERT_EQ(seen["/oauth/access_token"].size(), 1u);
  EXPECT_NE(seen["/oauth/access_token"][0].find("oauth_verifier=\"ver9\""), std::string::npos);
  EXPECT_EQ(job("job1")->screen_name, "contoso_media");
  // X refusing the verifier: 502 with the sentence.
  answers["/oauth/request_token"].body =
      "oauth_token=rt2&oauth_token_secret=rts2&oauth_callback_confirmed=true";
  ASSERT_EQ(oauth_url().status, 200);
  answers["/oauth/access_token"] = {401, "Error processing your OAuth request"};
  http::Response refused = store_token(
      R"({"temporaryAccessCode":"bad","redirectUrl":"https://contoso.example/Views/TwitterOAuth","jobId":"job1"})");
  EXPECT_EQ(refused.status, 502);
  EXPECT_NE(refused.body.find("sign in with Twitter again"), std::string::npos) << refused.body;
}

TEST_F(SetupApiTest, GetEntitiesSavePageAndDeleteToken) {
  configure();
  auto entities = [&](const std::string& job_id) {
    return call(api->get_entities_handler(), {{"jobType", "Twitter"}, {"jobId", job_id}});
  };
  http::Response unknown = entities("job1");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("{\"Message\":\"Failed to find job in the table"), std::string::npos)
      << unknown.body;
  http::Response save_unknown =
      call(api->save_page_handler(), {{"jobId", "job1"}, {"tenantId", kTenant}});
  EXPECT_EQ(save_unknown.status, 400);
  EXPECT_NE(save_unknown.body.find("Failed to find job in the table"), std::string::npos);

  std::string state = state_of(oauth_url());
  ASSERT_EQ(location(callback({{"oauth_token", "rt1"}, {"oauth_verifier", "v"}}, state)),
            "/Views/TwitterOAuthDone?status=connected&account=contoso_media");
  http::Response e = entities("job1");
  EXPECT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(
      e.body,
      R"([{"Id":"4113725063","Name":"contoso_media","AdditionalInfo":null,"AlreadyUsed":true}])");
  ASSERT_EQ(seen["/2/users/me"].size(), 1u);
  EXPECT_NE(seen["/2/users/me"][0].find("oauth_token=\"4113725063-at\""), std::string::npos);
  EXPECT_EQ(api->identity_lookups(), 0u);

  http::Response saved = call(api->save_page_handler(), {{"jobId", "job1"}, {"tenantId", kTenant}});
  EXPECT_EQ(saved.status, 200);
  EXPECT_EQ(saved.body, "true");

  answers["/2/users/me"] = {401, R"({"title":"Unauthorized","status":401})"};
  http::Response revoked = entities("job1");
  EXPECT_EQ(revoked.status, 409);
  EXPECT_NE(revoked.body.find("sign in with Twitter again"), std::string::npos) << revoked.body;
  x_server.reset();
  http::Response down = entities("job1");
  EXPECT_EQ(down.status, 502);
  EXPECT_NE(down.body.find("X could not be reached"), std::string::npos) << down.body;
  EXPECT_EQ(api->identity_lookups(), 0u);

  EXPECT_EQ(call(api->get_entities_handler(), {{"jobType", "Slack"}, {"jobId", "job1"}}).status,
            400);

  // DeleteToken discards the job's pending sign-ins (and is fine when there are none).
  answers.clear();
  store::PendingAuth p{"rt-left", "s", "job1", "st", 0};
  bool put = false;
  store->put_pending_auth(p, [&](core::Status st) {
    EXPECT_TRUE(st.ok());
    put = true;
  });
  while (!put) loop.run(UV_RUN_ONCE);
  http::Response del =
      call(api->delete_token_handler(), {{"jobType", "Twitter"}, {"jobId", "job1"}});
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(del.body, "true");
  EXPECT_FALSE(take("rt-left"));
  EXPECT_EQ(call(api->delete_token_handler(), {{"jobType", "Twitter"}, {"jobId", "other"}}).body,
            "true");
  EXPECT_EQ(call(api->delete_token_handler(), {{"jobType", "Twitter"}}).status, 400);
}
