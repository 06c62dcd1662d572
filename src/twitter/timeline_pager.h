// Request planning and paging for one timeline sync, with no I/O: the caller sends the path
// a pager gives, parses the response (tweet_parser.h) and hands the Page back. Each pager
// decides which tweets are new (never one twice, none older than the cursor), when paging is
// over, and which id the cursor may advance to once the run succeeded.
//  - V2TimelinePager: GET /2/users/:id/tweets, max_results=100, since_id, start_time/end_time,
//    follows meta.next_token until it is absent (twitter-api.md §5.2).
//  - V1TimelinePager: GET /1.1/statuses/user_timeline.json, tweet_mode=extended, count=200,
//    include_rts=1, walking max_id = lowest id seen − 1 down to since_id (§4.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "twitter/tweet.h"

namespace twitter {

struct TimelineWindow {
  std::optional<uint64_t> since_id;     // the job's cursor: only tweets with a greater id
  std::optional<int64_t> start_time_s;  // the task's window, Unix seconds (inclusive)
  std::optional<int64_t> end_time_s;
  // Where an interrupted walk of the same window stopped (a task checkpoint's page token: v2
  // pagination_token, v1.1 max_id in decimal): paging starts there instead of at the newest
  // page, so a resumed import does not read again what it already uploaded. Empty: the top.
  std::string resume_token;
};

// The field lists requested from v2 so that every Item field can be filled.
extern const char* const kV2TweetFields;
extern const char* const kV2Expansions;
extern const char* const kV2MediaFields;
extern const char* const kV2UserFields;

// What one consumed page gave: indices into page.tweets of tweets that are new and inside the
// window, in API order (newest first).
struct PageOutcome {
  std::vector<size_t> accepted;
  size_t skipped_outside_window = 0;
  size_t skipped_duplicates = 0;
};

class V2TimelinePager {
 public:
  V2TimelinePager(std::string user_id, TimelineWindow window);

  bool done() const { return done_; }
  // Path and query of the next request ("/2/users/42/tweets?max_results=100&…"), values
  // percent-encoded (RFC 3986 unreserved set, as OAuth signs them). Only valid while !done().
  std::string next_path() const;
  // Consumes the response to the last next_path(). Errors: Parse if it is not a v2 page or the
  // server repeats a pagination token (it would loop), TooLarge past kMaxTimelinePages.
  core::Result<PageOutcome> consume(const Page& page);
  // Newest id accepted so far (the cursor to store after success), or the old since_id.
  std::optional<uint64_t> newest_id() const { return newest_ ? newest_ : window_.since_id; }
  size_t pages() const { return pages_; }

 private:
  std::string user_id_;
  TimelineWindow window_;
  std::string next_token_;
  std::vector<std::string> seen_tokens_;
  std::optional<uint64_t> newest_;
  uint64_t lowest_ = 0;  // lowest id accepted; later tweets must be below it (0 = none yet)
  size_t pages_ = 0;
  bool done_ = false;
};

class V1TimelinePager {
 public:
  // user_id empty: the authenticating user's timeline (what the reference read).
  V1TimelinePager(std::string user_id, TimelineWindow window);

  bool done() const { return done_; }
  std::string next_path() const;
  core::Result<PageOutcome> consume(const Page& page);
  std::optional<uint64_t> newest_id() const { return newest_ ? newest_ : window_.since_id; }
  size_t pages() const { return pages_; }
  // max_id of the next request (lowest id seen − 1), nullopt on the first page.
  std::optional<uint64_t> max_id() const { return max_id_; }

 private:
  std::string user_id_;
  TimelineWindow window_;
  std::optional<uint64_t> max_id_;
  std::optional<uint64_t> newest_;
  size_t pages_ = 0;
  bool done_ = false;
};

}  // namespace twitter
