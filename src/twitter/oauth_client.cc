// Implementation of twitter/oauth_client.h: classification of X's answers to the OAuth
// endpoints, and one Exchange state machine per POST.
#include "twitter/oauth_client.h"

#include <cJSON.h>

#include <utility>

#include "json/json.h"

namespace twitter {
using core::Errc;

const char* oauth_failure_kind_name(OAuthFailure::Kind kind) {
  switch (kind) {
    case OAuthFailure::Kind::None: return "none";
    case OAuthFailure::Kind::AppCredentials: return "app_credentials";
    case OAuthFailure::Kind::CallbackNotApproved: return "callback_not_approved";
    case OAuthFailure::Kind::VerifierRejected: return "verifier_rejected";
    case OAuthFailure::Kind::RateLimited: return "rate_limited";
    case OAuthFailure::Kind::Unavailable: return "unavailable";
    case OAuthFailure::Kind::Unreachable: return "unreachable";
    case OAuthFailure::Kind::Refused: return "refused";
    case OAuthFailure::Kind::BadAnswer: return "bad_answer";
  }
  return "unknown";
}

namespace {

constexpr size_t kErrorTextBytes = 200;  // enough of X's sentence for a log line

// Printable ASCII only, cut to kErrorTextBytes: the text goes into logs.
std::string clean(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= kErrorTextBytes) break;
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : ' ';
  }
  return out;
}

// <error code="415">text</error>
XErrorText from_xml(std::string_view body) {
  XErrorText out;
  size_t at = body.find("<error ");  // not "<errors>"
  if (at == std::string_view::npos) at = body.find("<error>");
  if (at == std::string_view::npos) return out;
  size_t code = body.find("code=\"", at);
  size_t close = body.find('>', at);
  if (close == std::string_view::npos) return out;
  if (code != std::string_view::npos && code < close) {
    // Digits only, at most 5: X's codes are small; strtol would also read past the quote.
    int v = 0;
    for (size_t i = code + 6; i < close && i < code + 11 && body[i] >= '0' && body[i] <= '9'; ++i)
      v = v * 10 + (body[i] - '0');
    out.code = v;
  }
  size_t end = body.find('<', close + 1);
  out.text = clean(body.substr(close + 1, end == std::string_view::npos ? end : end - close - 1));
  return out;
}

std::string step_name(OAuthStep step) {
  return step == OAuthStep::RequestToken ? "request_token" : "access_token";
}

}  // namespace

XErrorText x_error_text(std::string_view body) {
  XErrorText out;
  auto doc = json::parse(body);
  if (doc.ok()) {
    const cJSON* errors = json::get_array(doc->get(), "errors");
    const cJSON* first = errors ? cJSON_GetArrayItem(errors, 0) : nullptr;
    if (first) {
      out.code = static_cast<int>(json::get_int(first, "code").value_or(0));
      out.text = clean(json::get_string(first, "message").value_or(""));
      return out;
    }
    // v2 problem documents: {"title":"Unauthorized","detail":"…"}
    auto detail = json::get_string(doc->get(), "detail");
    auto title = json::get_string(doc->get(), "title");
    if (detail || title) {
      out.text = clean(detail ? *detail : *title);
      return out;
    }
  }
  out = from_xml(body);
  if (out.code == 0 && out.text.empty()) out.text = clean(body);
  return out;
}

OAuthFailure classify_oauth_answer(OAuthStep step, int status, std::string_view body,
                                   std::string_view callback_url) {
  OAuthFailure f;
  f.http_status = status;
  XErrorText x = x_error_text(body);
  f.detail = step_name(step) + ": HTTP " + std::to_string(status) +
             (x.code ? " code " + std::to_string(x.code) : "") +
             (x.text.empty() ? "" : ": " + x.text);
  // 415: callback URL not approved; 417: the app has no callback URL at all ("Desktop
  // applications only support the oauth_callback value 'oob'"). X sends both as 401 or 403.
  bool callback = x.code == 415 || x.code == 417 ||
                  x.text.find("allback URL not approved") != std::string::npos;
  if (step == OAuthStep::RequestToken && callback) {
    f.kind = OAuthFailure::Kind::CallbackNotApproved;
    f.error = core::make_error(Errc::Forbidden, "x oauth callback", status);
    f.message = "X refused the callback URL: add " + std::string(callback_url) +
                " as a callback URL of the X app (developer portal, User authentication "
                "settings), then try again";
    return f;
  }
  if (status == 401 && step == OAuthStep::RequestToken) {
    f.kind = OAuthFailure::Kind::AppCredentials;
    f.error = core::make_error(Errc::Unauthorized, "x oauth request_token", status);
    f.message =
        "X refused the app's credentials: check Twitter Api Key and Secret on the Configure "
        "page";
    return f;
  }
  if (status == 401) {
    f.kind = OAuthFailure::Kind::VerifierRejected;
    f.error = core::make_error(Errc::Unauthorized, "x oauth access_token", status);
    f.message =
        "X refused to finish the sign-in (it expired, was already used, or the Twitter Api Key "
        "changed meanwhile); sign in with Twitter again";
    return f;
  }
  if (status == 429) {
    f.kind = OAuthFailure::Kind::RateLimited;
    f.error = core::make_error(Errc::RateLimited, "x oauth", status);
    f.message = "X is limiting sign-in requests right now; try again in a few minutes";
    return f;
  }
  if (status >= 500) {
    f.kind = OAuthFailure::Kind::Unavailable;
    f.error = core::make_error(Errc::HttpStatus, "x oauth", status);
    f.message = "X is unavailable right now (HTTP " + std::to_string(status) +
                "); try again in a few minutes";
    return f;
  }
  f.kind = OAuthFailure::Kind::Refused;
  f.error = core::make_error(status == 403 ? Errc::Forbidden : Errc::HttpStatus, "x oauth", status);
  f.message = "X refused the sign-in (HTTP " + std::to_string(status) +
              "): check Twitter Api Key and Secret on the Configure page and that the X app "
              "has user authentication (OAuth 1.0a) set up";
  return f;
}

OAuthFailure oauth_transport_failure(const http::ClientResult& result) {
  OAuthFailure f;
  f.kind = OAuthFailure::Kind::Unreachable;
  f.error = result.error;
  f.detail = clean(result.message);
  f.message = "X could not be reached (" + f.detail +
              "); check the network, proxy and CONNECTOR_TWITTER_API_BASE, then try again";
  return f;
}

OAuthFailure oauth_bad_answer(OAuthStep step, const core::Error& error) {
  OAuthFailure f;
  f.kind = OAuthFailure::Kind::BadAnswer;
  f.error = error;
  f.http_status = 200;
  f.detail = step_name(step) + ": " + error.where;
  f.message = "X answered the sign-in request in an unexpected way (" + std::string(error.where) +
              "); try again, and check CONNECTOR_TWITTER_API_BASE if it persists";
  return f;
}

// One POST to an OAuth endpoint: Idle → Sending (request in the client) → Done (callback
// run, or cancelled). The owner deletes it when it reports finished.
class OAuthClient::Exchange final : public http::ResponseHandler {
 public:
  enum class State { Idle, Sending, Done };

  Exchange(OAuthClient& owner, OAuthStep step, std::string callback_url, RequestTokenFn on_request,
           AccessTokenFn on_access)
      : owner_(owner),
        step_(step),
        callback_url_(std::move(callback_url)),
        on_request_(std::move(on_request)),
        on_access_(std::move(on_access)) {}

  core::Status send(http::Client& http, http::ClientRequest request) {
    auto id = http.request(std::move(request), this);
    if (!id.ok()) return id.error();
    request_id_ = *id;
    state_ = State::Sending;
    return core::ok_status();
  }
  void cancel(http::Client& http) {
    if (state_ == State::Sending) http.cancel(request_id_);
    state_ = State::Done;
  }

 private:
  void on_complete(uint64_t, http::ClientResult& result) override {
    if (state_ != State::Sending) return;
    state_ = State::Done;
    // Copy what the callback needs, then leave the owner's list before calling out, so the
    // callback may start new exchanges or destroy the client.
    OAuthStep step = step_;
    RequestTokenFn on_request = std::move(on_request_);
    AccessTokenFn on_access = std::move(on_access_);
    OAuthFailure failure;
    std::string body;
    if (!result.ok) {
      failure = oauth_transport_failure(result);
    } else if (result.response.status != 200) {
      failure =
          classify_oauth_answer(step, result.response.status, result.response.body, callback_url_);
    } else {
      body = std::move(result.response.body);
    }
    owner_.finished(this);  // `this` is gone from here on
    if (step == OAuthStep::RequestToken) {
      if (failure.kind != OAuthFailure::Kind::None) return on_request(failure.error, failure);
      auto token = oauth::parse_request_token_response(body);
      if (!token.ok()) failure = oauth_bad_answer(step, token.error());
      on_request(std::move(token), failure);
    } else {
      if (failure.kind != OAuthFailure::Kind::None) return on_access(failure.error, failure);
      auto token = oauth::parse_access_token_response(body);
      if (!token.ok()) failure = oauth_bad_answer(step, token.error());
      on_access(std::move(token), failure);
    }
  }
  void on_dropped(uint64_t) override { state_ = State::Done; }

  OAuthClient& owner_;
  OAuthStep step_;
  std::string callback_url_;
  RequestTokenFn on_request_;
  AccessTokenFn on_access_;
  State state_ = State::Idle;
  uint64_t request_id_ = 0;
};

OAuthClient::OAuthClient(http::Client& http, Options options, const core::Clock& clock,
                         core::Rng& rng)
    : http_(http),
      options_(std::move(options)),
      endpoints_(oauth::Endpoints::for_base(options_.base)),
      clock_(clock),
      rng_(rng) {}

OAuthClient::~OAuthClient() {
  for (auto& [raw, exchange] : exchanges_) exchange->cancel(http_);
}

std::string OAuthClient::authenticate_url(std::string_view request_token) const {
  return oauth::authenticate_url(endpoints_, request_token);
}

core::Status OAuthClient::request_token(const oauth::AppCredentials& app,
                                        std::string_view callback_url, RequestTokenFn done) {
  if (app.consumer_key.empty() || app.consumer_secret.empty())
    return core::make_error(Errc::InvalidArgument, "oauth app credentials");
  auto req =
      oauth::build_request_token(endpoints_, app, callback_url, oauth::make_stamp(clock_, rng_));
  if (!req.ok()) return req.error();
  return start(std::make_unique<Exchange>(*this, OAuthStep::RequestToken, std::string(callback_url),
                                          std::move(done), nullptr),
               std::move(*req));
}

core::Status OAuthClient::access_token(const oauth::AppCredentials& app,
                                       std::string_view request_token,
                                       std::string_view request_token_secret,
                                       std::string_view verifier, AccessTokenFn done) {
  if (app.consumer_key.empty() || app.consumer_secret.empty())
    return core::make_error(Errc::InvalidArgument, "oauth app credentials");
  if (request_token.empty() || verifier.empty())
    return core::make_error(Errc::InvalidArgument, "oauth request token or verifier");
  auto req = oauth::build_access_token(endpoints_, app, request_token, request_token_secret,
                                       verifier, oauth::make_stamp(clock_, rng_));
  if (!req.ok()) return req.error();
  return start(
      std::make_unique<Exchange>(*this, OAuthStep::AccessToken, "", nullptr, std::move(done)),
      std::move(*req));
}

core::Status OAuthClient::start(std::unique_ptr<Exchange> exchange, oauth::OutgoingRequest out) {
  if (exchanges_.size() >= options_.max_running)
    return core::make_error(Errc::Busy, "oauth exchanges in flight");
  http::ClientRequest req;
  req.method = std::move(out.method);
  req.url = std::move(out.url);
  req.headers.emplace_back("Authorization", std::move(out.authorization));
  if (!out.body.empty())
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = std::move(out.body);
  req.max_body_bytes = core::limits::kMaxOAuthAnswerBytes;
  req.total_timeout_ms = options_.timeout_ms;
  req.retry.max_attempts = 1;  // a retry would need a new nonce and may mint a second token
  req.follow_redirects = false;
  TC_TRY(exchange->send(http_, std::move(req)));
  Exchange* raw = exchange.get();
  exchanges_.emplace(raw, std::move(exchange));
  return core::ok_status();
}

void OAuthClient::finished(Exchange* exchange) { exchanges_.erase(exchange); }

}  // namespace twitter
