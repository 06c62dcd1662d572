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

// --- inbound HTTP server, connection handling (http/server.cc) ---------------------------
// After a final response on a connection we are closing (error, Connection: close, shutdown),
// we half-close and keep reading and discarding for this long: closing a socket with unread
// input makes the kernel send RST, which can destroy the response before the client reads
// it (nginx's lingering_timeout, 5 s; our clients are faster, 2 s is plenty).
inline constexpr uint64_t kCloseLingerMs = 2'000;
// Listen backlog: the kernel queue of completed handshakes not yet accepted. 511 is nginx's
// and Node's default (the kernel clamps it to net.core.somaxconn).
inline constexpr int kListenBacklog = 511;

// --- app: configuration and CLI (src/app) -------------------------------------------------
// Ceiling for --max-connections: each connection needs a file descriptor and up to
// kReadBufferBytes while busy; beyond 100,000 the process would need more descriptors than
// App Service containers allow (RLIMIT_NOFILE) and more memory than the small plans have.
inline constexpr size_t kMaxConnectionsCeiling = 100000;
// Longest value accepted for any setting (URLs, paths, secrets). The longest legitimate
// values are Key Vault-resolved secrets and URLs (< 1 KiB); anything past 4 KiB is a paste
// error (a whole file, a certificate) that is better refused at startup.
inline constexpr size_t kMaxSettingBytes = 4096;
// `healthcheck`: the whole probe (connect, request, status line). Docker's HEALTHCHECK
// default timeout is 30 s; a healthy server answers /healthz in milliseconds, so 2 s marks a
// stuck loop as unhealthy long before the orchestrator gives up.
inline constexpr uint64_t kHealthcheckTimeoutMs = 2000;
// `healthcheck` reads at most this much of the reply: only the status line matters.
inline constexpr size_t kHealthcheckReplyBytes = 4096;

}  // namespace core::limits
