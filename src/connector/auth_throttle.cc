// Per-address failure throttle; see auth_throttle.h.
#include "connector/auth_throttle.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace connector {

std::string AuthThrottle::key_for(std::string_view peer) {
  char buf[64];
  if (peer.size() >= sizeof buf) return std::string(peer);
  memcpy(buf, peer.data(), peer.size());
  buf[peer.size()] = '\0';
  if (char* pct = strchr(buf, '%')) *pct = '\0';  // zone id ("fe80::1%eth0")
  unsigned char a6[16];
  if (inet_pton(AF_INET6, buf, a6) == 1) {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char out[64];
    if (memcmp(a6, kMapped, 12) == 0) {
      snprintf(out, sizeof out, "%u.%u.%u.%u", a6[12], a6[13], a6[14], a6[15]);
    } else {
      snprintf(out, sizeof out, "%x:%x:%x:%x::/64", a6[0] << 8 | a6[1], a6[2] << 8 | a6[3],
               a6[4] << 8 | a6[5], a6[6] << 8 | a6[7]);
    }
    return out;
  }
  return std::string(peer);  // IPv4 or anything else (unix socket path, test names) as is
}

uint64_t AuthThrottle::blocked_for(std::string_view peer, uint64_t now_ms) {
  auto it = entries_.find(key_for(peer));
  if (it == entries_.end()) return 0;
  if (now_ms - it->second.last_failure_ms >= config_.entry_ttl_ms) {
    entries_.erase(it);
    return 0;
  }
  return it->second.blocked_until_ms > now_ms ? it->second.blocked_until_ms - now_ms : 0;
}

void AuthThrottle::make_room(uint64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now_ms - it->second.last_failure_ms >= config_.entry_ttl_ms)
      it = entries_.erase(it);
    else
      ++it;
  }
  if (entries_.size() < config_.max_entries) return;
  auto oldest = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->second.last_failure_ms < oldest->second.last_failure_ms) oldest = it;
  entries_.erase(oldest);
}

uint64_t AuthThrottle::record_failure(std::string_view peer, uint64_t now_ms) {
  if (config_.max_entries == 0) return 0;
  std::string key = key_for(peer);
  auto it = entries_.find(key);
  if (it != entries_.end() && now_ms - it->second.last_failure_ms >= config_.entry_ttl_ms)
    it->second = Entry{};
  if (it == entries_.end()) {
    if (entries_.size() >= config_.max_entries) make_room(now_ms);
    it = entries_.emplace(std::move(key), Entry{}).first;
  }
  Entry& e = it->second;
  ++e.failures;
  e.last_failure_ms = now_ms;
  if (e.failures <= config_.free_failures) return 0;
  uint32_t over = e.failures - config_.free_failures - 1;
  uint64_t delay = config_.max_delay_ms;
  if (over < 40 && (config_.base_delay_ms << over) < config_.max_delay_ms)
    delay = config_.base_delay_ms << over;
  e.blocked_until_ms = now_ms + delay;
  return delay;
}

void AuthThrottle::record_success(std::string_view peer) { entries_.erase(key_for(peer)); }

}  // namespace connector
