// Injectable time source (Envoy's TimeSource): production code asks a Clock, tests give a
// ManualClock so timestamps, token expiry and backoff are deterministic.
#pragma once

#include <cstdint>

namespace core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock; may jump).
  virtual int64_t now_unix_ms() const = 0;
  // Milliseconds from an arbitrary origin; never goes backwards.
  virtual uint64_t monotonic_ms() const = 0;
  int64_t now_unix_s() const { return now_unix_ms() / 1000; }
};

// The real clocks (CLOCK_REALTIME, CLOCK_MONOTONIC).
class SystemClock final : public Clock {
 public:
  int64_t now_unix_ms() const override;
  uint64_t monotonic_ms() const override;
  static SystemClock& instance();
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_ms = 1'700'000'000'000) : unix_ms_(unix_ms) {}
  int64_t now_unix_ms() const override { return unix_ms_; }
  uint64_t monotonic_ms() const override { return mono_ms_; }
  void advance_ms(int64_t ms) {
    unix_ms_ += ms;
    mono_ms_ += static_cast<uint64_t>(ms);
  }
  void set_unix_ms(int64_t ms) { unix_ms_ = ms; }

 private:
  int64_t unix_ms_;
  uint64_t mono_ms_ = 0;
};

// "2026-12-04T16:11:42.123Z" into out (at least 25 bytes); returns the length written.
int format_iso8601_ms(int64_t unix_ms, char* out, int cap);
// Days-from-civil conversion (Howard Hinnant's algorithm), exposed for date formatting/parsing.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t* y, unsigned* m, unsigned* d);

}  // namespace core
