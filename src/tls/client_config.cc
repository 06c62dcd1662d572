// Implementation of tls/client_config.h.
#include "tls/client_config.h"

#include <mbedtls/asn1.h>
#include <mbedtls/error.h>
#include <psa/crypto.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "core/limits.h"

extern "C" {
extern const unsigned char tc_embedded_ca_bundle[];
extern const unsigned long tc_embedded_ca_bundle_size;
}

namespace tls {
namespace {

// Cipher suites: AEAD only (the config compiles in no CBC), TLS 1.3 first.
const int kCiphersuites[] = {MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
                             MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
                             MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
                             MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                             MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                             MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                             MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                             MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                             MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                             0};

// Key-exchange groups, most preferred first. The TLS 1.3 client sends a key share for the
// first one only. P-256 first: with MBEDTLS_ECP_NIST_OPTIM and the fixed-point comb, mbedTLS
// generates a P-256 share much faster than an X25519 one (generic Montgomery ladder), and
// every public server accepts P-256 (docs/performance.md, "TLS handshake CPU").
const uint16_t kGroups[] = {MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
                            MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1, MBEDTLS_SSL_IANA_TLS_GROUP_NONE};

bool file_exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

core::Error config_error(std::string* message, std::string text) {
  if (message) *message = std::move(text);
  return core::make_error(core::Errc::Config, "tls ca");
}

}  // namespace

void ensure_crypto_init() {
  static bool done = false;
  if (done) return;
  psa_status_t st = psa_crypto_init();
  if (st != PSA_SUCCESS) {
    fprintf(stderr, "fatal: psa_crypto_init failed (%d)\n", static_cast<int>(st));
    abort();
  }
  done = true;
}

const unsigned char* embedded_ca_bundle(size_t* size) {
  *size = tc_embedded_ca_bundle_size;
  return tc_embedded_ca_bundle;
}

int load_embedded_ca(mbedtls_x509_crt* chain) {
  size_t n;
  const unsigned char* p = embedded_ca_bundle(&n);
  const unsigned char* end = p + n;
  int failed = 0;
  while (p < end) {
    // Each certificate is one DER SEQUENCE; its header gives where the next one starts.
    unsigned char* q = const_cast<unsigned char*>(p);
    size_t len;
    if (mbedtls_asn1_get_tag(&q, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
      return MBEDTLS_ERR_X509_INVALID_FORMAT;  // a corrupt build artefact, not a bad certificate
    size_t total = static_cast<size_t>(q - p) + len;
    // The bytes are static: parse in place instead of copying 160 KB to the heap.
    if (mbedtls_x509_crt_parse_der_nocopy(chain, p, total) != 0) ++failed;
    p += total;
  }
  return failed;
}

ClientConfig::ClientConfig() {
  mbedtls_x509_crt_init(&ca_);
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
  mbedtls_ssl_config_init(&conf_);
}

ClientConfig::~ClientConfig() {
  mbedtls_ssl_config_free(&conf_);
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
  mbedtls_x509_crt_free(&ca_);
}

core::Result<std::unique_ptr<ClientConfig>> ClientConfig::create(const std::string& ca_file,
                                                                 std::string* message) {
  ensure_crypto_init();
  std::unique_ptr<ClientConfig> c(new ClientConfig);
  // Pick the CA source. An explicit file must work: silently falling back would hide a
  // misconfiguration that later shows up as "certificate not trusted".
  std::string path = ca_file;
  if (path.empty() && file_exists(kSystemCaFile)) path = kSystemCaFile;
  int rc;
  if (!path.empty()) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
      return config_error(
          message, "CA file " + path + " does not exist; set CONNECTOR_CA_FILE to a PEM bundle");
    if (static_cast<size_t>(st.st_size) > core::limits::client::kMaxCaFileBytes)
      return config_error(message, "CA file " + path + " is larger than 4 MiB; is it a CA bundle?");
    rc = mbedtls_x509_crt_parse_file(&c->ca_, path.c_str());
    c->ca_source_ = path;
  } else {
    rc = load_embedded_ca(&c->ca_);
    c->ca_source_ = "embedded";
  }
  // rc > 0 counts certificates that failed to parse (a bundle may hold a few odd ones);
  // only a bundle without any usable certificate is an error.
  for (const mbedtls_x509_crt* crt = &c->ca_; crt && crt->raw.len > 0; crt = crt->next)
    ++c->ca_count_;
  if (rc < 0 || c->ca_count_ == 0) {
    char buf[128];
    mbedtls_strerror(rc, buf, sizeof buf);
    return config_error(message, "CA bundle " + c->ca_source_ + " holds no usable certificate (" +
                                     (rc < 0 ? std::string(buf) : std::string("empty")) +
                                     "); set CONNECTOR_CA_FILE to a PEM bundle");
  }
  rc = mbedtls_ctr_drbg_seed(&c->drbg_, mbedtls_entropy_func, &c->entropy_,
                             reinterpret_cast<const unsigned char*>("tc-client"), 9);
  if (rc != 0) {
    fprintf(stderr, "fatal: mbedtls_ctr_drbg_seed failed (-0x%04x)\n", -rc);
    abort();
  }
  mbedtls_ssl_config* conf = &c->conf_;
  rc = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                   MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) return config_error(message, "mbedtls_ssl_config_defaults failed");
  mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(conf, &c->ca_, nullptr);
  mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &c->drbg_);
  mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
  mbedtls_ssl_conf_ciphersuites(conf, kCiphersuites);
  mbedtls_ssl_conf_groups(conf, kGroups);
  return c;
}

}  // namespace tls
