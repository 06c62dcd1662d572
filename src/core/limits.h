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
// --- authentication: OAuth 1.0a, JWT, AAD tokens, inbound auth, secrets at rest -----------
// OAuth token endpoint answers and form bodies we parse: the real ones are < 300 bytes
// (token, secret, user id, screen name); 8 KiB bounds a hostile or broken answer.
inline constexpr size_t kMaxOAuthResponseBytes = 8 * 1024;
// Fields in one form-encoded body or query we sign or parse; X sends 3-4, our timeline query 7.
inline constexpr size_t kMaxFormFields = 64;
// A compact JWT as it arrives in a header. AAD access tokens are 1.5-3 KiB; the request header
// block itself is capped at kMaxRequestHeaderBytes, so a token cannot be larger than that.
inline constexpr size_t kMaxJwtBytes = kMaxRequestHeaderBytes;
// RSA key sizes accepted for RS256: RFC 7518 §3.3 requires >= 2048 bits; AAD uses 2048. 8192
// bounds the cost of one verification an unauthenticated caller can make us do.
inline constexpr size_t kMinRsaBits = 2048;
inline constexpr size_t kMaxRsaBits = 8192;
// Keys kept from one JWKS document: Microsoft's common set holds ~6-10; more is a broken or
// hostile document and each key costs a bignum context.
inline constexpr size_t kMaxJwksKeys = 32;
// JWKS / OpenID configuration documents: the common JWKS is ~15 KiB (x5c certificates
// included); 256 KiB leaves room and bounds the parse.
inline constexpr size_t kMaxJwksBytes = 256 * 1024;
// Clock skew tolerated on exp/nbf: Microsoft's validators default to 300 s.
inline constexpr int64_t kJwtClockSkewS = 300;
// An unknown kid may force a JWKS refresh at most this often, so forged kids cannot turn us
// into a request amplifier against the key endpoint (aad-jwt.md §2.3 step 3).
inline constexpr uint64_t kJwksMinRefreshIntervalMs = 5 * 60 * 1000;
// Routine JWKS refresh period (Microsoft suggests checking daily).
inline constexpr uint64_t kJwksRefreshPeriodMs = 24 * 60 * 60 * 1000;
// AAD app tokens are renewed this long before expires_on (ADAL renews ~5 min ahead), so a
// request never leaves with a token about to expire in flight.
inline constexpr int64_t kAadRefreshAheadS = 300;
// AAD token endpoint answers: a token is 1.5-3 KiB; errors carry a description < 1 KiB.
inline constexpr size_t kMaxAadResponseBytes = 64 * 1024;
// Callers waiting on one in-flight token request; beyond this they get Errc::Busy.
inline constexpr size_t kMaxAadWaiters = 1024;
// Tenants with a cached app token; the product serves one tenant, a few allow for reconfiguring.
inline constexpr size_t kMaxAadTenants = 16;
// error_description kept from an AAD error answer (verbatim up to this many bytes).
inline constexpr size_t kMaxAadErrorDescriptionBytes = 1024;
// Inbound auth brute-force throttle: failures allowed per client address before a delay,
// the first delay, its ceiling (doubling in between), how long an idle entry is remembered, and
// how many addresses are tracked (each ~100 bytes; the oldest entry is evicted when full so
// memory stays bounded and one address cannot crowd out the table).
inline constexpr uint32_t kAuthFreeFailures = 5;
inline constexpr uint64_t kAuthBaseDelayMs = 1000;
inline constexpr uint64_t kAuthMaxDelayMs = 5 * 60 * 1000;
inline constexpr uint64_t kAuthEntryTtlMs = 60 * 60 * 1000;
inline constexpr size_t kMaxAuthThrottleEntries = 4096;
// A secret file in the data dir (keys, tokens, small JSON): 64 KiB is generous and bounds reads.
inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

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
// Leases of one task in a row without durable progress (a checkpoint with uploaded items
// resets the count) before it is parked as poison (reported, kept for the admin, never
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

// --- auth wiring (JWKS fetch, AAD token client, Configuration API) -----------------------
// Whole OpenID configuration + JWKS fetch: both documents are small; a key endpoint slower
// than this is treated as down (fail closed, 503) rather than holding callers for minutes.
inline constexpr uint64_t kJwksFetchTimeoutMs = 15'000;
// Callers parked behind one JWKS refresh; beyond this they get 503 at once (bounded memory).
inline constexpr size_t kMaxJwksWaiters = 256;
// Retry-After sent with a 503 when the signing keys could not be fetched.
inline constexpr uint64_t kJwksUnavailableRetryMs = 30'000;
// One AAD token request, all attempts: the endpoint answers in well under a second; callers
// (Event API reports) must learn of an outage while their task lease still runs.
inline constexpr uint64_t kAadTokenTimeoutMs = 30'000;
// POST /api/Configuration bodies: six values of at most kMaxStoreValueBytes plus JSON framing.
inline constexpr size_t kMaxConfigurationBodyBytes = 64 * 1024;
// Configuration updates waiting behind the one being written (read-modify-write is serialised
// so two saves cannot lose each other's fields); more get 503.
inline constexpr size_t kMaxQueuedConfigurationUpdates = 16;

}  // namespace core::limits

// ---- Blob uploads and the Event API (src/m365/blob_uploader, upload_queue, event_api) ----
namespace core::limits::m365 {
// Items up to this size go in one Put Blob; larger ones (media embedded as base64 can make an
// item hundreds of MB) are streamed as Put Block requests of this size plus Put Block List.
// One block is the only body held in memory per upload: 8 uploads in flight = 32 MiB.
inline constexpr size_t kBlobBlockBytes = 4 * 1024 * 1024;
// Smallest block size a caller may configure (tests use small blocks to exercise the paths).
inline constexpr size_t kMinBlobBlockBytes = 1024;
// First size of an upload's block buffer, doubled as the item fills it up to kBlobBlockBytes.
// Most items are a few KiB of text: a full 4 MiB buffer per upload would make memory grow with
// the upload concurrency (8 x 4 MiB) and zero-fill 4 MiB for every tweet.
inline constexpr size_t kBlobFirstBufferBytes = 64 * 1024;
// Azure Storage allows 50,000 committed blocks per blob (x 4 MiB = 195 GiB); an item beyond it
// fails permanently instead of being cut.
inline constexpr uint32_t kMaxBlobBlocks = 50000;
// Azure's limit on a blob name (job id + task id + leaf name, before percent-encoding).
inline constexpr size_t kMaxBlobNameBytes = 1024;
// Default and ceiling of CONNECTOR_UPLOAD_CONCURRENCY (uploads in flight at once). Each holds
// one block in memory; 64 x 4 MiB = 256 MiB is the most we let a setting ask for.
inline constexpr size_t kDefaultUploadConcurrency = 8;
inline constexpr size_t kMaxUploadConcurrency = 64;
// Uploads waiting in an UploadQueue; beyond it submit() answers Busy (the pipeline is
// producing items faster than storage takes them and must wait).
inline constexpr size_t kMaxQueuedUploads = 1024;
// Total time for one block (or one small item) including the client's retries.
inline constexpr uint64_t kBlobRequestTimeoutMs = 5 * 60 * 1000;
// Answers kept from Blob storage and the Event API: success bodies are empty and errors a
// short XML or JSON document; 64 KiB keeps the whole of any real one for the error message.
inline constexpr size_t kMaxServiceAnswerBytes = 64 * 1024;
// Attempts for one Event API completion (first included), backoff between them from the
// client's policy. A completion that still fails is the caller's to persist and resend.
inline constexpr uint32_t kEventApiMaxAttempts = 5;
// Items reported in one completion: a task uploads at most the 3,200-tweet timeline cap;
// kMaxCheckpointItems bounds the body (10,000 x ~120 bytes = 1.2 MB).
inline constexpr size_t kMaxEventItems = kMaxCheckpointItems;
// Length of each id and name placed in the Event API body or query.
inline constexpr size_t kMaxEventFieldBytes = 256;
}  // namespace core::limits::m365
// --- twitter network side (src/twitter/api_client, media_fetcher) -------------------------------
namespace core::limits {
// One media item (setting CONNECTOR_MEDIA_MAX_BYTES). X accepts videos up to 512 MB; larger
// bodies are refused as TooLarge, the admin can raise the setting up to the ceiling.
inline constexpr size_t kDefaultMediaMaxBytes = 512ull * 1024 * 1024;
// Ceiling of that setting: 4 GiB, the largest body one blob of the upload path is given.
inline constexpr size_t kMediaMaxBytesCeiling = 4ull * 1024 * 1024 * 1024;
// A whole media download, all attempts: 512 MB at a slow 1 MB/s is ~9 minutes; 30 minutes.
inline constexpr uint64_t kMediaTotalTimeoutMs = 30ull * 60 * 1000;
}  // namespace core::limits

// --- platform endpoints and the jobs API (src/connector/platform_api, schedule_request) --
namespace core::limits {
// POST /data/OnDownloadRequest body: a ScheduleTaskRequest is two ids, two dates and a SAS URI
// (< 10 KiB); DirtyEntities can add kMaxDirtyEntities ids of kMaxStoreIdBytes (~260 KiB).
// 512 KiB holds the largest valid body; beyond it the answer is 413 before any parsing.
inline constexpr size_t kMaxScheduleRequestBodyBytes = 512 * 1024;
// A date value is at most "yyyy-MM-ddTHH:mm:ss.fffffffff+HH:MM" (35 bytes) or
// "/Date(-62135596800000+0000)/" (28); longer text is refused without being parsed.
inline constexpr size_t kMaxScheduleDateBytes = 64;
// Input echoed back in an error message ("StartTime \"…\" is not a date") is cut to this:
// enough to recognise the value, short enough to keep logs and answers small.
inline constexpr size_t kMaxEchoedValueBytes = 64;
// Retry-After (seconds) with the 503 sent when the store refuses a task as Busy (queue at
// kMaxStoreTasks, or the disk behind on writes): the platform retries; a minute lets the
// worker drain or the disk catch up without the caller hammering us.
inline constexpr uint32_t kTaskQueueBusyRetryAfterS = 60;
}  // namespace core::limits

// --- setup flow: OAuth exchanges and the setup endpoints (src/twitter/oauth_client,
// --- src/connector/setup_api)
namespace core::limits {
// One request_token or access_token POST, connecting included. An admin waits at the setup
// page; X answers in well under a second, so 20 s means "down" without stranding the admin.
inline constexpr uint64_t kOAuthExchangeTimeoutMs = 20'000;
// X's answer to either step: form-encoded tokens (~200 bytes) or a short error document.
inline constexpr size_t kMaxOAuthAnswerBytes = 16 * 1024;
// Exchanges in flight at once. Each is an admin's click; 32 covers any real use and keeps a
// looping page from turning the service into a request generator against X.
inline constexpr size_t kMaxOAuthExchanges = 32;
// redirectUrl and loginUrl: a callback URL registered with X (an origin plus
// /Views/TwitterOAuth) or X's authenticate URL with a request token fit easily in 2 KiB.
inline constexpr size_t kMaxSetupUrlBytes = 2048;
// oauth_verifier / temporaryAccessCode and oauth_token / denied from X: ~30-byte tokens.
inline constexpr size_t kMaxOAuthTokenBytes = 256;
// POST api/ConnectorSetup/StoreToken: three short strings.
inline constexpr size_t kMaxStoreTokenBodyBytes = 8 * 1024;
// GetEntities identity look-ups in flight at once (one X call each), same reasoning as
// kMaxOAuthExchanges.
inline constexpr size_t kMaxIdentityLookups = 32;
}  // namespace core::limits

// ---- Item streams: media embedded as base64 while uploading (src/jobs/item_stream, http) ----
namespace core::limits::client {
// Body bytes a paused response may still deliver: the rest of the read in progress (one read
// buffer) or of the TLS record being decrypted (16 KiB of plaintext), whichever is larger.
inline constexpr size_t kMaxPausedOverrunBytes =
    kReadBufferBytes > 16384 ? kReadBufferBytes : 16384;
}  // namespace core::limits::client
namespace core::limits::jobs {
// Base64 text an item stream holds between a media download and the blob upload. Above the
// high mark the download is paused (the upload is slower: a Put Block in flight), below the
// low mark it is resumed. The most held is the high mark plus the base64 of one paused
// overrun: small next to the 4 MiB block each upload holds, and independent of media size.
inline constexpr size_t kItemStreamHighWaterBytes = 256 * 1024;
inline constexpr size_t kItemStreamLowWaterBytes = 64 * 1024;
inline constexpr size_t kItemStreamMaxBufferBytes =
    kItemStreamHighWaterBytes + (client::kMaxPausedOverrunBytes + 2) / 3 * 4 + 4;
}  // namespace core::limits::jobs

// --- import worker (src/jobs) -----------------------------------------------------------------
namespace core::limits::jobs {
// How often an idle worker asks the store for a task. The platform's schedule is hours apart
// and a new task also wakes the worker at once (Worker::wake), so 5 s only bounds the delay of
// tasks made visible again by a release or an expired lease.
inline constexpr uint64_t kPollIntervalMs = 5'000;
// Tasks run at the same time by one worker. One: a task is one account's timeline, which X
// serves newest-first page by page under a per-token rate limit, and the uploads inside a task
// already run CONNECTOR_UPLOAD_CONCURRENCY wide; two tasks of the same job in parallel would
// also race on its cursor. Kept a named limit so a multi-account deployment can raise it.
inline constexpr size_t kMaxRunningTasks = 1;
// The lease is extended every visibility/kLeaseExtendDivisor while a task runs, so two missed
// extensions in a row still leave a third before the task would reappear for another worker.
inline constexpr int64_t kLeaseExtendDivisor = 3;
// Tweets mapped and handed to the upload queue but not yet uploaded. When reached, the timeline
// walk holds before its next page; one page (<= 200 tweets) may overshoot it. Each waiting item
// holds its Item (text, URLs; media are fetched only while it uploads), a few KiB.
inline constexpr size_t kMaxPendingUploads = 256;
// The walk resumes when the pending uploads fall to this (hysteresis: not one page per upload).
inline constexpr size_t kResumePendingUploads = 64;
// Uploaded items saved to the checkpoint in one save_progress: a crash re-uploads at most this
// many (idempotent by name) while a 3,200-tweet task costs ~400 durable writes (group-committed
// by the store), not 3,200. Small, because a saved item is also what proves a restarted task
// is making progress (store: attempts reset) and is not poison.
inline constexpr size_t kCheckpointBatchItems = 8;
// Backoff of a task released after a transient failure: base << (attempt - 1), capped. The
// platform's own schedule is hours apart; 15 minutes keeps retries well inside it.
inline constexpr int64_t kTaskRetryBaseMs = 30'000;
inline constexpr int64_t kTaskRetryMaxMs = 15 * 60 * 1000;
// A rate-limited task waits for X's window to reset, but never longer than this (X windows are
// 15 minutes; a longer reset is a wrong clock or header, and the attempt budget still applies).
inline constexpr int64_t kMaxRateLimitReleaseMs = 20 * 60 * 1000;
}  // namespace core::limits::jobs

// --- admin pages (src/web) ------------------------------------------------------------------
namespace core::limits::web {
// Every embedded page, script, style and icon together. The pages run on restricted networks
// and phones over slow links, and they are compiled into a binary we keep small: 50 KB is
// what plain HTML/CSS/JS for four forms and a table need with room to spare (the reference's
// AngularJS + Bootstrap from a CDN weigh ~300 KB). A unit test sums the embedded bytes.
inline constexpr size_t kMaxPagesBytes = 50 * 1024;
// How often the jobs page asks GET /api/Jobs again (web::Pages writes it into the page, the
// script reads it from there): often enough to watch an import, rare enough to cost nothing.
inline constexpr unsigned kJobsRefreshSeconds = 10;
}  // namespace core::limits::web
