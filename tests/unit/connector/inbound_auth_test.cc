// Inbound authentication decisions: header parsing, Basic in constant time, Bearer through
// src/jwt with the TV-3 vectors, and the brute-force throttle.
#include "connector/inbound_auth.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "support/jwt_signer.h"
#include "support/subprocess.h"
#include "unit/jwt/jwt_vectors.h"

using namespace connector;
namespace ts = testing_support;

namespace {

constexpr char kGood[] = "Basic MTExMTExMTEtMjIyMi0zMzMzLTQ0NDQtNTU1NTU1NTU1NTU1OnMzY3JldA==";

InboundAuthConfig config(bool bearer = false) {
  InboundAuthConfig c;
  c.basic = {jwtvec::kTenant, "s3cret"};
  c.bearer_enabled = bearer;
  c.bearer.tenant_id = jwtvec::kTenant;
  c.bearer.audiences = {jwtvec::kAudUri};
  return c;
}

std::string basic(std::string_view user_pass) { return "Basic " + core::base64_encode(user_pass); }

jwt::KeySet tv3_keys() {
  auto k = jwt::parse_jwks(ts::read_file(ts::project_root() + "/tests/data/jwt/jwks_tv3.json"));
  EXPECT_TRUE(k.ok());
  return std::move(*k);
}

}  // namespace

TEST(ParseAuthorization, SchemesAndMalformedHeaders) {
  auto a = parse_authorization("  bAsIc   dXNlcjpwdw==  ");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scheme, AuthScheme::Basic);
  EXPECT_EQ(a->credentials, "dXNlcjpwdw==");
  EXPECT_EQ(parse_authorization("BEARER a.b.c")->scheme, AuthScheme::Bearer);
  EXPECT_EQ(parse_authorization("Digest abc")->scheme, AuthScheme::Other);
  EXPECT_STREQ(parse_authorization("").error().where, "empty Authorization header");
  EXPECT_STREQ(parse_authorization("Basic").error().where,
               "Authorization header has a scheme but no credentials");
  EXPECT_STREQ(parse_authorization("Basic a b").error().where,
               "Authorization credentials contain invalid characters");
  EXPECT_STREQ(parse_authorization("Basic a=b").error().where,
               "Authorization credentials contain invalid characters");
  EXPECT_STREQ(parse_authorization("Basic a\"b").error().where,
               "Authorization credentials contain invalid characters");
  EXPECT_EQ(parse_authorization("Bearer " + std::string(20000, 'a')).error().code,
            core::Errc::TooLarge);
}

TEST(CheckBasic, ProtocolVectorAndVariants) {
  BasicSecret s{jwtvec::kTenant, "s3cret"};
  const char* why = "";
  EXPECT_TRUE(check_basic("MTExMTExMTEtMjIyMi0zMzMzLTQ0NDQtNTU1NTU1NTU1NTU1OnMzY3JldA==", s, &why));
  // Tenant GUID compare is case-insensitive; the secret compare is exact.
  EXPECT_TRUE(
      check_basic(core::base64_encode("11111111-2222-3333-4444-555555555555:s3cret"), s, &why));
  EXPECT_FALSE(
      check_basic(core::base64_encode("11111111-2222-3333-4444-555555555555:S3cret"), s, &why));
  EXPECT_FALSE(
      check_basic(core::base64_encode("11111111-2222-3333-4444-555555555555:s3cre"), s, &why));
  EXPECT_FALSE(
      check_basic(core::base64_encode("11111111-2222-3333-4444-555555555555:s3crett"), s, &why));
  EXPECT_FALSE(
      check_basic(core::base64_encode("22222222-2222-3333-4444-555555555555:s3cret"), s, &why));
  EXPECT_STREQ(why, "Basic credentials do not match the configured tenant id and API secret key");
  EXPECT_FALSE(check_basic(core::base64_encode("no-colon"), s, &why));
  EXPECT_STREQ(why, "Basic credentials are not tenantId:secret");
  EXPECT_FALSE(check_basic("!!!", s, &why));
  EXPECT_STREQ(why, "Basic credentials are not valid base64");
  // Split at the first ':' so a secret containing ':' works (the reference split on every ':').
  BasicSecret colon{jwtvec::kTenant, "a:b:c"};
  EXPECT_TRUE(
      check_basic(core::base64_encode(std::string(jwtvec::kTenant) + ":a:b:c"), colon, &why));
  BasicSecret unset{jwtvec::kTenant, ""};
  EXPECT_FALSE(check_basic(core::base64_encode(std::string(jwtvec::kTenant) + ":"), unset, &why));
}

TEST(InboundAuth, BasicAllowAndDeny) {
  InboundAuth auth(config());
  Decision ok = auth.decide(std::string_view(kGood), "192.0.2.1", 0, 0, nullptr);
  EXPECT_TRUE(ok.allow);
  EXPECT_EQ(ok.principal, "basic:11111111-2222-3333-4444-555555555555");

  Decision missing = auth.decide(std::nullopt, "192.0.2.1", 0, 0, nullptr);
  EXPECT_FALSE(missing.allow);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.www_authenticate, "Basic realm=\"twitter-connector\", charset=\"UTF-8\"");
  EXPECT_EQ(missing.reason, "missing Authorization header");

  Decision wrong =
      auth.decide(basic(std::string(jwtvec::kTenant) + ":nope"), "192.0.2.1", 0, 0, nullptr);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.reason.find("nope"), std::string::npos);  // never log the guess
  EXPECT_EQ(auth.decide(std::string_view("Digest x"), "192.0.2.1", 0, 0, nullptr).reason,
            "unsupported Authorization scheme \"Digest\"");
  Decision bearer_off = auth.decide(std::string_view("Bearer a.b.c"), "192.0.2.1", 0, 0, nullptr);
  EXPECT_EQ(bearer_off.status, 401);
  EXPECT_NE(bearer_off.reason.find("CONNECTOR_AAD_APP_URI"), std::string::npos);
}

TEST(InboundAuth, ThrottleDelaysOneAddressOnly) {
  AuthThrottle::Config tc;
  tc.free_failures = 2;
  tc.base_delay_ms = 1000;
  tc.max_delay_ms = 8000;
  InboundAuth auth(config(), tc);
  std::string bad = basic(std::string(jwtvec::kTenant) + ":guess");
  uint64_t t = 0;
  EXPECT_EQ(auth.decide(bad, "198.51.100.7", 0, t, nullptr).status, 401);
  EXPECT_EQ(auth.decide(bad, "198.51.100.7", 0, t, nullptr).status, 401);
  Decision third = auth.decide(bad, "198.51.100.7", 0, t, nullptr);
  EXPECT_EQ(third.status, 401);
  EXPECT_NE(third.reason.find("wait 1 s"), std::string::npos) << third.reason;
  // While blocked even the right secret is not looked at.
  Decision blocked = auth.decide(std::string_view(kGood), "198.51.100.7", 0, t + 500, nullptr);
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.retry_after_ms, 500u);
  // Another address is unaffected.
  EXPECT_TRUE(auth.decide(std::string_view(kGood), "198.51.100.8", 0, t + 500, nullptr).allow);
  // Delays double up to the cap.
  t += 1000;
  auth.decide(bad, "198.51.100.7", 0, t, nullptr);
  EXPECT_EQ(auth.throttle().blocked_for("198.51.100.7", t), 2000u);
  t += 2000;
  auth.decide(bad, "198.51.100.7", 0, t, nullptr);
  EXPECT_EQ(auth.throttle().blocked_for("198.51.100.7", t), 4000u);
  t += 4000;
  auth.decide(bad, "198.51.100.7", 0, t, nullptr);
  EXPECT_EQ(auth.throttle().blocked_for("198.51.100.7", t), 8000u);
  t += 8000;
  auth.decide(bad, "198.51.100.7", 0, t, nullptr);
  EXPECT_EQ(auth.throttle().blocked_for("198.51.100.7", t), 8000u);
  // Success after the wait forgets the address.
  t += 8000;
  EXPECT_TRUE(auth.decide(std::string_view(kGood), "198.51.100.7", 0, t, nullptr).allow);
  EXPECT_EQ(auth.throttle().size(), 0u);
}

TEST(AuthThrottle, EntriesExpireAndTableIsBounded) {
  AuthThrottle::Config tc;
  tc.free_failures = 0;
  tc.entry_ttl_ms = 10'000;
  tc.max_entries = 3;
  AuthThrottle th(tc);
  EXPECT_EQ(th.record_failure("10.0.0.1", 0), tc.base_delay_ms);
  EXPECT_GT(th.blocked_for("10.0.0.1", 10), 0u);
  EXPECT_EQ(th.blocked_for("10.0.0.1", 10'000), 0u);  // expired and dropped
  EXPECT_EQ(th.size(), 0u);
  th.record_failure("10.0.0.1", 100);
  th.record_failure("10.0.0.2", 200);
  th.record_failure("10.0.0.3", 300);
  th.record_failure("10.0.0.4", 400);  // full: the entry idle longest (10.0.0.1) goes
  EXPECT_EQ(th.size(), 3u);
  EXPECT_EQ(th.blocked_for("10.0.0.1", 401), 0u);
  EXPECT_GT(th.blocked_for("10.0.0.4", 401), 0u);
  // A flood of new addresses never grows the table past its cap.
  for (int i = 0; i < 1000; ++i) th.record_failure("172.16.0." + std::to_string(i), 500 + i);
  EXPECT_EQ(th.size(), 3u);
}

TEST(AuthThrottle, AddressKeys) {
  EXPECT_EQ(AuthThrottle::key_for("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(AuthThrottle::key_for("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(AuthThrottle::key_for("2001:db8:1:2:bbbb::2"), "2001:db8:1:2::/64");
  EXPECT_EQ(AuthThrottle::key_for("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(AuthThrottle::key_for("fe80::1%eth0"), "fe80:0:0:0::/64");
}

TEST(InboundAuth, BearerWithTv3Tokens) {
  InboundAuth auth(config(true));
  jwt::KeyCache keys;
  // No keys yet: fail closed with 503 and ask for a fetch (once per interval).
  Decision d =
      auth.decide("Bearer " + std::string(jwtvec::kV1), "192.0.2.9", jwtvec::kNowOk, 0, &keys);
  EXPECT_FALSE(d.allow);
  EXPECT_EQ(d.status, 503);
  EXPECT_TRUE(d.refresh_keys);
  EXPECT_FALSE(
      auth.decide("Bearer " + std::string(jwtvec::kV1), "192.0.2.9", jwtvec::kNowOk, 1, &keys)
          .refresh_keys);

  keys.install(tv3_keys(), 10);
  d = auth.decide("Bearer " + std::string(jwtvec::kV1), "192.0.2.9", jwtvec::kNowOk, 20, &keys);
  EXPECT_TRUE(d.allow) << d.reason;
  EXPECT_EQ(d.principal, "bearer:570d0bec-d001-4c4e-985e-3ab17fdc3073");

  // The v2 token's aud is the client id, which this config does not list.
  d = auth.decide("bearer " + std::string(jwtvec::kV2), "192.0.2.9", jwtvec::kNowOk, 20, &keys);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.www_authenticate,
            "Basic realm=\"twitter-connector\", charset=\"UTF-8\", Bearer "
            "realm=\"twitter-connector\", error=\"invalid_token\"");
  EXPECT_NE(d.reason.find("aud mismatch"), std::string::npos);

  d = auth.decide("Bearer " + std::string(jwtvec::kV1EvilAud), "192.0.2.9", jwtvec::kNowOk, 20,
                  &keys);
  EXPECT_NE(d.reason.find("signature does not verify"), std::string::npos);
  d = auth.decide("Bearer " + std::string(jwtvec::kRfcHs256), "192.0.2.9", jwtvec::kNowOk, 20,
                  &keys);
  EXPECT_NE(d.reason.find("alg \"HS256\" is not allowed"), std::string::npos);
  d = auth.decide("Bearer " + std::string(jwtvec::kV1), "192.0.2.9", 1700004000, 20, &keys);
  EXPECT_NE(d.reason.find("token expired at"), std::string::npos);
}

TEST(InboundAuth, BearerForAnotherTenantAndUnknownKidRefresh) {
  InboundAuthConfig c = config(true);
  c.bearer.tenant_id = "99999999-2222-3333-4444-555555555555";
  InboundAuth auth(c);
  jwt::KeyCache keys;
  keys.install(tv3_keys(), 0);
  Decision d =
      auth.decide("Bearer " + std::string(jwtvec::kV1), "192.0.2.9", jwtvec::kNowOk, 10, &keys);
  EXPECT_EQ(d.status, 401);
  EXPECT_NE(d.reason.find("configured tenant"), std::string::npos);

  InboundAuth ok_auth(config(true));
  auto rotated = ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rotated_key.jwk.json");
  std::string tok =
      ts::sign_rs256(rotated, R"({"alg":"RS256","kid":"rotated-2026"})", jwtvec::kV1Payload);
  uint64_t t = core::limits::kJwksMinRefreshIntervalMs;
  d = ok_auth.decide("Bearer " + tok, "192.0.2.10", jwtvec::kNowOk, t, &keys);
  EXPECT_TRUE(d.refresh_keys);
  EXPECT_EQ(d.status, 503);
  auto ks = jwt::parse_jwks("{\"keys\":[" + rotated.public_jwk_json() + "]}");
  ASSERT_TRUE(ks.ok());
  keys.install(std::move(*ks), t + 5);
  EXPECT_TRUE(ok_auth.decide("Bearer " + tok, "192.0.2.10", jwtvec::kNowOk, t + 6, &keys).allow);
}

TEST(InboundAuth, JwksEndpointDownFailsClosedWithoutHammering) {
  InboundAuth auth(config(true));
  jwt::KeyCache keys(1000, 60'000);
  std::string hdr = "Bearer " + std::string(jwtvec::kV1);
  // First request asks for a fetch; the fetch fails; the next requests inside the interval
  // are refused with 503 and do not ask again.
  Decision d = auth.decide(hdr, "192.0.2.20", jwtvec::kNowOk, 0, &keys);
  EXPECT_EQ(d.status, 503);
  EXPECT_TRUE(d.refresh_keys);
  keys.note_refresh_failed(10);
  for (uint64_t t = 20; t < 1010; t += 100) {
    d = auth.decide(hdr, "192.0.2.20", jwtvec::kNowOk, t, &keys);
    EXPECT_EQ(d.status, 503);
    EXPECT_FALSE(d.refresh_keys) << t;
    EXPECT_NE(d.reason.find("failing closed"), std::string::npos);
    EXPECT_FALSE(d.allow);
  }
  // Infrastructure trouble is not the caller's fault: no throttling of the address.
  EXPECT_EQ(auth.throttle().size(), 0u);
  EXPECT_TRUE(auth.decide(hdr, "192.0.2.20", jwtvec::kNowOk, 1010, &keys).refresh_keys);
  // Once keys were loaded, a later failed refresh keeps the last good set in service.
  keys.install(tv3_keys(), 1020);
  keys.note_refresh_failed(70'000);
  EXPECT_TRUE(auth.decide(hdr, "192.0.2.20", jwtvec::kNowOk, 70'001, &keys).allow);
}
