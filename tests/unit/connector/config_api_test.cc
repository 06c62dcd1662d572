// Setup/Configuration handlers over a MemoryStore on a real loop: the GET shape (secrets only
// as "...Set"), POST merge rules, validation messages, serialised concurrent saves.
#include "connector/config_api.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "store/memory_store.h"
#include "uv/loop.h"

using namespace connector;

namespace {

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

class ConfigApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::make_unique<store::MemoryStore>(loop.get(), clock);
    api = std::make_unique<ConfigApi>(*store);
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
  }
  std::shared_ptr<Capture> send(const http::Handler& h, std::string body = {}) {
    auto cap = std::make_shared<Capture>();
    auto link = std::make_shared<http::ExchangeLink>();
    link->target = cap.get();
    links.push_back(link);
    http::Request req;
    req.body = std::move(body);
    h(req, http::Responder(link));
    return cap;
  }
  http::Response run_one(const http::Handler& h, std::string body = {}) {
    auto cap = send(h, std::move(body));
    loop.run();
    EXPECT_EQ(cap->sent.size(), 1u);
    return cap->sent.empty() ? http::Response{} : cap->sent[0];
  }

  uv::Loop loop;
  core::ManualClock clock;
  std::unique_ptr<store::MemoryStore> store;
  std::unique_ptr<ConfigApi> api;
  std::vector<std::shared_ptr<http::ExchangeLink>> links;
};

constexpr char kAll[] =
    R"({"TwitterApiKeyValue":"ck-1111","TwitterApiSecretKeyValue":"cs-2222","TwitterAccessTokenValue":"at-3333",)"
    R"("TwitterAccessTokenSecretValue":"as-4444","AADAppIdValue":"app-5555","AADAppSecretValue":"aad-6666"})";
const char* const kSecrets[] = {"ck-1111", "cs-2222", "at-3333", "as-4444", "aad-6666"};

}  // namespace

TEST_F(ConfigApiTest, ValidateAnswersStatusTrue) {
  http::Response r = run_one(ConfigApi::validate_handler());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Status":true,"Message":null})");
}

TEST_F(ConfigApiTest, EmptyConfigurationShowsNothingSet) {
  http::Response r = run_one(api->get_handler());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      r.body,
      R"({"TwitterApiKeyValue":null,"TwitterApiKeySet":false,"TwitterApiSecretKeyValue":null,)"
      R"("TwitterApiSecretKeySet":false,"TwitterAccessTokenValue":null,"TwitterAccessTokenSet":false,)"
      R"("TwitterAccessTokenSecretValue":null,"TwitterAccessTokenSecretSet":false,"AADAppIdValue":null,)"
      R"("AADAppIdSet":false,"AADAppSecretValue":null,"AADAppSecretSet":false})");
}

TEST_F(ConfigApiTest, PostStoresAllSixAndGetNeverReturnsASecret) {
  http::Response p = run_one(api->post_handler(), kAll);
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.body, "true");
  http::Response g = run_one(api->get_handler());
  EXPECT_EQ(
      g.body,
      R"({"TwitterApiKeyValue":null,"TwitterApiKeySet":true,"TwitterApiSecretKeyValue":null,)"
      R"("TwitterApiSecretKeySet":true,"TwitterAccessTokenValue":null,"TwitterAccessTokenSet":true,)"
      R"("TwitterAccessTokenSecretValue":null,"TwitterAccessTokenSecretSet":true,"AADAppIdValue":"app-5555",)"
      R"("AADAppIdSet":true,"AADAppSecretValue":null,"AADAppSecretSet":true})");
  for (const char* s : kSecrets) EXPECT_EQ(g.body.find(s), std::string::npos) << s;
  bool read = false;
  store->get_settings([&](core::Result<store::Settings> s) {
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->twitter_api_key, "ck-1111");
    EXPECT_EQ(s->twitter_api_secret_key, "cs-2222");
    EXPECT_EQ(s->twitter_access_token, "at-3333");
    EXPECT_EQ(s->twitter_access_token_secret, "as-4444");
    EXPECT_EQ(s->aad_app_id, "app-5555");
    EXPECT_EQ(s->aad_app_secret, "aad-6666");
    read = true;
  });
  loop.run();
  EXPECT_TRUE(read);
}

TEST_F(ConfigApiTest, EmptyOrMissingKeysKeepTheStoredValue) {
  run_one(api->post_handler(), kAll);
  http::Response p =
      run_one(api->post_handler(),
              R"({"TwitterApiKeyValue":"","AADAppSecretValue":"aad-new","AADAppIdValue":null})");
  EXPECT_EQ(p.body, "true");
  bool read = false;
  store->get_settings([&](core::Result<store::Settings> s) {
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->twitter_api_key, "ck-1111");
    EXPECT_EQ(s->aad_app_secret, "aad-new");
    EXPECT_EQ(s->aad_app_id, "app-5555");
    EXPECT_EQ(s->twitter_access_token_secret, "as-4444");
    read = true;
  });
  loop.run();
  EXPECT_TRUE(read);
}

TEST_F(ConfigApiTest, MalformedBodiesAre400WithAClearMessage) {
  http::Response r = run_one(api->post_handler(), "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not valid JSON"), std::string::npos);
  r = run_one(api->post_handler(), "[1,2]");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("must be a JSON object"), std::string::npos);
  r = run_one(api->post_handler(), R"({"TwitterApiKeyValue":42})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("TwitterApiKeyValue must be a string"), std::string::npos);
  r = run_one(api->post_handler(), "{\"AADAppSecretValue\":\"abc\\n\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("control character"), std::string::npos);
  r = run_one(api->post_handler(), "{\"AADAppSecretValue\":\"" +
                                       std::string(core::limits::kMaxStoreValueBytes + 1, 'x') +
                                       "\"}");
  EXPECT_EQ(r.status, 413);
  r = run_one(api->post_handler(), std::string(core::limits::kMaxConfigurationBodyBytes + 1, ' '));
  EXPECT_EQ(r.status, 413);
  // Nothing was stored by the refused bodies.
  http::Response g = run_one(api->get_handler());
  EXPECT_NE(g.body.find(R"("AADAppSecretSet":false)"), std::string::npos);
}

TEST_F(ConfigApiTest, ConcurrentSavesDoNotLoseEachOther) {
  int saved = 0;
  api->on_saved([&](const store::Settings&) { ++saved; });
  auto a = send(api->post_handler(), R"({"TwitterApiKeyValue":"first"})");
  auto b = send(api->post_handler(), R"({"AADAppIdValue":"second"})");
  loop.run();
  ASSERT_EQ(a->sent.size(), 1u);
  ASSERT_EQ(b->sent.size(), 1u);
  EXPECT_EQ(a->sent[0].body, "true");
  EXPECT_EQ(b->sent[0].body, "true");
  EXPECT_EQ(saved, 2);
  http::Response g = run_one(api->get_handler());
  EXPECT_NE(g.body.find(R"("TwitterApiKeySet":true)"), std::string::npos);
  EXPECT_NE(g.body.find(R"("AADAppIdValue":"second")"), std::string::npos);
}

TEST_F(ConfigApiTest, TooManyQueuedSavesAre503) {
  std::vector<std::shared_ptr<Capture>> caps;
  for (size_t i = 0; i < core::limits::kMaxQueuedConfigurationUpdates + 1; ++i)
    caps.push_back(send(api->post_handler(), R"({"AADAppIdValue":"x"})"));
  ASSERT_EQ(caps.back()->sent.size(), 1u);
  EXPECT_EQ(caps.back()->sent[0].status, 503);
  loop.run();
  for (size_t i = 0; i + 1 < caps.size(); ++i) EXPECT_EQ(caps[i]->sent.at(0).body, "true");
}
