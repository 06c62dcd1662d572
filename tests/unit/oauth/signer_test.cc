// RFC 5849 signing against every vector of twitter-api.md §1-2, plus property tests.
#include "oauth/signer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/codec.h"

using namespace oauth;

namespace {

const char* kCk = "xvz1evFS4wEEPTGEFPHBog";
const char* kCs = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
const char* kTok = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
const char* kTs = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
const Stamp kStamp{"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", "1318622958"};

Signed sign_tv1(const char* url) {
  static Params body;
  auto b =
      parse_pairs("status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21");
  EXPECT_TRUE(b.ok());
  body = *b;
  SignInput in;
  in.method = "POST";
  in.url = url;
  in.form_body = &body;
  in.consumer_key = kCk;
  in.consumer_secret = kCs;
  in.token = kTok;
  in.token_secret = kTs;
  in.stamp = kStamp;
  auto s = sign(in);
  EXPECT_TRUE(s.ok());
  return *s;
}

}  // namespace

TEST(OAuthPercent, XDocsExamples) {
  EXPECT_EQ(core::percent_encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
  EXPECT_EQ(core::percent_encode("An encoded string!"), "An%20encoded%20string%21");
  EXPECT_EQ(core::percent_encode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
  EXPECT_EQ(core::percent_encode("\xE2\x98\x83"), "%E2%98%83");
  EXPECT_EQ(core::percent_encode("-._~AZaz09"), "-._~AZaz09");
}

TEST(OAuthSigner, Tv1ParameterStringKeyAndBaseString) {
  Signed s = sign_tv1("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
  EXPECT_EQ(
      s.base_string,
      "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26"
      "oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%"
      "3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26"
      "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-"
      "GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%"
      "2520%252B%2520"
      "Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521");
  EXPECT_EQ(
      signing_key(kCs, kTs),
      "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");
  auto body =
      parse_pairs("status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21");
  ASSERT_TRUE(body.ok());
  Params all = *body;
  all.push_back({"include_entities", "true"});
  for (auto [n, v] : std::initializer_list<std::pair<const char*, const char*>>{
           {"oauth_consumer_key", kCk},
           {"oauth_nonce", kStamp.nonce.c_str()},
           {"oauth_signature_method", "HMAC-SHA1"},
           {"oauth_timestamp", "1318622958"},
           {"oauth_token", kTok},
           {"oauth_version", "1.0"}})
    all.push_back({n, v});
  EXPECT_EQ(normalize_parameters(all),
            "include_entities=true&oauth_consumer_key=xvz1evFS4wEEPTGEFPHBog&oauth_nonce="
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
            "&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1318622958&oauth_token=370773112-"
            "GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb&oauth_version=1.0&status=Hello%20Ladies%20%"
            "2B%20Gentlemen%2C%20a%20"
            "signed%20OAuth%20request%21");
}

TEST(OAuthSigner, Tv1ThreePublishedVariants) {
  EXPECT_EQ(
      sign_tv1("https://api.twitter.com/1.1/statuses/update.json?include_entities=true").signature,
      "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
  EXPECT_EQ(sign_tv1("https://api.x.com/1.1/statuses/update.json?include_entities=true").signature,
            "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");
  EXPECT_EQ(
      sign_tv1("https://api.twitter.com/1/statuses/update.json?include_entities=true").signature,
      "tnnArxj06cWHq44gCs1OSKk/jLY=");
}

TEST(OAuthSigner, Tv1AuthorizationHeader) {
  EXPECT_EQ(
      sign_tv1("https://api.twitter.com/1.1/statuses/update.json?include_entities=true")
          .authorization,
      "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "
      "oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
      "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", "
      "oauth_timestamp=\"1318622958\", "
      "oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", "
      "oauth_version=\"1.0\"");
}

TEST(OAuthSigner, Tv2Rfc5849BaseString) {
  auto body = parse_pairs("c2&a3=2+q");
  ASSERT_TRUE(body.ok());
  SignInput in;
  in.method = "post";
  in.url = "http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b";
  in.form_body = &*body;
  in.consumer_key = "9djdj82h48djs9d2";
  in.token = "kkk9d7dh3k39sjv7";
  in.stamp = {"7d8f3e4a", "137131201"};
  in.include_version = false;
  auto s = sign(in);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->base_string,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%"
            "253D%25253D%26c%2540%3D%26"
            "c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_"
            "signature_method%3DHMAC-SHA1%26"
            "oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7");
}

TEST(OAuthSigner, Tv3ResourceRequestAndTv4) {
  SignInput in;
  in.method = "GET";
  in.url = "http://photos.example.net/photos?file=vacation.jpg&size=original";
  in.consumer_key = "dpf43f3p2l4k3l03";
  in.consumer_secret = "kd94hf93k423kf44";
  in.token = "nnch734d00sl2jdk";
  in.token_secret = "pfkkdhi9sl3r4s00";
  in.stamp = {"chapoH", "137131202"};
  in.include_version = false;
  auto s = sign(in);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");

  in.stamp = {"kllo9940pd9333jh", "1191242096"};
  in.include_version = true;
  s = sign(in);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->base_string,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%"
            "3Ddpf43f3p2l4k3l03%26"
            "oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%"
            "3D1191242096%26"
            "oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal");
  EXPECT_EQ(s->signature, "tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
}

TEST(OAuthSigner, Tv5ConnectorShapedRequests) {
  SignInput in;
  in.method = "GET";
  in.url =
      "https://api.x.com/2/users/4113725063/"
      "tweets?max_results=100&since_id=1106451391000834048&tweet.fields=created_at,"
      "author_id,conversation_id,in_reply_to_user_id,referenced_tweets,attachments,public_metrics,"
      "entities,note_tweet&"
      "expansions=author_id,attachments.media_keys,referenced_tweets.id&media.fields=url,preview_"
      "image_url,type,variants,"
      "media_key&user.fields=name,username,profile_image_url";
  in.consumer_key = kCk;
  in.consumer_secret = kCs;
  in.token = kTok;
  in.token_secret = kTs;
  in.stamp = kStamp;
  auto a = sign(in);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->base_string,
            "GET&https%3A%2F%2Fapi.x.com%2F2%2Fusers%2F4113725063%2Ftweets&expansions%3Dauthor_id%"
            "252Cattachments.media_keys"
            "%252Creferenced_tweets.id%26max_results%3D100%26media.fields%3Durl%252Cpreview_image_"
            "url%252Ctype%252Cvariants"
            "%252Cmedia_key%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%"
            "3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
            "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%"
            "3D370773112-"
            "GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26since_id%"
            "3D1106451391000834048%26tweet.fields%3D"
            "created_at%252Cauthor_id%252Cconversation_id%252Cin_reply_to_user_id%252Creferenced_"
            "tweets%252Cattachments%252C"
            "public_metrics%252Centities%252Cnote_tweet%26user.fields%3Dname%252Cusername%"
            "252Cprofile_image_url");
  EXPECT_EQ(a->signature, "WEganboKdOPJJxbLsnCLnBEugJg=");

  in.url =
      "https://api.twitter.com/1.1/statuses/"
      "user_timeline.json?include_entities=true&count=200&include_rts=true&"
      "tweet_mode=extended&since_id=1106451391000834048";
  auto b = sign(in);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->signature, "NxWGoxkCmQLwHdNhudRUyaYH60k=");
}

TEST(OAuthSigner, BaseUriRules) {
  auto u = base_string_uri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, "http://example.com/r%20v/X");
  u = base_string_uri("https://www.example.net:8080/?q=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, "https://www.example.net:8080/");
  EXPECT_EQ(*base_string_uri("https://Api.X.com:443"), "https://api.x.com/");
  EXPECT_EQ(*base_string_uri("http://h:443/p"), "http://h:443/p");
  EXPECT_EQ(*base_string_uri("https://h:80/p"), "https://h:80/p");
  EXPECT_EQ(*base_string_uri("https://[::1]:8443/p"), "https://[::1]:8443/p");
  EXPECT_FALSE(base_string_uri("ftp://h/").ok());
  EXPECT_FALSE(base_string_uri("/relative").ok());
  EXPECT_FALSE(base_string_uri("https://user:pw@h/").ok());
  EXPECT_FALSE(base_string_uri("https://h:8x/").ok());
  EXPECT_FALSE(base_string_uri("https:///p").ok());
}

TEST(OAuthSigner, RejectsBadInput) {
  SignInput in;
  in.method = "GET";
  in.url = "https://api.x.com/2/users/me?bad=%zz";
  in.consumer_key = kCk;
  in.stamp = kStamp;
  EXPECT_FALSE(sign(in).ok());
  in.url = "https://api.x.com/2/users/me";
  in.extra_oauth = {{"x_auth_access_type", "read"}};
  EXPECT_FALSE(sign(in).ok());
  in.extra_oauth = {};
  in.consumer_key = "";
  EXPECT_FALSE(sign(in).ok());
  in.consumer_key = kCk;
  in.stamp = {};
  EXPECT_FALSE(sign(in).ok());
}

// Property: the order in which parameters appear in the query and body never changes the
// signature; order of equal names is decided by value.
TEST(OAuthSignerProperty, AnyParameterOrderGivesTheSameSignature) {
  core::SeededRng rng(42);
  Params base{{"a", "1"},     {"a", "0"},    {"b", "x y"}, {"c@", ""}, {"z", "\xE2\x98\x83"},
              {"m", "&=+/?"}, {"A", "upper"}};
  std::string expected;
  for (int round = 0; round < 50; ++round) {
    Params p = base;
    for (size_t i = p.size(); i > 1; --i) std::swap(p[i - 1], p[rng.uniform(i)]);
    size_t split = rng.uniform(p.size() + 1);
    Params query(p.begin(), p.begin() + static_cast<long>(split));
    Params body(p.begin() + static_cast<long>(split), p.end());
    std::string url = "https://api.x.com/2/x?" + encode_form(query);
    SignInput in;
    in.method = "POST";
    in.url = url;
    in.form_body = &body;
    in.consumer_key = kCk;
    in.consumer_secret = kCs;
    in.token = kTok;
    in.token_secret = kTs;
    in.stamp = kStamp;
    auto s = sign(in);
    ASSERT_TRUE(s.ok());
    if (round == 0) expected = s->signature;
    EXPECT_EQ(s->signature, expected) << url;
  }
}

// Property: every byte value survives encoding into the base string exactly once; reserved and
// non-ASCII bytes appear double-encoded, unreserved ones verbatim.
TEST(OAuthSignerProperty, ReservedAndNonAsciiBytes) {
  for (int c = 0; c < 256; ++c) {
    std::string v(1, static_cast<char>(c));
    Params p{{"k", v}};
    std::string norm = normalize_parameters(p);
    auto back = core::percent_decode(norm.substr(2));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, v);
    bool unreserved = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    EXPECT_EQ(norm.size(), unreserved ? 3u : 5u) << c;
  }
  std::string base =
      signature_base_string("get", "https://h/", normalize_parameters({{"q", "caf\xC3\xA9 & co"}}));
  EXPECT_EQ(base, "GET&https%3A%2F%2Fh%2F&q%3Dcaf%25C3%25A9%2520%2526%2520co");
  EXPECT_EQ(std::count(base.begin(), base.end(), '&'), 2);
}

TEST(OAuthSigner, StampComesFromRngAndClock) {
  core::ManualClock clock(1318622958123);
  core::SeededRng a(7), b(7), c(8);
  Stamp s1 = make_stamp(clock, a), s2 = make_stamp(clock, b), s3 = make_stamp(clock, c);
  EXPECT_EQ(s1.timestamp, "1318622958");
  EXPECT_EQ(s1.nonce.size(), 64u);
  EXPECT_EQ(s1.nonce, s2.nonce);
  EXPECT_NE(s1.nonce, s3.nonce);
  EXPECT_EQ(s1.nonce.find_first_not_of("0123456789abcdef"), std::string::npos);
}
