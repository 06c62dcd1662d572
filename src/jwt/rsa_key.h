// An RSA public key for RS256 (RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256), built from a
// JWK's n/e (RFC 7517 §6.3.1) with mbedTLS. RAII over mbedtls_rsa_context; not copyable.
#pragma once

#include <mbedtls/rsa.h>

#include <memory>
#include <string_view>

#include "core/result.h"

namespace jwt {

class RsaPublicKey {
 public:
  RsaPublicKey();
  ~RsaPublicKey();
  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;

  // n and e as unsigned big-endian bytes (already base64url-decoded). Errors: Errc::Crypto for
  // a key mbedTLS refuses; Errc::InvalidArgument (where names why) for a modulus outside
  // limits::kMinRsaBits..kMaxRsaBits or an even or tiny exponent.
  static core::Result<std::unique_ptr<RsaPublicKey>> from_components(std::string_view n,
                                                                     std::string_view e);
  // Same, from the JWK's base64url strings.
  static core::Result<std::unique_ptr<RsaPublicKey>> from_jwk(std::string_view n_b64url,
                                                              std::string_view e_b64url);

  size_t size_bytes() const;
  // True iff signature is a valid RS256 signature of signing_input. A signature whose length
  // is not exactly the modulus length is invalid without touching the bignum code.
  bool verify_rs256(std::string_view signing_input, std::string_view signature) const;

 private:
  mutable mbedtls_rsa_context ctx_;  // verify does not change the key; mbedTLS takes non-const
};

// SHA-256 of data into out[32].
void sha256(std::string_view data, unsigned char out[32]);

}  // namespace jwt
