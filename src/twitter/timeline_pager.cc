// Implementation of twitter/timeline_pager.h.
#include "twitter/timeline_pager.h"

#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "json/json.h"
#include "twitter/text.h"

namespace twitter {

const char* const kV2TweetFields =
    "attachments,author_id,conversation_id,created_at,edit_history_tweet_ids,entities,"
    "in_reply_to_user_id,lang,note_tweet,public_metrics,referenced_tweets,source";
const char* const kV2Expansions =
    "attachments.media_keys,author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "referenced_tweets.id.attachments.media_keys";
const char* const kV2MediaFields =
    "alt_text,duration_ms,height,media_key,preview_image_url,type,url,variants,width";
const char* const kV2UserFields = "id,name,profile_image_url,username";

namespace {

void param(std::string* q, const char* name, std::string_view value) {
  if (!q->empty()) q->push_back('&');
  q->append(name);
  q->push_back('=');
  core::percent_encode_to(value, q);
}

bool in_window(const Tweet& t, const TimelineWindow& w) {
  if (w.start_time_s && t.created_at_s < *w.start_time_s) return false;
  if (w.end_time_s && t.created_at_s > *w.end_time_s) return false;
  return true;
}

// Shared acceptance rule: ids strictly decrease through a walk, so a tweet is new exactly when
// it is below the lowest accepted id and above the cursor. Returns false when the page says
// paging can stop (it reached the cursor or went older than the window).
bool accept_page(const Page& page, const TimelineWindow& w, uint64_t* lowest,
                 std::optional<uint64_t>* newest, PageOutcome* out) {
  bool more = true;
  for (size_t i = 0; i < page.tweets.size(); ++i) {
    const Tweet& t = page.tweets[i];
    if (w.since_id && t.id <= *w.since_id) {
      more = false;  // reached the cursor: everything after is already archived
      continue;
    }
    if (*lowest && t.id >= *lowest) {
      ++out->skipped_duplicates;
      continue;
    }
    *lowest = t.id;
    if (!in_window(t, w)) {
      ++out->skipped_outside_window;
      // Reverse chronological: once older than the window, every later tweet is too.
      if (w.start_time_s && t.created_at_s < *w.start_time_s) more = false;
      continue;
    }
    if (!*newest || t.id > **newest) *newest = t.id;
    out->accepted.push_back(i);
  }
  return more;
}

}  // namespace

V2TimelinePager::V2TimelinePager(std::string user_id, TimelineWindow window)
    : user_id_(std::move(user_id)), window_(window), next_token_(window_.resume_token) {}

std::string V2TimelinePager::next_path() const {
  std::string path = "/2/users/";
  core::percent_encode_to(user_id_, &path);
  path += "/tweets?";
  std::string q;
  param(&q, "max_results", "100");
  if (window_.since_id) param(&q, "since_id", std::to_string(*window_.since_id));
  // since_id takes precedence over start_time at X; both are sent and the window is also
  // applied locally (accept_page), so either behaviour is safe.
  if (window_.start_time_s) param(&q, "start_time", format_rfc3339(*window_.start_time_s));
  if (window_.end_time_s) param(&q, "end_time", format_rfc3339(*window_.end_time_s));
  if (!next_token_.empty()) param(&q, "pagination_token", next_token_);
  param(&q, "tweet.fields", kV2TweetFields);
  param(&q, "expansions", kV2Expansions);
  param(&q, "media.fields", kV2MediaFields);
  param(&q, "user.fields", kV2UserFields);
  return path + q;
}

core::Result<PageOutcome> V2TimelinePager::consume(const Page& page) {
  if (done_) return core::make_error(core::Errc::Internal, "v2 pager already done");
  if (page.version != ApiVersion::V2)
    return core::make_error(core::Errc::Parse, "v2 pager got a v1.1 page");
  if (++pages_ > core::limits::kMaxTimelinePages)
    return core::make_error(core::Errc::TooLarge, "v2 timeline: too many pages");
  // Partial errors (a referenced post that is gone or private) are reported, never fatal.
  for (const PartialError& e : page.errors)
    core::log::warn("x api partial error",
                    {core::log::f("title", e.title), core::log::f("resource_id", e.resource_id),
                     core::log::f("detail", e.detail)});
  PageOutcome out;
  bool more = accept_page(page, window_, &lowest_, &newest_, &out);
  const std::string& token = page.meta.next_token;
  for (const std::string& t : seen_tokens_)
    if (t == token) return core::make_error(core::Errc::Parse, "v2 timeline: next_token repeats");
  if (!more || token.empty() || page.tweets.empty()) {
    done_ = true;
  } else {
    seen_tokens_.push_back(token);
    next_token_ = token;
  }
  return out;
}

V1TimelinePager::V1TimelinePager(std::string user_id, TimelineWindow window)
    : user_id_(std::move(user_id)), window_(window) {
  // A token that is not a decimal id (none, or another version's) starts at the top.
  if (auto id = json::parse_u64(window_.resume_token)) max_id_ = *id;
}

std::string V1TimelinePager::next_path() const {
  std::string q;
  param(&q, "tweet_mode", "extended");
  param(&q, "count", "200");
  param(&q, "include_rts", "1");
  if (!user_id_.empty()) param(&q, "user_id", user_id_);
  if (window_.since_id) param(&q, "since_id", std::to_string(*window_.since_id));
  if (max_id_) param(&q, "max_id", std::to_string(*max_id_));
  return "/1.1/statuses/user_timeline.json?" + q;
}

core::Result<PageOutcome> V1TimelinePager::consume(const Page& page) {
  if (done_) return core::make_error(core::Errc::Internal, "v1 pager already done");
  if (page.version != ApiVersion::V1)
    return core::make_error(core::Errc::Parse, "v1 pager got a v2 page");
  if (++pages_ > core::limits::kMaxTimelinePages)
    return core::make_error(core::Errc::TooLarge, "v1.1 timeline: too many pages");
  PageOutcome out;
  uint64_t lowest = max_id_ ? *max_id_ + 1 : 0;  // max_id is inclusive: ids <= max_id are new
  uint64_t before = lowest;
  bool more = accept_page(page, window_, &lowest, &newest_, &out);
  // Short pages are normal (count is applied before deleted tweets are removed): only an empty
  // page, the cursor or the window's start ends the walk.
  if (page.tweets.empty() || !more) {
    done_ = true;
    return out;
  }
  if (lowest == before) {
    // Nothing below max_id came back: a server that ignores max_id would loop forever.
    return core::make_error(core::Errc::Parse, "v1.1 timeline: page did not move below max_id");
  }
  if (lowest <= 1 || (window_.since_id && lowest - 1 <= *window_.since_id)) {
    done_ = true;  // no id can lie between the cursor and the lowest one seen
    return out;
  }
  max_id_ = lowest - 1;
  return out;
}

}  // namespace twitter
