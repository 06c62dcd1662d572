// twitter::ApiClient, TimelineWalk and MediaFetcher against the fake X API
// (tests/support/fake_twitter.js) over TLS with the test CA: the fake verifies every OAuth
// signature and nonce. Whole v2 and v1.1 timelines gap-free (also after more than a page of new
// posts), rate-limit waits and RateLimited-until, 503 and mid-body resets retried with fresh
// signatures, revoked tokens, 453 on v1.1, identity, media within and over the cap, and
// `map --download-media` end to end. Each test counts callbacks and ends with a clean loop.
#include <gtest/gtest.h>

#include <mbedtls/sha256.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/metrics.h"
#include "http/client.h"
#include "json/json.h"
#include "support/subprocess.h"
#include "support/test_servers.h"
#include "twitter/api_client.h"
#include "twitter/media_fetcher.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using core::Errc;

const char* kCK = "it-consumer";
const char* kCS = "it consumer secret";
const char* kTK = "it-token";
const char* kTS = "it token secret";

struct Watchdog final : uv::Timer::Handler {
  uv::Loop* loop = nullptr;
  bool fired = false;
  void on_timer(uv::Timer*) override {
    fired = true;
    loop->stop();
  }
};

// The fake's media bytes for a path (see fake_twitter.js "Media bytes").
std::string media_bytes(const std::string& path, size_t n) {
  unsigned char h[32];
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(path.data()), path.size(), h, 0);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((h[0] + i * 131 + (i >> 11)) & 0xff);
  return out;
}

// The fake's default size for a path: 1024 + 16 * (second byte of SHA-256(path)).
size_t default_media_size(const std::string& path) {
  unsigned char h[32];
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(path.data()), path.size(), h, 0);
  return 1024 + 16 * static_cast<size_t>(h[1]);
}

struct CountingSink final : http::BodySink {
  uint64_t bytes = 0;
  int starts = 0;
  core::Status on_start(const http::ClientResponse&) override {
    ++starts;
    bytes = 0;
    return core::ok_status();
  }
  core::Status on_data(std::string_view d) override {
    bytes += d.size();
    return core::ok_status();
  }
};

class TwitterApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(test_pki_dir().empty());
    start_fake(250);
    std::string msg;
    http::Client::Options o;
    o.ca_file = test_pki_dir() + "/ca.crt";
    auto c = http::Client::create(loop_, std::move(o), &msg);
    ASSERT_TRUE(c.ok()) << msg;
    http_ = std::move(*c);
  }
  void TearDown() override {
    api_.reset();
    http_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
    if (fake_) EXPECT_EQ(fake_->stop(), 0);
  }
  void start_fake(int synthetic) {
    fake_ = std::make_unique<Subprocess>(
        Subprocess::Options{{"node",
                             project_root() + "/tests/support/fake_twitter.js",
                             "--synthetic",
                             std::to_string(synthetic),
                             "--cert",
                             test_pki_dir() + "/good.crt",
                             "--key",
                             test_pki_dir() + "/good.key",
                             "--consumer-key",
                             kCK,
                             "--consumer-secret",
                             kCS,
                             "--token",
                             kTK,
                             "--token-secret",
                             kTS,
                             "--user-id",
                             "4113725063",
                             "--max-lifetime",
                             "120"}});
    auto line = fake_->wait_for_line("listening on 127.0.0.1:");
    ASSERT_TRUE(line) << fake_->output();
    port_ = std::stoi(line->substr(line->rfind(':') + 1));
  }
  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
  void make_api(twitter::ApiVersion v, int64_t max_wait_ms = 10'000,
                std::string token_secret = kTS) {
    twitter::ApiSettings s;
    s.base = base();
    s.version = v;
    s.max_rate_wait_ms = max_wait_ms;
    api_ = std::make_unique<twitter::ApiClient>(
        loop_, *http_, twitter::Credentials{kCK, kCS, kTK, std::move(token_secret)}, s, clock_,
        rng_, &metrics_);
  }
  void run_loop(uint64_t limit_ms = 30000) {
    Watchdog w;
    w.loop = &loop_;
    auto t = uv::Timer::create(loop_.get(), &w);
    t->unref();
    t->start(limit_ms);
    loop_.run();
    t.reset();
    EXPECT_FALSE(w.fired) << "loop still busy after " << limit_ms << " ms";
  }
  // Unsigned control request (POST /__control or GET /__control/state) through the client.
  std::string control(const std::string& method, const std::string& path,
                      const std::string& body = "") {
    http::ClientRequest req;
    req.method = method;
    req.url = base() + path;
    req.body = body;
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    std::string out;
    int calls = 0;
    auto id = http::fetch(*http_, std::move(req), [&](http::ClientResult& r) {
      ++calls;
      EXPECT_TRUE(r.ok) << r.message;
      EXPECT_EQ(r.response.status, 200) << r.response.body;
      out = r.response.body;
    });
    EXPECT_TRUE(id.ok());
    run_loop();
    EXPECT_EQ(calls, 1);
    return out;
  }
  std::vector<uint64_t> server_ids() {
    auto root = json::parse(control("GET", "/__control/state"));
    EXPECT_TRUE(root.ok());
    std::vector<uint64_t> ids;
    const cJSON* id;
    cJSON_ArrayForEach(id, json::get_array(root->get(), "ids"))
        ids.push_back(*json::parse_u64(id->valuestring));
    return ids;
  }
  twitter::Identity identity() {
    twitter::Identity out;
    int calls = 0;
    ASSERT_OK_IDENTITY(&out, &calls);
    return out;
  }
  void ASSERT_OK_IDENTITY(twitter::Identity* out, int* calls) {
    auto st =
        api_->fetch_identity([&](core::Result<twitter::Identity> r, const twitter::ApiFailure& f) {
          ++*calls;
          ASSERT_TRUE(r.ok()) << f.message;
          *out = *r;
        });
    ASSERT_TRUE(st.ok());
    run_loop();
    EXPECT_EQ(*calls, 1);
  }
  // One whole walk; ids delivered in order, the page callback count and the result.
  twitter::WalkResult walk(const std::string& user_id, std::optional<uint64_t> since,
                           std::vector<uint64_t>* ids, int* page_calls) {
    twitter::WalkResult out;
    int done_calls = 0;
    twitter::TimelineWindow w;
    w.since_id = since;
    auto walk = std::make_unique<twitter::TimelineWalk>(
        *api_, user_id, w,
        [&](const twitter::Page& page, const twitter::PageOutcome& o) {
          ++*page_calls;
          for (size_t i : o.accepted) ids->push_back(page.tweets[i].id);
          return core::ok_status();
        },
        [&](twitter::WalkResult& r) {
          ++done_calls;
          out = std::move(r);
        });
    auto st = walk->start();
    EXPECT_TRUE(st.ok());
    run_loop(60000);
    EXPECT_EQ(done_calls, 1);
    return out;
  }
  // A whole timeline, then more than one page of new posts from the saved cursor.
  void gap_free(twitter::ApiVersion v, size_t add, size_t min_new_pages) {
    make_api(v);
    std::string uid = v == twitter::ApiVersion::V2 ? identity().id : "";
    std::vector<uint64_t> got;
    int pages = 0;
    auto r = walk(uid, std::nullopt, &got, &pages);
    ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Done) << r.failure.message;
    std::vector<uint64_t> want = server_ids();
    EXPECT_EQ(got, want);  // every tweet once, newest first: none missed, none repeated
    EXPECT_EQ(static_cast<size_t>(pages), r.pages);
    EXPECT_EQ(r.tweets, want.size());
    ASSERT_TRUE(r.newest_id);
    EXPECT_EQ(*r.newest_id, want.front());
    control("POST", "/__control", "{\"add_tweets\":" + std::to_string(add) + "}");
    std::vector<uint64_t> more;
    int more_pages = 0;
    auto r2 = walk(uid, r.newest_id, &more, &more_pages);
    ASSERT_EQ(r2.kind, twitter::WalkResult::Kind::Done) << r2.failure.message;
    std::vector<uint64_t> all = server_ids();
    ASSERT_EQ(all.size(), want.size() + add);
    EXPECT_EQ(more, std::vector<uint64_t>(all.begin(), all.begin() + static_cast<long>(add)));
    EXPECT_GE(r2.pages, min_new_pages);
    EXPECT_EQ(*r2.newest_id, all.front());
    // A third run with nothing new keeps the cursor.
    std::vector<uint64_t> none;
    int none_pages = 0;
    auto r3 = walk(uid, r2.newest_id, &none, &none_pages);
    ASSERT_EQ(r3.kind, twitter::WalkResult::Kind::Done) << r3.failure.message;
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(*r3.newest_id, *r2.newest_id);
  }

  uv::Loop loop_;
  core::SystemClock clock_;
  core::SystemRng rng_;
  core::Metrics metrics_;
  std::unique_ptr<Subprocess> fake_;
  int port_ = 0;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<twitter::ApiClient> api_;
};

TEST_F(TwitterApiTest, IdentityV2AndV11) {
  make_api(twitter::ApiVersion::V2);
  twitter::Identity a = identity();
  EXPECT_EQ(a.id, "4113725063");
  EXPECT_EQ(a.username, "twitter_testaccount");
  EXPECT_EQ(a.name, "Contoso Media");
  make_api(twitter::ApiVersion::V1);
  twitter::Identity b = identity();
  EXPECT_EQ(b.id, "4113725063");
  EXPECT_EQ(b.username, "twitter_testaccount");
  EXPECT_EQ(b.name, "Contoso Media");
}

TEST_F(TwitterApiTest, V2TimelineGapFreeAcrossRuns) { gap_free(twitter::ApiVersion::V2, 150, 2); }

TEST_F(TwitterApiTest, V11TimelineGapFreeAcrossRuns) { gap_free(twitter::ApiVersion::V1, 260, 2); }

TEST_F(TwitterApiTest, RateLimitWithinBoundWaitsAndResumes) {
  make_api(twitter::ApiVersion::V2);
  std::string uid = identity().id;
  control("POST", "/__control",
          R"({"inject":[{"status":429,"reset_in":1,"match":"/2/users/4113725063/tweets"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk(uid, std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Done) << r.failure.message;
  EXPECT_EQ(r.rate_waits, 1u);
  EXPECT_EQ(got, server_ids());
  EXPECT_EQ(
      metrics_
          .counter("twitter_rate_limit_waits_total", "bounded waits for an X API rate-limit reset")
          .value(),
      1);
}

TEST_F(TwitterApiTest, RateLimitBeyondBoundIsRateLimitedUntil) {
  make_api(twitter::ApiVersion::V1, 2000);
  control("POST", "/__control",
          R"({"inject":[{"status":429,"reset_in":120,"match":"/1.1/statuses"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  int64_t now = time(nullptr);
  auto r = walk("", std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::RateLimited) << r.failure.message;
  EXPECT_EQ(r.failure.error.code, Errc::RateLimited);
  EXPECT_GE(r.failure.rate_limited_until_s, now + 118);
  EXPECT_LE(r.failure.rate_limited_until_s, now + 122);
  EXPECT_FALSE(r.newest_id);  // the cursor must not move
  EXPECT_EQ(pages, 0);
  EXPECT_EQ(r.rate_waits, 0u);
}

TEST_F(TwitterApiTest, ServiceUnavailableIsRetriedWithFreshSignature) {
  make_api(twitter::ApiVersion::V2);
  std::string uid = identity().id;
  control("POST", "/__control",
          R"({"inject":[{"status":503,"match":"/2/users/4113725063/tweets"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk(uid, std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Done) << r.failure.message;
  EXPECT_EQ(r.retries, 1u);
  EXPECT_EQ(got, server_ids());
}

TEST_F(TwitterApiTest, ResetMidBodyIsRetried) {
  make_api(twitter::ApiVersion::V1);
  control("POST", "/__control", R"({"inject":[{"reset_mid_body":true,"match":"/1.1/statuses"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk("", std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Done) << r.failure.message;
  EXPECT_GE(r.retries, 1u);
  EXPECT_EQ(got, server_ids());
}

TEST_F(TwitterApiTest, V11FromCursorSurvivesA429AndAResetMidBody) {
  make_api(twitter::ApiVersion::V1);
  std::vector<uint64_t> all = server_ids();
  control("POST", "/__control",
          R"({"inject":[{"status":429,"reset_in":1,"match":"/1.1/statuses"},)"
          R"({"reset_mid_body":true,"match":"/1.1/statuses"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk("", all[230], &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Done) << r.failure.message;
  EXPECT_EQ(got, std::vector<uint64_t>(all.begin(), all.begin() + 230));
  EXPECT_EQ(r.rate_waits, 1u);
  EXPECT_EQ(r.retries, 1u);
  EXPECT_EQ(*r.newest_id, all.front());
}

TEST_F(TwitterApiTest, PersistentServerErrorIsReportedAfterRetries) {
  make_api(twitter::ApiVersion::V1);
  control(
      "POST", "/__control",
      R"({"inject":[{"status":503,"match":"/1.1/statuses"},{"status":503,"match":"/1.1/statuses"},)"
      R"({"status":503,"match":"/1.1/statuses"},{"status":503,"match":"/1.1/statuses"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk("", std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Failed);
  EXPECT_EQ(r.failure.api.http_status, 503);
  EXPECT_EQ(r.retries, 3u);  // four attempts in all (the client's policy)
  EXPECT_FALSE(r.failure.message.empty());
  EXPECT_EQ(pages, 0);
}

TEST_F(TwitterApiTest, RevokedTokenNeedsRelogin) {
  make_api(twitter::ApiVersion::V2);
  std::string uid = identity().id;
  control("POST", "/__control", std::string(R"({"revoke_token":")") + kTK + "\"}");
  int calls = 0;
  auto st =
      api_->fetch_identity([&](core::Result<twitter::Identity> r, const twitter::ApiFailure& f) {
        ++calls;
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, Errc::Unauthorized);
        EXPECT_TRUE(f.api.needs_relogin);
        EXPECT_NE(f.message.find("sign in"), std::string::npos) << f.message;
      });
  ASSERT_TRUE(st.ok());
  run_loop();
  EXPECT_EQ(calls, 1);
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk(uid, std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Failed);
  EXPECT_EQ(r.failure.error.code, Errc::Unauthorized);
  EXPECT_TRUE(r.failure.api.needs_relogin);
  EXPECT_EQ(r.retries, 0u);
}

TEST_F(TwitterApiTest, WrongTokenSecretIsRejectedBySignatureCheck) {
  make_api(twitter::ApiVersion::V1, 10'000, "not the secret");
  int calls = 0;
  auto st =
      api_->fetch_identity([&](core::Result<twitter::Identity> r, const twitter::ApiFailure& f) {
        ++calls;
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, Errc::Unauthorized);
        EXPECT_TRUE(f.api.needs_relogin);
      });
  ASSERT_TRUE(st.ok());
  run_loop();
  EXPECT_EQ(calls, 1);
}

TEST_F(TwitterApiTest, V11Code453SaysSwitchToV2) {
  make_api(twitter::ApiVersion::V1);
  control(
      "POST", "/__control",
      R"({"inject":[{"status":403,"match":"/1.1/statuses","body":"{\"errors\":[{\"message\":\"You currently )"
      R"(have access to a subset of X API V2 endpoints and limited v1.1 endpoints only.\",\"code\":453}]}"}]})");
  std::vector<uint64_t> got;
  int pages = 0;
  auto r = walk("", std::nullopt, &got, &pages);
  ASSERT_EQ(r.kind, twitter::WalkResult::Kind::Failed);
  EXPECT_EQ(r.failure.error.code, Errc::Forbidden);
  EXPECT_TRUE(r.failure.api.use_v2);
  EXPECT_NE(r.failure.message.find("v2"), std::string::npos) << r.failure.message;
  EXPECT_EQ(r.retries, 0u);
}

TEST_F(TwitterApiTest, PageConsumerErrorStopsTheWalkAndDoneMayDestroyIt) {
  make_api(twitter::ApiVersion::V1);
  int pages = 0, done = 0;
  twitter::WalkResult out;
  twitter::TimelineWalk* w = nullptr;
  w = new twitter::TimelineWalk(
      *api_, "", {},
      [&](const twitter::Page&, const twitter::PageOutcome&) {
        ++pages;
        return core::Status(core::make_error(Errc::Io, "upload"));
      },
      [&](twitter::WalkResult& r) {
        ++done;
        out = std::move(r);
        delete w;  // the owner drops the walk from inside its completion
        w = nullptr;
      });
  ASSERT_TRUE(w->start().ok());
  run_loop();
  EXPECT_EQ(w, nullptr);
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(out.kind, twitter::WalkResult::Kind::Failed);
  EXPECT_EQ(out.failure.error.code, Errc::Io);
  EXPECT_FALSE(out.newest_id);
}

TEST_F(TwitterApiTest, V2WithoutUserIdIsRefusedAtStart) {
  make_api(twitter::ApiVersion::V2);
  int calls = 0;
  twitter::TimelineWalk w(
      *api_, "", {},
      [&](const twitter::Page&, const twitter::PageOutcome&) { return core::ok_status(); },
      [&](twitter::WalkResult&) { ++calls; });
  EXPECT_EQ(w.start().error().code, Errc::InvalidArgument);
  run_loop();
  EXPECT_EQ(calls, 0);
}

TEST_F(TwitterApiTest, MediaWithinCapStreamsAndEncodes) {
  const std::string path = "/media/it-photo.jpg";
  control("POST", "/__control", R"({"media_size":{"path":"/media/it-photo.jpg","bytes":300001}})");
  twitter::MediaFetcher fetcher(*http_, 1 << 20);
  std::string expect = media_bytes(path, 300001);
  int calls = 0;
  std::string got;
  ASSERT_TRUE(fetcher
                  .fetch_base64(base() + path + "?name=orig",
                                [&](twitter::MediaResult& r, std::string& b64) {
                                  ++calls;
                                  EXPECT_TRUE(r.status.ok()) << r.message;
                                  EXPECT_EQ(r.bytes, 300001u);
                                  EXPECT_EQ(r.content_type, "image/jpeg");
                                  got = std::move(b64);
                                })
                  .ok());
  CountingSink sink;
  int stream_calls = 0;
  ASSERT_TRUE(fetcher
                  .fetch(base() + "/tweet_video/it.mp4", &sink,
                         [&](twitter::MediaResult& r) {
                           ++stream_calls;
                           EXPECT_TRUE(r.status.ok()) << r.message;
                           EXPECT_EQ(r.bytes, sink.bytes);
                         })
                  .ok());
  run_loop();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(stream_calls, 1);
  EXPECT_EQ(got, core::base64_encode(expect));
  EXPECT_EQ(sink.bytes, default_media_size("/tweet_video/it.mp4"));
  EXPECT_EQ(sink.starts, 1);
  EXPECT_EQ(fetcher.pending(), 0u);
}

TEST_F(TwitterApiTest, MediaOverCapIsAClearErrorWithBoundedMemory) {
  control("POST", "/__control", R"({"media_size":{"path":"/media/big.jpg","bytes":3000000}})");
  twitter::MediaFetcher fetcher(*http_, 1 << 20);
  CountingSink sink;
  int calls = 0;
  ASSERT_TRUE(fetcher
                  .fetch(base() + "/media/big.jpg", &sink,
                         [&](twitter::MediaResult& r) {
                           ++calls;
                           EXPECT_EQ(r.status.error().code, Errc::TooLarge);
                           EXPECT_NE(r.message.find("/media/big.jpg"), std::string::npos)
                               << r.message;
                           EXPECT_NE(r.message.find("CONNECTOR_MEDIA_MAX_BYTES"), std::string::npos)
                               << r.message;
                         })
                  .ok());
  run_loop();
  EXPECT_EQ(calls, 1);
  EXPECT_LE(sink.bytes, 1u << 20);
}

TEST_F(TwitterApiTest, MediaMissingIsNotFound) {
  control("POST", "/__control",
          R"({"inject":[{"status":404,"match":"/media/gone.jpg","body":"gone"}]})");
  twitter::MediaFetcher fetcher(*http_, 1 << 20);
  CountingSink sink;
  int calls = 0;
  ASSERT_TRUE(fetcher
                  .fetch(base() + "/media/gone.jpg", &sink,
                         [&](twitter::MediaResult& r) {
                           ++calls;
                           EXPECT_EQ(r.status.error().code, Errc::NotFound);
                           EXPECT_NE(r.message.find("/media/gone.jpg: HTTP 404"), std::string::npos)
                               << r.message;
                         })
                  .ok());
  run_loop();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(sink.bytes, 0u);
}

// A v1.1 page with one photo tweet whose media lives on the fake.
std::string one_photo_page(const std::string& media_url) {
  return R"([{"created_at":"Mon Jan 01 00:00:00 +0000 2024","id":1741966000000000000,)"
         R"("id_str":"1741966000000000000","full_text":"photo","display_text_range":[0,5],)"
         R"("entities":{"hashtags":[],"user_mentions":[],"urls":[],"media":[{"id_str":"7","type":"photo",)"
         R"("media_url_https":")" +
         media_url +
         R"("}]},"extended_entities":{"media":[{"id_str":"7","type":"photo","media_url_https":")" +
         media_url +
         R"("}]},"user":{"id_str":"4113725063","name":"Contoso Media","screen_name":"twitter_testaccount"},)"
         R"("favorite_count":0}])";
}

TEST_F(TwitterApiTest, MapDownloadMediaEndToEnd) {
  TempDir dir;
  control("POST", "/__control", R"({"media_size":{"path":"/media/e2e.jpg","bytes":5000}})");
  std::string file = dir.path() + "/page.json";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_TRUE(f);
  fputs(one_photo_page(base() + "/media/e2e.jpg").c_str(), f);
  fclose(f);
  std::map<std::string, std::string> env = {{"CONNECTOR_CA_FILE", test_pki_dir() + "/ca.crt"}};
  auto ok = run_command({binary_path(), "map", "--download-media", file}, 30000, env);
  ASSERT_EQ(ok.first, 0) << ok.second;
  auto item = json::parse(ok.second.substr(0, ok.second.find('\n')));
  ASSERT_TRUE(item.ok()) << ok.second;
  const cJSON* att = cJSON_GetArrayItem(json::get_array(item->get(), "ContentAttachments"), 0);
  ASSERT_TRUE(att) << ok.second;
  auto content = json::get_string(att, "Content");
  ASSERT_TRUE(content) << ok.second;
  EXPECT_EQ(*content, core::base64_encode(media_bytes("/media/e2e.jpg", 5000)));

  env["CONNECTOR_MEDIA_MAX_BYTES"] = "4096";
  auto big = run_command({binary_path(), "map", "--download-media", file}, 30000, env);
  EXPECT_EQ(big.first, 1) << big.second;
  EXPECT_NE(big.second.find("media download failed: " + base() + "/media/e2e.jpg"),
            std::string::npos)
      << big.second;
  EXPECT_NE(big.second.find("CONNECTOR_MEDIA_MAX_BYTES"), std::string::npos) << big.second;

  auto without = run_command({binary_path(), "map", file}, 30000, env);
  ASSERT_EQ(without.first, 0) << without.second;
  EXPECT_NE(without.second.find("\"Content\":null"), std::string::npos) << without.second;
}

}  // namespace
