// Injectable randomness (Envoy's RandomGenerator): nonces, jitter and ids come from an Rng so
// tests can make them deterministic. The system source is the kernel's getrandom(2).
#pragma once

#include <cstddef>
#include <cstdint>

namespace core {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(void* out, size_t len) = 0;
  uint64_t next_u64() {
    uint64_t v;
    fill(&v, sizeof v);
    return v;
  }
  // Uniform in [0, bound); bound > 0. Rejection sampling avoids modulo bias.
  uint64_t uniform(uint64_t bound);
};

class SystemRng final : public Rng {
 public:
  void fill(void* out, size_t len) override;  // aborts if the kernel cannot supply entropy
  static SystemRng& instance();
};

// Deterministic generator for tests (splitmix64); never for secrets.
class SeededRng final : public Rng {
 public:
  explicit SeededRng(uint64_t seed) : state_(seed) {}
  void fill(void* out, size_t len) override;

 private:
  uint64_t state_;
};

}  // namespace core
