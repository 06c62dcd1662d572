// Route protection: AuthMiddleware around a handler, driven with captured exchanges, a
// ManualClock and a scripted KeySource (the JWKS refresh is answered by the test).
#include "connector/auth_middleware.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "support/jwt_signer.h"
#include "support/subprocess.h"
#include "unit/jwt/jwt_vectors.h"

using namespace connector;
namespace ts = testing_support;

namespace {

struct Capture : http::Exchange {
  std::vector<http::Response> sent;
  void send(http::Response r) override { sent.push_back(std::move(r)); }
};

struct ScriptedSource : KeySource {
  std::vector<Done> pending;
  bool busy = false;
  core::Status refresh(Done done) override {
    if (busy) return core::make_error(core::Errc::Busy, "busy");
    pending.push_back(std::move(done));
    return core::ok_status();
  }
  void answer(core::Status st, const std::string& msg) {
    auto p = std::move(pending);
    pending.clear();
    for (auto& d : p) d(st, msg);
  }
};

constexpr char kSecret[] = "s3cret-api-key";

InboundAuthConfig config(bool bearer) {
  InboundAuthConfig c;
  c.basic = {jwtvec::kTenant, kSecret};
  c.bearer_enabled = bearer;
  c.bearer.tenant_id = jwtvec::kTenant;
  c.bearer.audiences = {jwtvec::kAudUri};
  return c;
}

std::string basic(std::string_view user_pass) { return "Basic " + core::base64_encode(user_pass); }

struct Fixture {
  explicit Fixture(bool bearer = false, AuthMiddlewareOptions o = {})
      : auth(config(bearer)),
        mw(auth, bearer ? &keys : nullptr, bearer ? &source : nullptr, clock, o) {
    clock.set_unix_ms(jwtvec::kNowOk * 1000);
    handler = mw.protect([this](http::Request& req, http::Responder res) {
      ++calls;
      res.respond(http::Response::text(200, "inner saw " + req.path));
    });
  }
  // Calls the protected handler; returns the capture (empty while the request is parked).
  std::shared_ptr<Capture> call(std::optional<std::string> authorization,
                                std::string peer = "192.0.2.1",
                                std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto cap = std::make_shared<Capture>();
    auto link = std::make_shared<http::ExchangeLink>();
    link->target = cap.get();
    links.push_back(link);
    http::Request req;
    req.path = "/setup/Validate";
    req.peer_ip = std::move(peer);
    if (authorization) req.headers.add("Authorization", *authorization);
    for (auto& h : headers) req.headers.add(h.first, h.second);
    handler(req, http::Responder(link));
    return cap;
  }

  core::ManualClock clock;
  InboundAuth auth;
  jwt::KeyCache keys;
  ScriptedSource source;
  AuthMiddleware mw;
  http::Handler handler;
  int calls = 0;
  std::vector<std::shared_ptr<http::ExchangeLink>> links;
};

jwt::KeySet keyset_of(const ts::RsaPrivateJwk& k) {
  auto ks = jwt::parse_jwks("{\"keys\":[" + k.public_jwk_json() + "]}");
  EXPECT_TRUE(ks.ok());
  return std::move(*ks);
}

ts::RsaPrivateJwk rotated() {
  return ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rotated_key.jwk.json");
}

std::string rotated_token() {
  return ts::sign_rs256(rotated(), R"({"alg":"RS256","kid":"rotated-2026"})", jwtvec::kV1Payload);
}

}  // namespace

TEST(AuthMiddleware, MissingHeaderIs401WithChallengeAndNeverReachesTheHandler) {
  Fixture f;
  auto cap = f.call(std::nullopt);
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 401);
  auto www = cap->sent[0].headers.get("WWW-Authenticate");
  ASSERT_TRUE(www);
  EXPECT_NE(www->find("Basic realm=\"twitter-connector\""), std::string::npos);
  EXPECT_NE(cap->sent[0].body.find("Authorization: Basic"), std::string::npos);
  EXPECT_EQ(f.calls, 0);
  EXPECT_EQ(f.mw.refused(), 1u);
}

TEST(AuthMiddleware, BasicAcceptedReachesTheHandler) {
  Fixture f;
  auto cap = f.call(basic(std::string(jwtvec::kTenant) + ":" + kSecret));
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 200);
  EXPECT_EQ(cap->sent[0].body, "inner saw /setup/Validate");
  EXPECT_EQ(f.calls, 1);
}

TEST(AuthMiddleware, WrongSecretIs401AndRepeatedFailuresAreThrottledPerAddress) {
  Fixture f;
  std::string wrong = basic(std::string(jwtvec::kTenant) + ":guess");
  for (uint32_t i = 0; i < core::limits::kAuthFreeFailures; ++i) {
    auto cap = f.call(wrong, "198.51.100.7");
    ASSERT_EQ(cap->sent.size(), 1u);
    EXPECT_EQ(cap->sent[0].status, 401) << i;
    EXPECT_EQ(cap->sent[0].body.find("guess"), std::string::npos);
  }
  auto more = f.call(wrong, "198.51.100.7");  // over the free budget: imposes a delay
  ASSERT_EQ(more->sent.size(), 1u);
  auto blocked = f.call(basic(std::string(jwtvec::kTenant) + ":" + kSecret), "198.51.100.7");
  ASSERT_EQ(blocked->sent.size(), 1u);
  EXPECT_EQ(blocked->sent[0].status, 429);
  EXPECT_TRUE(blocked->sent[0].headers.get("Retry-After"));
  // Another address is still served meanwhile.
  auto other = f.call(basic(std::string(jwtvec::kTenant) + ":" + kSecret), "203.0.113.9");
  ASSERT_EQ(other->sent.size(), 1u);
  EXPECT_EQ(other->sent[0].status, 200);
  // After the wait the right secret passes again.
  f.clock.advance_ms(static_cast<int64_t>(core::limits::kAuthMaxDelayMs));
  auto later = f.call(basic(std::string(jwtvec::kTenant) + ":" + kSecret), "198.51.100.7");
  EXPECT_EQ(later->sent[0].status, 200);
}

TEST(AuthMiddleware, ForwardedForIsBelievedOnlyWhenConfigured) {
  http::Request req;
  req.peer_ip = "10.0.0.4";
  req.headers.add("X-Forwarded-For", "1.2.3.4, 203.0.113.7:52044");
  EXPECT_EQ(client_address(req, false), "10.0.0.4");
  EXPECT_EQ(client_address(req, true), "203.0.113.7");
  http::Request v6;
  v6.peer_ip = "10.0.0.4";
  v6.headers.add("X-Forwarded-For", "[2001:db8::1]:443");
  EXPECT_EQ(client_address(v6, true), "2001:db8::1");
  http::Request bare;
  bare.peer_ip = "10.0.0.4";
  bare.headers.add("X-Forwarded-For", "2001:db8::2");
  EXPECT_EQ(client_address(bare, true), "2001:db8::2");
  http::Request none;
  none.peer_ip = "10.0.0.4";
  EXPECT_EQ(client_address(none, true), "10.0.0.4");

  // Throttling follows the forwarded address: one client behind the proxy does not block another.
  AuthMiddlewareOptions o;
  o.trust_proxy = true;
  Fixture f(false, o);
  std::string wrong = basic(std::string(jwtvec::kTenant) + ":guess");
  for (uint32_t i = 0; i <= core::limits::kAuthFreeFailures; ++i)
    f.call(wrong, "10.0.0.4", {{"X-Forwarded-For", "198.51.100.1"}});
  EXPECT_EQ(f.call(wrong, "10.0.0.4", {{"X-Forwarded-For", "198.51.100.1"}})->sent[0].status, 429);
  auto ok = f.call(basic(std::string(jwtvec::kTenant) + ":" + kSecret), "10.0.0.4",
                   {{"X-Forwarded-For", "198.51.100.2"}});
  EXPECT_EQ(ok->sent[0].status, 200);
}

TEST(AuthMiddleware, UnknownKidWaitsForOneRefreshThenIsAccepted) {
  Fixture f(true);
  f.keys.install(
      keyset_of(ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rfc7515_a2.jwk.json")),
      0);
  f.clock.advance_ms(static_cast<int64_t>(core::limits::kJwksMinRefreshIntervalMs));
  auto cap = f.call("Bearer " + rotated_token());
  EXPECT_TRUE(cap->sent.empty());  // parked until the keys arrive
  ASSERT_EQ(f.source.pending.size(), 1u);
  f.keys.install(keyset_of(rotated()), f.clock.monotonic_ms());
  f.source.answer(core::ok_status(), "");
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 200);
  EXPECT_EQ(f.calls, 1);
}

TEST(AuthMiddleware, StillUnknownKidAfterRefreshIs401NotASecondRefresh) {
  Fixture f(true);
  f.keys.install(
      keyset_of(ts::load_private_jwk(ts::project_root() + "/tests/data/jwt/rfc7515_a2.jwk.json")),
      0);
  f.clock.advance_ms(static_cast<int64_t>(core::limits::kJwksMinRefreshIntervalMs));
  auto cap = f.call("Bearer " + rotated_token());
  ASSERT_EQ(f.source.pending.size(), 1u);
  f.keys.note_refresh_failed(f.clock.monotonic_ms());  // the fetch brought nothing new
  f.source.answer(core::ok_status(), "");
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 401);
  EXPECT_TRUE(f.source.pending.empty());
  EXPECT_EQ(f.calls, 0);
}

TEST(AuthMiddleware, KeyEndpointDownFailsClosedWith503) {
  Fixture f(true);  // no keys at all yet
  auto cap = f.call("Bearer " + std::string(jwtvec::kV1));
  ASSERT_EQ(f.source.pending.size(), 1u);
  f.source.answer(core::make_error(core::Errc::ConnectRefused, "connect"),
                  "GET https://x/keys: connection refused");
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 503);
  EXPECT_TRUE(cap->sent[0].headers.get("Retry-After"));
  EXPECT_EQ(f.calls, 0);
  // Within the refresh interval no new fetch is started: 503 at once.
  auto again = f.call("Bearer " + std::string(jwtvec::kV1));
  ASSERT_EQ(again->sent.size(), 1u);
  EXPECT_EQ(again->sent[0].status, 503);
  EXPECT_TRUE(f.source.pending.empty());
}

TEST(AuthMiddleware, BusyKeySourceAnswers503AtOnce) {
  Fixture f(true);
  f.source.busy = true;
  auto cap = f.call("Bearer " + std::string(jwtvec::kV1));
  ASSERT_EQ(cap->sent.size(), 1u);
  EXPECT_EQ(cap->sent[0].status, 503);
}

TEST(AuthMiddleware, RefusalResponses) {
  Decision d;
  d.status = 429;
  d.retry_after_ms = 1500;
  http::Response r = refusal_response(d);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.get("Retry-After"), "2");
  d = Decision{};
  d.status = 401;
  d.www_authenticate = "Basic realm=\"twitter-connector\", Bearer realm=\"twitter-connector\"";
  r = refusal_response(d);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.get("WWW-Authenticate"), d.www_authenticate);
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
}
