// twitter::write_item_parts: the Item writer cut open at every attachment's Content. Putting
// each attachment's own Content value (null or its base64 string) back between the parts must
// give write_item()'s output byte for byte, for hand-made items (none, empty, null and filled
// attachments, PreContext items with their own media, awkward strings) and every fixture
// tweet, compact, indented LF and indented CRLF.
#include "twitter/item.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "json/json.h"
#include "twitter/item_mapper.h"
#include "twitter/tweet_parser.h"
#include "unit/twitter/fixture_util.h"

using namespace twitter;

namespace {

const ItemFormat kFormats[] = {ItemFormat{false, true}, ItemFormat{true, false},
                               ItemFormat{true, true}};

// Every attachment in document order: an item's PreContext items come before its own list.
void collect(const Item& it, std::vector<const ItemAttachment*>* out) {
  if (it.pre_context)
    for (const Item& p : *it.pre_context) collect(p, out);
  if (it.attachments)
    for (const ItemAttachment& a : *it.attachments) out->push_back(&a);
}

// Joins the parts with each attachment's own Content value and compares with write_item.
void expect_identical(const Item& it, const std::string& what) {
  std::vector<const ItemAttachment*> atts;
  collect(it, &atts);
  for (const ItemFormat& f : kFormats) {
    SCOPED_TRACE(what + (f.indented ? (f.crlf ? " (CRLF)" : " (LF)") : " (compact)"));
    ItemParts parts = write_item_parts(it, f);
    ASSERT_EQ(parts.texts.size(), atts.size() + 1);
    ASSERT_EQ(parts.uris.size(), atts.size());
    std::string joined = parts.texts[0];
    for (size_t i = 0; i < atts.size(); ++i) {
      EXPECT_EQ(parts.uris[i], atts[i]->uri);
      if (atts[i]->content_base64)
        append_json_string(*atts[i]->content_base64, &joined);
      else
        joined += "null";
      joined += parts.texts[i + 1];
    }
    EXPECT_EQ(joined, write_item(it, f));
  }
}

Item base_item(const std::string& id) {
  Item it;
  it.id = id;
  it.item_type = "Tweet";
  it.container_id = "4113725063";
  it.container_name = "Contoso \"Media\"\n";
  it.sender.id = "4113725063";
  it.sender.name = "Contoso Media";
  it.sent_time_utc = "2019-03-13T06:45:59";
  it.content = "new Tweet \xE2\x80\xA8 https://t.co/x \\ /";
  it.message_preview_text = it.content;
  it.num_of_likes = 12;
  return it;
}

}  // namespace

TEST(ItemParts, WithoutAttachmentsIsOnePart) {
  Item it = base_item("1");
  ItemParts p = write_item_parts(it, ItemFormat{true, true});
  ASSERT_EQ(p.texts.size(), 1u);
  EXPECT_TRUE(p.uris.empty());
  EXPECT_EQ(p.texts[0], write_item(it, ItemFormat{true, true}));
  expect_identical(it, "no attachments");
  it.attachments.emplace();  // an empty list is written [] and has no cut
  expect_identical(it, "empty attachment list");
}

TEST(ItemParts, CutsExactlyAtEachContentValue) {
  Item it = base_item("2");
  it.attachments = std::vector<ItemAttachment>{
      {std::nullopt, "https://pbs.twimg.com/media/a.jpg", "media", std::nullopt},
      {core::base64_encode("bytes \x00\xff"), "https://video.twimg.com/v.mp4", "video/mp4",
       "v.mp4"}};
  expect_identical(it, "null and filled");
  ItemParts compact = write_item_parts(it);
  ASSERT_EQ(compact.texts.size(), 3u);
  EXPECT_EQ(compact.texts[0].substr(compact.texts[0].size() - 33),
            R"("ContentAttachments":[{"Content":)");
  EXPECT_EQ(compact.texts[1].substr(0, 42), R"(,"Uri":"https://pbs.twimg.com/media/a.jpg")");
  EXPECT_EQ(compact.texts[2].substr(compact.texts[2].size() - 4), "\"}]}");
  ItemParts indented = write_item_parts(it, ItemFormat{true, false});
  EXPECT_EQ(indented.texts[1].substr(0, 9), ",\n      \"");
}

TEST(ItemParts, PreContextMediaComeInDocumentOrder) {
  Item parent = base_item("10");
  parent.attachments = std::vector<ItemAttachment>{
      {std::nullopt, "https://pbs.twimg.com/media/parent.jpg", "media", std::nullopt}};
  Item grand = base_item("9");
  grand.attachments = std::vector<ItemAttachment>{
      {std::nullopt, "https://pbs.twimg.com/media/grand.png", "media", std::nullopt}};
  parent.pre_context = std::vector<Item>{grand};
  Item it = base_item("11");
  it.pre_context = std::vector<Item>{parent, base_item("12")};
  it.attachments = std::vector<ItemAttachment>{
      {std::nullopt, "https://pbs.twimg.com/media/own.jpg", "media", std::nullopt},
      {std::string(""), "https://pbs.twimg.com/media/empty.jpg", "media", std::nullopt}};
  expect_identical(it, "nested");
  ItemParts p = write_item_parts(it);
  ASSERT_EQ(p.uris.size(), 4u);
  EXPECT_EQ(p.uris[0], "https://pbs.twimg.com/media/grand.png");
  EXPECT_EQ(p.uris[1], "https://pbs.twimg.com/media/parent.jpg");
  EXPECT_EQ(p.uris[2], "https://pbs.twimg.com/media/own.jpg");
  // Any JSON value put at the cuts gives a valid document.
  std::string doc = p.texts[0];
  for (size_t i = 1; i < p.texts.size(); ++i) doc += "\"QUJD\"" + p.texts[i];
  EXPECT_TRUE(json::parse(doc).ok()) << doc;
}

TEST(ItemParts, EveryFixtureTweetIsByteIdentical) {
  size_t with_media = 0;
  for (const std::string& name : twitter_test::timeline_fixtures()) {
    auto page = parse_timeline(twitter_test::fixture(name));
    ASSERT_TRUE(page.ok()) << name;
    for (const Tweet& t : page->tweets)
      for (ItemStyle style : {ItemStyle::Full, ItemStyle::Reference}) {
        Item it = map_tweet(t, *page, MapOptions{style});
        std::vector<const ItemAttachment*> atts;
        collect(it, &atts);
        with_media += !atts.empty();
        expect_identical(it, name + " " + it.id);
      }
  }
  EXPECT_GT(with_media, 10u);  // the fixtures do exercise the cuts
}
