#include "twitter/timeline_pager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "twitter/tweet_parser.h"
#include "unit/twitter/fixture_util.h"

using namespace twitter;
using twitter_test::fixture;

namespace {

std::map<std::string, std::string> query_of(const std::string& path) {
  std::map<std::string, std::string> out;
  size_t q = path.find('?');
  if (q == std::string::npos) return out;
  std::string rest = path.substr(q + 1);
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t amp = rest.find('&', pos);
    std::string kv = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = kv.find('=');
    auto k = core::percent_decode(kv.substr(0, eq));
    auto v = core::percent_decode(eq == std::string::npos ? "" : kv.substr(eq + 1));
    EXPECT_TRUE(k.ok() && v.ok()) << kv;
    EXPECT_EQ(out.count(*k), 0u) << "duplicate parameter " << *k;
    out[*k] = *v;
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

// An in-memory account timeline with X's paging semantics, newest first.
struct FakeTimeline {
  std::vector<uint64_t> ids;  // strictly decreasing
  int64_t time_of(uint64_t id) const {
    return static_cast<int64_t>(1'600'000'000 + (id % 10'000'000) / 10);
  }

  void add_newer(size_t n, uint64_t step = 7) {
    uint64_t top = ids.empty() ? 1'000'000 : ids.front();
    for (size_t i = 0; i < n; ++i) ids.insert(ids.begin(), top + step * (i + 1));
  }
  Tweet make(uint64_t id) const {
    Tweet t;
    t.id = id;
    t.created_at_s = time_of(id);
    t.text = "tweet " + std::to_string(id);
    return t;
  }
  // v1.1: count, inclusive max_id, exclusive since_id.
  Page v1(const std::string& path) const {
    auto q = query_of(path);
    EXPECT_EQ(q["tweet_mode"], "extended");
    EXPECT_EQ(q["include_rts"], "1");
    size_t count = std::stoul(q["count"]);
    Page p;
    p.version = ApiVersion::V1;
    for (uint64_t id : ids) {
      if (q.count("max_id") && id > std::stoull(q["max_id"])) continue;
      if (q.count("since_id") && id <= std::stoull(q["since_id"])) continue;
      if (p.tweets.size() == count) break;
      p.tweets.push_back(make(id));
    }
    return p;
  }
  // v2: max_results, since_id exclusive, pagination_token = "below:<id>".
  Page v2(const std::string& path) const {
    auto q = query_of(path);
    size_t max = std::stoul(q["max_results"]);
    Page p;
    p.version = ApiVersion::V2;
    uint64_t below = UINT64_MAX;
    if (q.count("pagination_token")) below = std::stoull(q["pagination_token"].substr(6));
    std::vector<uint64_t> rest;
    for (uint64_t id : ids) {
      if (id >= below) continue;
      if (q.count("since_id") && id <= std::stoull(q["since_id"])) continue;
      rest.push_back(id);
    }
    for (size_t i = 0; i < rest.size() && i < max; ++i) p.tweets.push_back(make(rest[i]));
    if (rest.size() > max) p.meta.next_token = "below:" + std::to_string(p.tweets.back().id);
    p.meta.result_count = static_cast<uint32_t>(p.tweets.size());
    return p;
  }
};

template <class Pager>
std::vector<uint64_t> run(Pager& pager, const FakeTimeline& tl, bool v2, size_t* pages = nullptr) {
  std::vector<uint64_t> got;
  size_t n = 0;
  while (!pager.done()) {
    Page page = v2 ? tl.v2(pager.next_path()) : tl.v1(pager.next_path());
    auto out = pager.consume(page);
    EXPECT_TRUE(out.ok());
    if (!out.ok()) break;
    for (size_t i : out->accepted) got.push_back(page.tweets[i].id);
    if (++n > 100) break;
  }
  if (pages) *pages = n;
  return got;
}

void expect_exactly(const std::vector<uint64_t>& got, const std::vector<uint64_t>& want) {
  std::set<uint64_t> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), got.size()) << "a tweet was delivered twice";
  std::vector<uint64_t> a = got, b = want;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
}

}  // namespace

TEST(V2TimelinePager, FirstRequestCarriesEveryParameter) {
  V2TimelinePager p("2244994945", TimelineWindow{1106451391000834048ull, 1552633543, 1552719943});
  std::string path = p.next_path();
  EXPECT_EQ(path.rfind("/2/users/2244994945/tweets?", 0), 0u) << path;
  auto q = query_of(path);
  EXPECT_EQ(q["max_results"], "100");
  EXPECT_EQ(q["since_id"], "1106451391000834048");
  EXPECT_EQ(q["start_time"], "2019-03-15T07:05:43Z");
  EXPECT_EQ(q["end_time"], "2019-03-16T07:05:43Z");
  EXPECT_EQ(q.count("pagination_token"), 0u);
  EXPECT_NE(q["tweet.fields"].find("note_tweet"), std::string::npos);
  EXPECT_NE(q["tweet.fields"].find("referenced_tweets"), std::string::npos);
  EXPECT_NE(q["tweet.fields"].find("edit_history_tweet_ids"), std::string::npos);
  EXPECT_NE(q["expansions"].find("attachments.media_keys"), std::string::npos);
  EXPECT_NE(q["media.fields"].find("variants"), std::string::npos);
  EXPECT_NE(q["user.fields"].find("profile_image_url"), std::string::npos);
  // Commas are percent-encoded on the wire (what OAuth signs).
  EXPECT_NE(path.find("tweet.fields=attachments%2Cauthor_id"), std::string::npos);
  V2TimelinePager bare("1", {});
  auto q2 = query_of(bare.next_path());
  EXPECT_EQ(q2.count("since_id") + q2.count("start_time") + q2.count("end_time"), 0u);
}

struct CaptureSink : core::log::Sink {
  std::string text;
  void write_line(std::string_view line) override { text.append(line); }
};

TEST(V2TimelinePager, FollowsNextTokenFromTheFixturePage) {
  V2TimelinePager p("2351222345", {});
  auto page = parse_v2_page(fixture("v2_users_2351222345_tweets_page_expanded.json"));
  ASSERT_TRUE(page.ok());
  CaptureSink sink;
  core::log::set_sink(&sink);
  auto out = p.consume(*page);
  core::log::set_sink(nullptr);
  ASSERT_TRUE(out.ok());
  // The page's partial error is logged; the page itself is accepted whole.
  EXPECT_NE(sink.text.find("x api partial error"), std::string::npos) << sink.text;
  EXPECT_NE(sink.text.find("1252320537600299008"), std::string::npos) << sink.text;
  EXPECT_EQ(out->accepted.size(), 100u);
  EXPECT_FALSE(p.done());
  EXPECT_EQ(query_of(p.next_path())["pagination_token"],
            "7140dibdnow9c7btw3t3bne6afapt2a6nif3ncl044raq");
  EXPECT_EQ(*p.newest_id(), 1257786232978968578ull);
  // The server repeating the same token would loop: refused.
  EXPECT_FALSE(p.consume(*page).ok());
  auto empty = parse_v2_page(fixture("v2_users_17880989_mentions_empty.json"));
  V2TimelinePager q("1", {});
  auto o = q.consume(*empty);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(q.done());
  EXPECT_FALSE(q.newest_id());
}

TEST(V2TimelinePager, ManyPagesSinceTheCursorNoneMissedNoneRepeated) {
  FakeTimeline tl;
  tl.add_newer(1000);
  uint64_t cursor = tl.ids[730];
  std::vector<uint64_t> want(tl.ids.begin(), tl.ids.begin() + 730);
  V2TimelinePager p("9", TimelineWindow{cursor, {}, {}});
  size_t pages = 0;
  auto got = run(p, tl, true, &pages);
  expect_exactly(got, want);
  EXPECT_EQ(pages, 8u);
  EXPECT_EQ(*p.newest_id(), tl.ids[0]);
}

TEST(V2TimelinePager, WindowIsAppliedLocallyAndStopsAtTheStart) {
  FakeTimeline tl;
  tl.add_newer(500);
  int64_t end = tl.time_of(tl.ids[100]), start = tl.time_of(tl.ids[349]);
  V2TimelinePager p("9", TimelineWindow{std::nullopt, start, end});
  auto got = run(p, tl, true);
  std::vector<uint64_t> want;
  for (uint64_t id : tl.ids)
    if (tl.time_of(id) >= start && tl.time_of(id) <= end) want.push_back(id);
  expect_exactly(got, want);
  // The cursor only moves to the newest processed post, not past the window's end.
  EXPECT_EQ(*p.newest_id(), want.front());
}

TEST(V1TimelinePager, WalksTheFixturePagesWithExact64BitMaxId) {
  V1TimelinePager p("", {});
  auto q0 = query_of(p.next_path());
  EXPECT_EQ(q0["count"], "200");
  EXPECT_EQ(q0.count("max_id") + q0.count("since_id") + q0.count("user_id"), 0u);
  auto p1 = parse_v1_timeline(fixture("v1_user_timeline_count1_page1.json"));
  auto o1 = p.consume(*p1);
  ASSERT_TRUE(o1.ok());
  EXPECT_EQ(o1->accepted.size(), 1u);
  // The recorded second request used max_id=1149868110373171200 (lowest id − 1).
  EXPECT_EQ(query_of(p.next_path())["max_id"], "1149868110373171200");
  auto p2 = parse_v1_timeline(fixture("v1_user_timeline_count1_page2_max_id.json"));
  ASSERT_TRUE(p.consume(*p2).ok());
  EXPECT_EQ(*p.max_id(), 1149867886946783231ull);
  auto empty = parse_v1_timeline(fixture("v1_mentions_timeline_empty.json"));
  ASSERT_TRUE(p.consume(*empty).ok());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(*p.newest_id(), 1149868110373171201ull);
  EXPECT_EQ(p.pages(), 3u);
}

TEST(V1TimelinePager, ManyPagesSinceTheCursorNoneMissedNoneRepeated) {
  FakeTimeline tl;
  tl.add_newer(1500);
  uint64_t cursor = tl.ids[1013];
  std::vector<uint64_t> want(tl.ids.begin(), tl.ids.begin() + 1013);
  V1TimelinePager p("42", TimelineWindow{cursor, {}, {}});
  EXPECT_EQ(query_of(p.next_path())["user_id"], "42");
  EXPECT_EQ(query_of(p.next_path())["since_id"], std::to_string(cursor));
  size_t pages = 0;
  auto got = run(p, tl, false, &pages);
  expect_exactly(got, want);
  // 5 full pages, one of 13, then an empty one: a short page alone never ends the walk.
  EXPECT_EQ(pages, 7u);
  EXPECT_EQ(*p.newest_id(), tl.ids[0]);
}

TEST(V1TimelinePager, TweetsArrivingDuringTheWalkAreTakenByTheNextRun) {
  FakeTimeline tl;
  tl.add_newer(450);
  uint64_t cursor = tl.ids[420];
  std::vector<uint64_t> first_want(tl.ids.begin(), tl.ids.begin() + 420);
  V1TimelinePager p("", TimelineWindow{cursor, {}, {}});
  std::vector<uint64_t> got;
  bool added = false;
  while (!p.done()) {
    Page page = tl.v1(p.next_path());
    auto out = p.consume(page);
    ASSERT_TRUE(out.ok());
    for (size_t i : out->accepted) got.push_back(page.tweets[i].id);
    if (!added) {
      tl.add_newer(250);  // posted while the first run pages backwards
      added = true;
    }
  }
  expect_exactly(got, first_want);
  V1TimelinePager next("", TimelineWindow{p.newest_id(), {}, {}});
  auto got2 = run(next, tl, false);
  expect_exactly(got2, std::vector<uint64_t>(tl.ids.begin(), tl.ids.begin() + 250));
}

TEST(V1TimelinePager, InclusiveBoundaryIsDeduplicatedAndAStuckServerIsAnError) {
  V1TimelinePager p("", {});
  Page a;
  a.version = ApiVersion::V1;
  for (uint64_t id : {900ull, 800ull, 700ull}) {
    Tweet t;
    t.id = id;
    t.created_at_s = 1'600'000'000;
    a.tweets.push_back(t);
  }
  ASSERT_TRUE(p.consume(a).ok());
  EXPECT_EQ(*p.max_id(), 699u);
  // A server treating max_id loosely returns the boundary tweet again: skipped, not repeated.
  Page b = a;
  b.tweets.erase(b.tweets.begin(), b.tweets.begin() + 2);  // 700
  Tweet t600 = a.tweets[0];
  t600.id = 600;
  b.tweets.push_back(t600);
  auto o = p.consume(b);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->accepted.size(), 1u);
  EXPECT_EQ(o->skipped_duplicates, 1u);
  EXPECT_EQ(*p.max_id(), 599u);
  // A page with nothing below max_id: the walk would never end.
  Page c;
  c.version = ApiVersion::V1;
  c.tweets.push_back(t600);
  EXPECT_FALSE(p.consume(c).ok());
}

TEST(V1TimelinePager, RejectsTheWrongVersionAndTooManyPages) {
  V1TimelinePager p("", {});
  Page v2;
  v2.version = ApiVersion::V2;
  EXPECT_FALSE(p.consume(v2).ok());
  V2TimelinePager q("1", {});
  Page v1;
  v1.version = ApiVersion::V1;
  EXPECT_FALSE(q.consume(v1).ok());

  V1TimelinePager many("", {});
  uint64_t id = 1'000'000'000;
  for (size_t i = 0; i < core::limits::kMaxTimelinePages; ++i) {
    Page pg;
    pg.version = ApiVersion::V1;
    Tweet t;
    t.id = id--;
    t.created_at_s = 1'600'000'000;
    pg.tweets.push_back(t);
    ASSERT_TRUE(many.consume(pg).ok());
  }
  Page last;
  last.version = ApiVersion::V1;
  Tweet t;
  t.id = id;
  last.tweets.push_back(t);
  auto r = many.consume(last);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::TooLarge);
}

// A resumed import starts where its checkpoint says the previous walk stopped.
TEST(TimelinePagerResume, V2StartsAtTheCheckpointToken) {
  TimelineWindow w;
  w.resume_token = "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix";
  V2TimelinePager p("9", w);
  EXPECT_NE(p.next_path().find("pagination_token=7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"),
            std::string::npos)
      << p.next_path();
  V2TimelinePager top("9", {});
  EXPECT_EQ(top.next_path().find("pagination_token"), std::string::npos);
}

TEST(TimelinePagerResume, V1StartsBelowTheCheckpointMaxId) {
  TimelineWindow w;
  w.resume_token = "1106451391000834047";
  V1TimelinePager p("", w);
  ASSERT_TRUE(p.max_id().has_value());
  EXPECT_EQ(*p.max_id(), 1106451391000834047ull);
  EXPECT_NE(p.next_path().find("max_id=1106451391000834047"), std::string::npos);
  w.resume_token = "not-an-id";  // another version's token: from the top
  V1TimelinePager top("", w);
  EXPECT_FALSE(top.max_id().has_value());
}
