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


// --- outbound HTTPS client (http::Client, tls::Session) ----------------------------------
namespace client {
// Response status line + headers. Twitter's largest heads (rate-limit + security headers)
// are ~3 KiB, Azure's ~2 KiB; 64 KiB is what curl allows per header block. Beyond: TooLarge.
inline constexpr size_t kMaxResponseHeaderBytes = 64 * 1024;
// Header count; the services we call send < 40.
inline constexpr size_t kMaxResponseHeaders = 100;
// Default per-request body cap for whole-body fetches: API JSON pages (200 tweets with
// extended entities) stay under 2 MiB; 8 MiB leaves room. Media downloads set their own.
inline constexpr size_t kDefaultMaxResponseBody = 8 * 1024 * 1024;
// Longest URL we will request or follow in a Location header. SAS URIs are ~300 bytes,
// Twitter media URLs ~100; 8 KiB matches the server side.
inline constexpr size_t kMaxUrlBytes = 8 * 1024;
// Ciphertext buffered before TLS consumes it: one full TLS record (16 KiB + overhead) plus a
// read from libuv (16 KiB). Every read is decrypted at once, so only a peer breaking the TLS
// record size limit gets past it; feeding more fails the connection (TooLarge).
inline constexpr size_t kMaxTlsInputBytes = 48 * 1024;
// Request body bytes encrypted ahead of the socket: the body source is pulled only when the
// queued output drops below this, so streaming uploads never hold more than this in flight.
inline constexpr size_t kMaxQueuedRequestBytes = 64 * 1024;
// Connections per origin (scheme+host+port). Twitter allows ~15 parallel calls per token and
// Azure Blob recommends a handful per client; 8 keeps us polite and bounded.
inline constexpr size_t kDefaultMaxConnectionsPerOrigin = 8;
// Connections in total across all origins; each live TLS connection costs ~40 KiB (mbedTLS
// record buffers), so 64 stays under ~3 MiB.
inline constexpr size_t kDefaultMaxConnectionsTotal = 64;
// Requests in flight or waiting for a connection before request() answers Busy: the
// pipeline's concurrency is bounded upstream; this catches a runaway caller.
inline constexpr size_t kMaxQueuedRequests = 1024;
// Idle keep-alive connections are closed after this. Twitter's edge closes idle connections
// after ~60 s and Azure's after 4 min; closing first avoids most stale-connection retries.
inline constexpr uint64_t kIdleConnectionMs = 30'000;
// DNS + TCP connect (+ proxy CONNECT) time per attempt.
inline constexpr uint64_t kDefaultConnectTimeoutMs = 10'000;
// TLS handshake time per attempt.
inline constexpr uint64_t kDefaultHandshakeTimeoutMs = 10'000;
// Longest silence while waiting for response bytes (or while sending) before Timeout.
inline constexpr uint64_t kDefaultIdleReadTimeoutMs = 30'000;
// Whole request, redirects and retries included. Media downloads and block uploads set theirs.
inline constexpr uint64_t kDefaultTotalTimeoutMs = 120'000;
// Redirect hops followed for GET (curl's default is 50; browsers use 20). Beyond: error.
inline constexpr uint32_t kMaxRedirects = 10;
// Attempts (first try included) of the default retry policy; Twitter and Azure both advise
// a handful of backoff retries before giving up.
inline constexpr uint32_t kDefaultMaxAttempts = 4;
// Backoff base and cap of the default retry policy (full jitter, AWS architecture blog).
inline constexpr uint64_t kDefaultRetryBaseMs = 500;
inline constexpr uint64_t kDefaultRetryCapMs = 30'000;
// Longest Retry-After / x-rate-limit-reset wait the client sleeps through by itself; longer
// waits (Twitter's 15-minute windows) go back to the caller as RateLimited to reschedule.
inline constexpr uint64_t kMaxRetryAfterMs = 60'000;
// Size of a CA bundle file we accept (Debian's is ~220 KiB).
inline constexpr size_t kMaxCaFileBytes = 4 * 1024 * 1024;
// Proxy CONNECT response head.
inline constexpr size_t kMaxProxyResponseBytes = 16 * 1024;
}  // namespace client

}  // namespace core::limits
