// When to fetch signing keys, as a pure policy object: the JWKS in use, when it was last
// refreshed, and whether an unknown kid may force a refresh now (at most once per interval, so
// forged kids cannot make us hammer the key endpoint). With no keys at all it fails closed:
// nothing verifies until a fetch succeeds. The fetch itself belongs to the HTTPS wiring.
#pragma once

#include <cstdint>

#include "core/limits.h"
#include "jwt/jwks.h"

namespace jwt {

class KeyCache {
 public:
  explicit KeyCache(uint64_t min_forced_interval_ms = core::limits::kJwksMinRefreshIntervalMs,
                    uint64_t refresh_period_ms = core::limits::kJwksRefreshPeriodMs)
      : min_forced_interval_ms_(min_forced_interval_ms), refresh_period_ms_(refresh_period_ms) {}

  // A fetch succeeded: the new set replaces the old one (rotation drops retired keys).
  void install(KeySet keys, uint64_t now_mono_ms);
  // A fetch failed: the last good set stays in use; the attempt still counts for rate limiting.
  void note_refresh_failed(uint64_t now_mono_ms);

  bool has_keys() const { return !keys_.empty(); }
  const KeySet& keys() const { return keys_; }

  // An unknown kid arrived. True (and the attempt is recorded, so the caller must fetch) when
  // no attempt happened within the interval; false means "refreshed recently, reject".
  bool claim_forced_refresh(uint64_t now_mono_ms);
  // The routine refresh is due: never fetched, or the period has elapsed since the last
  // success. A failing endpoint is retried no faster than the forced interval.
  bool periodic_refresh_due(uint64_t now_mono_ms) const;

  uint64_t last_success_ms() const { return last_success_ms_; }
  uint64_t failures() const { return failures_; }

 private:
  uint64_t min_forced_interval_ms_;
  uint64_t refresh_period_ms_;
  KeySet keys_;
  bool attempted_ = false;        // any fetch attempt recorded yet
  uint64_t last_attempt_ms_ = 0;  // monotonic time of the last attempt (success or failure)
  bool succeeded_ = false;
  uint64_t last_success_ms_ = 0;
  uint64_t failures_ = 0;  // consecutive failed refreshes, for the logs
};

}  // namespace jwt
