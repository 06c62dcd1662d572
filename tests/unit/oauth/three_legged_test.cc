// Three-legged flow: RFC 5849 §1.2 and the connector-shaped request_token vector.
#include "oauth/three_legged.h"

#include <gtest/gtest.h>

using namespace oauth;

TEST(ThreeLegged, RequestTokenRfcExample) {
  Endpoints ep{"https://photos.example.net/initiate", "https://photos.example.net/authorize",
               "https://photos.example.net/token"};
  auto r = build_request_token(ep, {"dpf43f3p2l4k3l03", "kd94hf93k423kf44"},
                               "http://printer.example.com/ready", {"wIjqoS", "137131200"}, false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "https://photos.example.net/initiate");
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->authorization,
            "OAuth oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", "
            "oauth_consumer_key=\"dpf43f3p2l4k3l03\", "
            "oauth_nonce=\"wIjqoS\", oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\", "
            "oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131200\"");
}

TEST(ThreeLegged, AccessTokenRfcExample) {
  Endpoints ep{"https://photos.example.net/initiate", "https://photos.example.net/authorize",
               "https://photos.example.net/token"};
  auto r =
      build_access_token(ep, {"dpf43f3p2l4k3l03", "kd94hf93k423kf44"}, "hh5s93j4hdidpola",
                         "hdhd0244k9j7ao03", "hfdp7dh39dks9884", {"walatlh", "137131201"}, false);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->authorization.find("oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\""),
            std::string::npos);
  EXPECT_NE(r->authorization.find("oauth_token=\"hh5s93j4hdidpola\""), std::string::npos);
  EXPECT_NE(r->authorization.find("oauth_verifier=\"hfdp7dh39dks9884\""), std::string::npos);
  EXPECT_EQ(r->authorization.find("oauth_version"), std::string::npos);
}

TEST(ThreeLegged, RequestTokenForXWithCallback) {
  Endpoints ep = Endpoints::for_base("https://api.x.com/");
  EXPECT_EQ(ep.request_token, "https://api.x.com/oauth/request_token");
  EXPECT_EQ(ep.access_token, "https://api.x.com/oauth/access_token");
  auto r = build_request_token(
      ep, {"xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"},
      "https://contoso-twitterconnector.azurewebsites.net/Views/TwitterOAuth",
      {"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", "1318622958"});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->authorization.find("oauth_signature=\"8m85CLSb6Mj4qdDQA%2FC12xLYFzE%3D\""),
            std::string::npos)
      << r->authorization;
  EXPECT_EQ(r->authorization.find("oauth_token="), std::string::npos);
  EXPECT_FALSE(build_request_token(ep, {"k", "s"}, "", {"n", "1"}).ok());
  EXPECT_FALSE(build_access_token(ep, {"k", "s"}, "t", "s", "", {"n", "1"}).ok());
  EXPECT_FALSE(build_access_token(ep, {"k", "s"}, "", "s", "v", {"n", "1"}).ok());
}

TEST(ThreeLegged, AuthenticateUrlCarriesOnlyTheToken) {
  Endpoints ep = Endpoints::for_base("https://api.x.com");
  EXPECT_EQ(authenticate_url(ep, "hh5s93j4hdidpola"),
            "https://api.x.com/oauth/authenticate?oauth_token=hh5s93j4hdidpola");
  EXPECT_EQ(authenticate_url(ep, "a b&c"),
            "https://api.x.com/oauth/authenticate?oauth_token=a%20b%26c");
}

TEST(ThreeLegged, ParseRequestTokenAnswer) {
  auto t = parse_request_token_response(
      "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed="
      "true");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->token, "hh5s93j4hdidpola");
  EXPECT_EQ(t->secret, "hdhd0244k9j7ao03");
  EXPECT_FALSE(parse_request_token_response(
                   "oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=false")
                   .ok());
  EXPECT_FALSE(parse_request_token_response("oauth_token=a&oauth_token_secret=b").ok());
  EXPECT_FALSE(parse_request_token_response("oauth_token=a&oauth_callback_confirmed=true").ok());
  EXPECT_FALSE(parse_request_token_response(
                   "oauth_token=&oauth_token_secret=b&oauth_callback_confirmed=true")
                   .ok());
  EXPECT_FALSE(parse_request_token_response(
                   "oauth_token=a&oauth_token=c&oauth_token_secret=b&oauth_callback_confirmed=true")
                   .ok());
  EXPECT_FALSE(parse_request_token_response("{\"errors\":[{\"code\":32}]}").ok());
}

TEST(ThreeLegged, ParseAccessTokenAnswer) {
  auto t = parse_access_token_response(
      "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00&user_id=4113725063&screen_"
      "name=contoso_news");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->token, "nnch734d00sl2jdk");
  EXPECT_EQ(t->secret, "pfkkdhi9sl3r4s00");
  EXPECT_EQ(t->user_id, "4113725063");
  EXPECT_EQ(t->screen_name, "contoso_news");
  // The RFC's own answer carries no user id: X always sends one, so its absence is an error.
  EXPECT_FALSE(parse_access_token_response(
                   "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00")
                   .ok());
  EXPECT_FALSE(parse_access_token_response("oauth_token=a&oauth_token_secret=b&user_id=12x").ok());
  EXPECT_FALSE(parse_access_token_response("oauth_token=a&oauth_token_secret=&user_id=1").ok());
  auto no_name = parse_access_token_response("oauth_token=a&oauth_token_secret=b&user_id=1");
  ASSERT_TRUE(no_name.ok());
  EXPECT_EQ(no_name->screen_name, "");
}

TEST(ThreeLegged, ParsersFedByteByByteNeverAcceptAPrefixMissingFields) {
  std::string body =
      "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed="
      "true";
  for (size_t i = 0; i < body.size(); ++i)
    EXPECT_FALSE(parse_request_token_response(body.substr(0, i)).ok()) << i;
  EXPECT_TRUE(parse_request_token_response(body).ok());
}
