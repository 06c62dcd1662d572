// Benchmark driver for the X API path (built only by `make bench`): walks a whole synthetic
// v2 timeline on the fake server with twitter::ApiClient + TimelineWalk (OAuth-signed, TLS),
// maps every accepted tweet to its Item JSON, then reports tweets/s, CPU µs per tweet and peak
// RSS. A timeline sync stops at kMaxTimelinePages, so the range is walked in time windows of
// at most WINDOW_MIN minutes (the synthetic posts are one minute apart). Then it times mapping
// alone (parse + map + write) over one saved page, repeated, in MB/s of input JSON.
//   twitter_bench BASE_URL CA_FILE USER_ID NEWEST_UNIX_S TWEETS [WINDOW_MIN]
//   twitter_bench --fields   (the v2 field lists, for the peer)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/rand.h"
#include "http/client.h"
#include "twitter/api_client.h"
#include "twitter/item_mapper.h"
#include "twitter/tweet_parser.h"
#include "uv/loop.h"

namespace {

double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
long peak_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--fields") {  // for the tweepy peer: same request
    printf("%s %s %s %s\n", twitter::kV2TweetFields, twitter::kV2Expansions,
           twitter::kV2MediaFields, twitter::kV2UserFields);
    return 0;
  }
  if (argc < 6) {
    fprintf(stderr,
            "usage: twitter_bench BASE_URL CA_FILE USER_ID NEWEST_UNIX_S TWEETS [WINDOW_MIN]\n");
    return 2;
  }
  const std::string base = argv[1];
  const long long newest = atoll(argv[4]);
  const long tweets = atol(argv[5]);
  const long window_min = argc > 6 ? atol(argv[6]) : 4000;
  uv::Loop loop;
  core::SystemClock clock;
  core::SystemRng& rng = core::SystemRng::instance();
  http::Client::Options o;
  o.ca_file = argv[2];
  std::string msg;
  auto client = http::Client::create(loop, std::move(o), &msg);
  if (!client.ok()) {
    fprintf(stderr, "client: %s\n", msg.c_str());
    return 1;
  }
  twitter::ApiSettings s;
  s.base = base;
  twitter::ApiClient api(
      loop, **client,
      {"bench-consumer", "bench consumer secret", "bench-token", "bench token secret"}, s, clock,
      rng);

  size_t got = 0, item_bytes = 0, pages = 0;
  std::string line;
  const double c0 = cpu_s(), t0 = now_s();
  const long long oldest = newest - (tweets - 1) * 60;
  for (long long end = newest; end >= oldest; end -= window_min * 60) {
    twitter::TimelineWindow w;
    w.end_time_s = end;
    w.start_time_s = end - window_min * 60 + 1;
    bool ok = false;
    twitter::TimelineWalk walk(
        api, argv[3], w,
        [&](const twitter::Page& page, const twitter::PageOutcome& out) {
          for (size_t i : out.accepted) {
            line = twitter::write_item(twitter::map_tweet(page.tweets[i], page));
            item_bytes += line.size();
          }
          got += out.accepted.size();
          return core::ok_status();
        },
        [&](twitter::WalkResult& r) {
          ok = r.kind == twitter::WalkResult::Kind::Done;
          pages += r.pages;
          if (!ok) fprintf(stderr, "walk failed: %s\n", r.failure.message.c_str());
        });
    if (!walk.start().ok()) return 1;
    loop.run();
    if (!ok) return 1;
  }
  const double wall = now_s() - t0, cpu = cpu_s() - c0;
  printf(
      "connector fetch+parse+map tweets=%zu pages=%zu wall=%.2fs tweets/s=%.0f cpu/tweet=%.1fus "
      "peak_rss=%ldKiB items=%.1fMB\n",
      got, pages, wall, got / wall, cpu / static_cast<double>(got) * 1e6, peak_kib(),
      item_bytes / 1e6);
  if (static_cast<long>(got) != tweets) {
    fprintf(stderr, "expected %ld tweets, got %zu\n", tweets, got);
    return 1;
  }

  // Mapping alone: one saved page (the newest 100 posts with their includes), many times.
  auto req = api.signed_get(std::string("/2/users/") + argv[3] +
                            "/tweets?max_results=100&tweet.fields=" + twitter::kV2TweetFields +
                            "&expansions=" + twitter::kV2Expansions + "&media.fields=" +
                            twitter::kV2MediaFields + "&user.fields=" + twitter::kV2UserFields);
  std::string body;
  if (!req.ok()) return 1;
  auto id = http::fetch(**client, std::move(*req),
                        [&](http::ClientResult& r) { body = r.response.body; });
  if (!id.ok()) return 1;
  loop.run();
  client->reset();
  loop.run();
  if (body.empty()) return 1;
  const int reps = 300;
  size_t mapped = 0;
  const double m0 = cpu_s();
  for (int i = 0; i < reps; ++i) {
    auto page = twitter::parse_v2_page(body);
    if (!page.ok()) return 1;
    for (const twitter::Tweet& t : page->tweets)
      mapped += twitter::write_item(twitter::map_tweet(t, *page)).size();
  }
  const double mcpu = cpu_s() - m0;
  printf(
      "connector parse+map alone input=%.1fMB cpu=%.2fs throughput=%.0fMB/s (%zu bytes of Items)\n",
      body.size() * reps / 1e6, mcpu, body.size() * reps / 1e6 / mcpu, mapped);
  const double p0 = cpu_s();
  size_t parsed = 0;
  for (int i = 0; i < reps; ++i) {
    auto page = twitter::parse_v2_page(body);
    if (!page.ok()) return 1;
    parsed += page->tweets.size();
  }
  const double pcpu = cpu_s() - p0;
  printf("connector parse alone    input=%.1fMB cpu=%.2fs throughput=%.0fMB/s (%zu tweets)\n",
         body.size() * reps / 1e6, pcpu, body.size() * reps / 1e6 / pcpu, parsed);
  return 0;
}
