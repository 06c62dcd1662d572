// The pure rules of the setup flow (m365-connector-protocol.md §6.2, §6.3, §14 #5-#6): which
// redirectUrl and loginUrl are acceptable, the cookie that binds a sign-in to the admin's
// browser, and the responses the setup endpoints and the X callback send. No I/O here; the
// handlers in connector/setup_api.h use these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace connector {

// The callback page X sends the browser back to, and the page that shows the outcome.
inline constexpr std::string_view kCallbackPath = "/Views/TwitterOAuth";
inline constexpr std::string_view kDonePath = "/Views/TwitterOAuthDone";
// HttpOnly cookie carrying the sign-in's `state`; only the callback path ever receives it.
inline constexpr std::string_view kSignInCookie = "tc_signin";

// redirectUrl of OAuthUrl/StoreToken: an absolute http(s) URL with a host, no user:password,
// no query or fragment, whose path is /Views/TwitterOAuth (any letter case, as our routes are),
// at most limits::kMaxSetupUrlBytes. false with *message saying what to send instead.
bool check_redirect_url(std::string_view url, std::string* message);

// loginUrl of the popup: exactly `{twitter_base}/oauth/authenticate?…` or
// `{twitter_base}/oauth/authorize?…` with a non-empty query, a parseable URL without spaces,
// control characters or fragment, at most limits::kMaxSetupUrlBytes. Anything else would make
// the page an open redirect.
bool is_allowed_login_url(std::string_view login_url, std::string_view twitter_base);

// Set-Cookie value for a new sign-in: lives as long as the pending sign-in
// (limits::kPendingAuthTtlMs), Path = the callback, HttpOnly, SameSite=Lax (X's redirect back
// is a top-level GET, so the cookie travels with it), Secure when the page is served over https.
std::string sign_in_cookie(std::string_view state, bool secure);
// The same cookie, expired (sent once the callback used it).
std::string expired_sign_in_cookie(bool secure);
// A cookie's value from every Cookie header of the request; nullopt when absent.
std::optional<std::string> cookie_value(const http::Headers& headers, std::string_view name);
// Whether the admin's browser talks https to us: only through a trusted proxy that says
// X-Forwarded-Proto: https (this server itself speaks plain HTTP).
bool request_is_https(const http::Request& req, bool trust_proxy);

// The outcome of a sign-in, as /Views/TwitterOAuthDone?status=… names it.
enum class SignInStatus { Connected, Denied, Expired, Failed };
const char* sign_in_status_name(SignInStatus s);
// "/Views/TwitterOAuthDone?status=connected&account=<screen name>" (account only when
// connected and known, percent-encoded).
std::string done_location(SignInStatus s, std::string_view account);

// Responses of the callback route: never cached, never leaking the URL (it holds the
// verifier) through Referer.
http::Response callback_redirect(std::string_view location);
http::Response callback_page(int status, std::string_view sentence);
// JSON error of the setup API: {"Message":"<sentence>"} (the reference's shape), no-store.
http::Response setup_message(int status, std::string_view sentence);
// JSON value answers of the setup API (`true`, a JSON string, an array), no-store.
http::Response setup_json(std::string body);

}  // namespace connector
