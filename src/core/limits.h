// Every bound on memory, time and input size in one place (SQLite's sqliteLimit.h, curl's
// dynbuf maxima). Each limit says why it is that number. Settings that an admin may change
// take these as defaults; the hard ceilings here are never exceeded.
#pragma once

#include <cstddef>
#include <cstdint>

namespace core::limits {

// --- inbound HTTP server -----------------------------------------------------------------
// Request line + headers. 16 KiB is what nginx/Node accept by default; AAD bearer tokens are
// the largest legitimate header we see (a few KiB). Exceeding it gives 431.
inline constexpr size_t kMaxRequestHeaderBytes = 16 * 1024;
// Header count; browsers send ~20, the M365 platform fewer. Exceeding it gives 431.
inline constexpr size_t kMaxRequestHeaders = 100;
// URL (path + query). The setup page's redirectUrl is the longest legitimate URL (~1 KiB);
// 8 KiB matches common proxies. Exceeding it gives 414.
inline constexpr size_t kMaxUrlBytes = 8 * 1024;
// Default request body cap: platform JSON bodies are < 4 KiB; configuration forms < 16 KiB.
// 1 MiB leaves room and still bounds memory per connection. Exceeding it gives 413.
inline constexpr size_t kDefaultMaxRequestBody = 1024 * 1024;
// Hard ceiling for the configurable body cap.
inline constexpr size_t kMaxRequestBodyCeiling = 64 * 1024 * 1024;
// Simultaneous client connections. Each idle connection costs ~1 KiB without a read buffer,
// so 10,000 stays within ~16 MiB. Beyond it new connections are accepted and closed at once.
inline constexpr size_t kDefaultMaxConnections = 10000;
// Read buffer handed to libuv while a request is in flight; released when the connection idles.
inline constexpr size_t kReadBufferBytes = 16 * 1024;
// Pipelined requests parsed ahead of the response being written; more are left in the kernel.
inline constexpr size_t kMaxPipelinedRequests = 16;
// Response bytes queued on one connection before we stop reading from it (backpressure).
inline constexpr size_t kMaxQueuedResponseBytes = 4 * 1024 * 1024;

// Time allowed for the whole request head to arrive (slowloris); 408 after it.
inline constexpr uint64_t kHeaderTimeoutMs = 10'000;
// Time allowed between body bytes; 408 after it.
inline constexpr uint64_t kBodyTimeoutMs = 30'000;
// Idle keep-alive connections are closed after this; App Service's front end uses 4 minutes,
// Node 5 s, nginx 75 s. 60 s keeps reuse useful without pinning slots.
inline constexpr uint64_t kIdleTimeoutMs = 60'000;
// Graceful shutdown: App Service sends SIGTERM and kills after 5 s; we finish in-flight
// requests and exit before that.
inline constexpr uint64_t kShutdownGraceMs = 4'000;

// --- logging ---------------------------------------------------------------------------
// One log line, fields included; longer lines are truncated with a marker, never split.
inline constexpr size_t kMaxLogLineBytes = 4096;

}  // namespace core::limits

// --- twitter source (src/twitter, `map` command) ---------------------------------------------
namespace core::limits {
// One timeline response body. A real v2 page of 100 posts with every expansion is ~320 KiB and
// a v1.1 page of 200 extended tweets ~1 MiB; 16 MiB leaves room for long posts and still bounds
// what one page may hold in memory. Larger bodies are refused as TooLarge.
inline constexpr size_t kMaxTimelineBodyBytes = 16 * 1024 * 1024;
// Tweets accepted from one page (data + includes.tweets). The APIs send at most 200 (v1.1)
// or 100 + their references (v2); 2,000 stops a hostile body from building a huge model.
inline constexpr size_t kMaxTweetsPerPage = 2000;
// Media per tweet (X allows 4) and variants per video (X sends ~4); bounds per-tweet work.
inline constexpr size_t kMaxMediaPerTweet = 16;
inline constexpr size_t kMaxVariantsPerMedia = 32;
// Depth of embedded tweets followed in v1.1 (a retweet of a quote tweet is depth 2) and of
// PreContext nesting in an Item; deeper references are dropped, never recursed into.
inline constexpr int kMaxEmbeddedTweetDepth = 2;
// `twitter-connector map` input (a saved response; file or stdin): the timeline body cap.
inline constexpr size_t kMaxMapInputBytes = kMaxTimelineBodyBytes;
// Default for the bounded wait on a rate limit: X's windows are 15 minutes, so waiting at most
// one window covers every reset X announces for user-context limits; longer waits are handed
// back to the pipeline as RateLimited-until. Hard ceiling: 24 h (the daily v1.1 cap window).
inline constexpr int64_t kDefaultRateLimitMaxWaitMs = 15 * 60 * 1000;
inline constexpr int64_t kMaxRateLimitWaitCeilingMs = 24 * 60 * 60 * 1000;
// Backoff after a 429 without x-rate-limit-reset (X docs: start around 60 s), doubled per
// attempt up to the bounded wait.
inline constexpr int64_t kRateLimitFallbackWaitMs = 60 * 1000;
// Pages walked in one timeline sync. X serves at most 3,200 posts (16 v1.1 pages of 200, 32 v2
// pages of 100); 64 pages means a server that never ends paging is stopped, not followed.
inline constexpr size_t kMaxTimelinePages = 64;
// Longest API error text quoted in an admin-facing message.
inline constexpr size_t kMaxApiMessageBytes = 300;
// Margin added after x-rate-limit-reset before retrying: X's reset second is rounded and clocks
// differ by a little; one second avoids a second 429 right at the boundary.
inline constexpr int64_t kRateLimitResetMarginMs = 1000;
// v2 partial errors (inside a 200) kept per page; X sends one per missing referenced post.
inline constexpr size_t kMaxPartialErrorsPerPage = 100;
}  // namespace core::limits
