// Unit tests for tls/session.h and tls/client_config.h that need no network: error mapping
// from mbedTLS codes and verify flags, CA loading (file, embedded), and a handshake driven
// against nothing (the client's first flight lands in the output buffer).
#include "tls/session.h"

#include <gtest/gtest.h>
#include <mbedtls/x509.h>
#include <unistd.h>

#include <cstdlib>

#include "core/limits.h"

namespace {

TEST(TlsErrors, VerifyFlagsBecomeReasons) {
  std::string text;
  EXPECT_EQ(
      tls::map_error(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_NOT_TRUSTED, &text),
      core::Errc::TlsUntrusted);
  EXPECT_NE(text.find("not trusted"), std::string::npos);
  EXPECT_EQ(
      tls::map_error(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_CN_MISMATCH, &text),
      core::Errc::TlsHostname);
  EXPECT_NE(text.find("hostname mismatch"), std::string::npos);
  EXPECT_EQ(
      tls::map_error(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_EXPIRED, &text),
      core::Errc::TlsExpired);
  EXPECT_NE(text.find("expired"), std::string::npos);
  EXPECT_EQ(tls::map_error(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, MBEDTLS_X509_BADCERT_FUTURE, &text),
            core::Errc::TlsExpired);
  EXPECT_EQ(tls::map_error(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED,
                           MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_EXPIRED, &text),
            core::Errc::TlsUntrusted);
  EXPECT_NE(text.find("also expired"), std::string::npos);
  EXPECT_EQ(tls::map_error(MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, 0, &text), core::Errc::Tls);
  EXPECT_NE(text.find("-0x7780"), std::string::npos) << text;
}

TEST(TlsConfig, LoadsDefaultAndEmbeddedBundles) {
  std::string msg;
  auto def = tls::ClientConfig::create("", &msg);
  ASSERT_TRUE(def.ok()) << msg;
  EXPECT_GT((*def)->ca_count(), 10u);
  size_t n = 0;
  const unsigned char* der = tls::embedded_ca_bundle(&n);
  ASSERT_NE(der, nullptr);
  ASSERT_GT(n, 1000u) << "the build host had no CA bundle to embed";
  EXPECT_EQ(der[0], 0x30) << "the embedded bundle must be DER (a SEQUENCE), not PEM text";
  // Every embedded certificate parses, and there are as many as in the system bundle the
  // build embedded (the default config above loaded that same file).
  mbedtls_x509_crt chain;
  mbedtls_x509_crt_init(&chain);
  EXPECT_EQ(tls::load_embedded_ca(&chain), 0);
  size_t count = 0;
  for (const mbedtls_x509_crt* c = &chain; c && c->raw.len > 0; c = c->next) ++count;
  EXPECT_EQ(count, (*def)->ca_count());
  EXPECT_EQ(chain.raw.p, der) << "parsed in place, not copied";
  mbedtls_x509_crt_free(&chain);
}

TEST(TlsConfig, BadFilesAreConfigErrors) {
  std::string msg;
  auto r = tls::ClientConfig::create("/nonexistent/ca.pem", &msg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Config);
  EXPECT_NE(msg.find("/nonexistent/ca.pem"), std::string::npos);
  EXPECT_NE(msg.find("CONNECTOR_CA_FILE"), std::string::npos);
}

TEST(TlsConfig, OversizedCaFileIsRejected) {
  char path[] = "/tmp/tc-ca-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string junk(core::limits::client::kMaxCaFileBytes + 1, 'x');
  ASSERT_EQ(write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  close(fd);
  std::string msg;
  auto r = tls::ClientConfig::create(path, &msg);
  unlink(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(msg.find("larger than 4 MiB"), std::string::npos) << msg;
}

TEST(TlsSession, FirstFlightGoesToOutputBuffer) {
  auto cfg = tls::ClientConfig::create("");
  ASSERT_TRUE(cfg.ok());
  auto s = tls::Session::create(**cfg, "api.twitter.com");
  ASSERT_TRUE(s.ok());
  auto r = (*s)->handshake();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);  // waits for the server
  ASSERT_TRUE((*s)->has_output());
  std::string hello = (*s)->take_output();
  EXPECT_EQ(hello[0], 0x16);                                    // handshake record
  EXPECT_NE(hello.find("api.twitter.com"), std::string::npos);  // SNI
  EXPECT_FALSE((*s)->has_output());
  // Garbage from the "server" is a TLS error, not a hang.
  const char junk[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  ASSERT_TRUE((*s)->feed(junk, sizeof junk - 1).ok());
  auto r2 = (*s)->handshake();
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, core::Errc::Tls);
  EXPECT_FALSE((*s)->last_error_text().empty());
}

TEST(TlsSession, InputIsBounded) {
  auto cfg = tls::ClientConfig::create("");
  ASSERT_TRUE(cfg.ok());
  auto s = tls::Session::create(**cfg, "h");
  ASSERT_TRUE(s.ok());
  std::string big(core::limits::client::kMaxTlsInputBytes, 'x');
  EXPECT_TRUE((*s)->feed(big.data(), big.size()).ok());
  EXPECT_TRUE((*s)->input_full());
  auto st = (*s)->feed("y", 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::Errc::TooLarge);
}

}  // namespace
