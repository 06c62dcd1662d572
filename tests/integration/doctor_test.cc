// app::run_doctor against local servers: every failure case must print the real reason on
// the line of the step that broke (dns, tcp, proxy, tls) and make the exit status non-zero.
#include "app/doctor.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "support/test_servers.h"

namespace {

using namespace testing_support;

struct Run {
  int status;
  std::string out;
};

Run doctor(const std::string& url, const std::string& ca, http::ProxyEnv proxy = {}) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  app::DoctorOptions o;
  o.twitter_api_base = url;
  o.aad_authority = url;
  o.event_api_base = url + "/";
  o.ca_file = ca;
  o.proxy = proxy;
  o.timeout_ms = 3000;
  o.out = f;
  int st = app::run_doctor(o);
  fclose(f);
  Run r{st, std::string(buf, len)};
  free(buf);
  return r;
}

int count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

class DoctorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(test_pki_dir().empty()); }
  std::string ca() { return test_pki_dir() + "/ca.crt"; }
};

TEST_F(DoctorTest, AllChecksPass) {
  auto s = start_tls_server("good");
  ASSERT_TRUE(s.ok());
  auto r = doctor("https://localhost:" + std::to_string(s.port), ca());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("ok   ca " + ca() + " (1 certificates)"), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "ok   dns localhost -> 127.0.0.1"), 3) << r.out;
  EXPECT_EQ(count(r.out, "ok   tcp localhost:" + std::to_string(s.port) + " connected"), 3)
      << r.out;
  EXPECT_EQ(count(r.out, "ok   tls localhost: TLSv1.3, certificate verified"), 3) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
}

TEST_F(DoctorTest, UntrustedCertificate) {
  auto s = start_tls_server("untrusted");
  ASSERT_TRUE(s.ok());
  auto r = doctor("https://localhost:" + std::to_string(s.port), ca());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(
      count(r.out, "FAIL tls localhost:" + std::to_string(s.port) + ": certificate not trusted"), 3)
      << r.out;
  EXPECT_EQ(count(r.out, "ok   tcp"), 3) << r.out;
}

TEST_F(DoctorTest, HostnameMismatch) {
  auto s = start_tls_server("wrong");
  ASSERT_TRUE(s.ok());
  auto r = doctor("https://localhost:" + std::to_string(s.port), ca());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("FAIL tls localhost:" + std::to_string(s.port) + ": hostname mismatch"),
            std::string::npos)
      << r.out;
}

TEST_F(DoctorTest, ExpiredCertificate) {
  auto s = start_tls_server("expired");
  ASSERT_TRUE(s.ok());
  auto r = doctor("https://localhost:" + std::to_string(s.port), ca());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("FAIL tls localhost:" + std::to_string(s.port) + ": certificate expired"),
            std::string::npos)
      << r.out;
}

TEST_F(DoctorTest, ConnectionRefused) {
  int port;
  {
    auto s = start_plain_server();
    ASSERT_TRUE(s.ok());
    port = s.port;
    s.proc->stop();
  }
  auto r = doctor("https://localhost:" + std::to_string(port), ca());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(count(r.out, "ok   dns localhost -> 127.0.0.1"), 3) << r.out;
  EXPECT_EQ(count(r.out, "FAIL tcp localhost:" + std::to_string(port) + ": connection refused"), 3)
      << r.out;
}

TEST_F(DoctorTest, DnsFailure) {
  auto r = doctor("https://no-such-host.invalid", ca());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(
      count(r.out, "FAIL dns no-such-host.invalid: DNS lookup for no-such-host.invalid failed"), 3)
      << r.out;
}

TEST_F(DoctorTest, ProxyRefusal) {
  auto s = start_tls_server("good");
  auto p = start_connect_proxy({"--refuse"});
  ASSERT_TRUE(s.ok() && p.ok());
  http::ProxyEnv env;
  env.https_proxy = "http://127.0.0.1:" + std::to_string(p.port);
  auto r = doctor("https://localhost:" + std::to_string(s.port), ca(), env);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("ok   dns 127.0.0.1 (proxy for localhost) -> 127.0.0.1"), std::string::npos)
      << r.out;
  EXPECT_EQ(count(r.out, "refused the tunnel (HTTP 403)"), 3) << r.out;
  EXPECT_NE(r.out.find("FAIL proxy localhost:"), std::string::npos) << r.out;
}

TEST_F(DoctorTest, ThroughWorkingProxy) {
  auto s = start_tls_server("good");
  auto p = start_connect_proxy({"--auth", "u:pw"});
  ASSERT_TRUE(s.ok() && p.ok());
  http::ProxyEnv env;
  env.https_proxy = "http://u:pw@127.0.0.1:" + std::to_string(p.port);
  auto r = doctor("https://localhost:" + std::to_string(s.port), ca(), env);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count(r.out, "ok   proxy 127.0.0.1:" + std::to_string(p.port) + " opened a tunnel"), 3)
      << r.out;
  EXPECT_EQ(r.out.find("pw@"), std::string::npos) << "proxy password printed: " << r.out;
}

TEST_F(DoctorTest, BadSettings) {
  auto r = doctor("not a url", ca());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("FAIL config CONNECTOR_TWITTER_API_BASE=not a url: not a valid http(s) URL"),
            std::string::npos)
      << r.out;
  auto r2 = doctor("https://localhost", test_pki_dir() + "/missing.pem");
  EXPECT_EQ(r2.status, 1);
  EXPECT_NE(r2.out.find("FAIL ca CA file"), std::string::npos) << r2.out;
}

}  // namespace
