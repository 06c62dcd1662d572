// The media bytes tests/support/fake_twitter.js serves for a path, computed here so tests and
// benchmarks can check what they received without a copy of it: byte[i] = (seed + i * 131 +
// (i >> 11)) & 0xff with seed the first byte of SHA-256(path); the pattern repeats every
// kFakeMediaPeriod bytes, so a hash of any length costs one period of memory.
#pragma once

#include <mbedtls/sha256.h>

#include <cstdint>
#include <string>

#include "core/codec.h"

namespace testing_support {

inline constexpr size_t kFakeMediaPeriod = 2048 * 256;

// The first n bytes served for path.
inline std::string fake_media_bytes(const std::string& path, size_t n) {
  unsigned char h[32];
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(path.data()), path.size(), h, 0);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((h[0] + i * 131 + (i >> 11)) & 0xff);
  return out;
}

// Hex SHA-256 of the first size bytes served for path.
inline std::string fake_media_sha256(const std::string& path, uint64_t size) {
  std::string period = fake_media_bytes(path, kFakeMediaPeriod);
  mbedtls_sha256_context c;
  mbedtls_sha256_init(&c);
  mbedtls_sha256_starts(&c, 0);
  for (uint64_t done = 0; done < size;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kFakeMediaPeriod, size - done));
    mbedtls_sha256_update(&c, reinterpret_cast<const unsigned char*>(period.data()), n);
    done += n;
  }
  unsigned char out[32];
  mbedtls_sha256_finish(&c, out);
  mbedtls_sha256_free(&c);
  return core::hex_encode(std::string_view(reinterpret_cast<char*>(out), 32));
}

}  // namespace testing_support
