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

// --- durable store (src/store) ------------------------------------------------------------
// Jobs kept. One job per connected Twitter account of the tenant; an organisation connects a
// handful, so 10,000 is generous and bounds the in-memory index to a few MiB.
inline constexpr size_t kMaxStoreJobs = 10000;
// Tasks queued (visible, leased or parked). The platform schedules about one task per job per
// day; 10,000 covers a long outage of the worker and still bounds memory. Beyond it enqueue
// answers Busy so the platform retries later.
inline constexpr size_t kMaxStoreTasks = 10000;
// Pending OAuth sign-ins (request tokens). Each is created by an authenticated admin page and
// lives kPendingAuthTtlMs; 100 concurrent sign-ins is far beyond real use and bounds abuse.
inline constexpr size_t kMaxPendingAuths = 100;
// Twitter request tokens are valid for a few minutes; 15 minutes leaves time for a slow login.
inline constexpr int64_t kPendingAuthTtlMs = 15 * 60 * 1000;
// Visibility timeout of a leased task, as the reference's Azure queue (90 s). The worker
// extends the lease while it makes progress; a crashed worker's task reappears after it.
inline constexpr int64_t kTaskVisibilityMs = 90'000;
// Hard ceiling for any visibility timeout or release delay a caller asks for (Azure queues
// allow 7 days; one day is enough for backoff and keeps clock arithmetic far from overflow).
inline constexpr int64_t kMaxTaskVisibilityMs = 24LL * 3600 * 1000;
// Leases of one task before it is parked as poison (reported, kept for the admin, never
// dropped). A task that kills the worker this often will not succeed by itself.
inline constexpr uint32_t kMaxTaskAttempts = 5;
// Uploaded items remembered per task checkpoint. The v1.1/v2 user timeline returns at most
// the 3,200 newest tweets, so one task never uploads more; 10,000 leaves a margin.
inline constexpr size_t kMaxCheckpointItems = 10000;
// Task ids remembered after completion, so a resent OnDownloadRequest is recognised instead of
// run twice. The platform resends within minutes; 1,000 covers days of schedules.
inline constexpr size_t kMaxRememberedTasks = 1000;
// DirtyEntities per task (ignored by the Twitter import, kept for the record): the generic
// sample sends a few page ids; 1,000 bounds a hostile body.
inline constexpr size_t kMaxDirtyEntities = 1000;
// Length of ids and names (job/task/tenant/user ids, tokens, lease owners): GUIDs, decimal ids
// and OAuth tokens are < 100 bytes; 256 leaves room and keeps records small.
inline constexpr size_t kMaxStoreIdBytes = 256;
// Secrets and other setting values (API keys, AAD secrets are < 100 bytes).
inline constexpr size_t kMaxStoreValueBytes = 4096;
// Blob SAS URI: a container URL plus a SAS query is ~300 bytes; matches kMaxUrlBytes.
inline constexpr size_t kMaxStoreUriBytes = 8 * 1024;
// Last-result message kept per job (longer ones are cut): enough for an error with context.
inline constexpr size_t kMaxResultMessageBytes = 1024;
// Extra settings (name -> value) beyond the six reference settings.
inline constexpr size_t kMaxExtraSettings = 64;
// One log record (a batch of changes). The largest legitimate record is a checkpoint of a full
// timeline (3,200 items x ~100 bytes); 8 MiB bounds what a corrupt length field can make us read.
inline constexpr size_t kMaxStoreRecordBytes = 8 * 1024 * 1024;
// The store log as a whole; it is read into memory at open. Compaction keeps it near the live
// size (a few MiB); 512 MiB means something is badly wrong and is refused with a message.
inline constexpr size_t kMaxStoreLogBytes = 512 * 1024 * 1024;
// The log is rewritten as a snapshot when it exceeds this and twice the live data: rewriting
// small logs would cost more fsyncs than it saves.
inline constexpr size_t kStoreCompactMinBytes = 4 * 1024 * 1024;
// Changes waiting for the next group commit; beyond it callers get Busy (the disk is too slow).
inline constexpr size_t kMaxStorePendingBytes = 64 * 1024 * 1024;

}  // namespace core::limits
