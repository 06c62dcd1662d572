// One TLS client session over an in-memory BIO (curl's vtls/mbedtls.c on a non-blocking
// transport). The owner feeds ciphertext read from the socket with feed(); the recv BIO
// hands it to mbedTLS and answers WANT_READ when it runs dry. Everything mbedTLS wants to
// send lands in an output buffer the owner drains with take_output() and writes to the
// socket. The session never touches a socket or the loop, so it is driven the same way by
// the HTTP client and by tests. mbedTLS errors are mapped once here (map_error).
#pragma once

#include <mbedtls/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "tls/client_config.h"

namespace tls {

class Session {
 public:
  // host: the name to send as SNI and to verify the certificate against (always set:
  // mbedTLS 3.6.3+ refuses to verify without it). config must outlive the session.
  static core::Result<std::unique_ptr<Session>> create(const ClientConfig& config,
                                                       const std::string& host);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Appends ciphertext from the socket. TooLarge if more than kMaxTlsInputBytes would be
  // buffered (the owner stops reading until read()/handshake() consume some).
  core::Status feed(const char* data, size_t n);
  size_t buffered_input() const { return in_.size() - in_pos_; }
  bool input_full() const;

  // Advances the handshake. true once complete, false when more input is needed (output
  // may be pending either way). Errors are mapped by map_error with the verify flags.
  core::Result<bool> handshake();

  // Decrypts into out. >0: bytes; 0: need more input. PeerClosed after close_notify.
  core::Result<size_t> read(char* out, size_t cap);
  // Encrypts all of data into the output buffer (the send BIO never blocks).
  core::Status write(std::string_view data);
  // Queues a close_notify alert (best effort).
  void close_notify();

  bool has_output() const { return !out_.empty(); }
  size_t output_size() const { return out_.size(); }
  // Moves the pending ciphertext out for uv_write.
  std::string take_output();

  // "TLSv1.3", "TLSv1.2" after the handshake.
  const char* version() const { return mbedtls_ssl_get_version(&ssl_); }
  const char* ciphersuite() const { return mbedtls_ssl_get_ciphersuite(&ssl_); }
  // Human reason of the last error ("certificate not trusted (...)"), empty if none.
  const std::string& last_error_text() const { return error_text_; }
  // Subject and expiry of the peer certificate (for doctor), empty if none.
  std::string peer_summary() const;

 private:
  Session() = default;
  static int send_cb(void* ctx, const unsigned char* buf, size_t len);
  static int recv_cb(void* ctx, unsigned char* buf, size_t len);
  core::Error fail(int rc, const char* where);

  mbedtls_ssl_context ssl_;
  bool ssl_init_ = false;
  std::string in_;  // ciphertext received, consumed from in_pos_
  size_t in_pos_ = 0;
  std::string out_;  // ciphertext waiting for the socket
  std::string error_text_;
};

// mbedTLS result code -> Errc, using the verify flags when the failure is a certificate one:
// not trusted -> TlsUntrusted, name mismatch -> TlsHostname, expired / not yet valid ->
// TlsExpired, anything else in the handshake -> Tls. *text receives mbedtls_strerror's
// message and the decoded verify reasons.
core::Errc map_error(int rc, uint32_t verify_flags, std::string* text);

// Error code of the mbedTLS 3.6.6 TLS 1.2 signature-algorithm regression (issue #10668),
// fixed by third_party/mbedtls-tls12-rsa-pss.patch; kept for diagnostics.
inline constexpr int kIllegalParameter = MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER;

}  // namespace tls
