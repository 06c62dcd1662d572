// Command dispatch: exit codes for every kind of command line (the commands themselves are
// exercised end to end in tests/integration/serve_test.cc).
#include "app/cli.h"

#include <gtest/gtest.h>

namespace {

int run(std::vector<std::string_view> args, app::Environment env = {}) {
  args.insert(args.begin(), "twitter-connector");
  return app::run_cli(args, env);
}

TEST(Cli, ExitCodes) {
  EXPECT_EQ(run({}), app::kExitUsage);
  EXPECT_EQ(run({"frobnicate"}), app::kExitUsage);
  EXPECT_EQ(run({"help"}), app::kExitOk);
  EXPECT_EQ(run({"--help"}), app::kExitOk);
  EXPECT_EQ(run({"serve", "--help"}), app::kExitOk);
  EXPECT_EQ(run({"help", "config"}), app::kExitOk);
  EXPECT_EQ(run({"help", "nonsense"}), app::kExitUsage);
  EXPECT_EQ(run({"version"}), app::kExitOk);
  EXPECT_EQ(run({"--version"}), app::kExitOk);
  EXPECT_EQ(run({"version", "extra"}), app::kExitUsage);
  EXPECT_EQ(run({"serve", "extra"}), app::kExitUsage);
  EXPECT_EQ(run({"serve", "--listen", "127.0.0.1:1", "--nope"}), app::kExitUsage);
  EXPECT_EQ(run({"healthcheck"}, {{"CONNECTOR_LISTEN", "@Microsoft.KeyVault(x)"}}),
            app::kExitUsage);
  // Port 0 has nothing to probe: a failure, not a usage error.
  EXPECT_EQ(run({"healthcheck", "--listen", "127.0.0.1:0"}), app::kExitFailure);
}

TEST(Cli, UsageListsEveryCommandAndOption) {
  std::string u = app::usage_text();
  for (const auto& c : app::commands())
    EXPECT_NE(u.find(std::string("  ") + c.name), std::string::npos);
  for (const auto& o : app::options()) EXPECT_NE(u.find(o.flag), std::string::npos);
  EXPECT_NE(u.find("--help"), std::string::npos);
}

}  // namespace
