// Shared TLS client configuration: the trusted CA chain (loaded once), the DRBG and the
// mbedTLS ssl_config every client Session is set up from. Verification is always required;
// nothing here or anywhere else can turn it off. The CA source is, in order: an explicit file
// (CONNECTOR_CA_FILE), the system bundle if present, else the bundle compiled into the binary
// so a bare scratch container still verifies public servers.
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace tls {

// Where the system bundle lives on Debian/Ubuntu (package ca-certificates).
inline constexpr const char* kSystemCaFile = "/etc/ssl/certs/ca-certificates.crt";

class ClientConfig {
 public:
  // ca_file: a PEM bundle path, or empty for the default (system bundle, else embedded).
  // Fails with Config and a message naming the file if it cannot be read or holds no
  // usable certificate. *message (optional) receives that human-readable reason.
  static core::Result<std::unique_ptr<ClientConfig>> create(const std::string& ca_file,
                                                            std::string* message = nullptr);
  ~ClientConfig();
  ClientConfig(const ClientConfig&) = delete;
  ClientConfig& operator=(const ClientConfig&) = delete;

  // TLS 1.2 + 1.3 configuration used for every connection.
  const mbedtls_ssl_config* get() const { return &conf_; }
  // Where the trusted CAs came from ("/etc/ssl/certs/ca-certificates.crt", "embedded").
  const std::string& ca_source() const { return ca_source_; }
  size_t ca_count() const { return ca_count_; }

 private:
  ClientConfig();
  mbedtls_x509_crt ca_;
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_ssl_config conf_;
  std::string ca_source_;
  size_t ca_count_ = 0;
};

// psa_crypto_init() exactly once per process (TLS 1.3 key schedule runs on PSA). Aborts if
// the crypto core cannot start, which only happens without an entropy source.
void ensure_crypto_init();

// The CA bundle compiled into the binary (generated at build time into $(BUILD)/gen from the
// build host's PEM bundle): DER certificates back to back, *size bytes in all (0 if the build
// host had no bundle).
const unsigned char* embedded_ca_bundle(size_t* size);

// Appends every certificate of the embedded bundle to chain (parsed in place; the bytes are
// static). Returns how many certificates failed to parse (like mbedtls_x509_crt_parse), or a
// negative mbedTLS code if the bundle's framing is corrupt.
int load_embedded_ca(mbedtls_x509_crt* chain);

}  // namespace tls
