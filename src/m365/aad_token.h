// Azure AD app tokens for the M365 Event API, pure parts (aad-jwt.md §5-6): the v1
// client-credentials request, strict parsing of the answer (v1 sends numbers as strings), the
// AAD error answer, and a per-tenant cache policy that shares one in-flight request among all
// waiting callers. The HTTPS call is the client's job; this file never sees a socket.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace m365 {

// App ID URI of the Event API (resource= of the v1 grant).
inline constexpr char kEventApiResource[] =
    "https://microsoft.onmicrosoft.com/4e476d41-2395-42be-89ff-34cb9186a1ac";
inline constexpr char kDefaultAuthority[] = "https://login.microsoftonline.com";

// "{authority}/{tenant}/oauth2/token". authority must be https:// without query (a trailing
// '/' is dropped); tenant is a GUID or domain ([A-Za-z0-9.-]). Errc::Config otherwise.
core::Result<std::string> token_endpoint(std::string_view authority, std::string_view tenant);

// grant_type=client_credentials&client_id=…&client_secret=…&resource=… (RFC 3986-encoded).
// The result contains the secret: send it, never log it.
std::string client_credentials_body(std::string_view client_id, std::string_view client_secret,
                                    std::string_view resource = kEventApiResource);

struct AadToken {
  std::string access_token;
  std::string token_type;   // "Bearer"
  int64_t expires_on = 0;   // Unix seconds
  int64_t obtained_at = 0;  // Unix seconds when the answer was parsed (lifetime for refresh)
};

// 200 JSON answer. expires_on / expires_in / ext_expires_in / not_before may be numbers or
// decimal strings. expires_on wins; without it, now + expires_in. Errors (Errc::Parse, where
// says which): not JSON, no access_token, token_type not Bearer, no usable expiry.
core::Result<AadToken> parse_token_response(std::string_view body, int64_t now_unix_s);

struct AadError {
  int http_status = 0;
  std::string error;        // "invalid_client"
  std::string description;  // error_description verbatim (AADSTS code kept), capped
  std::string aadsts;       // "AADSTS7000215" when the description carries one
  std::string trace_id, correlation_id;
  bool permanent = false;  // configuration error: retrying will not help
};
// Any non-200 answer. Never fails: a body that is not AAD's JSON gives error "http_<status>"
// and an empty description. Only the answer is read, so nothing of the request (client id,
// secret) can end up in the result.
AadError parse_error_response(int http_status, std::string_view body);

// Per-tenant token cache with request coalescing. Single-threaded (the loop's thread).
class TokenCache {
 public:
  using Waiter = std::function<void(const core::Result<AadToken>&)>;
  enum class Action {
    UseCached,     // `token` holds a valid token; the waiter was not stored
    StartRequest,  // caller must fetch now and call complete(); the waiter is queued
    Wait           // a fetch is already in flight; the waiter is queued
  };
  struct Acquire {
    Action action;
    const AadToken* token = nullptr;  // UseCached only; valid until the next call on the cache
  };

  // A token is renewed refresh_ahead_s before expires_on, or halfway through its lifetime if
  // that is shorter (a token shorter-lived than the margin must not be refetched on every call).
  explicit TokenCache(int64_t refresh_ahead_s);
  TokenCache();

  // Errc::Busy when the tenant table or the waiter list is full; the waiter is not stored.
  core::Result<Acquire> acquire(std::string_view tenant, int64_t now_unix_s, Waiter waiter);
  // What the fetch's completion hands back: the queued waiters, to be invoked by the caller
  // with `result` (outside the cache, so a waiter may call acquire again).
  struct Completion {
    std::vector<Waiter> waiters;
    core::Result<AadToken> result;
  };
  // The fetch finished. Stores a success and clears the in-flight mark. When an early refresh
  // fails while the old token has not expired yet, the waiters get the old token (the error is
  // still the caller's to log from `fetched`).
  Completion complete(std::string_view tenant, const core::Result<AadToken>& fetched,
                      int64_t now_unix_s);
  // Drop a token the Event API refused (401) so the next acquire fetches a new one.
  void invalidate(std::string_view tenant);

  bool valid(std::string_view tenant, int64_t now_unix_s) const;
  bool in_flight(std::string_view tenant) const;

 private:
  struct Entry {
    std::string tenant;
    bool has_token = false;
    AadToken token;
    bool in_flight = false;
    std::vector<Waiter> waiters;
  };
  Entry* find(std::string_view tenant);
  const Entry* find(std::string_view tenant) const;

  int64_t refresh_ahead_s_;
  std::vector<Entry> entries_;
};

}  // namespace m365
