// Inbound authentication decisions; see inbound_auth.h. Order matters: a throttled address is
// refused before its credentials are looked at, so guesses during the wait tell it nothing.
#include "connector/inbound_auth.h"

#include "core/codec.h"
#include "core/limits.h"

namespace connector {

namespace {

using core::Errc;
using core::make_error;

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool token68_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

std::string seconds_text(uint64_t ms) { return std::to_string((ms + 999) / 1000); }

}  // namespace

core::Result<Authorization> parse_authorization(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return make_error(Errc::Parse, "empty Authorization header");
  if (v.size() > core::limits::kMaxJwtBytes)
    return make_error(Errc::TooLarge, "Authorization header too long");
  size_t sp = v.find_first_of(" \t");
  if (sp == std::string_view::npos)
    return make_error(Errc::Parse, "Authorization header has a scheme but no credentials");
  std::string_view scheme = v.substr(0, sp), cred = v.substr(sp);
  while (!cred.empty() && (cred.front() == ' ' || cred.front() == '\t')) cred.remove_prefix(1);
  for (char c : cred)
    if (!token68_char(c))
      return make_error(Errc::Parse, "Authorization credentials contain invalid characters");
  // '=' is only padding at the end of token68.
  size_t eq = cred.find('=');
  if (eq != std::string_view::npos && cred.find_first_not_of('=', eq) != std::string_view::npos)
    return make_error(Errc::Parse, "Authorization credentials contain invalid characters");
  AuthScheme s = ieq(scheme, "basic")    ? AuthScheme::Basic
                 : ieq(scheme, "bearer") ? AuthScheme::Bearer
                                         : AuthScheme::Other;
  return Authorization{s, scheme, cred};
}

bool check_basic(std::string_view credentials, const BasicSecret& expected, const char** reason) {
  if (expected.tenant_id.empty() || expected.api_secret_key.empty()) {
    *reason = "Basic authentication is not configured (tenant id or API secret key empty)";
    return false;
  }
  auto decoded = core::base64_decode(credentials);
  if (!decoded.ok()) {
    *reason = "Basic credentials are not valid base64";
    return false;
  }
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    *reason = "Basic credentials are not tenantId:secret";
    return false;
  }
  std::string_view tenant = std::string_view(*decoded).substr(0, colon);
  std::string_view secret = std::string_view(*decoded).substr(colon + 1);
  // Both comparisons run whatever the first one found (no early exit to time).
  bool tenant_ok = core::constant_time_equal(lower(tenant), lower(expected.tenant_id));
  bool secret_ok = core::constant_time_equal(secret, expected.api_secret_key);
  if (!(tenant_ok & secret_ok)) {
    *reason = "Basic credentials do not match the configured tenant id and API secret key";
    return false;
  }
  return true;
}

InboundAuth::InboundAuth(InboundAuthConfig config, AuthThrottle::Config throttle)
    : config_(std::move(config)), throttle_(throttle) {}

Decision InboundAuth::unauthorized(std::string reason, bool bearer_error) const {
  Decision d;
  d.status = 401;
  d.reason = std::move(reason);
  d.www_authenticate = "Basic realm=\"" + config_.realm + "\", charset=\"UTF-8\"";
  if (config_.bearer_enabled) {
    d.www_authenticate += ", Bearer realm=\"" + config_.realm + "\"";
    if (bearer_error) d.www_authenticate += ", error=\"invalid_token\"";
  }
  return d;
}

Decision InboundAuth::failed(Decision d, std::string_view peer, uint64_t now_mono_ms) {
  uint64_t delay = throttle_.record_failure(peer, now_mono_ms);
  if (delay > 0)
    d.reason += "; further attempts from this address wait " + seconds_text(delay) + " s";
  return d;
}

Decision InboundAuth::decide(std::optional<std::string_view> authorization, std::string_view peer,
                             int64_t now_unix_s, uint64_t now_mono_ms, jwt::KeyCache* keys) {
  if (uint64_t wait = throttle_.blocked_for(peer, now_mono_ms)) {
    Decision d;
    d.status = 429;
    d.retry_after_ms = wait;
    d.reason = "too many failed authentication attempts from this address; retry in " +
               seconds_text(wait) + " s";
    return d;
  }
  // A missing header is what any client sends first; it is not a guess, so it is not counted.
  if (!authorization) return unauthorized("missing Authorization header", false);
  auto parsed = parse_authorization(*authorization);
  if (!parsed.ok()) return failed(unauthorized(parsed.error().where, false), peer, now_mono_ms);

  switch (parsed->scheme) {
    case AuthScheme::Basic: {
      const char* why = "";
      if (!check_basic(parsed->credentials, config_.basic, &why)) {
        Decision d = unauthorized(why, false);
        d.scheme = AuthScheme::Basic;
        return failed(std::move(d), peer, now_mono_ms);
      }
      throttle_.record_success(peer);
      Decision d;
      d.allow = true;
      d.status = 200;
      d.scheme = AuthScheme::Basic;
      d.principal = "basic:" + config_.basic.tenant_id;
      return d;
    }
    case AuthScheme::Bearer:
      return bearer(parsed->credentials, peer, now_unix_s, now_mono_ms, keys);
    case AuthScheme::Other: break;
  }
  return failed(unauthorized("unsupported Authorization scheme \"" +
                                 std::string(parsed->scheme_text.substr(0, 20)) + "\"",
                             false),
                peer, now_mono_ms);
}

Decision InboundAuth::bearer(std::string_view token, std::string_view peer, int64_t now_unix_s,
                             uint64_t now_mono_ms, jwt::KeyCache* keys) {
  if (!config_.bearer_enabled || !keys) {
    Decision d = unauthorized(
        "Bearer tokens are not accepted: CONNECTOR_AAD_APP_URI is not configured", false);
    d.scheme = AuthScheme::Bearer;
    return failed(std::move(d), peer, now_mono_ms);
  }
  jwt::Verdict v = jwt::validate(token, *keys, config_.bearer, now_unix_s, now_mono_ms);
  Decision d;
  d.scheme = AuthScheme::Bearer;
  switch (v.outcome) {
    case jwt::Outcome::Accept:
      throttle_.record_success(peer);
      d.allow = true;
      d.status = 200;
      d.principal = "bearer:" + v.app_id;
      d.reason = "token v" + v.version + " for tenant " + v.tenant_id;
      return d;
    case jwt::Outcome::RefreshKeys:
      // Not the caller's fault: no failure counted. 503 if the router cannot refresh now.
      d.status = 503;
      d.retry_after_ms = 1000;
      d.refresh_keys = true;
      d.reason = v.reason + "; refreshing the signing keys";
      return d;
    case jwt::Outcome::KeysUnavailable:
      d.status = 503;
      d.retry_after_ms = 30'000;
      d.refresh_keys = keys->claim_forced_refresh(now_mono_ms);
      d.reason = v.reason;
      return d;
    case jwt::Outcome::Reject: break;
  }
  Decision r = unauthorized("Bearer token rejected: " + v.reason, true);
  r.scheme = AuthScheme::Bearer;
  return failed(std::move(r), peer, now_mono_ms);
}

}  // namespace connector
