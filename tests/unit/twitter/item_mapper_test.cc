#include "twitter/item_mapper.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "json/json.h"
#include "twitter/tweet_parser.h"
#include "unit/twitter/fixture_util.h"

using namespace twitter;
using twitter_test::fixture;

namespace {

const Tweet& tweet(const Page& p, uint64_t id) {
  for (const Tweet& t : p.tweets)
    if (t.id == id) return t;
  ADD_FAILURE() << "no tweet " << id;
  static Tweet none;
  return none;
}

Page reference_page() {
  std::string why;
  auto p = parse_timeline(twitter_test::reference_tweets(), &why);
  EXPECT_TRUE(p.ok()) << why;
  return p.ok() ? std::move(*p) : Page{};
}

Page page_of(const std::string& name) {
  std::string why;
  auto p = parse_timeline(fixture(name), &why);
  EXPECT_TRUE(p.ok()) << name << ": " << why;
  return p.ok() ? std::move(*p) : Page{};
}

const MapOptions kReference{ItemStyle::Reference};
const ItemFormat kDocLayout{true, false};  // Indented; the doc prints line breaks as LF

// The self-reply of m365-connector-protocol.md §11.3, exactly as printed there.
const char* kSelfReplyGolden = R"({
  "SchemaVersion": "1.0",
  "Id": "1106451391000834048",
  "SourceType": "Twitter",
  "ItemType": "Tweet",
  "ContainerId": "4113725063",
  "ContainerName": "Contoso Media",
  "ThreadId": "1095304683650977792",
  "ParentId": "1095304683650977792",
  "Sender": {
    "Id": "4113725063",
    "UserProfilePhotoUrl": "https://pbs.twimg.com/profile_images/928570623042846720/WiUGM2ZJ_normal.jpg",
    "Name": "Contoso Media",
    "EmailAddress": null,
    "MobileNumber": null
  },
  "Recipients": [],
  "SentTimeUtc": "2019-03-15T07:05:43",
  "ContentType": 1,
  "Content": "reply over my own tweet",
  "PreContext": null,
  "PostContext": null,
  "NumOfLikes": 0,
  "MessagePreviewText": "reply over my own tweet",
  "ContentAttachments": null
})";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST(ItemMapperGolden, SelfReplyMatchesTheReferenceByteForByte) {
  Page p = reference_page();
  Item it = map_tweet(tweet(p, 1106451391000834048ull), p, kReference);
  EXPECT_EQ(write_item(it, kDocLayout), kSelfReplyGolden);
}

TEST(ItemMapperGolden, TweetWithMediaMatchesTheReference) {
  Page p = reference_page();
  Item it = map_tweet(tweet(p, 1105721650325147648ull), p, kReference);
  ASSERT_TRUE(it.attachments);
  ASSERT_EQ(it.attachments->size(), 2u);
  // Content is base64 of the downloaded bytes; the downloader fills it in.
  const std::string img1 = "\x89PNG first image bytes", img2 = "second image \x00\xff bytes";
  (*it.attachments)[0].content_base64 = core::base64_encode(img1);
  (*it.attachments)[1].content_base64 = core::base64_encode(img2);
  std::string expected = kSelfReplyGolden;
  expected = replace(expected, "1106451391000834048", "1105721650325147648");
  expected = replace(expected, R"("ThreadId": "1095304683650977792")", R"("ThreadId": "")");
  expected = replace(expected, R"("ParentId": "1095304683650977792")", R"("ParentId": "")");
  expected = replace(expected, "2019-03-15T07:05:43", "2019-03-13T06:45:59");
  expected = replace(expected, R"("Content": "reply over my own tweet")",
                     R"("Content": "new Tweet https://t.co/SvmFdKSs4j")");
  expected = replace(expected, R"("MessagePreviewText": "reply over my own tweet")",
                     R"("MessagePreviewText": "new Tweet https://t.co/SvmFdKSs4j")");
  expected = replace(expected, R"("ContentAttachments": null)",
                     "\"ContentAttachments\": [\n"
                     "    {\n"
                     "      \"Content\": \"" +
                         core::base64_encode(img1) +
                         "\",\n"
                         "      \"Uri\": \"https://pbs.twimg.com/media/D1hP7ksWkAIqMjZ.jpg\",\n"
                         "      \"AttachmentType\": \"media\",\n"
                         "      \"AttachmentFileName\": null\n"
                         "    },\n"
                         "    {\n"
                         "      \"Content\": \"" +
                         core::base64_encode(img2) +
                         "\",\n"
                         "      \"Uri\": \"https://pbs.twimg.com/media/D1hP9NPXcAABFoG.jpg\",\n"
                         "      \"AttachmentType\": \"media\",\n"
                         "      \"AttachmentFileName\": null\n"
                         "    }\n"
                         "  ]");
  EXPECT_EQ(write_item(it, kDocLayout), expected);
}

TEST(ItemMapperGolden, ReplyToAnotherUserMatchesTheReference) {
  Page p = reference_page();
  Item it = map_tweet(tweet(p, 1120968214052261890ull), p, kReference);
  std::string expected = kSelfReplyGolden;
  expected = replace(expected, "1106451391000834048", "1120968214052261890");
  expected = replace(expected, R"("ThreadId": "1095304683650977792")", R"("ThreadId": "")");
  expected = replace(expected, R"("ParentId": "1095304683650977792")", R"("ParentId": "")");
  expected = replace(expected, "2019-03-15T07:05:43", "2019-04-24T08:30:23");
  expected = replace(expected, R"("Content": "reply over my own tweet")",
                     R"("Content": "@test_account test tweet from P-Account")");
  expected = replace(expected, R"("MessagePreviewText": "reply over my own tweet")",
                     R"("MessagePreviewText": "@test_account test tweet from P-Account")");
  EXPECT_EQ(write_item(it, kDocLayout), expected);
}

TEST(ItemMapperGolden, ReferencePreContextOnlyForRepliesWithAnEmbeddedStatus) {
  const std::string user = R"("user":{"id_str":"7","name":"N","screen_name":"n"})";
  const std::string quoted =
      R"({"id_str":"1300000000000000000","created_at":"Wed Apr 24 08:30:23 +0000 2019",)"
      R"("full_text":"quoted post",)" +
      user + "}";
  const std::string reply_with_quote =
      R"({"id_str":"1300000000000000002","created_at":"Wed Apr 24 08:31:23 +0000 2019","full_text":"r",)"
      R"("in_reply_to_status_id_str":"1200000000000000000","in_reply_to_user_id_str":"9","is_quote_status":true,)"
      R"("quoted_status_id_str":"1300000000000000000","quoted_status":)" +
      quoted + "," + user + "}";
  // Same reply without its own quoted_status (the quoted post only reachable elsewhere in the
  // page).
  const std::string reply_without =
      R"({"id_str":"1300000000000000001","created_at":"Wed Apr 24 08:30:53 +0000 2019",)"
      R"("full_text":"r2","in_reply_to_status_id_str":"1200000000000000000",)"
      R"("in_reply_to_user_id_str":"9","is_quote_status":true,)"
      R"("quoted_status_id_str":"1300000000000000000",)" +
      user + "}";
  auto p = parse_timeline("[" + reply_with_quote + "," + reply_without + "]");
  ASSERT_TRUE(p.ok());
  Item with = map_tweet(p->tweets[0], *p, kReference);
  ASSERT_TRUE(with.pre_context);
  ASSERT_EQ(with.pre_context->size(), 1u);
  EXPECT_EQ((*with.pre_context)[0].content, "quoted post");
  EXPECT_FALSE(map_tweet(p->tweets[1], *p, kReference).pre_context);
  // A quote that is not a reply gets no PreContext in the reference (R2), but does in Full.
  auto q = parse_timeline(
      "[" +
      std::string(
          R"({"id_str":"1300000000000000003","created_at":"Wed Apr 24 08:32:23 +0000 2019",)"
          R"("full_text":"q","is_quote_status":true,"quoted_status_id_str":"1300000000000000000",)"
          R"("quoted_status":)") +
      quoted + "," + user + "}]");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(map_tweet(q->tweets[0], *q, kReference).pre_context);
  Item full = map_tweet(q->tweets[0], *q);
  EXPECT_EQ(full.item_type, "Quote");
  ASSERT_TRUE(full.pre_context);
  EXPECT_EQ((*full.pre_context)[0].id, "1300000000000000000");
}

TEST(ItemMapperGolden, BlobLayoutUsesCrlfAndCompactHasNoWhitespace) {
  Page p = reference_page();
  Item it = map_tweet(tweet(p, 1106451391000834048ull), p, kReference);
  std::string crlf = write_item(it, ItemFormat{true, true});
  std::string lf;
  for (size_t i = 0; i < crlf.size(); ++i)
    if (!(crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n')) lf.push_back(crlf[i]);
  EXPECT_EQ(lf, kSelfReplyGolden);
  EXPECT_NE(crlf.find("\r\n"), std::string::npos);
  std::string compact = write_item(it);
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  EXPECT_EQ(compact.substr(0, 49), R"({"SchemaVersion":"1.0","Id":"1106451391000834048")");
  EXPECT_NE(compact.find(R"("Recipients":[],"SentTimeUtc":"2019-03-15T07:05:43","ContentType":1,)"),
            std::string::npos);
  EXPECT_NE(compact.find(R"("PreContext":null,"PostContext":null,"NumOfLikes":0,)"),
            std::string::npos);
}

TEST(ItemMapperFull, WorkedExamplesWithTheFixes) {
  Page p = reference_page();
  Item self = map_tweet(tweet(p, 1106451391000834048ull), p);
  EXPECT_EQ(self.item_type, "Reply");
  EXPECT_EQ(self.thread_id, "1095304683650977792");
  EXPECT_EQ(self.parent_id, "1095304683650977792");
  EXPECT_FALSE(self.pre_context);  // the replied-to tweet was not returned by the API
  Item other = map_tweet(tweet(p, 1120968214052261890ull), p);
  EXPECT_EQ(other.item_type, "Reply");
  EXPECT_EQ(other.thread_id, "");
  Item media = map_tweet(tweet(p, 1105721650325147648ull), p);
  EXPECT_EQ(media.item_type, "Tweet");
  ASSERT_TRUE(media.attachments);
  ASSERT_EQ(media.attachments->size(), 2u);  // one per media item, no duplicate of the first
  EXPECT_EQ((*media.attachments)[0].uri,
            "https://pbs.twimg.com/media/D1hP7ksWkAIqMjZ.jpg?name=orig");
  EXPECT_EQ((*media.attachments)[0].type, "photo");
  EXPECT_EQ(*(*media.attachments)[0].file_name, "D1hP7ksWkAIqMjZ.jpg");
  EXPECT_FALSE((*media.attachments)[0].content_base64);
  EXPECT_EQ((*media.attachments)[1].uri,
            "https://pbs.twimg.com/media/D1hP9NPXcAABFoG.jpg?name=orig");
}

TEST(ItemMapperFull, RetweetGetsTheFullTextAndThePostInPreContext) {
  Page p = page_of("v1_user_timeline_extended_Bioconductor.json");
  Item it = map_tweet(tweet(p, 1589554076676919298ull), p);
  EXPECT_EQ(it.item_type, "Retweet");
  EXPECT_EQ(it.content,
            "RT @PeteHaitch: For those in China who cannot access Google Forms, we also have this "
            "registration link: "
            "https://t.co/5NIVRDCvsj https://t.co/AxNDvJc5mN");
  ASSERT_TRUE(it.pre_context);
  ASSERT_GE(it.pre_context->size(), 1u);
  EXPECT_EQ((*it.pre_context)[0].id, "1589495502588239874");  // the retweeted post first
  ASSERT_EQ(it.pre_context->size(), 2u);
  EXPECT_EQ((*it.pre_context)[1].id, "1589483863436582912");  // then the post it quoted
  EXPECT_EQ((*it.pre_context)[0].sender.name, "Peter Hickey");
  // Media that exists only on the retweeted post is still attached.
  Item media_rt = map_tweet(tweet(p, 1588190696871272448ull), p);
  ASSERT_TRUE(media_rt.attachments);
  EXPECT_EQ((*media_rt.attachments)[0].uri,
            "https://pbs.twimg.com/media/FgpZhDhWAAAiFiG.jpg?name=orig");
  EXPECT_NE(media_rt.content.find("\xF0\x9F\xA5\x81Registration is now open"),
            std::string::npos);                                         // 🥁 intact
  EXPECT_EQ(media_rt.content.find("\xE2\x80\xA6"), std::string::npos);  // no "…" truncation
}

TEST(ItemMapperFull, EntitiesDecodedAndDisplayRangeForThePreview) {
  Page r = page_of("v1_user_timeline_extended_rOpenSci.json");
  Item amp = map_tweet(tweet(r, 1588652312569978881ull), r);
  EXPECT_NE(amp.content.find("authors, reviewers & editors"), std::string::npos);
  EXPECT_EQ(amp.content.find("&amp;"), std::string::npos);
  EXPECT_NE(amp.content.find("\xF0\x9F\x94\x97 https://t.co/y74t3eIuTr"), std::string::npos);  // 🔗
  Item ref = map_tweet(tweet(r, 1588652312569978881ull), r, kReference);
  EXPECT_NE(ref.content.find("&amp;"), std::string::npos);  // the reference kept the escape

  Page m = page_of("v1_user_timeline_extended_mvabercron.json");
  Item reply = map_tweet(tweet(m, 1585257149504315393ull), m);
  EXPECT_EQ(reply.content.substr(0, 27), "@JoWadephul @Bundeskanzler ");
  EXPECT_EQ(reply.message_preview_text.substr(0, 24), "Er hat leider nicht  geo");
  EXPECT_EQ(reply.message_preview_text, reply.content.substr(27));
}

TEST(ItemMapperFull, VideoAndGifTakeTheBestMp4) {
  Page cnn = page_of("v1_user_timeline_extended_cnn_count10.json");
  Item v = map_tweet(tweet(cnn, 1590090589248393216ull), cnn);
  ASSERT_TRUE(v.attachments);
  ASSERT_EQ(v.attachments->size(), 1u);
  EXPECT_EQ((*v.attachments)[0].uri,
            "https://video.twimg.com/amplify_video/1590082750022828032/vid/1280x720/"
            "7zESni7eAn-HNEDD.mp4?tag=14");
  EXPECT_EQ((*v.attachments)[0].type, "video");
  EXPECT_EQ(*(*v.attachments)[0].file_name, "7zESni7eAn-HNEDD.mp4");
  // The reference archived only the poster image.
  Item ref = map_tweet(tweet(cnn, 1590090589248393216ull), cnn, kReference);
  ASSERT_TRUE(ref.attachments);
  EXPECT_NE((*ref.attachments)[0].uri.find("pbs.twimg.com"), std::string::npos);

  Page andy = page_of("v1_home_timeline_andypiper_quotes.json");
  Item gif = map_tweet(tweet(andy, 1358823181080014854ull), andy);
  ASSERT_TRUE(gif.attachments);
  EXPECT_EQ((*gif.attachments)[0].uri, "https://video.twimg.com/tweet_video/EtrDt1TVcAEckoj.mp4");
  EXPECT_EQ((*gif.attachments)[0].type, "animated_gif");

  Page v2 = page_of("v2_tweets_lookup_video_variants.json");
  Item vv = map_tweet(v2.tweets[0], v2);
  ASSERT_TRUE(vv.attachments);
  EXPECT_EQ((*vv.attachments)[0].uri,
            "https://video.twimg.com/ext_tw_video/1558552952549277696/pu/vid/1280x720/"
            "WiZrNZKT2lMzK5zA.mp4?tag=12");
  EXPECT_EQ(vv.sent_time_utc, "2022-08-13T20:36:51");
  EXPECT_EQ(vv.container_name,
            "Igor Brigadir \xF0\x9F\x87\xBA\xF0\x9F\x87\xA6 @igor@mastodon.social");

  // No variants (2021 recording): the poster, labelled as such.
  Page page = page_of("v2_users_2351222345_tweets_page_expanded.json");
  Item poster = map_tweet(tweet(page, 1257123246484447232ull), page);
  ASSERT_TRUE(poster.attachments);
  EXPECT_EQ((*poster.attachments)[0].type, "video_preview");
}

TEST(ItemMapperFull, V2QuoteReplyAndRetweet) {
  Page q = page_of("v2_tweets_lookup_quote_and_reply_edited.json");
  Item it = map_tweet(q.tweets[0], q);
  EXPECT_EQ(it.item_type, "Reply");
  EXPECT_EQ(it.thread_id, "");  // a reply to someone else
  EXPECT_EQ(it.container_id, "1494167419413094401");
  EXPECT_EQ(it.sender.name, "david");
  ASSERT_TRUE(it.pre_context);
  ASSERT_EQ(it.pre_context->size(), 2u);
  EXPECT_EQ((*it.pre_context)[0].id, "1576994746135764992");
  EXPECT_EQ((*it.pre_context)[1].id, "1576994789110992896");

  Page page = page_of("v2_users_2351222345_tweets_page_expanded.json");
  Item rt = map_tweet(page.tweets[0], page);
  EXPECT_EQ(rt.item_type, "Retweet");
  EXPECT_EQ(rt.content,
            "RT @frankgore: #Year16 "
            "\xE2\x9C\x88\xEF\xB8\x8F\xE2\x9C\x88\xEF\xB8\x8F\xE2\x9C\x88\xEF\xB8\x8F "
            "https://t.co/62hfuFJmSq");
  EXPECT_EQ(rt.sent_time_utc, "2020-05-05T21:36:21");
}

TEST(ItemMapperFull, LongPostUsesNoteTweet) {
  std::string body = R"({"data":[{"id":"1577730467436138524","text":"short &amp; cut\u2026",
    "note_tweet":{"text":"the whole long post &amp; more"},"created_at":"2022-10-05T18:00:00.000Z",
    "author_id":"7"}],"includes":{"users":[{"id":"7","name":"N","username":"n"}]}})";
  auto p = parse_timeline(body);
  ASSERT_TRUE(p.ok());
  Item it = map_tweet(p->tweets[0], *p);
  EXPECT_EQ(it.content, "the whole long post & more");
  EXPECT_EQ(it.message_preview_text, it.content);
}

TEST(ItemMapper, EveryFixtureMapsInBothStyles) {
  for (const std::string& name : twitter_test::timeline_fixtures()) {
    Page p = page_of(name);
    for (const Tweet& t : p.tweets) {
      for (ItemStyle style : {ItemStyle::Full, ItemStyle::Reference}) {
        Item it = map_tweet(t, p, MapOptions{style});
        EXPECT_EQ(it.id, std::to_string(t.id)) << name;
        EXPECT_EQ(it.sent_time_utc.size(), 19u) << name;
        EXPECT_FALSE(it.content.empty()) << name << " " << t.id;
        std::string json = write_item(it);
        auto parsed = json::parse(json);
        ASSERT_TRUE(parsed.ok()) << name << " " << t.id;  // always valid JSON
        EXPECT_EQ(*json::get_string(parsed->get(), "Id"), it.id);
        if (style == ItemStyle::Full) {
          size_t media = t.media.size();
          if (const Ref* r = t.ref(RefType::Retweeted))
            if (const Tweet* o = p.find_included(r->id)) media += o->media.size();
          EXPECT_LE(it.attachments ? it.attachments->size() : 0, media) << name;
          if (!t.media.empty()) {
            EXPECT_TRUE(it.attachments) << name << " " << t.id;
          }
        }
      }
    }
  }
}

TEST(ItemWriter, EscapesLikeNewtonsoft) {
  std::string out;
  append_json_string("a\"b\\c/d\n\t\x01 \xC2\x85 \xE2\x80\xA8 \xF0\x9F\x91\x80 \xFF", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c/d\\n\\t\\u0001 \\u0085 \\u2028 \xF0\x9F\x91\x80 \xEF\xBF\xBD\"");
}

TEST(MediaSelection, PhotoOriginalAndFileNames) {
  EXPECT_EQ(photo_original_url("https://pbs.twimg.com/media/A.jpg"),
            "https://pbs.twimg.com/media/A.jpg?name=orig");
  EXPECT_EQ(photo_original_url("https://pbs.twimg.com/media/A.jpg:large"),
            "https://pbs.twimg.com/media/A.jpg?name=orig");
  EXPECT_EQ(photo_original_url("https://pbs.twimg.com/media/A?format=jpg&name=small"),
            "https://pbs.twimg.com/media/A?name=orig");
  EXPECT_EQ(photo_original_url("https://example.com/a.jpg"), "https://example.com/a.jpg");
  EXPECT_EQ(file_name_from_url("https://h/a/b/c.mp4?tag=12"), "c.mp4");
  EXPECT_EQ(file_name_from_url("https://h"), "");
  Media m;
  m.type = "video";
  m.variants = {{"https://v/1.m3u8", "application/x-mpegURL", -1},
                {"https://v/low.mp4", "video/mp4", 256000},
                {"https://v/high.mp4", "video/mp4", 2176000},
                {"https://v/mid.mp4", "video/mp4", 832000}};
  ASSERT_TRUE(best_mp4(m));
  EXPECT_EQ(best_mp4(m)->url, "https://v/high.mp4");
  Media none;
  none.type = "video";
  EXPECT_FALSE(select_media(none));
}
