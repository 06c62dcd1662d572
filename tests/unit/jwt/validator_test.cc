// Validator: every vector of aad-jwt.md §4 with its expected accept/reject table, plus
// tampering, algorithm confusion, key rotation, size and skew edges.
#include "jwt/validator.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "support/jwt_signer.h"
#include "support/subprocess.h"
#include "unit/jwt/jwt_vectors.h"

using namespace jwt;
using namespace jwtvec;
namespace ts = testing_support;

namespace {

std::string data(const char* name) {
  return ts::read_file(ts::project_root() + "/tests/data/jwt/" + name);
}

KeySet tv3_keys() {
  auto k = parse_jwks(data("jwks_tv3.json"));
  EXPECT_TRUE(k.ok());
  return std::move(*k);
}

Expectations tv3_expect() {
  Expectations e;
  e.tenant_id = kTenant;
  e.audiences = {kAudUri, kAudId};
  return e;
}

ts::RsaPrivateJwk a2_key() {
  return ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rfc7515_a2.jwk.json");
}

// The v1 payload with one substitution, re-signed with the TV-1 key.
std::string v1_with(const std::string& from, const std::string& to,
                    const char* header = kV1Header) {
  std::string p = kV1Payload;
  size_t at = p.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  p.replace(at, from.size(), to);
  return ts::sign_rs256(a2_key(), header, p);
}

Verdict v(const std::string& token, long long now = kNowOk, const Expectations& e = tv3_expect()) {
  static KeySet keys = tv3_keys();
  return validate(token, keys, e, now);
}

}  // namespace

TEST(JwtSigner, ReproducesPublishedSignatures) {
  // PKCS#1 v1.5 is deterministic: our test signer must give the RFC's and TV-3's exact bytes.
  EXPECT_EQ(
      ts::sign_rs256(
          a2_key(), "{\"alg\":\"RS256\"}",
          "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"),
      kRfcA2);
  EXPECT_EQ(ts::sign_rs256(a2_key(), kV1Header, kV1Payload), kV1);
  EXPECT_EQ(ts::sign_rs256(a2_key(), kV2Header, kV2Payload), kV2);
}

TEST(JwtValidator, Tv3AcceptRejectTable) {
  for (const char* tok : {kV1, kV2}) {
    SCOPED_TRACE(tok == kV1 ? "v1" : "v2");
    Verdict ok = v(tok, 1700001000);
    EXPECT_TRUE(ok.accepted()) << ok.reason;
    EXPECT_EQ(ok.tenant_id, kTenant);
    EXPECT_EQ(ok.app_id, kImportServiceAppId);
    EXPECT_EQ(ok.expires_at, 1700003600);
    EXPECT_TRUE(v(tok, 1699999750).accepted());
    Verdict early = v(tok, 1699999600);
    EXPECT_FALSE(early.accepted());
    EXPECT_EQ(early.reason.rfind("token not valid before 2023-11-14T22:13:20", 0), 0u)
        << early.reason;
    EXPECT_TRUE(v(tok, 1700003800).accepted());
    Verdict late = v(tok, 1700004000);
    EXPECT_FALSE(late.accepted());
    EXPECT_EQ(late.reason.rfind("token expired at 2023-11-14T23:13:20", 0), 0u) << late.reason;

    Expectations other = tv3_expect();
    other.tenant_id = "99999999-2222-3333-4444-555555555555";
    Verdict t = v(tok, kNowOk, other);
    EXPECT_FALSE(t.accepted());
    EXPECT_NE(t.reason.find("configured tenant"), std::string::npos) << t.reason;

    Expectations caller = tv3_expect();
    caller.caller_app_id = "00000000-d001-4c4e-985e-3ab17fdc3073";
    Verdict c = v(tok, kNowOk, caller);
    EXPECT_FALSE(c.accepted());
    EXPECT_NE(c.reason.find("is not the configured caller"), std::string::npos) << c.reason;
  }
  Verdict evil = v(kV1EvilAud);
  EXPECT_FALSE(evil.accepted());
  EXPECT_NE(evil.reason.find("signature does not verify"), std::string::npos) << evil.reason;
}

TEST(JwtValidator, Tv3UnknownKeyIsRejected) {
  auto other =
      parse_jwks("{\"keys\":[" +
                 ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rotated_key.jwk.json")
                     .public_jwk_json() +
                 "]}");
  ASSERT_TRUE(other.ok());
  Verdict r = validate(kV1, *other, tv3_expect(), kNowOk);
  EXPECT_FALSE(r.accepted());
  EXPECT_EQ(r.reason, "unknown signing key kid \"rfc7515-a2\"");
}

TEST(JwtValidator, Tv1SignatureValidButExpiredAndIncomplete) {
  auto t = v(kRfcA2, 1300819000);
  EXPECT_FALSE(t.accepted());
  EXPECT_EQ(t.reason, "token header has no kid");
  // With a kid the signature would verify; the claim pipeline then fails on exp.
  KeySet keys = tv3_keys();
  std::string with_kid = ts::sign_rs256(
      a2_key(), R"({"alg":"RS256","kid":"rfc7515-a2"})",
      "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  Verdict e = validate(with_kid, keys, tv3_expect(), kNowOk);
  EXPECT_EQ(e.reason.rfind("token expired at 2011-03-22T18:43:00", 0), 0u) << e.reason;
}

TEST(JwtValidator, Tv2Hs256AndOtherAlgorithmsAreRejected) {
  EXPECT_EQ(v(kRfcHs256).reason, "alg \"HS256\" is not allowed (RS256 only)");
  std::string payload_b64 = std::string(kV1).substr(std::string(kV1).find('.') + 1);
  payload_b64 = payload_b64.substr(0, payload_b64.find('.'));
  std::string none =
      core::base64url_encode(R"({"alg":"none","kid":"rfc7515-a2"})") + "." + payload_b64 + ".";
  EXPECT_EQ(v(none).reason, "alg \"none\" is not allowed (RS256 only)");
  for (const char* alg : {"RS384", "PS256", "ES256", "rs256", "HS256"}) {
    std::string h = std::string(R"({"alg":")") + alg + R"(","kid":"rfc7515-a2"})";
    Verdict r = v(core::base64url_encode(h) + "." + payload_b64 + ".AAAA");
    EXPECT_FALSE(r.accepted()) << alg;
    EXPECT_NE(r.reason.find("is not allowed"), std::string::npos) << r.reason;
  }
  // Key confusion: an HS256 token MACed with the RSA public modulus as secret never reaches HMAC.
  EXPECT_FALSE(v(core::base64url_encode(R"({"alg":"HS256","kid":"rfc7515-a2"})") + "." +
                 payload_b64 + ".AAAA")
                   .accepted());
}

TEST(JwtValidator, TamperedSignatureAndPayload) {
  std::string t = kV1;
  // Flip one character inside the signature (not the last, whose low bits may be padding).
  size_t sig_at = t.rfind('.') + 10;
  t[sig_at] = t[sig_at] == 'A' ? 'B' : 'A';
  EXPECT_NE(v(t).reason.find("signature does not verify"), std::string::npos);
  // One signature byte removed: wrong length, refused before any bignum work.
  std::string sig =
      *core::base64url_decode(std::string(kV1).substr(std::string(kV1).rfind('.') + 1));
  std::string short_tok = std::string(kV1).substr(0, std::string(kV1).rfind('.') + 1) +
                          core::base64url_encode(sig.substr(1));
  EXPECT_EQ(v(short_tok).reason, "signature is 255 bytes, key \"rfc7515-a2\" needs 256");
  // Payload changed by one claim (exp pushed out), original signature kept.
  std::string p = kV1Payload;
  p.replace(p.find("1700003600"), 10, "1900003600");
  std::string forged = std::string(kV1).substr(0, std::string(kV1).find('.') + 1) +
                       core::base64url_encode(p) +
                       std::string(kV1).substr(std::string(kV1).rfind('.'));
  EXPECT_NE(v(forged).reason.find("signature does not verify"), std::string::npos);
}

TEST(JwtValidator, ClaimRules) {
  auto reason = [](const std::string& tok) { return v(tok).reason; };
  EXPECT_TRUE(
      v(v1_with(
            "\"aud\":\"https://contoso-twitterconnector.azurewebsites.net\"",
            "\"aud\":[\"https://other\",\"https://contoso-twitterconnector.azurewebsites.net\"]"))
          .accepted());
  EXPECT_EQ(reason(v1_with("\"aud\":\"https://contoso-twitterconnector.azurewebsites.net\"",
                           "\"aud\":[\"https://other\"]")),
            "aud mismatch: \"https://other\" is not a configured audience");
  EXPECT_EQ(reason(v1_with("\"aud\":\"https://contoso-twitterconnector.azurewebsites.net\",", "")),
            "aud mismatch: no aud claim is not a configured audience");
  // The reference's substring test would accept a prefix of the service id; we do not.
  EXPECT_EQ(reason(v1_with("570d0bec-d001-4c4e-985e-3ab17fdc3073", "570d0bec")),
            "appid \"570d0bec\" is not the Office 365 Import service");
  EXPECT_EQ(reason(v1_with("\"appid\":\"570d0bec-d001-4c4e-985e-3ab17fdc3073\",", "")),
            "appid (missing) is not the Office 365 Import service");
  EXPECT_TRUE(
      v(v1_with("570d0bec-d001-4c4e-985e-3ab17fdc3073", "570D0BEC-D001-4C4E-985E-3AB17FDC3073"))
          .accepted());
  EXPECT_EQ(reason(v1_with(",\"tid\":\"11111111-2222-3333-4444-555555555555\"", "")),
            "token has no tid claim");
  EXPECT_EQ(reason(v1_with("\"tid\":\"11111111-2222-3333-4444-555555555555\"",
                           "\"tid\":\"99999999-2222-3333-4444-555555555555\"")),
            "tid \"99999999-2222-3333-4444-555555555555\" is not the configured tenant");
  EXPECT_EQ(
      reason(v1_with("\"iss\":\"https://sts.windows.net/11111111-2222-3333-4444-555555555555/\"",
                     "\"iss\":\"https://sts.windows.net/99999999-2222-3333-4444-555555555555/\"")),
      "iss \"https://sts.windows.net/99999999-2222-3333-4444-555555555555/\" is not the v1.0 "
      "issuer of the configured tenant");
  // A v1 token claiming the v2 issuer form is refused (issuer must match the version).
  EXPECT_NE(reason(v1_with("https://sts.windows.net/11111111-2222-3333-4444-555555555555/\",\"iat",
                           "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/"
                           "v2.0\",\"iat"))
                .find("is not the v1.0 issuer"),
            std::string::npos);
  EXPECT_EQ(reason(v1_with("\"ver\":\"1.0\"", "\"ver\":\"3.0\"")),
            "token version \"3.0\" is not 1.0 or 2.0");
  EXPECT_TRUE(v(v1_with(",\"ver\":\"1.0\"", "")).accepted());  // version inferred from iss
  EXPECT_EQ(reason(v1_with("\"exp\":1700003600,", "")), "token has no valid exp claim");
  EXPECT_EQ(reason(v1_with("\"exp\":1700003600", "\"exp\":\"1700003600\"")),
            "token has no valid exp claim");
  EXPECT_EQ(reason(v1_with("\"exp\":1700003600", "\"exp\":1e300")), "token has no valid exp claim");
  EXPECT_EQ(reason(v1_with("\"nbf\":1700000000", "\"nbf\":null")),
            "token has an invalid nbf claim");
  EXPECT_TRUE(v(v1_with("\"nbf\":1700000000,", "")).accepted());  // nbf is optional
  EXPECT_TRUE(v(v1_with("\"exp\":1700003600", "\"exp\":1700003600.9")).accepted());
  // v2 uses azp, not appid.
  std::string p = kV2Payload;
  p.replace(p.find("\"azp\""), 5, "\"appid\"");
  EXPECT_EQ(v(ts::sign_rs256(a2_key(), kV2Header, p)).reason,
            "azp (missing) is not the Office 365 Import service");
}

TEST(JwtValidator, SkewEdgesAreExact) {
  EXPECT_TRUE(v(kV1, 1700003600 + 299).accepted());
  EXPECT_FALSE(v(kV1, 1700003600 + 300).accepted());
  EXPECT_TRUE(v(kV1, 1700000000 - 300).accepted());
  EXPECT_FALSE(v(kV1, 1700000000 - 301).accepted());
  Expectations strict = tv3_expect();
  strict.skew_s = 0;
  EXPECT_FALSE(v(kV1, 1700003600, strict).accepted());
  EXPECT_TRUE(v(kV1, 1700003599, strict).accepted());
}

TEST(JwtValidator, MalformedInput) {
  EXPECT_EQ(v("").reason, "malformed token: jwt: not three dot-separated segments");
  EXPECT_EQ(v("a.b").reason, "malformed token: jwt: not three dot-separated segments");
  EXPECT_EQ(v("a.b.c.d").reason, "malformed token: jwt: not three dot-separated segments");
  EXPECT_EQ(v(std::string(kV1) + "=").reason, "malformed token: jwt: signature is not base64url");
  std::string padded = kV1;
  padded.insert(padded.find('.'), "=");
  EXPECT_EQ(v(padded).reason, "malformed token: jwt: header is not base64url");
  std::string spaced = kV1;
  spaced.insert(10, " ");
  EXPECT_EQ(v(spaced).reason, "malformed token: jwt: header is not base64url");
  EXPECT_EQ(v(std::string(20000, 'a')).reason, "malformed token: jwt: token larger than 16 KiB");
  EXPECT_EQ(v(core::base64url_encode("[1]") + ".e30.").reason,
            "malformed token: jwt: header is not a JSON object");
}

TEST(JwtValidator, V2KeyIssuerMustMatch) {
  auto jwk = ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rfc7515_a2.jwk.json");
  std::string pub = jwk.public_jwk_json();
  std::string with_issuer = pub.substr(0, pub.size() - 1) +
                            ",\"issuer\":\"https://login.microsoftonline.com/{tenantid}/v2.0\"}";
  auto ks = parse_jwks("{\"keys\":[" + with_issuer + "]}");
  ASSERT_TRUE(ks.ok());
  EXPECT_TRUE(validate(kV2, *ks, tv3_expect(), kNowOk).accepted());
  std::string wrong = pub.substr(0, pub.size() - 1) +
                      ",\"issuer\":\"https://login.microsoftonline.com/other/v2.0\"}";
  ks = parse_jwks("{\"keys\":[" + wrong + "]}");
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(validate(kV2, *ks, tv3_expect(), kNowOk).reason,
            "iss does not match the issuer of signing key \"rfc7515-a2\"");
}

TEST(JwtValidator, CacheFailsClosedRefreshesOnceAndFollowsRotation) {
  KeyCache cache(5 * 60 * 1000);
  Verdict none = validate(kV1, cache, tv3_expect(), kNowOk, 0);
  EXPECT_EQ(none.outcome, Outcome::KeysUnavailable);
  EXPECT_NE(none.reason.find("failing closed"), std::string::npos);

  cache.install(tv3_keys(), 1000);
  EXPECT_TRUE(validate(kV1, cache, tv3_expect(), kNowOk, 1000).accepted());

  // The issuer rotates to a new key: a token signed with it has an unknown kid.
  auto rotated = ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rotated_key.jwk.json");
  std::string hdr = R"({"typ":"JWT","alg":"RS256","kid":"rotated-2026"})";
  std::string tok = ts::sign_rs256(rotated, hdr, kV1Payload);
  // Within the interval since the install: no refresh, plain reject.
  Verdict r1 = validate(tok, cache, tv3_expect(), kNowOk, 2000);
  EXPECT_EQ(r1.outcome, Outcome::Reject);
  EXPECT_NE(r1.reason.find("not refreshing again yet"), std::string::npos);
  // Past the interval: one refresh is granted, then no more until the interval passes again.
  uint64_t t = 1000 + 5 * 60 * 1000;
  EXPECT_EQ(validate(tok, cache, tv3_expect(), kNowOk, t).outcome, Outcome::RefreshKeys);
  EXPECT_EQ(validate(tok, cache, tv3_expect(), kNowOk, t + 1).outcome, Outcome::Reject);
  auto ks = parse_jwks("{\"keys\":[" + rotated.public_jwk_json() + "]}");
  ASSERT_TRUE(ks.ok());
  cache.install(std::move(*ks), t + 50);
  EXPECT_TRUE(validate(tok, cache, tv3_expect(), kNowOk, t + 60).accepted());
  // The retired key is gone after rotation.
  EXPECT_EQ(validate(kV1, cache, tv3_expect(), kNowOk, t + 70).outcome, Outcome::Reject);
}
