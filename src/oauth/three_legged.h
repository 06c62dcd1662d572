// The OAuth 1.0a three-legged flow with X (RFC 5849 §2, twitter-api.md §3), done the way the
// RFC says and the reference does not (m365-connector-protocol.md §13): request_token signed
// with the app's consumer key/secret only plus oauth_callback; access_token signed with the
// consumer secret and the request token secret plus oauth_verifier. Builders produce the exact
// request; parsers accept only well-formed answers. No I/O here.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "oauth/signer.h"

namespace oauth {

// The three endpoints. for_base("https://api.x.com") gives X's paths.
struct Endpoints {
  std::string request_token;  // POST
  std::string authenticate;   // browser GET
  std::string access_token;   // POST
  static Endpoints for_base(std::string_view base);
};

struct AppCredentials {
  std::string consumer_key;
  std::string consumer_secret;
};

// A request ready for the HTTP client: send exactly these bytes.
struct OutgoingRequest {
  std::string method;
  std::string url;
  std::string authorization;  // Authorization header value
  std::string body;           // empty: send Content-Length: 0
};

// Step 1. callback_url: our absolute /Views/TwitterOAuth URL (or "oob").
core::Result<OutgoingRequest> build_request_token(const Endpoints& ep, const AppCredentials& app,
                                                  std::string_view callback_url, const Stamp& stamp,
                                                  bool include_version = true);

// Step 2: where the browser goes. Only oauth_token travels (never oauth_callback).
std::string authenticate_url(const Endpoints& ep, std::string_view request_token);

// Step 3. The verifier comes from the callback query; the caller has already checked that the
// callback's oauth_token equals request_token.
core::Result<OutgoingRequest> build_access_token(const Endpoints& ep, const AppCredentials& app,
                                                 std::string_view request_token,
                                                 std::string_view request_token_secret,
                                                 std::string_view verifier, const Stamp& stamp,
                                                 bool include_version = true);

struct RequestToken {
  std::string token;
  std::string secret;
};
// 200 body of step 1. Errors (Errc::Parse, `where` names the rule): not a strict form body,
// token or secret missing/empty, oauth_callback_confirmed not exactly "true".
core::Result<RequestToken> parse_request_token_response(std::string_view body);

struct AccessToken {
  std::string token;
  std::string secret;
  std::string user_id;  // decimal, kept as text (64-bit ids)
  std::string screen_name;
};
// 200 body of step 3. Errors: not strict form, token/secret/user_id missing or empty, user_id
// not decimal. screen_name may be absent (kept empty).
core::Result<AccessToken> parse_access_token_response(std::string_view body);

}  // namespace oauth
