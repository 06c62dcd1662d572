// Who may call the connector's API (m365-connector-protocol.md §3, aad-jwt.md §2.3): Basic
// base64(tenantId:APISecretKey) compared in constant time, or an AAD Bearer token checked by
// src/jwt. Pure decision logic: the router calls decide() with the header, the peer address
// and the time, and turns the Decision into a response (or, for refresh_keys, fetches the
// JWKS and calls decide() again).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connector/auth_throttle.h"
#include "core/result.h"
#include "jwt/key_cache.h"
#include "jwt/validator.h"

namespace connector {

enum class AuthScheme { Basic, Bearer, Other };

struct Authorization {
  AuthScheme scheme;
  std::string_view scheme_text;  // as sent, for "unsupported scheme" logs
  std::string_view credentials;  // token68, a view into the header value
};
// "Basic <token68>" / "Bearer <token68>", scheme case-insensitive, surrounding spaces allowed.
// Errors (Errc::Parse, where says what): empty, no credentials, characters outside token68,
// longer than limits::kMaxJwtBytes.
core::Result<Authorization> parse_authorization(std::string_view header_value);

struct BasicSecret {
  std::string tenant_id;       // compared case-insensitively (a GUID)
  std::string api_secret_key;  // compared exactly
};
// True iff credentials (base64 of "tenant:secret", split at the first ':') match. Both
// comparisons always run, in constant time for the given lengths. *reason is set on false.
bool check_basic(std::string_view credentials, const BasicSecret& expected, const char** reason);

struct InboundAuthConfig {
  BasicSecret basic;
  bool bearer_enabled = false;  // CONNECTOR_AAD_APP_URI configured
  jwt::Expectations bearer;     // tenant, audiences (the app URI), caller
  std::string realm = "twitter-connector";
};

struct Decision {
  bool allow = false;
  int status = 401;              // when !allow: 401, 429 (throttled) or 503 (keys unavailable)
  std::string www_authenticate;  // set with 401
  uint64_t retry_after_ms = 0;   // set with 429 and 503
  bool refresh_keys = false;     // fetch the JWKS, KeyCache::install, then decide() again
  std::string reason;            // for the log; never contains a credential
  std::optional<AuthScheme> scheme;
  std::string principal;  // on allow: "basic:<tenant>" or "bearer:<appid>"
};

class InboundAuth {
 public:
  explicit InboundAuth(InboundAuthConfig config, AuthThrottle::Config throttle = {});

  // authorization: the header value, or nullopt when the header is absent. keys may be null
  // when Bearer is disabled. now_mono_ms drives the throttle and the key refresh limit.
  Decision decide(std::optional<std::string_view> authorization, std::string_view peer,
                  int64_t now_unix_s, uint64_t now_mono_ms, jwt::KeyCache* keys);

  const InboundAuthConfig& config() const { return config_; }
  AuthThrottle& throttle() { return throttle_; }

 private:
  Decision unauthorized(std::string reason, bool bearer_error) const;
  Decision failed(Decision d, std::string_view peer, uint64_t now_mono_ms);
  Decision bearer(std::string_view token, std::string_view peer, int64_t now_unix_s,
                  uint64_t now_mono_ms, jwt::KeyCache* keys);

  InboundAuthConfig config_;
  AuthThrottle throttle_;
};

}  // namespace connector
