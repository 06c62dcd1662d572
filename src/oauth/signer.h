// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849 §3.4-3.6), as X requires it (twitter-api.md §1).
// Pure functions over strings; the nonce and timestamp come from an injected Rng and Clock
// through make_stamp(), so tests pin them. Sending the request is the HTTP client's job.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/rand.h"
#include "core/result.h"
#include "oauth/form_codec.h"

namespace oauth {

// Base string URI (§3.4.1.2): lower-case scheme and host, default port dropped, path as sent,
// no query or fragment. Only http and https absolute URLs; userinfo is refused.
core::Result<std::string> base_string_uri(std::string_view url);

// Decoded query parameters of an absolute URL ("" when it has no query).
core::Result<Params> query_params(std::string_view url);

// §3.4.1.3.2: encode names and values, sort by name then value (byte order), join.
std::string normalize_parameters(const Params& params);

// METHOD&encode(base_uri)&encode(normalized): exactly two literal '&'.
std::string signature_base_string(std::string_view method, std::string_view base_uri,
                                  std::string_view normalized);

// encode(consumer_secret)&encode(token_secret); the '&' is there even with no token secret.
std::string signing_key(std::string_view consumer_secret, std::string_view token_secret);

// base64(HMAC-SHA1(key, text)) with the standard alphabet and padding.
std::string hmac_sha1_base64(std::string_view key, std::string_view text);

// Per-request values the RFC leaves to the client.
struct Stamp {
  std::string nonce;      // ASCII only (X refuses others)
  std::string timestamp;  // Unix seconds, decimal
};
// 32 random bytes as 64 hex digits, and the clock's Unix seconds.
Stamp make_stamp(const core::Clock& clock, core::Rng& rng);

// What to sign. Views must outlive the sign() call only.
struct SignInput {
  std::string_view method;            // "GET", "POST" (upper-cased for the base string)
  std::string_view url;               // absolute, with the query exactly as it will be sent
  const Params* form_body = nullptr;  // decoded body params, only for a form-encoded body
  std::string_view consumer_key;
  std::string_view consumer_secret;
  std::string_view token;  // empty: no oauth_token is sent (request_token step)
  std::string_view token_secret;
  Params extra_oauth;  // oauth_callback, oauth_verifier: sent and signed
  Stamp stamp;
  bool include_version = true;  // X wants oauth_version=1.0; RFC examples omit it
};

struct Signed {
  std::string base_string;    // for debugging tests; contains no secret
  std::string signature;      // base64, not yet percent-encoded
  std::string authorization;  // full header value: OAuth oauth_consumer_key="…", …
};

// Errors: Errc::InvalidArgument for a URL the base string rules cannot handle, a bad query
// escape, an extra parameter not named oauth_*, or an empty consumer key.
core::Result<Signed> sign(const SignInput& in);

}  // namespace oauth
