// The fake X API (tests/support/fake_twitter.js): its own Node self-test (paging, OAuth
// verification, faults). The connector's client is tested against it in twitter_api_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/subprocess.h"

using testing_support::project_root;
using testing_support::run_command;

TEST(FakeTwitter, NodeSelfTestPasses) {
  auto r = run_command({"node", project_root() + "/tests/support/fake_twitter_selftest.js"}, 90000);
  EXPECT_EQ(r.first, 0) << r.second;
  size_t at = r.second.find("selftest: ");
  ASSERT_NE(at, std::string::npos) << r.second;
  int passed = 0, failed = -1;
  ASSERT_EQ(sscanf(r.second.c_str() + at, "selftest: %d passed, %d failed", &passed, &failed), 2);
  EXPECT_GE(passed, 13);
  EXPECT_EQ(failed, 0) << r.second;
}
