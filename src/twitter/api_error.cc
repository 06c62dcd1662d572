// Implementation of twitter/api_error.h. Error shapes accepted: v1.1 {"errors":[{code,message}]},
// v1.1 {"request","error"}, v2 problem details {title,detail,type,status}, plain text/HTML.
#include "twitter/api_error.h"

#include <cstdio>

#include "core/limits.h"
#include "json/json.h"

namespace twitter {
namespace {

std::optional<int64_t> parse_i64(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  std::string_view s = *v;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  auto u = json::parse_u64(s);
  if (!u || *u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*u);
}

// X's own words, bounded and printable, for quoting in a message.
std::string clean(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= core::limits::kMaxApiMessageBytes) {
      out += "…";
      break;
    }
    out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  }
  return out;
}

struct BodyInfo {
  int code = 0;
  std::string text;     // X's message/detail
  std::string problem;  // v2 problem kind
};

BodyInfo read_body(std::string_view body) {
  BodyInfo info;
  auto root = json::parse(body);
  if (!root || !cJSON_IsObject(root->get())) return info;
  const cJSON* r = root->get();
  if (const cJSON* errs = json::get_array(r, "errors")) {
    const cJSON* e = cJSON_GetArrayItem(errs, 0);
    if (auto c = json::get_int(e, "code")) info.code = static_cast<int>(*c);
    if (auto m = json::get_string(e, "message")) info.text = clean(*m);
  }
  if (info.text.empty())
    if (auto m = json::get_string(r, "error")) info.text = clean(*m);
  if (info.text.empty())
    if (auto m = json::get_string(r, "detail")) info.text = clean(*m);
  if (info.text.empty())
    if (auto m = json::get_string(r, "title")) info.text = clean(*m);
  if (auto type = json::get_string(r, "type")) {
    size_t slash = type->rfind("/problems/");
    if (slash != std::string_view::npos) info.problem = std::string(type->substr(slash + 10));
  }
  return info;
}

std::string said(const BodyInfo& b) {
  std::string s;
  if (b.code) s += "code " + std::to_string(b.code);
  if (!b.text.empty()) s += (s.empty() ? "" : ": ") + std::string("\"") + b.text + "\"";
  if (!b.problem.empty() && b.text.empty()) s += (s.empty() ? "" : ", ") + b.problem;
  return s.empty() ? "" : " (X said " + s + ")";
}

}  // namespace

RateLimitInfo parse_rate_limit(std::optional<std::string_view> limit,
                               std::optional<std::string_view> remaining,
                               std::optional<std::string_view> reset) {
  return {parse_i64(limit), parse_i64(remaining), parse_i64(reset)};
}

RateDecision decide_rate_limit(int status, const RateLimitInfo& info, int64_t now_ms,
                               int64_t max_wait_ms, int attempt) {
  RateDecision d;
  bool exhausted = info.remaining && *info.remaining == 0;
  if (status != 429 && !exhausted) return d;
  if (max_wait_ms > core::limits::kMaxRateLimitWaitCeilingMs)
    max_wait_ms = core::limits::kMaxRateLimitWaitCeilingMs;
  if (max_wait_ms < 0) max_wait_ms = 0;
  d.retry_same_request = status == 429;
  int64_t wait;
  if (info.reset_unix_s) {
    wait = *info.reset_unix_s * 1000 - now_ms + core::limits::kRateLimitResetMarginMs;
    if (wait < core::limits::kRateLimitResetMarginMs) wait = core::limits::kRateLimitResetMarginMs;
    d.until_unix_s = *info.reset_unix_s;
  } else if (status == 429) {
    // No reset header: exponential backoff from ~60 s (X's guidance), doubling per attempt.
    int shift = attempt < 0 ? 0 : attempt > 20 ? 20 : attempt;
    wait = core::limits::kRateLimitFallbackWaitMs << shift;
    d.until_unix_s = (now_ms + wait) / 1000;
  } else {
    return d;  // remaining 0 but no reset announced: nothing to wait for
  }
  d.wait_ms = wait;
  d.kind = wait <= max_wait_ms ? RateDecision::Kind::Wait : RateDecision::Kind::RateLimited;
  return d;
}

ApiError classify_response(int status, std::string_view body) {
  ApiError e;
  e.http_status = status;
  BodyInfo b = read_body(body);
  e.api_code = b.code;
  e.problem = b.problem;
  char num[16];
  snprintf(num, sizeof num, "%d", status);
  const std::string x = said(b);
  if (status == 401) {
    e.code = core::Errc::Unauthorized;
    if (b.code == 135) {
      e.retryable = true;
      e.message = "X refused the request's timestamp" + x +
                  ": this server's clock is wrong; synchronise it (NTP) and the job will recover.";
    } else if (b.code == 32) {
      e.needs_relogin = true;
      e.message =
          "X could not authenticate the request" + x +
          ": check the configured X API key and secret; if they are right, the job's X login was "
          "revoked: sign in with X again on the connector's setup page.";
    } else {
      e.needs_relogin = true;
      e.message =
          "X no longer accepts this job's access token (revoked or expired)" + x +
          ": the job needs a new login: open the connector's setup page and sign in with X again.";
    }
  } else if (status == 403) {
    e.code = core::Errc::Forbidden;
    if (b.code == 453) {
      e.use_v2 = true;
      e.message = "This X app's access level cannot use the v1.1 timeline" + x +
                  ": switch the connector to the X API v2 (or raise the app's access level in the "
                  "X developer "
                  "portal).";
    } else if (b.problem == "client-forbidden") {
      e.message = "X refused this app" + x +
                  ": in the X developer portal, attach the app to a Project with access to the v2 "
                  "endpoints.";
    } else {
      e.message =
          "X refused access to the timeline" + x +
          ": check the app's permissions and that the archived account is not locked or protected.";
    }
  } else if (status == 404) {
    e.code = core::Errc::NotFound;
    e.message = "X says the user or resource does not exist (HTTP 404)" + x +
                ": the archived account may have been deleted or suspended; check it on X, then "
                "set the job up "
                "again.";
  } else if (status == 429) {
    e.code = core::Errc::RateLimited;
    if (b.problem == "usage-capped") {
      e.message =
          "X's usage cap for this app is reached" + x +
          ": no more posts can be read until the next billing period or a credit top-up in the X "
          "developer portal.";
    } else {
      e.retryable = true;
      e.message =
          "X rate limit reached" + x + ": the import continues after the limit window resets.";
    }
  } else if (status >= 500 && status <= 599) {
    e.code = core::Errc::HttpStatus;
    e.retryable = true;
    e.message =
        std::string("X is unavailable (HTTP ") + num + ")" + x + ": the request will be retried.";
  } else if (status == 400) {
    e.code = core::Errc::HttpStatus;
    e.message = "X rejected the request as invalid (HTTP 400)" + x +
                ": this is a defect in the connector's request; report it with this message.";
  } else {
    e.code = core::Errc::HttpStatus;
    e.message = std::string("unexpected HTTP ") + num + " from X" + x + ".";
  }
  return e;
}

bool is_retryable_transport(core::Errc code) {
  switch (code) {
    case core::Errc::Dns:
    case core::Errc::ConnectRefused:
    case core::Errc::Connect:
    case core::Errc::Timeout:
    case core::Errc::ConnReset:
    case core::Errc::ConnClosed: return true;
    default: return false;
  }
}

}  // namespace twitter
