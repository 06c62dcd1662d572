// Brute-force throttle for inbound authentication, per client address: after a few free
// failures each further one doubles a waiting period (capped). Entries expire, the table is
// capped and evicts the entry idle longest, so memory stays bounded and no address can lock
// out another. IPv6 clients are keyed by their /64 (one host usually owns the whole prefix);
// IPv4-mapped IPv6 counts as the IPv4 address. Pure: times are passed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/limits.h"

namespace connector {

class AuthThrottle {
 public:
  struct Config {
    uint32_t free_failures = core::limits::kAuthFreeFailures;
    uint64_t base_delay_ms = core::limits::kAuthBaseDelayMs;
    uint64_t max_delay_ms = core::limits::kAuthMaxDelayMs;
    uint64_t entry_ttl_ms = core::limits::kAuthEntryTtlMs;
    size_t max_entries = core::limits::kMaxAuthThrottleEntries;
  };

  AuthThrottle() : AuthThrottle(Config{}) {}
  explicit AuthThrottle(Config config) : config_(config) {}

  // Milliseconds the address must still wait before credentials are looked at (0: go ahead).
  uint64_t blocked_for(std::string_view peer, uint64_t now_ms);
  // A failed attempt; returns the waiting period it imposes (0 while failures are free).
  uint64_t record_failure(std::string_view peer, uint64_t now_ms);
  // A success forgets the address.
  void record_success(std::string_view peer);

  size_t size() const { return entries_.size(); }
  // The table key for an address ("2001:db8:1:2::/64", "192.0.2.1"); exposed for tests/logs.
  static std::string key_for(std::string_view peer);

 private:
  struct Entry {
    uint32_t failures = 0;
    uint64_t last_failure_ms = 0;
    uint64_t blocked_until_ms = 0;
  };
  void make_room(uint64_t now_ms);

  Config config_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace connector
