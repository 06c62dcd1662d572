// Meaning of X API responses that are not plain successes, with no I/O: rate-limit headers
// and the wait-or-give-up decision (twitter-api.md §6), and error classification of non-2xx
// responses into core::Errc values with a message an admin can act on (§7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "twitter/tweet.h"

namespace twitter {

// x-rate-limit-limit / -remaining / -reset of one response (per endpoint and token).
struct RateLimitInfo {
  std::optional<int64_t> limit;
  std::optional<int64_t> remaining;
  std::optional<int64_t> reset_unix_s;
};
// Header values as received (nullopt when absent); malformed values are treated as absent.
RateLimitInfo parse_rate_limit(std::optional<std::string_view> limit,
                               std::optional<std::string_view> remaining,
                               std::optional<std::string_view> reset);

struct RateDecision {
  enum class Kind {
    Proceed,      // nothing to do
    Wait,         // sleep wait_ms, then retry (after a 429) or send the next request
    RateLimited,  // the reset is beyond the bounded wait: hand back "rate limited until T"
  };
  Kind kind = Kind::Proceed;
  int64_t wait_ms = 0;
  int64_t until_unix_s = 0;         // when the window resets; 0 if X did not say
  bool retry_same_request = false;  // a 429 was not served: the same request must be resent
};
// status: the HTTP status; max_wait_ms: the bounded wait (setting, default
// limits::kDefaultRateLimitMaxWaitMs); attempt: consecutive 429s so far (backoff without reset).
RateDecision decide_rate_limit(int status, const RateLimitInfo& info, int64_t now_unix_ms,
                               int64_t max_wait_ms, int attempt = 0);

struct ApiError {
  core::Errc code =
      core::Errc::HttpStatus;  // Unauthorized, Forbidden, NotFound, RateLimited, HttpStatus
  int http_status = 0;
  int api_code = 0;        // v1.1 errors[0].code (32, 88, 89, 135, 453…), 0 if none
  std::string problem;     // v2 problem kind ("usage-capped", "client-forbidden"…), "" if none
  bool retryable = false;  // worth retrying with backoff (429 windows, 5xx)
  bool needs_relogin = false;  // the job's X token is no longer accepted
  bool use_v2 = false;         // this app cannot use v1.1: switch the job to v2
  std::string message;         // one sentence for the admin: what happened and what to do
  core::Error error() const { return core::make_error(code, "x api", http_status); }
};

// Classifies a non-2xx response of the X API (v1.1, v2 or oauth/*) from its status and body.
ApiError classify_response(int status, std::string_view body);
// Network failures (DNS, connect, reset, timeout, TLS close) are retried by the client's
// policy; TLS trust failures are configuration problems and are not.
bool is_retryable_transport(core::Errc code);

}  // namespace twitter
