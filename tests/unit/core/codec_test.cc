#include "core/codec.h"

#include <gtest/gtest.h>

using namespace core;

TEST(Codec, Base64Rfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(base64_encode(plain[i]), enc[i]);
    auto d = base64_decode(enc[i]);
    ASSERT_TRUE(d.ok()) << enc[i];
    EXPECT_EQ(*d, plain[i]);
  }
}

TEST(Codec, Base64UrlHasNoPaddingAndUrlAlphabet) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  auto d = base64url_decode("-_8");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "\xfb\xff");
}

TEST(Codec, Base64RejectsMalformed) {
  EXPECT_FALSE(base64_decode("Zm9v!").ok());
  EXPECT_FALSE(base64_decode("Z").ok());
  EXPECT_FALSE(base64_decode("Zh==").ok());  // non-zero trailing bits
  EXPECT_FALSE(base64url_decode("a+b/").ok());
}

TEST(Codec, PercentEncodeUnreservedOnly) {
  EXPECT_EQ(percent_encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
  EXPECT_EQ(percent_encode("An encoded string!"), "An%20encoded%20string%21");
  EXPECT_EQ(percent_encode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
  EXPECT_EQ(percent_encode("\xE2\x98\x83"), "%E2%98%83");
  EXPECT_EQ(percent_encode("-._~"), "-._~");
}

TEST(Codec, PercentDecode) {
  EXPECT_EQ(*percent_decode("a%20b+c"), "a b+c");
  EXPECT_EQ(*percent_decode("a%20b+c", true), "a b c");
  EXPECT_FALSE(percent_decode("%2").ok());
  EXPECT_FALSE(percent_decode("%zz").ok());
  EXPECT_FALSE(percent_decode("abc%").ok());
}

TEST(Codec, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret1"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}
