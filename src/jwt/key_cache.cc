// Key refresh policy; see key_cache.h.
#include "jwt/key_cache.h"

namespace jwt {

void KeyCache::install(KeySet keys, uint64_t now_mono_ms) {
  keys_ = std::move(keys);
  attempted_ = succeeded_ = true;
  last_attempt_ms_ = last_success_ms_ = now_mono_ms;
  failures_ = 0;
}

void KeyCache::note_refresh_failed(uint64_t now_mono_ms) {
  attempted_ = true;
  last_attempt_ms_ = now_mono_ms;
  ++failures_;
}

bool KeyCache::claim_forced_refresh(uint64_t now_mono_ms) {
  if (attempted_ && now_mono_ms - last_attempt_ms_ < min_forced_interval_ms_) return false;
  attempted_ = true;
  last_attempt_ms_ = now_mono_ms;
  return true;
}

bool KeyCache::periodic_refresh_due(uint64_t now_mono_ms) const {
  if (!attempted_) return true;
  if (now_mono_ms - last_attempt_ms_ < min_forced_interval_ms_) return false;
  return !succeeded_ || failures_ > 0 || now_mono_ms - last_success_ms_ >= refresh_period_ms_;
}

}  // namespace jwt
