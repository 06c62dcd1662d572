// Implementation of connector/setup_flow.h.
#include "connector/setup_flow.h"

#include <cJSON.h>

#include "core/codec.h"
#include "core/limits.h"
#include "http/url.h"
#include "json/json.h"

namespace connector {
namespace lim = core::limits;

namespace {

bool has_space_or_control(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && http::iequals(s.substr(0, prefix.size()), prefix);
}

void no_store(http::Response& r) {
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("Referrer-Policy", "no-referrer");
}

}  // namespace

bool check_redirect_url(std::string_view url, std::string* message) {
  const std::string example =
      "send the absolute address of this service's callback page, e.g. "
      "https://contoso-connector.azurewebsites.net/Views/TwitterOAuth";
  if (url.empty()) {
    *message = "redirectUrl is missing: " + example;
    return false;
  }
  if (url.size() > lim::kMaxSetupUrlBytes) {
    *message = "redirectUrl is longer than " + std::to_string(lim::kMaxSetupUrlBytes) +
               " bytes: " + example;
    return false;
  }
  if (!starts_with_icase(url, "https://") && !starts_with_icase(url, "http://")) {
    *message = "redirectUrl must start with https:// or http://: " + example;
    return false;
  }
  auto parsed = http::parse_url(url);
  if (!parsed.ok() || has_space_or_control(url) || url.find('#') != std::string_view::npos ||
      !parsed->userinfo.empty()) {
    *message =
        "redirectUrl is not a valid URL (no spaces, user:password@ or #fragment): " + example;
    return false;
  }
  if (parsed->target.find('?') != std::string::npos) {
    *message = "redirectUrl must not carry a ?query (X appends its own): " + example;
    return false;
  }
  if (!http::iequals(parsed->path(), kCallbackPath)) {
    *message = "redirectUrl must end with the path /Views/TwitterOAuth: " + example;
    return false;
  }
  return true;
}

bool is_allowed_login_url(std::string_view login_url, std::string_view twitter_base) {
  if (login_url.size() > lim::kMaxSetupUrlBytes || has_space_or_control(login_url) ||
      login_url.find('#') != std::string_view::npos)
    return false;
  for (std::string_view path :
       {std::string_view("/oauth/authenticate?"), std::string_view("/oauth/authorize?")}) {
    std::string prefix = std::string(twitter_base) + std::string(path);
    if (login_url.size() > prefix.size() && login_url.substr(0, prefix.size()) == prefix)
      return http::parse_url(login_url).ok();
  }
  return false;
}

std::string sign_in_cookie(std::string_view state, bool secure) {
  std::string c = std::string(kSignInCookie) + "=" + std::string(state) +
                  "; Path=" + std::string(kCallbackPath) +
                  "; Max-Age=" + std::to_string(lim::kPendingAuthTtlMs / 1000) +
                  "; HttpOnly; SameSite=Lax";
  if (secure) c += "; Secure";
  return c;
}

std::string expired_sign_in_cookie(bool secure) {
  std::string c = std::string(kSignInCookie) + "=; Path=" + std::string(kCallbackPath) +
                  "; Max-Age=0; HttpOnly; SameSite=Lax";
  if (secure) c += "; Secure";
  return c;
}

std::optional<std::string> cookie_value(const http::Headers& headers, std::string_view name) {
  for (const auto& [header, value] : headers.all()) {
    if (!http::iequals(header, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
      while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view v = pair.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
  }
  return std::nullopt;
}

bool request_is_https(const http::Request& req, bool trust_proxy) {
  if (!trust_proxy) return false;
  auto proto = req.headers.get("X-Forwarded-Proto");
  if (!proto) return false;
  // A chain of proxies may list several ("https, http"): the first is what the browser used.
  std::string_view first = proto->substr(0, proto->find(','));
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  return http::iequals(first, "https");
}

const char* sign_in_status_name(SignInStatus s) {
  switch (s) {
    case SignInStatus::Connected: return "connected";
    case SignInStatus::Denied: return "denied";
    case SignInStatus::Expired: return "expired";
    case SignInStatus::Failed: return "failed";
  }
  return "failed";
}

std::string done_location(SignInStatus s, std::string_view account) {
  std::string loc = std::string(kDonePath) + "?status=" + sign_in_status_name(s);
  if (s == SignInStatus::Connected && !account.empty())
    loc += "&account=" + core::percent_encode(account);
  return loc;
}

http::Response callback_redirect(std::string_view location) {
  http::Response r;
  r.status = 302;
  r.headers.set("Location", std::string(location));
  no_store(r);
  return r;
}

http::Response callback_page(int status, std::string_view sentence) {
  http::Response r = http::Response::text(status, std::string(sentence) + "\n");
  no_store(r);
  r.headers.set("X-Content-Type-Options", "nosniff");
  return r;
}

http::Response setup_message(int status, std::string_view sentence) {
  json::Json o = json::object();
  json::add_string(o.get(), "Message", sentence);
  http::Response r = http::Response::json(status, o.get());
  r.headers.set("Cache-Control", "no-store");
  return r;
}

http::Response setup_json(std::string body) {
  http::Response r = http::Response::text(200, body, "application/json; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  return r;
}

}  // namespace connector
