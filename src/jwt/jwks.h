// Signing key documents: a JWKS (RFC 7517 §5) parsed into a set of RS256 verification keys,
// and the OpenID Provider configuration (OpenID Discovery §3) that names the JWKS location.
// Only RSA signature keys are kept; others are skipped, and the set is capped
// (limits::kMaxJwksKeys). Fetching the documents is the HTTPS client's job.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "jwt/rsa_key.h"

namespace jwt {

// Default of CONNECTOR_AAD_OPENID_CONFIG: Microsoft's common (v1) OpenID configuration, whose
// jwks_uri is https://login.microsoftonline.com/common/discovery/keys (aad-jwt.md §3).
inline constexpr char kDefaultOpenIdConfigUrl[] =
    "https://login.microsoftonline.com/common/.well-known/openid-configuration";

struct Jwk {
  std::string kid;
  std::string issuer;  // v2 key sets only; may hold the "{tenantid}" template; else empty
  std::unique_ptr<RsaPublicKey> key;
};

class KeySet {
 public:
  KeySet() = default;
  KeySet(KeySet&&) = default;
  KeySet& operator=(KeySet&&) = default;

  const Jwk* find(std::string_view kid) const;
  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  // Entries skipped while parsing (non-RSA, not "sig", bad key, duplicate kid, over the cap).
  size_t skipped() const { return skipped_; }
  // Adds a key unless its kid is already present (first one wins) or the set is full.
  bool add(Jwk jwk);

 private:
  friend core::Result<KeySet> parse_jwks(std::string_view text);
  std::vector<Jwk> keys_;
  size_t skipped_ = 0;
};

// {"keys":[...]}. Errors: Errc::TooLarge over limits::kMaxJwksBytes; Errc::Parse when the
// document is not JSON, has no "keys" array, or yields no usable RSA signing key (so a broken
// refresh never replaces a good set with an empty one).
core::Result<KeySet> parse_jwks(std::string_view text);

struct OpenIdConfig {
  std::string issuer;
  std::string jwks_uri;  // always https://
};
// Errors: Errc::Parse for non-JSON, a missing issuer, or a jwks_uri that is missing or not https.
core::Result<OpenIdConfig> parse_openid_config(std::string_view text);

}  // namespace jwt
