#include "twitter/text.h"

#include <gtest/gtest.h>

using namespace twitter;

TEST(TwitterText, DecodesTheEntitiesTwitterEscapesInOnePass) {
  EXPECT_EQ(decode_html_entities("reviewers &amp; editors"), "reviewers & editors");
  EXPECT_EQ(decode_html_entities("a &lt;b&gt; c"), "a <b> c");
  // The author typed "&lt;": Twitter sent "&amp;lt;"; decoding once gives back what was typed.
  EXPECT_EQ(decode_html_entities("&amp;lt;"), "&lt;");
  EXPECT_EQ(decode_html_entities("&#x1F440; &#128064;"), "\xF0\x9F\x91\x80 \xF0\x9F\x91\x80");
  EXPECT_EQ(decode_html_entities("&unknown; & &amp &#xD800; &#;"), "&unknown; & &amp &#xD800; &#;");
  EXPECT_EQ(decode_html_entities("ends with &"), "ends with &");
}

TEST(TwitterText, SlicesByCodePointsNotBytes) {
  // "@a 👀 é!" : '👀' is one code point (4 bytes), 'é' one (2 bytes).
  std::string s = "@a \xF0\x9F\x91\x80 \xC3\xA9!";
  EXPECT_EQ(count_code_points(s), 7u);
  EXPECT_EQ(slice_code_points(s, 3, 4), "\xF0\x9F\x91\x80");
  EXPECT_EQ(slice_code_points(s, 5, 7), "\xC3\xA9!");
  EXPECT_EQ(slice_code_points(s, 0, 100), s);
  EXPECT_EQ(slice_code_points(s, 50, 100), "");
  EXPECT_EQ(slice_code_points(s, 4, 2), "");
  // Invalid bytes count as one code point each and are never split.
  EXPECT_EQ(slice_code_points("\xFF\xFE"
                              "ab",
                              1, 3),
            "\xFE"
            "a");
}

TEST(TwitterText, ParsesV1Dates) {
  EXPECT_EQ(parse_v1_date("Fri Mar 15 07:05:43 +0000 2019"), 1552633543);
  EXPECT_EQ(parse_v1_date("Wed Apr 24 08:30:23 +0000 2019"), 1556094623);
  EXPECT_EQ(parse_v1_date("Wed Apr 24 10:30:23 +0200 2019"), 1556094623);
  EXPECT_FALSE(parse_v1_date("Wed Foo 24 08:30:23 +0000 2019"));
  EXPECT_FALSE(parse_v1_date("Wed Feb 30 08:30:23 +0000 2019"));
  EXPECT_FALSE(parse_v1_date("Wed Apr 24 08:30:23 +0000 201"));
  EXPECT_FALSE(parse_v1_date(""));
}

TEST(TwitterText, ParsesRfc3339) {
  EXPECT_EQ(parse_rfc3339("2019-03-15T07:05:43.000Z"), 1552633543);
  EXPECT_EQ(parse_rfc3339("2019-03-15T07:05:43Z"), 1552633543);
  EXPECT_EQ(parse_rfc3339("2019-03-15T09:05:43+02:00"), 1552633543);
  EXPECT_FALSE(parse_rfc3339("2019-03-15T07:05:43"));
  EXPECT_FALSE(parse_rfc3339("2019-13-15T07:05:43Z"));
  EXPECT_FALSE(parse_rfc3339("2019-03-15T07:05:43.Z"));
}

TEST(TwitterText, FormatsSentTimeWithoutZoneAndRfc3339WithZ) {
  EXPECT_EQ(format_sent_time(1552633543), "2019-03-15T07:05:43");
  EXPECT_EQ(format_rfc3339(1552633543), "2019-03-15T07:05:43Z");
  EXPECT_EQ(format_sent_time(0), "1970-01-01T00:00:00");
}

TEST(TwitterText, SnowflakeTimeMatchesCreatedAt) {
  // 1106451391000834048 was created Fri Mar 15 07:05:43 +0000 2019 (FakeTweets.json).
  auto ms = snowflake_unix_ms(1106451391000834048ull);
  ASSERT_TRUE(ms);
  EXPECT_EQ(*ms / 1000, 1552633543);
  EXPECT_FALSE(snowflake_unix_ms(20));
}
