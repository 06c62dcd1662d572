// Tweet → Item (m365-connector-protocol.md §11). Two styles:
//  - Reference: byte-for-byte what the reference connector produced (rules R1–R3), for a
//    platform that turns out to need exactly that;
//  - Full (default): the same shape with the quirk-table fixes (§14 #14, #15): complete text of
//    retweets and long posts, HTML entities decoded, ItemType Tweet/Reply/Retweet/Quote,
//    PreContext filled with the referenced tweets the API returned, one attachment per media
//    item (original-size photo, best MP4 of a video/GIF) with its type and file name.
// Pure: no I/O. Attachment bytes are added later by whoever downloads them (Content stays null).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "twitter/item.h"
#include "twitter/tweet.h"

namespace twitter {

enum class ItemStyle { Full, Reference };

struct MapOptions {
  ItemStyle style = ItemStyle::Full;
};

// Maps one tweet of `page` (page.tweets or page.included); referenced tweets are looked up in
// page.included.
Item map_tweet(const Tweet& tweet, const Page& page, const MapOptions& options = {});

// The text the author wrote: note_tweet.text when present (long posts), else text.
const std::string& full_text(const Tweet& tweet);

// What to fetch for one media item.
struct MediaChoice {
  std::string uri;
  std::string type;       // photo | video | animated_gif; "<type>_preview" if no MP4 exists
  std::string file_name;  // last path segment of uri, without the query
};
// Photo → original size (pbs.twimg.com "?name=orig"); video/GIF → highest-bitrate video/mp4
// variant, else its poster image. nullopt when the item has no usable URL.
std::optional<MediaChoice> select_media(const Media& media);
// pbs.twimg.com photo URL → the same image at original size; other URLs unchanged.
std::string photo_original_url(std::string_view url);
// The video/mp4 variant with the highest bitrate (absent bitrate counts as 0), or nullptr.
const MediaVariant* best_mp4(const Media& media);
// "https://h/a/b/c.mp4?tag=12" → "c.mp4"; "" when the path has no last segment.
std::string file_name_from_url(std::string_view url);

}  // namespace twitter
