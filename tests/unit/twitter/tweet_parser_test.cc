#include "twitter/tweet_parser.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "twitter/text.h"
#include "unit/twitter/fixture_util.h"

using namespace twitter;
using twitter_test::fixture;

namespace {

const Tweet* find(const Page& p, uint64_t id) {
  for (const Tweet& t : p.tweets)
    if (t.id == id) return &t;
  return nullptr;
}

}  // namespace

TEST(TweetParser, EveryFixturePageParses) {
  for (const std::string& name : twitter_test::timeline_fixtures()) {
    std::string why;
    auto page = parse_timeline(fixture(name), &why);
    ASSERT_TRUE(page.ok()) << name << ": " << why;
    EXPECT_EQ(page->version, name[1] == '1' ? ApiVersion::V1 : ApiVersion::V2) << name;
    for (const Tweet& t : page->tweets) {
      EXPECT_NE(t.id, 0u) << name;
      EXPECT_GT(t.created_at_s, 1288834974) << name << " " << t.id;  // after snowflakes began
      EXPECT_FALSE(t.text.empty()) << name << " " << t.id;
    }
    // Newest first: ids strictly decrease in every timeline fixture.
    if (name.find("timeline") != std::string::npos || name.find("tweets_page") != std::string::npos)
      for (size_t i = 1; i < page->tweets.size(); ++i)
        EXPECT_LT(page->tweets[i].id, page->tweets[i - 1].id) << name;
  }
}

TEST(TweetParser, V1IdsAre64BitExactFromStrings) {
  auto p1 = parse_v1_timeline(fixture("v1_user_timeline_count1_page1.json"));
  auto p2 = parse_v1_timeline(fixture("v1_user_timeline_count1_page2_max_id.json"));
  ASSERT_TRUE(p1.ok() && p2.ok());
  ASSERT_EQ(p1->tweets.size(), 1u);
  // 1149868110373171201 is odd: a double cannot hold it (it would read ...171200).
  EXPECT_EQ(p1->tweets[0].id, 1149868110373171201ull);
  EXPECT_EQ(p2->tweets[0].id, 1149867886946783232ull);
  EXPECT_EQ(p1->meta.newest_id, 1149868110373171201ull);
  EXPECT_EQ(p1->tweets[0].media.size(), 1u);
  EXPECT_EQ(p1->tweets[0].media[0].type, "photo");
}

TEST(TweetParser, V1ReplyRetweetQuoteAndEmbeddedTweets) {
  auto page = parse_v1_timeline(fixture("v1_user_timeline_twitter_page1.json"));
  ASSERT_TRUE(page.ok());
  const Tweet* t = find(*page, 1341793727208181762ull);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text,
            "@TreyNKennedy \xF0\x9F\x91\x80 https://t.co/1CZ6VbgaIL");  // surrogate pair joined
  EXPECT_EQ(t->in_reply_to_status_id, 1341404809354760192ull);
  EXPECT_EQ(t->in_reply_to_user_id, "211002550");
  EXPECT_EQ(t->author.id, "783214");
  ASSERT_TRUE(t->ref(RefType::RepliedTo));
  EXPECT_EQ(t->media.size(), 1u);

  auto bio = parse_v1_timeline(fixture("v1_user_timeline_extended_Bioconductor.json"));
  ASSERT_TRUE(bio.ok());
  const Tweet* rt = find(*bio, 1589554076676919298ull);
  ASSERT_TRUE(rt);
  const Ref* r = rt->ref(RefType::Retweeted);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 1589495502588239874ull);
  const Tweet* original = bio->find_included(r->id);
  ASSERT_TRUE(original);
  EXPECT_EQ(original->author.username, "PeteHaitch");
  // A retweet of a quote tweet: quoted_status sits inside retweeted_status only.
  ASSERT_TRUE(rt->ref(RefType::Quoted));
  EXPECT_EQ(rt->ref(RefType::Quoted)->id, 1589483863436582912ull);
  EXPECT_TRUE(bio->find_included(1589483863436582912ull));
}

TEST(TweetParser, V1DisplayTextRangeAndVideoVariants) {
  auto m = parse_v1_timeline(fixture("v1_user_timeline_extended_mvabercron.json"));
  ASSERT_TRUE(m.ok());
  const Tweet* t = find(*m, 1585257149504315393ull);
  ASSERT_TRUE(t && t->display_range);
  EXPECT_EQ(t->display_range->first, 27u);
  EXPECT_EQ(t->display_range->second, 301u);

  auto cnn = parse_v1_timeline(fixture("v1_user_timeline_extended_cnn_count10.json"));
  ASSERT_TRUE(cnn.ok());
  const Tweet* v = find(*cnn, 1590090589248393216ull);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->media.size(), 1u);
  EXPECT_EQ(v->media[0].type, "video");
  ASSERT_EQ(v->media[0].variants.size(), 4u);
  EXPECT_EQ(v->media[0].variants[0].bitrate, 2176000);
  EXPECT_EQ(v->media[0].variants[1].bitrate, -1);  // the HLS playlist has none
}

TEST(TweetParser, V2PageResolvesIncludesAndKeepsPartialErrors) {
  auto page = parse_v2_page(fixture("v2_users_2351222345_tweets_page_expanded.json"));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->tweets.size(), 100u);
  EXPECT_EQ(page->meta.result_count, 100u);
  EXPECT_EQ(page->meta.newest_id, 1257786232978968578ull);
  EXPECT_EQ(page->meta.oldest_id, 1250097009513705472ull);
  EXPECT_EQ(page->meta.next_token, "7140dibdnow9c7btw3t3bne6afapt2a6nif3ncl044raq");
  ASSERT_EQ(page->errors.size(), 1u);
  EXPECT_EQ(page->errors[0].title, "Not Found Error");
  EXPECT_EQ(page->errors[0].resource_id, "1252320537600299008");
  EXPECT_EQ(page->included.size(), 67u);
  const Tweet& first = page->tweets[0];
  EXPECT_EQ(first.author.username, "PhillyNEFL");
  EXPECT_EQ(*first.author.name, "Philly NEFL");
  ASSERT_TRUE(first.ref(RefType::Retweeted));
  const Tweet* orig = page->find_included(first.ref(RefType::Retweeted)->id);
  ASSERT_TRUE(orig);
  EXPECT_EQ(orig->author.username, "frankgore");
  size_t media = 0;
  for (const Tweet& t : page->tweets) media += t.media.size();
  EXPECT_EQ(media, 22u);
  const Tweet* vid = find(*page, 1257123246484447232ull);
  ASSERT_TRUE(vid);
  ASSERT_EQ(vid->media.size(), 1u);
  EXPECT_EQ(vid->media[0].type, "video");
  EXPECT_TRUE(vid->media[0].variants.empty());  // 2021 recording: variants not requested
}

TEST(TweetParser, V2QuoteReplyEditedAndVariants) {
  auto q = parse_v2_page(fixture("v2_tweets_lookup_quote_and_reply_edited.json"));
  ASSERT_TRUE(q.ok());
  const Tweet& t = q->tweets[0];
  EXPECT_EQ(t.id, 1576995594388000768ull);
  ASSERT_EQ(t.refs.size(), 2u);
  EXPECT_EQ(t.refs[0].type, RefType::Quoted);
  EXPECT_EQ(t.refs[0].id, 1576994746135764992ull);
  EXPECT_EQ(t.refs[1].type, RefType::RepliedTo);
  EXPECT_EQ(t.in_reply_to_status_id, 1576994789110992896ull);
  EXPECT_EQ(t.conversation_id, 1576994789110992896ull);
  ASSERT_EQ(t.edit_history_ids.size(), 1u);
  EXPECT_EQ(t.edit_history_ids[0], 1576995594388000768ull);
  EXPECT_EQ(t.created_at_s, *parse_rfc3339("2022-10-03T18:00:23Z"));

  auto v = parse_v2_page(fixture("v2_tweets_lookup_video_variants.json"));
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->tweets[0].media.size(), 1u);
  const Media& m = v->tweets[0].media[0];
  EXPECT_EQ(m.key, "7_1558552952549277696");
  EXPECT_EQ(m.variants.size(), 4u);
  EXPECT_EQ(m.variants[2].bitrate, 2176000);
  EXPECT_EQ(v->tweets[0].text, "She's GOING with it! \xF0\x9F\x90\x8D https://t.co/uXqSAGWkWJ");
}

TEST(TweetParser, V2DefaultFieldsTakeTimeFromTheSnowflakeId) {
  auto p = parse_v2_page(fixture("v2_users_783214_tweets_default_fields.json"));
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->tweets.size(), 2u);
  EXPECT_EQ(p->tweets[0].created_at_s, *snowflake_unix_ms(1577730467436138524ull) / 1000);
  EXPECT_TRUE(p->tweets[0].author.id.empty());
  EXPECT_EQ(p->meta.next_token, "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex");
}

TEST(TweetParser, EmptyPagesOfBothVersions) {
  auto v1 = parse_timeline(fixture("v1_mentions_timeline_empty.json"));
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->version, ApiVersion::V1);
  EXPECT_TRUE(v1->tweets.empty());
  auto v2 = parse_timeline(fixture("v2_users_17880989_mentions_empty.json"));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, ApiVersion::V2);
  EXPECT_TRUE(v2->tweets.empty());
  EXPECT_TRUE(v2->meta.next_token.empty());
}

TEST(TweetParser, ReferenceFixtureWithByteOrderMark) {
  auto p = parse_timeline(twitter_test::reference_tweets());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->tweets.size(), 67u);
}

TEST(TweetParser, MalformedInputGivesAReason) {
  struct Case {
    const char* body;
    const char* reason_part;
  } cases[] = {
      {"", "not valid JSON"},
      {"{\"data\":[", "not valid JSON"},
      {"42", "neither"},
      {"{\"foo\":1}", "neither"},
      {"[{\"id\":1}]", "id_str"},
      {"[{\"id_str\":\"12x\",\"created_at\":\"Wed Apr 24 08:30:23 +0000 2019\",\"text\":\"a\"}]",
       "id_str"},
      {"[{\"id_str\":\"12\",\"created_at\":\"yesterday\",\"text\":\"a\"}]", "created_at"},
      {"[{\"id_str\":\"12\",\"created_at\":\"Wed Apr 24 08:30:23 +0000 2019\"}]",
       "neither full_text nor text"},
      {"[1]", "not a JSON object"},
      {"{\"data\":{\"id\":\"1\"}}", "not an array"},
      {"{\"data\":[{\"id\":\"1\",\"text\":\"a\",\"created_at\":\"nope\"}]}", "RFC 3339"},
      {"{\"data\":[{\"text\":\"a\"}]}", "valid id"},
      {"{\"data\":[{\"id\":\"5\",\"text\":\"a\"}]}", "predates snowflake"},
      {"{\"data\":[{\"id\":\"1577730467436138524\",\"text\":\"a\",\"referenced_tweets\":[{\"type\":"
       "\"quoted\"}]}]}",
       "referenced_tweets"},
  };
  for (const Case& c : cases) {
    std::string why;
    auto p = parse_timeline(c.body, &why);
    ASSERT_FALSE(p.ok()) << c.body;
    EXPECT_EQ(p.error().code, core::Errc::Parse) << c.body;
    EXPECT_NE(why.find(c.reason_part), std::string::npos) << c.body << " → " << why;
  }
}

TEST(TweetParser, EveryTruncationOfAPageFailsCleanly) {
  // Parsers take whole bodies; every cut-off prefix (a reset mid-body) must be refused, not crash.
  std::string body = fixture("v1_user_timeline_count1_page1.json");
  for (size_t n = 0; n < body.size(); ++n)
    EXPECT_FALSE(parse_timeline(body.substr(0, n)).ok()) << n;
  std::string v2 = fixture("v2_tweets_lookup_video_variants.json");
  for (size_t n = 0; n < v2.size(); ++n) EXPECT_FALSE(parse_timeline(v2.substr(0, n)).ok()) << n;
}

TEST(TweetParser, OversizedBodyIsTooLarge) {
  std::string big(core::limits::kMaxTimelineBodyBytes + 1, ' ');
  auto p = parse_timeline(big);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, core::Errc::TooLarge);
}

TEST(TweetParser, TooManyTweetsIsTooLarge) {
  std::string body = "[";
  for (size_t i = 0; i <= core::limits::kMaxTweetsPerPage; ++i) {
    if (i) body += ",";
    body += "{\"id_str\":\"" + std::to_string(1000 + i) +
            "\",\"created_at\":\"Wed Apr 24 08:30:23 +0000 2019\",\"text\":\"x\"}";
  }
  body += "]";
  auto p = parse_timeline(body);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, core::Errc::TooLarge);
}

TEST(TweetParser, PerTweetLimitsBoundMediaVariantsErrorsAndDepth) {
  namespace lim = core::limits;
  std::string media = "[";
  for (size_t i = 0; i < lim::kMaxMediaPerTweet + 4; ++i) {
    if (i) media += ",";
    media +=
        R"({"id_str":")" + std::to_string(i + 1) +
        R"(","type":"video","media_url_https":"https://pbs.twimg.com/p.jpg","video_info":{"variants":[)";
    for (size_t v = 0; v < lim::kMaxVariantsPerMedia + 3; ++v)
      media += std::string(v ? "," : "") + R"({"bitrate":)" + std::to_string(v) +
               R"(,"content_type":"video/mp4","url":"https://v/)" + std::to_string(v) + R"(.mp4"})";
    media += "]}}";
  }
  media += "]";
  std::string body =
      R"([{"id_str":"1300000000000000000","created_at":"Wed Apr 24 08:30:23 +0000 2019","full_text":"m",)"
      R"("extended_entities":{"media":)" +
      media + "}}]";
  auto p = parse_v1_timeline(body);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->tweets[0].media.size(), lim::kMaxMediaPerTweet);
  EXPECT_EQ(p->tweets[0].media[0].variants.size(), lim::kMaxVariantsPerMedia);

  std::string errs = R"({"data":[{"id":"1577730467436138524","text":"x"}],"errors":[)";
  for (size_t i = 0; i < lim::kMaxPartialErrorsPerPage + 10; ++i)
    errs += std::string(i ? "," : "") + R"({"title":"Not Found Error","resource_id":")" +
            std::to_string(i) + "\"}";
  errs += "]}";
  auto e = parse_v2_page(errs);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->errors.size(), lim::kMaxPartialErrorsPerPage);

  // A retweet of a quote of a quote of a quote: only kMaxEmbeddedTweetDepth levels are followed.
  auto level = [](int n, const std::string& inner, const char* key) {
    std::string s = R"({"id_str":"13000000000000000)" + std::to_string(10 + n) +
                    R"(","created_at":"Wed Apr 24 08:30:23 +0000 2019","full_text":"level)" +
                    std::to_string(n) + "\"";
    if (!inner.empty()) s += std::string(",\"") + key + "\":" + inner;
    return s + "}";
  };
  std::string deep = level(3, "", "");
  deep = level(2, deep, "quoted_status");
  deep = level(1, deep, "quoted_status");
  deep = level(0, deep, "retweeted_status");
  auto d = parse_v1_timeline("[" + deep + "]");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->find_included(1300000000000000011ull));   // depth 1: the retweeted post
  EXPECT_TRUE(d->find_included(1300000000000000012ull));   // depth 2: the post it quoted
  EXPECT_FALSE(d->find_included(1300000000000000013ull));  // depth 3: not followed
}
