// JWKS and OpenID configuration parsing; RSA key import limits.
#include "jwt/jwks.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "core/limits.h"
#include "support/jwt_signer.h"
#include "support/subprocess.h"
#include "unit/jwt/jwt_vectors.h"

using namespace jwt;
namespace ts = testing_support;

namespace {
std::string tv3() { return ts::read_file(ts::project_root() + "/tests/data/jwt/jwks_tv3.json"); }
std::string a2_pub() {
  return ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rfc7515_a2.jwk.json")
      .public_jwk_json();
}
std::string with_field(std::string jwk, const std::string& field) {
  return jwk.substr(0, jwk.size() - 1) + "," + field + "}";
}
}  // namespace

TEST(Jwks, Tv3KeyVerifiesRfc7515A2) {
  auto ks = parse_jwks(tv3());
  ASSERT_TRUE(ks.ok());
  ASSERT_EQ(ks->size(), 1u);
  const Jwk* k = ks->find("rfc7515-a2");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->key->size_bytes(), 256u);
  std::string tok = jwtvec::kRfcA2;
  size_t dot = tok.rfind('.');
  std::string sig = *core::base64url_decode(tok.substr(dot + 1));
  unsigned char h[32];
  sha256(tok.substr(0, dot), h);
  EXPECT_EQ(core::hex_encode(std::string_view(reinterpret_cast<char*>(h), 32)),
            "c88a34847b4ffb12a9326e540f144b3dcc4d5515f18701e7d6e0ee7866c9c705");
  EXPECT_TRUE(k->key->verify_rs256(tok.substr(0, dot), sig));
  std::string changed = tok.substr(0, dot);
  changed[30] = changed[30] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(k->key->verify_rs256(changed, sig));
  EXPECT_FALSE(k->key->verify_rs256(tok.substr(0, dot), sig.substr(1)));
  EXPECT_EQ(ks->find("x"), nullptr);
}

TEST(Jwks, SkipsUnusableKeysAndCaps) {
  std::string pub = a2_pub();
  std::string enc = pub;
  enc.replace(enc.find("\"use\":\"sig\""), 11, "\"use\":\"enc\"");
  enc.replace(enc.find("rfc7515-a2"), 10, "enc-key");
  std::string doc = std::string("{\"keys\":[") +
                    R"({"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},)" + enc + "," +
                    R"({"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"},)" +
                    R"({"kty":"RSA","n":"AQAB","e":"AQAB"},)" + pub + "," + pub + "]}";
  auto ks = parse_jwks(doc);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->size(), 1u);
  EXPECT_EQ(ks->skipped(), 5u);
  EXPECT_NE(ks->find("rfc7515-a2"), nullptr);
  EXPECT_EQ(ks->find("enc-key"), nullptr);

  std::string many = "{\"keys\":[";
  for (size_t i = 0; i < core::limits::kMaxJwksKeys + 3; ++i) {
    std::string k = pub;
    k.replace(k.find("rfc7515-a2"), 10, "k" + std::to_string(i));
    many += (i ? "," : "") + k;
  }
  many += "]}";
  auto capped = parse_jwks(many);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->size(), core::limits::kMaxJwksKeys);
  EXPECT_EQ(capped->skipped(), 3u);
}

TEST(Jwks, RejectsDocumentsWithoutUsableKeys) {
  EXPECT_STREQ(parse_jwks("not json").error().where, "jwks: not a JSON object");
  EXPECT_STREQ(parse_jwks("{}").error().where, "jwks: no \"keys\" array");
  EXPECT_STREQ(parse_jwks("{\"keys\":[]}").error().where, "jwks: no usable RSA signing key");
  EXPECT_STREQ(
      parse_jwks("{\"keys\":[" + with_field(a2_pub(), "\"alg\":\"RS512\"") + "]}").error().where,
      "jwks: no usable RSA signing key");
  EXPECT_EQ(parse_jwks(std::string(core::limits::kMaxJwksBytes + 1, ' ')).error().code,
            core::Errc::TooLarge);
}

TEST(RsaKey, ImportLimits) {
  std::string n2048(256, '\xff');
  EXPECT_TRUE(RsaPublicKey::from_components(n2048, std::string("\x01\x00\x01", 3)).ok());
  EXPECT_STREQ(
      RsaPublicKey::from_components(std::string(255, '\xff'), std::string("\x01\x00\x01", 3))
          .error()
          .where,
      "jwk: RSA modulus shorter than 2048 bits");
  EXPECT_STREQ(
      RsaPublicKey::from_components(std::string(1025, '\xff'), std::string("\x01\x00\x01", 3))
          .error()
          .where,
      "jwk: RSA modulus longer than 8192 bits");
  EXPECT_STREQ(RsaPublicKey::from_components(n2048, std::string("\x01\x00\x00", 3)).error().where,
               "jwk: bad RSA exponent");
  EXPECT_STREQ(RsaPublicKey::from_components(n2048, std::string("\x01", 1)).error().where,
               "jwk: bad RSA exponent");
  EXPECT_STREQ(RsaPublicKey::from_jwk("AQAB=", "AQAB").error().where,
               "jwk: n/e must be base64url without padding");
  EXPECT_STREQ(RsaPublicKey::from_jwk("a+b/", "AQAB").error().where, "jwk: n is not base64url");
  // Leading zero bytes do not count towards the size.
  EXPECT_FALSE(RsaPublicKey::from_components(std::string(1, '\0') + std::string(255, '\xff'),
                                             std::string("\x01\x00\x01", 3))
                   .ok());
}

TEST(OpenIdConfig, ParsesIssuerAndJwksUri) {
  auto c = parse_openid_config(
      R"({"token_endpoint":"https://login.microsoftonline.com/common/oauth2/token","jwks_uri":"https://login.microsoftonline.com/common/discovery/keys","issuer":"https://sts.windows.net/{tenantid}/"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->jwks_uri, "https://login.microsoftonline.com/common/discovery/keys");
  EXPECT_EQ(c->issuer, "https://sts.windows.net/{tenantid}/");
  EXPECT_FALSE(parse_openid_config(R"({"issuer":"x","jwks_uri":"http://insecure/keys"})").ok());
  EXPECT_FALSE(parse_openid_config(R"({"issuer":"x"})").ok());
  EXPECT_FALSE(parse_openid_config(R"({"jwks_uri":"https://a/keys"})").ok());
  EXPECT_FALSE(parse_openid_config("[]").ok());
}
