// The tweet model shared by the v1.1 and v2 parsers, the mapper and the pagers. Both API
// versions are normalised into it: ids are 64-bit values read from strings only, dates are
// Unix seconds, v2 `includes` are resolved into each tweet (author, media) and embedded v1.1
// tweets (retweeted_status, quoted_status) become `Page::included`, like v2's includes.tweets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twitter {

enum class ApiVersion { V1, V2 };
enum class RefType { RepliedTo, Quoted, Retweeted };

struct User {
  std::string id;  // decimal, "" when unknown
  std::optional<std::string> name;
  std::string username;  // screen_name / username, without '@'
  std::optional<std::string> profile_image_url;
};

struct MediaVariant {
  std::string url;
  std::string content_type;  // "video/mp4", "application/x-mpegURL"
  int64_t bitrate = -1;      // -1: absent (HLS playlists carry none)
};

struct Media {
  std::string key;          // v2 media_key, v1.1 id_str
  std::string type;         // "photo" | "video" | "animated_gif"
  std::string url;          // photo URL (v2 url, v1.1 media_url_https)
  std::string preview_url;  // video/GIF poster (v2 preview_image_url, v1.1 media_url_https)
  std::vector<MediaVariant> variants;
};

struct Ref {
  RefType type;
  uint64_t id;
};

struct Tweet {
  uint64_t id = 0;
  int64_t created_at_s = 0;  // Unix seconds (UTC)
  // Text exactly as delivered (HTML entities still escaped): v1.1 full_text or text, v2 text.
  std::string text;
  // v2 note_tweet.text: the untruncated text of a long post; empty when absent.
  std::string note_text;
  // display_text_range in code points of `text`, when the API gave one.
  std::optional<std::pair<uint32_t, uint32_t>> display_range;
  User author;
  // Reply target; 0 when not a reply. in_reply_to_user_id as a decimal string ("" if none).
  uint64_t in_reply_to_status_id = 0;
  std::string in_reply_to_user_id;
  bool is_quote_status = false;  // v1.1 flag (the reference's R2 reads it)
  // v1.1: this tweet object itself embedded quoted_status (absent on retweets of quotes, where
  // it sits inside retweeted_status). The reference's R2 only sees an embedded one.
  bool quoted_embedded = false;
  std::vector<Ref> refs;  // replied_to / quoted / retweeted, in API order
  // Real media list: v1.1 extended_entities.media (else entities.media), v2 includes.media.
  std::vector<Media> media;
  // v1.1 entities.media[].media_url_https in order (only the reference's mapping reads it).
  std::vector<std::string> entity_media_urls;
  int64_t like_count = 0;
  uint64_t conversation_id = 0;
  std::vector<uint64_t> edit_history_ids;

  const Ref* ref(RefType type) const {
    for (const Ref& r : refs)
      if (r.type == type) return &r;
    return nullptr;
  }
};

// A v2 partial error (inside a 200) or nothing for v1.1.
struct PartialError {
  std::string title;
  std::string detail;
  std::string resource_id;
};

struct PageMeta {
  uint32_t result_count = 0;
  uint64_t newest_id = 0;  // 0 when absent
  uint64_t oldest_id = 0;
  std::string next_token;  // "" on the last page
};

struct Page {
  ApiVersion version = ApiVersion::V2;
  std::vector<Tweet> tweets;    // the page itself, API order (newest first)
  std::vector<Tweet> included;  // referenced tweets the API returned
  PageMeta meta;
  std::vector<PartialError> errors;

  const Tweet* find_included(uint64_t id) const {
    for (const Tweet& t : included)
      if (t.id == id) return &t;
    return nullptr;
  }
};

}  // namespace twitter
