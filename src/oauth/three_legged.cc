// Builders and parsers for X's OAuth 1.0a user authorisation; see three_legged.h.
#include "oauth/three_legged.h"

#include "core/codec.h"

namespace oauth {

namespace {

using core::Errc;
using core::make_error;

core::Result<OutgoingRequest> finish(const SignInput& in) {
  auto s = sign(in);
  if (!s.ok()) return s.error();
  return OutgoingRequest{"POST", std::string(in.url), std::move(s->authorization), std::string()};
}

bool is_decimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Endpoints Endpoints::for_base(std::string_view base) {
  std::string b(base);
  while (!b.empty() && b.back() == '/') b.pop_back();
  return Endpoints{b + "/oauth/request_token", b + "/oauth/authenticate",
                   b + "/oauth/access_token"};
}

core::Result<OutgoingRequest> build_request_token(const Endpoints& ep, const AppCredentials& app,
                                                  std::string_view callback_url, const Stamp& stamp,
                                                  bool include_version) {
  if (callback_url.empty())
    return make_error(Errc::InvalidArgument, "oauth: oauth_callback is required");
  SignInput in;
  in.method = "POST";
  in.url = ep.request_token;
  in.consumer_key = app.consumer_key;
  in.consumer_secret = app.consumer_secret;
  in.extra_oauth = {{"oauth_callback", std::string(callback_url)}};
  in.stamp = stamp;
  in.include_version = include_version;
  return finish(in);
}

std::string authenticate_url(const Endpoints& ep, std::string_view request_token) {
  return ep.authenticate + "?oauth_token=" + core::percent_encode(request_token);
}

core::Result<OutgoingRequest> build_access_token(const Endpoints& ep, const AppCredentials& app,
                                                 std::string_view request_token,
                                                 std::string_view request_token_secret,
                                                 std::string_view verifier, const Stamp& stamp,
                                                 bool include_version) {
  if (request_token.empty())
    return make_error(Errc::InvalidArgument, "oauth: request token is required");
  if (verifier.empty())
    return make_error(Errc::InvalidArgument, "oauth: oauth_verifier is required");
  SignInput in;
  in.method = "POST";
  in.url = ep.access_token;
  in.consumer_key = app.consumer_key;
  in.consumer_secret = app.consumer_secret;
  in.token = request_token;
  in.token_secret = request_token_secret;
  in.extra_oauth = {{"oauth_verifier", std::string(verifier)}};
  in.stamp = stamp;
  in.include_version = include_version;
  return finish(in);
}

core::Result<RequestToken> parse_request_token_response(std::string_view body) {
  auto form = parse_form_strict(body);
  if (!form.ok()) return form.error();
  const std::string* token = find_param(*form, "oauth_token");
  const std::string* secret = find_param(*form, "oauth_token_secret");
  const std::string* confirmed = find_param(*form, "oauth_callback_confirmed");
  if (!token || token->empty())
    return make_error(Errc::Parse, "oauth: request_token answer without oauth_token");
  if (!secret || secret->empty())
    return make_error(Errc::Parse, "oauth: request_token answer without oauth_token_secret");
  if (!confirmed || *confirmed != "true")
    return make_error(
        Errc::Parse,
        "oauth: oauth_callback_confirmed is not \"true\" (callback URL not registered?)");
  return RequestToken{*token, *secret};
}

core::Result<AccessToken> parse_access_token_response(std::string_view body) {
  auto form = parse_form_strict(body);
  if (!form.ok()) return form.error();
  const std::string* token = find_param(*form, "oauth_token");
  const std::string* secret = find_param(*form, "oauth_token_secret");
  const std::string* user_id = find_param(*form, "user_id");
  const std::string* screen_name = find_param(*form, "screen_name");
  if (!token || token->empty())
    return make_error(Errc::Parse, "oauth: access_token answer without oauth_token");
  if (!secret || secret->empty())
    return make_error(Errc::Parse, "oauth: access_token answer without oauth_token_secret");
  if (!user_id || !is_decimal(*user_id))
    return make_error(Errc::Parse, "oauth: access_token answer without a decimal user_id");
  return AccessToken{*token, *secret, *user_id, screen_name ? *screen_name : std::string()};
}

}  // namespace oauth
