// Test-only RS256 signer: builds compact JWTs from JSON text with an RSA private key given as
// a JWK (n, e, d, p, q), so validator tests can cover any claim set. PKCS#1 v1.5 is
// deterministic, which lets the tests check this signer against the published vectors.
#pragma once

#include <string>
#include <string_view>

namespace testing_support {

struct RsaPrivateJwk {
  std::string kid, n, e, d, p, q;       // base64url, as in the JWK
  std::string public_jwk_json() const;  // {"kty":"RSA","use":"sig","kid":…,"n":…,"e":…}
};

RsaPrivateJwk load_private_jwk(const std::string& path);  // aborts the test on error
std::string read_file(const std::string& path);

// base64url(header_json).base64url(payload_json).base64url(RS256 signature)
std::string sign_rs256(const RsaPrivateJwk& key, std::string_view header_json,
                       std::string_view payload_json);
// Signature bytes over an arbitrary signing input.
std::string rs256_signature(const RsaPrivateJwk& key, std::string_view signing_input);

}  // namespace testing_support
