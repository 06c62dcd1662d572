// Token validation in the order of aad-jwt.md §2.3; see validator.h. Claims are read only
// after the signature verified, so nothing an attacker wrote influences more than the reason.
#include "jwt/validator.h"

#include <cmath>
#include <optional>

#include "core/clock.h"
#include "jwt/token.h"

namespace jwt {

namespace {

// Token-supplied text copied into a reason is cut so a log line stays short.
std::string clip(std::string_view s) {
  constexpr size_t kMax = 80;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

std::string quoted(std::string_view s) { return "\"" + clip(s) + "\""; }

std::string iso(int64_t unix_s) {
  char buf[32];
  int n = core::format_iso8601_ms(unix_s * 1000, buf, sizeof buf);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

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

// RFC 7519 NumericDate: seconds, possibly fractional. Out-of-range values are refused rather
// than converted (a double beyond int64 would be undefined behaviour).
std::optional<int64_t> numeric_date(const cJSON* obj, const char* key) {
  auto v = json::get_number(obj, key);
  if (!v || !std::isfinite(*v) || *v < 0 || *v > 1e13) return std::nullopt;
  return static_cast<int64_t>(std::floor(*v));
}

Verdict reject(std::string reason) {
  Verdict v;
  v.outcome = Outcome::Reject;
  v.reason = std::move(reason);
  return v;
}

bool audience_matches(const cJSON* payload, const Expectations& expect, std::string* seen) {
  auto one = [&](std::string_view aud) {
    for (const std::string& a : expect.audiences)
      if (a == aud) return true;
    return false;
  };
  if (auto s = json::get_string(payload, "aud")) {
    *seen = clip(*s);
    return one(*s);
  }
  const cJSON* arr = json::get_array(payload, "aud");
  if (!arr) return false;
  const cJSON* item = nullptr;
  cJSON_ArrayForEach(item, arr) {
    if (!cJSON_IsString(item)) continue;
    if (seen->empty()) *seen = clip(item->valuestring);
    if (one(item->valuestring)) return true;
  }
  return false;
}

// Everything after the key lookup. `jwk` verified the signature's key id.
Verdict check(const Token& t, const Jwk& jwk, const Expectations& expect, int64_t now) {
  if (t.signature.size() != jwk.key->size_bytes())
    return reject("signature is " + std::to_string(t.signature.size()) + " bytes, key " +
                  quoted(jwk.kid) + " needs " + std::to_string(jwk.key->size_bytes()));
  if (!jwk.key->verify_rs256(t.signing_input, t.signature))
    return reject("signature does not verify with key " + quoted(jwk.kid));

  const cJSON* p = t.payload.get();
  auto exp = numeric_date(p, "exp");
  if (!exp) return reject("token has no valid exp claim");
  if (now >= *exp + expect.skew_s)
    return reject("token expired at " + iso(*exp) + " (now " + iso(now) + ", skew " +
                  std::to_string(expect.skew_s) + " s)");
  if (cJSON_GetObjectItemCaseSensitive(p, "nbf")) {
    auto nbf = numeric_date(p, "nbf");
    if (!nbf) return reject("token has an invalid nbf claim");
    if (now < *nbf - expect.skew_s)
      return reject("token not valid before " + iso(*nbf) + " (now " + iso(now) + ", skew " +
                    std::to_string(expect.skew_s) + " s)");
  }

  auto iss = json::get_string(p, "iss");
  if (!iss) return reject("token has no iss claim");
  auto ver = json::get_string(p, "ver");
  std::string version;
  if (ver) {
    if (*ver != "1.0" && *ver != "2.0")
      return reject("token version " + quoted(*ver) + " is not 1.0 or 2.0");
    version = std::string(*ver);
  } else {
    version = iss->rfind("https://sts.windows.net/", 0) == 0 ? "1.0" : "2.0";
  }
  std::string want_iss = version == "1.0"
                             ? "https://sts.windows.net/" + expect.tenant_id + "/"
                             : "https://login.microsoftonline.com/" + expect.tenant_id + "/v2.0";
  if (!ieq(*iss, want_iss))
    return reject("iss " + quoted(*iss) + " is not the v" + version +
                  " issuer of the configured tenant");
  auto tid = json::get_string(p, "tid");
  if (!tid) return reject("token has no tid claim");
  if (!ieq(*tid, expect.tenant_id))
    return reject("tid " + quoted(*tid) + " is not the configured tenant");
  if (!jwk.issuer.empty()) {
    std::string key_iss = jwk.issuer;
    size_t at = key_iss.find("{tenantid}");
    if (at != std::string::npos) key_iss.replace(at, 10, std::string(*tid));
    if (!ieq(key_iss, *iss))
      return reject("iss does not match the issuer of signing key " + quoted(jwk.kid));
  }

  std::string seen_aud;
  if (!audience_matches(p, expect, &seen_aud))
    return reject(
        "aud mismatch: " + (seen_aud.empty() ? std::string("no aud claim") : quoted(seen_aud)) +
        " is not a configured audience");

  const char* caller_claim = version == "1.0" ? "appid" : "azp";
  auto caller = json::get_string(p, caller_claim);
  if (!caller || !ieq(*caller, expect.caller_app_id)) {
    std::string who = ieq(expect.caller_app_id, kImportServiceAppId)
                          ? "the Office 365 Import service"
                          : "the configured caller";
    return reject(std::string(caller_claim) + " " +
                  (caller ? quoted(*caller) : std::string("(missing)")) + " is not " + who);
  }

  Verdict v;
  v.outcome = Outcome::Accept;
  v.version = version;
  v.tenant_id = std::string(*tid);
  v.app_id = std::string(*caller);
  if (auto oid = json::get_string(p, "oid")) v.object_id = clip(*oid);
  v.expires_at = *exp;
  return v;
}

Verdict validate_impl(std::string_view compact, const KeySet& keys, const Expectations& expect,
                      int64_t now, bool* unknown_kid) {
  *unknown_kid = false;
  auto t = parse(compact);
  if (!t.ok()) return reject(std::string("malformed token: ") + t.error().where);
  // The algorithm is fixed by us, never chosen by the token (RFC 8725 §3.1).
  if (t->alg != "RS256") return reject("alg " + quoted(t->alg) + " is not allowed (RS256 only)");
  if (t->kid.empty()) return reject("token header has no kid");
  const Jwk* jwk = keys.find(t->kid);
  if (!jwk) {
    *unknown_kid = true;
    return reject("unknown signing key kid " + quoted(t->kid));
  }
  return check(*t, *jwk, expect, now);
}

}  // namespace

Verdict validate(std::string_view compact, const KeySet& keys, const Expectations& expect,
                 int64_t now_unix_s) {
  bool unknown = false;
  return validate_impl(compact, keys, expect, now_unix_s, &unknown);
}

Verdict validate(std::string_view compact, KeyCache& cache, const Expectations& expect,
                 int64_t now_unix_s, uint64_t now_mono_ms) {
  if (!cache.has_keys()) {
    Verdict v;
    v.outcome = Outcome::KeysUnavailable;
    v.reason =
        "no signing keys loaded (OpenID configuration / JWKS not fetched yet or unreachable); "
        "failing closed";
    return v;
  }
  bool unknown = false;
  Verdict v = validate_impl(compact, cache.keys(), expect, now_unix_s, &unknown);
  if (unknown) {
    if (cache.claim_forced_refresh(now_mono_ms))
      v.outcome = Outcome::RefreshKeys;
    else
      v.reason += " (key set refreshed recently; not refreshing again yet)";
  }
  return v;
}

}  // namespace jwt
