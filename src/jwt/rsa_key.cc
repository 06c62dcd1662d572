// RS256 verification over mbedTLS; see rsa_key.h. mbedTLS error codes stop here.
#include "jwt/rsa_key.h"

#include <mbedtls/md.h>

#include <cstdio>
#include <cstdlib>

#include "core/codec.h"
#include "core/limits.h"

namespace jwt {

namespace {

using core::Errc;
using core::make_error;

std::string_view strip_leading_zeros(std::string_view v) {
  while (!v.empty() && v[0] == '\0') v.remove_prefix(1);
  return v;
}

size_t bit_length(std::string_view be) {
  if (be.empty()) return 0;
  unsigned top = static_cast<unsigned char>(be[0]);
  size_t bits = (be.size() - 1) * 8;
  while (top) {
    ++bits;
    top >>= 1;
  }
  return bits;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

RsaPublicKey::RsaPublicKey() { mbedtls_rsa_init(&ctx_); }
RsaPublicKey::~RsaPublicKey() { mbedtls_rsa_free(&ctx_); }

core::Result<std::unique_ptr<RsaPublicKey>> RsaPublicKey::from_components(std::string_view n,
                                                                          std::string_view e) {
  n = strip_leading_zeros(n);
  e = strip_leading_zeros(e);
  size_t bits = bit_length(n);
  if (bits < core::limits::kMinRsaBits)
    return make_error(Errc::InvalidArgument, "jwk: RSA modulus shorter than 2048 bits");
  if (bits > core::limits::kMaxRsaBits)
    return make_error(Errc::InvalidArgument, "jwk: RSA modulus longer than 8192 bits");
  // e must be odd and >= 3; 8 bytes is far above any exponent in use (65537).
  if (e.empty() || e.size() > 8 || (static_cast<unsigned char>(e.back()) & 1) == 0 ||
      (e.size() == 1 && static_cast<unsigned char>(e[0]) < 3))
    return make_error(Errc::InvalidArgument, "jwk: bad RSA exponent");
  auto key = std::make_unique<RsaPublicKey>();
  int rc = mbedtls_rsa_import_raw(&key->ctx_, bytes(n), n.size(), nullptr, 0, nullptr, 0, nullptr,
                                  0, bytes(e), e.size());
  if (rc == 0) rc = mbedtls_rsa_complete(&key->ctx_);
  if (rc == 0) rc = mbedtls_rsa_check_pubkey(&key->ctx_);
  if (rc != 0) return make_error(Errc::Crypto, "jwk: mbedTLS refused the RSA key", rc);
  return key;
}

core::Result<std::unique_ptr<RsaPublicKey>> RsaPublicKey::from_jwk(std::string_view n_b64url,
                                                                   std::string_view e_b64url) {
  if (n_b64url.find('=') != std::string_view::npos || e_b64url.find('=') != std::string_view::npos)
    return make_error(Errc::Parse, "jwk: n/e must be base64url without padding");
  auto n = core::base64url_decode(n_b64url);
  if (!n.ok()) return make_error(Errc::Parse, "jwk: n is not base64url");
  auto e = core::base64url_decode(e_b64url);
  if (!e.ok()) return make_error(Errc::Parse, "jwk: e is not base64url");
  return from_components(*n, *e);
}

size_t RsaPublicKey::size_bytes() const { return mbedtls_rsa_get_len(&ctx_); }

bool RsaPublicKey::verify_rs256(std::string_view signing_input, std::string_view signature) const {
  if (signature.size() != size_bytes()) return false;
  unsigned char hash[32];
  sha256(signing_input, hash);
  return mbedtls_rsa_pkcs1_verify(&ctx_, MBEDTLS_MD_SHA256, sizeof hash, hash, bytes(signature)) ==
         0;
}

void sha256(std::string_view data, unsigned char out[32]) {
  int rc = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), bytes(data), data.size(), out);
  // SHA-256 is compiled in (mbedtls_config.h): failure is a build defect, not an input error.
  if (rc != 0) {
    fprintf(stderr, "fatal: SHA-256 unavailable (mbedTLS %d)\n", rc);
    abort();
  }
}

}  // namespace jwt
