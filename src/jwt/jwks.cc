// JWKS and OpenID configuration parsing; see jwks.h.
#include "jwt/jwks.h"

#include "core/limits.h"
#include "json/json.h"

namespace jwt {

namespace {
using core::Errc;
using core::make_error;
}  // namespace

const Jwk* KeySet::find(std::string_view kid) const {
  for (const Jwk& k : keys_)
    if (k.kid == kid) return &k;
  return nullptr;
}

bool KeySet::add(Jwk jwk) {
  if (keys_.size() >= core::limits::kMaxJwksKeys || find(jwk.kid)) return false;
  keys_.push_back(std::move(jwk));
  return true;
}

core::Result<KeySet> parse_jwks(std::string_view text) {
  if (text.size() > core::limits::kMaxJwksBytes)
    return make_error(Errc::TooLarge, "jwks: document larger than 256 KiB");
  auto doc = json::parse(text);
  if (!doc.ok() || !cJSON_IsObject(doc->get()))
    return make_error(Errc::Parse, "jwks: not a JSON object");
  const cJSON* keys = json::get_array(doc->get(), "keys");
  if (!keys) return make_error(Errc::Parse, "jwks: no \"keys\" array");
  KeySet set;
  const cJSON* k = nullptr;
  cJSON_ArrayForEach(k, keys) {
    auto kty = json::get_string(k, "kty");
    auto use = json::get_string(k, "use");
    auto alg = json::get_string(k, "alg");
    auto kid = json::get_string(k, "kid");
    auto n = json::get_string(k, "n");
    auto e = json::get_string(k, "e");
    bool usable = kty && *kty == "RSA" && (!use || *use == "sig") && (!alg || *alg == "RS256") &&
                  kid && !kid->empty() && n && e;
    if (!usable || set.keys_.size() >= core::limits::kMaxJwksKeys || set.find(*kid)) {
      ++set.skipped_;
      continue;
    }
    auto key = RsaPublicKey::from_jwk(*n, *e);
    if (!key.ok()) {
      ++set.skipped_;
      continue;
    }
    auto issuer = json::get_string(k, "issuer");
    set.add(Jwk{std::string(*kid), issuer ? std::string(*issuer) : std::string(), std::move(*key)});
  }
  if (set.empty()) return make_error(Errc::Parse, "jwks: no usable RSA signing key");
  return set;
}

core::Result<OpenIdConfig> parse_openid_config(std::string_view text) {
  if (text.size() > core::limits::kMaxJwksBytes)
    return make_error(Errc::TooLarge, "openid-configuration: document larger than 256 KiB");
  auto doc = json::parse(text);
  if (!doc.ok() || !cJSON_IsObject(doc->get()))
    return make_error(Errc::Parse, "openid-configuration: not a JSON object");
  auto issuer = json::get_string(doc->get(), "issuer");
  auto jwks_uri = json::get_string(doc->get(), "jwks_uri");
  if (!issuer || issuer->empty()) return make_error(Errc::Parse, "openid-configuration: no issuer");
  if (!jwks_uri || jwks_uri->rfind("https://", 0) != 0 || jwks_uri->size() <= 8)
    return make_error(Errc::Parse, "openid-configuration: jwks_uri missing or not https");
  return OpenIdConfig{std::string(*issuer), std::string(*jwks_uri)};
}

}  // namespace jwt
