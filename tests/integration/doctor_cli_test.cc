// `twitter-connector doctor` as an admin runs it: the real binary, every endpoint pointing at
// a closed local port, so each check must fail with the reason and the exit status be 1.
#include <gtest/gtest.h>

#include "support/subprocess.h"

using testing_support::binary_path;
using testing_support::run_command;

namespace {

TEST(DoctorCli, ReportsEachUnreachableEndpointWithItsReasonAndFails) {
  // Port 1 on loopback: nothing listens there, so connect is refused at once.
  std::map<std::string, std::string> env = {{"CONNECTOR_TWITTER_API_BASE", "https://127.0.0.1:1"},
                                            {"CONNECTOR_AAD_AUTHORITY", "https://127.0.0.1:1"},
                                            {"CONNECTOR_EVENT_API_BASE", "https://127.0.0.1:1/"},
                                            {"HTTPS_PROXY", ""},
                                            {"https_proxy", ""},
                                            {"HTTP_PROXY", ""},
                                            {"http_proxy", ""}};
  auto [status, out] = run_command({binary_path(), "doctor"}, 30000, env);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("refused"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
}

TEST(DoctorCli, RejectsPositionalArguments) {
  auto [status, out] = run_command({binary_path(), "doctor", "extra"});
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("unexpected argument"), std::string::npos) << out;
}

}  // namespace
