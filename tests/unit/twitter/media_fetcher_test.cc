// Pure parts of the network side: Base64Encoder and Base64Sink (fed whole, byte by byte and in odd
// pieces, restarted by a retried attempt), identity parsing of both API versions, and the signed
// request ApiClient builds (headers, no client retries, page body cap).
#include "twitter/media_fetcher.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "oauth/signer.h"
#include "twitter/api_client.h"
#include "uv/loop.h"

using namespace twitter;

namespace {
std::string bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 37 + 11) & 0xff);
  return s;
}
}  // namespace

TEST(Base64Sink, WholeAndByteByByteMatchTheCodec) {
  for (size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 100u, 1001u}) {
    std::string in = bytes(n);
    Base64Sink whole;
    ASSERT_TRUE(whole.on_data(in).ok());
    EXPECT_EQ(whole.finish(), core::base64_encode(in)) << n;
    Base64Sink one;
    for (char c : in) ASSERT_TRUE(one.on_data(std::string_view(&c, 1)).ok());
    EXPECT_EQ(one.finish(), core::base64_encode(in)) << n;
    for (size_t piece : {2u, 4u, 5u, 7u}) {
      Base64Sink odd;
      for (size_t at = 0; at < in.size(); at += piece)
        ASSERT_TRUE(odd.on_data(std::string_view(in).substr(at, piece)).ok());
      EXPECT_EQ(odd.finish(), core::base64_encode(in)) << n << " in pieces of " << piece;
    }
  }
}

TEST(Base64Encoder, AnyCutGivesTheCodecsTextAndFinishEmpties) {
  for (size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 97u, 3000u}) {
    std::string in = bytes(n);
    for (size_t piece : {1u, 2u, 3u, 5u, 64u, 4096u}) {
      Base64Encoder enc;
      std::string out;
      for (size_t at = 0; at < in.size(); at += piece) {
        size_t before = out.size();
        enc.append(std::string_view(in).substr(at, piece), &out);
        EXPECT_EQ((out.size() - before) % 4, 0u);  // whole groups only, no padding yet
      }
      enc.finish(&out);
      EXPECT_EQ(out, core::base64_encode(in)) << n << " in pieces of " << piece;
      enc.finish(&out);  // nothing left
      EXPECT_EQ(out, core::base64_encode(in));
    }
  }
}

TEST(Base64Sink, ARetriedAttemptStartsOver) {
  Base64Sink s;
  http::ClientResponse head;
  ASSERT_TRUE(s.on_start(head).ok());
  ASSERT_TRUE(s.on_data("abcde").ok());
  ASSERT_TRUE(s.on_start(head).ok());
  ASSERT_TRUE(s.on_data("xy").ok());
  EXPECT_EQ(s.finish(), core::base64_encode("xy"));
}

TEST(Identity, ParsesBothVersions) {
  auto v2 = parse_identity(ApiVersion::V2, R"({"data":{"id":"42","name":"A B","username":"ab"}})",
                           nullptr);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->id, "42");
  EXPECT_EQ(v2->name, "A B");
  EXPECT_EQ(v2->username, "ab");
  auto v1 = parse_identity(
      ApiVersion::V1,
      R"({"id":42,"id_str":"42","name":"A B","screen_name":"ab","protected":false})", nullptr);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->id, "42");
  EXPECT_EQ(v1->username, "ab");
}

TEST(Identity, RefusesWhatIsNotAnIdentity) {
  std::string why;
  EXPECT_EQ(parse_identity(ApiVersion::V2, "not json", &why).error().code, core::Errc::Parse);
  EXPECT_NE(why.find("not JSON"), std::string::npos);
  EXPECT_FALSE(parse_identity(ApiVersion::V2, R"({"data":{"username":"ab"}})", &why).ok());
  EXPECT_NE(why.find("id"), std::string::npos);
  EXPECT_FALSE(parse_identity(ApiVersion::V1, R"({"id":42,"screen_name":"ab"})", &why)
                   .ok());  // number id only
  EXPECT_FALSE(
      parse_identity(ApiVersion::V2, R"({"data":{"id":"x1","username":"ab"}})", &why).ok());
}

TEST(ApiClient, SignedGetIsOAuthSignedWithoutClientRetries) {
  uv::Loop loop;
  auto http = http::Client::create(loop, {});
  ASSERT_TRUE(http.ok());
  core::ManualClock clock(1700000000000);
  core::SeededRng rng(7), same(7);
  ApiSettings s;
  s.base = "https://api.example.test/";
  s.max_page_bytes = 12345;
  ApiClient api(loop, **http, {"ck", "cs", "tk", "ts"}, s, clock, rng);
  auto req = api.signed_get("/2/users/42/tweets?max_results=100");
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->url, "https://api.example.test/2/users/42/tweets?max_results=100");
  EXPECT_EQ(req->retry.max_attempts, 1u);
  EXPECT_EQ(req->max_body_bytes, 12345u);
  const std::string* auth = http::find_header(req->headers, "authorization");
  ASSERT_TRUE(auth);
  oauth::SignInput in;
  in.method = "GET";
  in.url = req->url;
  in.consumer_key = "ck";
  in.consumer_secret = "cs";
  in.token = "tk";
  in.token_secret = "ts";
  in.stamp = oauth::make_stamp(clock, same);
  auto want = oauth::sign(in);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(*auth, want->authorization);
  // A second request carries a new nonce.
  auto again = api.signed_get("/2/users/42/tweets?max_results=100");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*http::find_header(again->headers, "authorization"), *auth);
  http->reset();
  loop.run();
  EXPECT_EQ(loop.live_handles(), 0);
}
