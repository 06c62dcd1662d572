// Kernel randomness and a deterministic test generator.
#include "core/rand.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace core {

uint64_t Rng::uniform(uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t v;
  do v = next_u64();
  while (v >= limit);
  return v % bound;
}

void SystemRng::fill(void* out, size_t len) {
  auto* p = static_cast<unsigned char*>(out);
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // No entropy means no safe nonces or keys: there is nothing sensible to continue with.
      fprintf(stderr, "fatal: getrandom failed: %s\n", strerror(errno));
      abort();
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

SystemRng& SystemRng::instance() {
  static SystemRng rng;
  return rng;
}

void SeededRng::fill(void* out, size_t len) {
  auto* p = static_cast<unsigned char*>(out);
  while (len > 0) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    size_t n = len < 8 ? len : 8;
    memcpy(p, &z, n);
    p += n;
    len -= n;
  }
}

}  // namespace core
