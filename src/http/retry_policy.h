// The one retry policy every outbound call uses (pure: no I/O, clock and randomness
// injected). Exponential backoff with full jitter (delay = uniform(0, min(cap, base·2^n)));
// a server's own wait (Retry-After in seconds or as an HTTP date, RFC 9110 §10.2.3, or
// Twitter's x-rate-limit-reset epoch seconds) replaces the backoff when present. Retries only
// requests that are idempotent or marked safe by the caller, and only on connect errors,
// resets, timeouts and statuses 408, 429, 500, 502, 503, 504; never on other 4xx.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/limits.h"
#include "core/rand.h"
#include "core/result.h"
#include "http/response_parser.h"

namespace http {

struct RetryConfig {
  uint32_t max_attempts =
      core::limits::client::kDefaultMaxAttempts;  // first try included; 1 = never retry
  uint64_t base_delay_ms = core::limits::client::kDefaultRetryBaseMs;
  uint64_t max_delay_ms = core::limits::client::kDefaultRetryCapMs;
  // A server-requested wait longer than this is not slept through: the response goes back
  // to the caller (who reschedules, e.g. after Twitter's 15-minute window).
  uint64_t max_server_wait_ms = core::limits::client::kMaxRetryAfterMs;
};

// What went wrong with one attempt: a transport error, or a complete response.
struct AttemptResult {
  const core::Error* error = nullptr;  // set for transport failures
  int status = 0;                      // HTTP status when a response arrived
  const ClientHeaders* headers = nullptr;
};

class RetryPolicy {
 public:
  RetryPolicy(RetryConfig config, const core::Clock& clock, core::Rng& rng)
      : config_(config), clock_(&clock), rng_(&rng) {}

  // attempts_done >= 1. Returns the delay before the next attempt, or nullopt to stop.
  // retry_safe: the request is idempotent or the caller marked it safe to repeat.
  std::optional<uint64_t> next_delay(uint32_t attempts_done, bool retry_safe,
                                     const AttemptResult& r) const;

  // Whether this outcome is worth retrying at all (ignores attempts and safety).
  static bool retryable(const AttemptResult& r);
  static bool retryable_status(int status);
  // Server-requested wait in ms from Retry-After (delta-seconds or HTTP date) or
  // x-rate-limit-reset (epoch seconds), relative to now; nullopt if neither is usable.
  static std::optional<uint64_t> server_wait_ms(const ClientHeaders& headers, int64_t now_unix_ms);
  const RetryConfig& config() const { return config_; }

 private:
  RetryConfig config_;
  const core::Clock* clock_;
  core::Rng* rng_;
};

// Parses an HTTP date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994"); Unix seconds.
std::optional<int64_t> parse_http_date(std::string_view text);

}  // namespace http
