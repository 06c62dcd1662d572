// Form codec: lenient pairs for signing, strict reading of token endpoint answers.
#include "oauth/form_codec.h"

#include <gtest/gtest.h>

#include "core/limits.h"

using namespace oauth;

TEST(FormCodec, PairsKeepOrderDuplicatesAndValuelessNames) {
  auto p = parse_pairs("c2&a3=2+q&a3=a&&x=%3D%253D");
  ASSERT_TRUE(p.ok());
  Params want{{"c2", ""}, {"a3", "2 q"}, {"a3", "a"}, {"x", "=%3D"}};
  EXPECT_EQ(*p, want);
  EXPECT_TRUE(parse_pairs("").ok());
  EXPECT_FALSE(parse_pairs("a=%G0").ok());
  EXPECT_FALSE(parse_pairs("a%=1").ok());
}

TEST(FormCodec, StrictAcceptsWellFormed) {
  auto p = parse_form_strict(
      "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed="
      "true");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ(*find_param(*p, "oauth_token_secret"), "hdhd0244k9j7ao03");
  EXPECT_EQ(find_param(*p, "nope"), nullptr);
}

TEST(FormCodec, StrictRejects) {
  EXPECT_STREQ(parse_form_strict("a=1&a=2").error().where, "form: duplicate name");
  EXPECT_STREQ(parse_form_strict("=1").error().where, "form: empty name");
  EXPECT_STREQ(parse_form_strict("a").error().where, "form: item without '='");
  EXPECT_STREQ(parse_form_strict("a=%2").error().where, "form: bad percent escape in a value");
  EXPECT_STREQ(parse_form_strict("a%=1").error().where, "form: bad percent escape in a name");
  EXPECT_EQ(
      parse_form_strict(std::string(core::limits::kMaxOAuthResponseBytes + 1, 'a')).error().code,
      core::Errc::TooLarge);
  std::string many;
  for (size_t i = 0; i <= core::limits::kMaxFormFields; ++i)
    many += "k" + std::to_string(i) + "=v&";
  EXPECT_EQ(parse_pairs(many).error().code, core::Errc::TooLarge);
}

TEST(FormCodec, EncodeRoundTrips) {
  Params p{
      {"grant_type", "client_credentials"}, {"client_secret", "a+b/c= d&e"}, {"x", "\xE2\x98\x83"}};
  std::string enc = encode_form(p);
  EXPECT_EQ(enc, "grant_type=client_credentials&client_secret=a%2Bb%2Fc%3D%20d%26e&x=%E2%98%83");
  auto back = parse_form_strict(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, p);
}

// Feeding the strict parser every prefix must never crash and must only succeed on prefixes
// that are themselves well formed.
TEST(FormCodec, StrictPrefixesByteByByte) {
  std::string body = "oauth_token=a%20b&oauth_token_secret=s&user_id=1&screen_name=x";
  for (size_t i = 0; i <= body.size(); ++i) {
    auto r = parse_form_strict(body.substr(0, i));
    std::string_view pre(body.data(), i);
    bool bad_escape =
        pre.size() >= 1 && (pre.back() == '%' || (pre.size() >= 2 && pre[pre.size() - 2] == '%'));
    bool no_eq =
        !pre.empty() &&
        pre.substr(pre.rfind('&') == std::string_view::npos ? 0 : pre.rfind('&') + 1).find('=') ==
            std::string_view::npos &&
        pre.back() != '&';
    EXPECT_EQ(r.ok(), !bad_escape && !no_eq) << pre;
  }
}
