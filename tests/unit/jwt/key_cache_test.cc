// KeyCache policy: fail closed without keys, rate-limited forced refresh, periodic refresh.
#include "jwt/key_cache.h"

#include <gtest/gtest.h>

#include "support/jwt_signer.h"
#include "support/subprocess.h"

using namespace jwt;
namespace ts = testing_support;

namespace {
KeySet keys() {
  auto k = parse_jwks(ts::read_file(ts::project_root() + "/tests/data/jwt/jwks_tv3.json"));
  EXPECT_TRUE(k.ok());
  return std::move(*k);
}
}  // namespace

TEST(KeyCache, EmptyCacheWantsKeysAndFailsClosed) {
  KeyCache c(1000, 10000);
  EXPECT_FALSE(c.has_keys());
  EXPECT_TRUE(c.periodic_refresh_due(0));
  EXPECT_TRUE(c.claim_forced_refresh(0));
  EXPECT_FALSE(c.claim_forced_refresh(999));
  EXPECT_TRUE(c.claim_forced_refresh(1000));
}

TEST(KeyCache, FailedRefreshKeepsLastGoodSet) {
  KeyCache c(1000, 10000);
  c.install(keys(), 0);
  c.note_refresh_failed(20000);
  EXPECT_TRUE(c.has_keys());
  EXPECT_EQ(c.failures(), 1u);
  EXPECT_EQ(c.last_success_ms(), 0u);
  // A failing endpoint is retried, but no faster than the forced interval.
  EXPECT_FALSE(c.periodic_refresh_due(20500));
  EXPECT_TRUE(c.periodic_refresh_due(21000));
  c.install(keys(), 21000);
  EXPECT_EQ(c.failures(), 0u);
}

TEST(KeyCache, PeriodicRefreshAfterThePeriod) {
  KeyCache c(1000, 10000);
  c.install(keys(), 5);
  EXPECT_FALSE(c.periodic_refresh_due(9999));
  EXPECT_TRUE(c.periodic_refresh_due(10005));
}

TEST(KeyCache, ForcedRefreshRateLimitedFromLastAttempt) {
  KeyCache c(1000, 10000);
  c.install(keys(), 100);
  EXPECT_FALSE(c.claim_forced_refresh(500));
  EXPECT_TRUE(c.claim_forced_refresh(1100));
  for (uint64_t t = 1100; t < 2100; t += 100) EXPECT_FALSE(c.claim_forced_refresh(t)) << t;
  EXPECT_TRUE(c.claim_forced_refresh(2100));
}
