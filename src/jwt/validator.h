// Azure AD access token validation (aad-jwt.md §2.3): RS256 only, key by kid, signature before
// any claim is trusted, then exp/nbf with skew, version, issuer, tenant, audience and caller.
// Every rejection carries a specific reason for the logs. The clock is passed in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "jwt/jwks.h"
#include "jwt/key_cache.h"

namespace jwt {

// Client id of the Office 365 Import service, the only caller the connector accepts.
inline constexpr char kImportServiceAppId[] = "570d0bec-d001-4c4e-985e-3ab17fdc3073";

struct Expectations {
  std::string tenant_id;               // configured tenant GUID
  std::vector<std::string> audiences;  // CONNECTOR_AAD_APP_URI and friends; exact match
  std::string caller_app_id = kImportServiceAppId;
  int64_t skew_s = core::limits::kJwtClockSkewS;
};

enum class Outcome {
  Accept,
  Reject,          // 401; reason says why
  RefreshKeys,     // unknown kid and a refresh is allowed now: fetch the JWKS, install, retry
  KeysUnavailable  // no keys loaded at all: fail closed (503), fetch the JWKS
};

struct Verdict {
  Outcome outcome = Outcome::Reject;
  std::string reason;  // for the log; never contains the token
  // Filled on Accept, for the log.
  std::string version, tenant_id, app_id, object_id;
  int64_t expires_at = 0;
  bool accepted() const { return outcome == Outcome::Accept; }
};

// Full validation against a fixed key set; an unknown kid is a plain Reject.
Verdict validate(std::string_view compact, const KeySet& keys, const Expectations& expect,
                 int64_t now_unix_s);

// Validation through the cache: KeysUnavailable when it holds no keys, RefreshKeys when the
// kid is unknown and KeyCache::claim_forced_refresh allows a fetch now (the caller fetches,
// installs and calls again; the second call cannot ask again within the interval).
Verdict validate(std::string_view compact, KeyCache& cache, const Expectations& expect,
                 int64_t now_unix_s, uint64_t now_mono_ms);

}  // namespace jwt
