// `serve` and `healthcheck` end to end: the real binary on 127.0.0.1 with port 0, driven over
// real sockets. Covers the ops routes, the data directory, healthcheck exit codes, graceful
// SIGTERM with a request in flight, and startup errors (unknown flag, Key Vault reference).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "support/raw_http.h"
#include "support/subprocess.h"

using testing_support::Subprocess;

namespace {

const std::vector<std::string> kConfigEnv = {"PORT",
                                             "CONNECTOR_LISTEN",
                                             "CONNECTOR_DATA_DIR",
                                             "CONNECTOR_TENANT_ID",
                                             "CONNECTOR_API_SECRET_KEY",
                                             "CONNECTOR_LOG_LEVEL",
                                             "CONNECTOR_ENCRYPTION_KEY"};

// A running `serve` on a free port with its own data directory.
class Served {
 public:
  explicit Served(std::vector<std::string> extra = {},
                  std::map<std::string, std::string> env = {}) {
    data_dir_ = tmp_.path() + "/state/data";
    std::vector<std::string> argv = {testing_support::binary_path(),
                                     "serve",
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--data-dir",
                                     data_dir_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Subprocess>(Subprocess::Options{argv, env, kConfigEnv});
    auto line = proc_->wait_for_line("\"msg\":\"listening\"", 10000);
    if (line) port_ = testing_support::port_from_log_line(*line);
  }
  Subprocess& proc() { return *proc_; }
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  testing_support::TempDir tmp_;
  std::string data_dir_;
  std::unique_ptr<Subprocess> proc_;
  int port_ = 0;
};

std::pair<int, std::string> run_binary(std::vector<std::string> args,
                                       std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), testing_support::binary_path());
  Subprocess p({args, env, kConfigEnv});
  auto st = p.wait(10000);
  return {st.value_or(-1), p.output()};
}

TEST(Serve, AnswersOpsRoutesAndLogsTheUrl) {
  Served s;
  ASSERT_GT(s.port(), 0) << s.proc().output();
  std::string out = s.proc().output();
  EXPECT_NE(out.find("\"url\":\"http://127.0.0.1:" + std::to_string(s.port()) + "/\""),
            std::string::npos)
      << out;
  // The hint for a person (stderr, after the log line).
  EXPECT_TRUE(
      s.proc().wait_for_line("open http://127.0.0.1:" + std::to_string(s.port()) + "/", 2000))
      << s.proc().output();

  auto h = testing_support::http_get(s.port(), "/healthz");
  EXPECT_EQ(h.status, 200) << h.raw;
  EXPECT_EQ(h.body, "{\"status\":\"ok\"}");
  auto r = testing_support::http_get(s.port(), "/readyz");
  EXPECT_EQ(r.status, 200) << r.raw;
  auto m = testing_support::http_get(s.port(), "/metrics");
  EXPECT_EQ(m.status, 200) << m.raw;
  EXPECT_NE(m.body.find("process_uptime_seconds "), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos)
      << m.body;
  auto nf = testing_support::http_get(s.port(), "/no-such-page");
  EXPECT_EQ(nf.status, 404);

  // The data directory was created, private to this user.
  struct stat st;
  ASSERT_EQ(stat(s.data_dir().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // Every stdout line is one JSON object.
  EXPECT_EQ(s.proc().stop(), 0);
}

TEST(Serve, HealthcheckExitsZeroWhenServingAndOneWhenNot) {
  std::string listen;
  {
    Served s;
    ASSERT_GT(s.port(), 0) << s.proc().output();
    listen = "127.0.0.1:" + std::to_string(s.port());
    auto [rc, out] = run_binary({"healthcheck", "--listen", listen});
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("healthy"), std::string::npos) << out;
    // Through the environment, as the container's HEALTHCHECK runs it; 0.0.0.0 means loopback.
    auto [rc2, out2] =
        run_binary({"healthcheck"}, {{"CONNECTOR_LISTEN", "0.0.0.0:" + std::to_string(s.port())}});
    EXPECT_EQ(rc2, 0) << out2;
    EXPECT_EQ(s.proc().stop(), 0);
  }
  auto [rc, out] = run_binary({"healthcheck", "--listen", listen});
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("unhealthy"), std::string::npos) << out;
  EXPECT_NE(out.find("refused"), std::string::npos) << out;
}

TEST(Serve, SigtermFinishesTheInFlightRequestAndExitsZeroWithinFiveSeconds) {
  Served s;
  ASSERT_GT(s.port(), 0) << s.proc().output();
  // A request whose head has arrived and whose body is half sent: in flight.
  int fd = testing_support::connect_local(s.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(testing_support::send_all(
      fd, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.proc().signal(SIGTERM));
  ASSERT_TRUE(s.proc().wait_for_line("\"msg\":\"shutting down\"", 2000)) << s.proc().output();
  // No new connections once shutting down.
  int late = testing_support::connect_local(s.port(), 500);
  EXPECT_LT(late, 0) << "a new connection was accepted after SIGTERM";
  if (late >= 0) close(late);
  // The in-flight request still gets its answer, and the connection is then closed.
  ASSERT_TRUE(testing_support::send_all(fd, "56789"));
  auto reply = testing_support::parse_reply(testing_support::read_until_close(fd, 3000));
  close(fd);
  EXPECT_EQ(reply.status, 405) << reply.raw;  // /healthz is GET only: still a real answer
  EXPECT_NE(reply.head.find("onnection: close"), std::string::npos) << reply.head;
  auto st = s.proc().wait(5000);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_TRUE(st.has_value()) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*st, 0) << s.proc().output();
  EXPECT_LT(ms, 5000);
  EXPECT_NE(s.proc().output().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST(Serve, SigintStopsAnIdleServerAtOnce) {
  Served s;
  ASSERT_GT(s.port(), 0) << s.proc().output();
  // An idle keep-alive connection must not hold the shutdown for the grace period.
  int fd = testing_support::connect_local(s.port());
  ASSERT_GE(fd, 0);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.proc().signal(SIGINT));
  auto st = s.proc().wait(5000);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, 0);
  EXPECT_LT(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      1500);
  close(fd);
}

TEST(Serve, SecondSignalClosesAStuckRequestWithoutWaitingForTheGrace) {
  Served s;
  ASSERT_GT(s.port(), 0) << s.proc().output();
  int fd = testing_support::connect_local(s.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(testing_support::send_all(
      fd, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.proc().signal(SIGTERM));
  ASSERT_TRUE(s.proc().wait_for_line("\"msg\":\"shutting down\"", 2000));
  ASSERT_TRUE(s.proc().signal(SIGINT));
  auto st = s.proc().wait(5000);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(*st, 0) << s.proc().output();
  EXPECT_LT(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      2000)
      << "the second signal should not wait for the 4 s grace";
  EXPECT_NE(s.proc().output().find("second signal"), std::string::npos);
  close(fd);
}

TEST(Serve, UnknownFlagIsAUsageErrorWithExitTwo) {
  auto [rc, out] = run_binary({"serve", "--listen", "127.0.0.1:0", "--bogus-flag", "1"});
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("unknown option '--bogus-flag'"), std::string::npos) << out;
  EXPECT_NE(out.find("twitter-connector help"), std::string::npos) << out;
  EXPECT_EQ(out.find("listening"), std::string::npos) << out;
}

TEST(Serve, KeyVaultReferenceIsRefusedAtStartup) {
  auto [rc, out] =
      run_binary({"serve", "--listen", "127.0.0.1:0"},
                 {{"CONNECTOR_API_SECRET_KEY",
                   "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/k/)"}});
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("CONNECTOR_API_SECRET_KEY is an unresolved Azure Key Vault reference"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("listening"), std::string::npos) << out;
}

TEST(Serve, UnwritableDataDirIsRefusedWithAClearMessage) {
  testing_support::TempDir tmp;
  std::string file = tmp.path() + "/not-a-dir";
  testing_support::run_command({"touch", file});
  auto [rc, out] = run_binary({"serve", "--listen", "127.0.0.1:0", "--data-dir", file});
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("exists but is not a directory"), std::string::npos) << out;
  EXPECT_NE(out.find("--data-dir"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"msg\":\"listening\""), std::string::npos) << out;
}

TEST(Serve, PortInUseIsAStartupFailure) {
  Served a;
  ASSERT_GT(a.port(), 0);
  // Its own data dir: the first instance holds the store lock on a.data_dir().
  auto [rc, out] = run_binary({"serve", "--listen", "127.0.0.1:" + std::to_string(a.port()),
                               "--data-dir", a.data_dir() + "-second"});
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:" + std::to_string(a.port())), std::string::npos)
      << out;
}

TEST(Serve, SecretsNeverAppearInLogs) {
  Served s({"--log-level", "debug"},
           {{"CONNECTOR_API_SECRET_KEY", "sup3r-secret-value"},
            {"CONNECTOR_TENANT_ID", "11111111-2222-3333-4444-555555555555"},
            {"CONNECTOR_ENCRYPTION_KEY", std::string(64, 'c')}});
  ASSERT_GT(s.port(), 0) << s.proc().output();
  EXPECT_EQ(testing_support::http_get(s.port(), "/metrics").status, 200);
  EXPECT_EQ(s.proc().stop(), 0);
  const std::string& out = s.proc().output();
  EXPECT_EQ(out.find("sup3r-secret-value"), std::string::npos) << out;
  EXPECT_EQ(out.find("cccccccc"), std::string::npos) << out;
  EXPECT_NE(out.find("\"name\":\"CONNECTOR_API_SECRET_KEY\",\"value\":\"(set)\""),
            std::string::npos)
      << out;
  // Every stdout line (stderr carries the one plain "open ..." hint) is a JSON object.
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    std::string line = out.substr(pos, nl - pos);
    pos = nl == std::string::npos ? out.size() : nl + 1;
    if (line.rfind("twitter-connector ", 0) == 0) continue;
    EXPECT_TRUE(line.front() == '{' && line.back() == '}') << line;
  }
}

}  // namespace
