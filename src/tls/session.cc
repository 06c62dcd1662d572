// Implementation of tls/session.h.
#include "tls/session.h"

#include <mbedtls/error.h>
#include <mbedtls/x509.h>

#include <cstdio>
#include <cstring>

#include "core/limits.h"

namespace tls {

core::Errc map_error(int rc, uint32_t flags, std::string* text) {
  char buf[160];
  mbedtls_strerror(rc, buf, sizeof buf);
  std::string msg;
  core::Errc code = core::Errc::Tls;
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || flags != 0) {
    // Most specific first: an untrusted chain also fails every other check.
    if (flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING)) {
      code = core::Errc::TlsUntrusted;
      msg = "certificate not trusted (the chain does not lead to a CA in the trusted bundle)";
    } else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
      code = core::Errc::TlsHostname;
      msg = "hostname mismatch (the certificate is not valid for this host name)";
    } else if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
      code = core::Errc::TlsExpired;
      msg = "certificate expired";
    } else if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
      code = core::Errc::TlsExpired;
      msg = "certificate not yet valid (check the system clock)";
    } else {
      code = core::Errc::TlsUntrusted;
      char info[256];
      int n = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
      while (n > 0 && (info[n - 1] == '\n' || info[n - 1] == ' ')) info[--n] = 0;
      msg = std::string("certificate rejected (") + (n > 0 ? info : buf) + ")";
    }
    // Extra reasons beyond the one named (e.g. untrusted and expired).
    if ((flags & MBEDTLS_X509_BADCERT_EXPIRED) && code != core::Errc::TlsExpired)
      msg += "; also expired";
  } else {
    switch (rc) {
      case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
      case MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION:
        msg = std::string("no common protocol version or cipher suite (") + buf + ")";
        break;
      case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
        msg = std::string("server sent a fatal alert (") + buf + ")";
        break;
      case MBEDTLS_ERR_SSL_ALLOC_FAILED:
        code = core::Errc::Internal;
        msg = buf;
        break;
      default: msg = buf;
    }
  }
  char hex[16];
  snprintf(hex, sizeof hex, " [-0x%04x]", static_cast<unsigned>(-rc));
  if (text) *text = msg + hex;
  return code;
}

core::Result<std::unique_ptr<Session>> Session::create(const ClientConfig& config,
                                                       const std::string& host) {
  std::unique_ptr<Session> s(new Session);
  mbedtls_ssl_init(&s->ssl_);
  s->ssl_init_ = true;
  int rc = mbedtls_ssl_setup(&s->ssl_, config.get());
  if (rc == 0) rc = mbedtls_ssl_set_hostname(&s->ssl_, host.c_str());
  if (rc != 0) return s->fail(rc, "tls setup");
  mbedtls_ssl_set_bio(&s->ssl_, s.get(), send_cb, recv_cb, nullptr);
  return s;
}

Session::~Session() {
  if (ssl_init_) mbedtls_ssl_free(&ssl_);
}

bool Session::input_full() const {
  return buffered_input() >= core::limits::client::kMaxTlsInputBytes;
}

core::Status Session::feed(const char* data, size_t n) {
  if (buffered_input() + n > core::limits::client::kMaxTlsInputBytes)
    return core::make_error(core::Errc::TooLarge, "tls input");
  if (in_pos_ > 0 && in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > in_.size() / 2) {  // compact so the buffer never grows without bound
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  in_.append(data, n);
  return core::ok_status();
}

int Session::send_cb(void* ctx, const unsigned char* buf, size_t len) {
  auto* self = static_cast<Session*>(ctx);
  self->out_.append(reinterpret_cast<const char*>(buf), len);
  return static_cast<int>(len);
}

int Session::recv_cb(void* ctx, unsigned char* buf, size_t len) {
  auto* self = static_cast<Session*>(ctx);
  size_t avail = self->in_.size() - self->in_pos_;
  if (avail == 0) return MBEDTLS_ERR_SSL_WANT_READ;
  size_t n = len < avail ? len : avail;
  memcpy(buf, self->in_.data() + self->in_pos_, n);
  self->in_pos_ += n;
  return static_cast<int>(n);
}

core::Error Session::fail(int rc, const char* where) {
  uint32_t flags = 0;
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) flags = mbedtls_ssl_get_verify_result(&ssl_);
  core::Errc code = map_error(rc, flags, &error_text_);
  return core::make_error(code, where, rc);
}

core::Result<bool> Session::handshake() {
  int rc = mbedtls_ssl_handshake(&ssl_);
  if (rc == 0) return true;
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return false;
  return fail(rc, "tls handshake");
}

core::Result<size_t> Session::read(char* out, size_t cap) {
  for (;;) {
    int rc = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(out), cap);
    if (rc > 0) return static_cast<size_t>(rc);
    if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
      return core::make_error(core::Errc::ConnClosed, "tls read");
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return size_t{0};
    // TLS 1.3 post-handshake messages: nothing to deliver yet, go round again.
    if (rc == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) continue;
    return fail(rc, "tls read");
  }
}

core::Status Session::write(std::string_view data) {
  while (!data.empty()) {
    int rc =
        mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    if (rc > 0) {
      data.remove_prefix(static_cast<size_t>(rc));
      continue;
    }
    // The send BIO never blocks, so WANT_* here means a renegotiation-like state we do
    // not support; treat it as an error rather than spin.
    return fail(rc, "tls write");
  }
  return core::ok_status();
}

void Session::close_notify() { (void)mbedtls_ssl_close_notify(&ssl_); }

std::string Session::take_output() {
  std::string o;
  o.swap(out_);
  return o;
}

std::string Session::peer_summary() const {
  const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&ssl_);
  if (!crt) return {};
  char subject[256];
  if (mbedtls_x509_dn_gets(subject, sizeof subject, &crt->subject) < 0) subject[0] = 0;
  char issuer[256];
  if (mbedtls_x509_dn_gets(issuer, sizeof issuer, &crt->issuer) < 0) issuer[0] = 0;
  char out[700];
  snprintf(out, sizeof out, "subject \"%s\", issuer \"%s\", expires %04d-%02d-%02d", subject,
           issuer, crt->valid_to.year, crt->valid_to.mon, crt->valid_to.day);
  return out;
}

}  // namespace tls
