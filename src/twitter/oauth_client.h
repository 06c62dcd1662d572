// The network side of the OAuth 1.0a three-legged flow with X: request_token and access_token
// as asynchronous POSTs over http::Client, built and parsed by the pure oauth/three_legged.h.
// Each exchange is one small state machine (Idle → Sending → Done). A refusal comes back
// classified with one sentence that tells the admin which setting to fix; X's own words go
// only to the log. No retries: a POST here is not idempotent (a request token is minted per
// call) and the admin simply clicks again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/limits.h"
#include "core/rand.h"
#include "core/result.h"
#include "http/client.h"
#include "oauth/three_legged.h"

namespace twitter {

enum class OAuthStep { RequestToken, AccessToken };

// Why an exchange did not succeed.
struct OAuthFailure {
  enum class Kind {
    None,
    AppCredentials,       // X refused the consumer key/secret (Configure page)
    CallbackNotApproved,  // the callback URL is not in the X app's list
    VerifierRejected,     // access_token: verifier/request token refused (start again)
    RateLimited,          // 429
    Unavailable,          // 5xx
    Unreachable,          // DNS, connect, TLS, timeout
    Refused,              // any other non-200
    BadAnswer,            // 200 that is not what RFC 5849 says
  };
  Kind kind = Kind::None;
  core::Error error{core::Errc::Internal};
  int http_status = 0;  // 0 for transport failures
  std::string message;  // one sentence for the admin: what happened and what to do
  std::string detail;   // for the log: X's error text or the transport message (no secrets)
};
const char* oauth_failure_kind_name(OAuthFailure::Kind kind);

// X's error code and text from a JSON ({"errors":[{"code":32,"message":"…"}]}) or XML
// (<error code="415">…</error>) error body; code 0 and the first 200 bytes otherwise.
struct XErrorText {
  int code = 0;
  std::string text;
};
XErrorText x_error_text(std::string_view body);

// Pure classification of a non-200 answer. callback_url is named in the sentence when X
// refuses it.
OAuthFailure classify_oauth_answer(OAuthStep step, int status, std::string_view body,
                                   std::string_view callback_url);
// A transport failure (no answer from X).
OAuthFailure oauth_transport_failure(const http::ClientResult& result);
// A 200 whose body does not parse (rule: the parser's `where`).
OAuthFailure oauth_bad_answer(OAuthStep step, const core::Error& error);

class OAuthClient {
 public:
  struct Options {
    std::string base = "https://api.twitter.com";  // CONNECTOR_TWITTER_API_BASE, no trailing '/'
    uint64_t timeout_ms = core::limits::kOAuthExchangeTimeoutMs;
    size_t max_running = core::limits::kMaxOAuthExchanges;
  };
  using RequestTokenFn =
      std::function<void(core::Result<oauth::RequestToken> token, const OAuthFailure& failure)>;
  using AccessTokenFn =
      std::function<void(core::Result<oauth::AccessToken> token, const OAuthFailure& failure)>;

  // http, clock and rng must outlive the client.
  OAuthClient(http::Client& http, Options options, const core::Clock& clock, core::Rng& rng);
  // Cancels running exchanges; their callbacks never run.
  ~OAuthClient();
  OAuthClient(const OAuthClient&) = delete;
  OAuthClient& operator=(const OAuthClient&) = delete;

  // Step 1, signed with the app's key/secret only, oauth_callback = callback_url. done runs
  // exactly once, later, unless this returns an error (InvalidArgument for empty credentials
  // or a request the client refuses, Busy beyond Options::max_running).
  core::Status request_token(const oauth::AppCredentials& app, std::string_view callback_url,
                             RequestTokenFn done);
  // Step 3, signed with the app's key/secret and the request token's secret, carrying the
  // verifier from the callback. Same contract as request_token.
  core::Status access_token(const oauth::AppCredentials& app, std::string_view request_token,
                            std::string_view request_token_secret, std::string_view verifier,
                            AccessTokenFn done);

  // X's browser URL for a request token (step 2).
  std::string authenticate_url(std::string_view request_token) const;
  const oauth::Endpoints& endpoints() const { return endpoints_; }
  size_t running() const { return exchanges_.size(); }

 private:
  class Exchange;
  core::Status start(std::unique_ptr<Exchange> exchange, oauth::OutgoingRequest request);
  void finished(Exchange* exchange);  // drops the finished exchange

  http::Client& http_;
  Options options_;
  oauth::Endpoints endpoints_;
  const core::Clock& clock_;
  core::Rng& rng_;
  std::map<Exchange*, std::unique_ptr<Exchange>> exchanges_;
};

}  // namespace twitter
