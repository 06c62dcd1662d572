// AAD client-credentials request/answer handling and the token cache; see aad_token.h.
#include "m365/aad_token.h"

#include <cmath>

#include "core/codec.h"
#include "core/limits.h"
#include "json/json.h"

namespace m365 {

namespace {

using core::Errc;
using core::make_error;

// A seconds value given as a JSON number or as a decimal string (v1 answers use strings).
std::optional<int64_t> seconds(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v) return std::nullopt;
  if (cJSON_IsNumber(v)) {
    double d = v->valuedouble;
    if (!std::isfinite(d) || d < 0 || d > 1e13 || d != std::floor(d)) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (!cJSON_IsString(v)) return std::nullopt;
  std::string_view s = v->valuestring;
  if (s.empty() || s.size() > 13) return std::nullopt;
  int64_t out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + (c - '0');
  }
  return out;
}

bool tenant_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

std::string aadsts_code(std::string_view d) {
  size_t at = d.find("AADSTS");
  if (at == std::string_view::npos) return {};
  size_t end = at + 6;
  while (end < d.size() && d[end] >= '0' && d[end] <= '9') ++end;
  return end > at + 6 ? std::string(d.substr(at, end - at)) : std::string();
}

}  // namespace

core::Result<std::string> token_endpoint(std::string_view authority, std::string_view tenant) {
  while (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.rfind("https://", 0) != 0 || authority.size() <= 8 ||
      authority.find_first_of("?#") != std::string_view::npos)
    return make_error(Errc::Config,
                      "CONNECTOR_AAD_AUTHORITY must be an https:// URL without query");
  if (tenant.empty() || tenant.size() > 253)
    return make_error(Errc::Config, "tenant id is empty or too long");
  for (char c : tenant)
    if (!tenant_char(c))
      return make_error(Errc::Config, "tenant id must be a GUID or a domain name");
  return std::string(authority) + "/" + std::string(tenant) + "/oauth2/token";
}

std::string client_credentials_body(std::string_view client_id, std::string_view client_secret,
                                    std::string_view resource) {
  std::string out = "grant_type=client_credentials&client_id=";
  core::percent_encode_to(client_id, &out);
  out += "&client_secret=";
  core::percent_encode_to(client_secret, &out);
  out += "&resource=";
  core::percent_encode_to(resource, &out);
  return out;
}

core::Result<AadToken> parse_token_response(std::string_view body, int64_t now_unix_s) {
  if (body.size() > core::limits::kMaxAadResponseBytes)
    return make_error(Errc::TooLarge, "aad: token answer too large");
  auto doc = json::parse(body);
  if (!doc.ok() || !cJSON_IsObject(doc->get()))
    return make_error(Errc::Parse, "aad: token answer is not a JSON object");
  const cJSON* o = doc->get();
  auto at = json::get_string(o, "access_token");
  if (!at || at->empty()) return make_error(Errc::Parse, "aad: token answer without access_token");
  auto type = json::get_string(o, "token_type");
  if (!type || !(*type == "Bearer" || *type == "bearer"))
    return make_error(Errc::Parse, "aad: token_type is not Bearer");
  // Present-but-malformed numbers are errors, not silently ignored.
  for (const char* k : {"expires_on", "expires_in", "ext_expires_in", "not_before"})
    if (cJSON_GetObjectItemCaseSensitive(o, k) && !seconds(o, k))
      return make_error(Errc::Parse, "aad: expiry field is neither a number nor a decimal string");
  AadToken t{std::string(*at), std::string(*type), 0, now_unix_s};
  if (auto on = seconds(o, "expires_on")) {
    t.expires_on = *on;
  } else if (auto in = seconds(o, "expires_in")) {
    t.expires_on = now_unix_s + *in;
  } else {
    return make_error(Errc::Parse, "aad: token answer without expires_on or expires_in");
  }
  if (t.expires_on <= now_unix_s)
    return make_error(Errc::Parse, "aad: token answer already expired");
  return t;
}

AadError parse_error_response(int http_status, std::string_view body) {
  AadError e;
  e.http_status = http_status;
  e.error = "http_" + std::to_string(http_status);
  auto doc = body.size() <= core::limits::kMaxAadResponseBytes
                 ? json::parse(body)
                 : core::Result<json::Json>(make_error(Errc::TooLarge));
  if (doc.ok() && cJSON_IsObject(doc->get())) {
    const cJSON* o = doc->get();
    if (auto s = json::get_string(o, "error"); s && !s->empty())
      e.error = std::string(s->substr(0, 64));
    if (auto s = json::get_string(o, "error_description"))
      e.description = std::string(s->substr(0, core::limits::kMaxAadErrorDescriptionBytes));
    if (auto s = json::get_string(o, "trace_id")) e.trace_id = std::string(s->substr(0, 64));
    if (auto s = json::get_string(o, "correlation_id"))
      e.correlation_id = std::string(s->substr(0, 64));
  }
  e.aadsts = aadsts_code(e.description);
  // Bad credentials, unknown app/tenant, missing consent: an admin must act (aad-jwt.md §6.3).
  e.permanent = e.error == "invalid_client" || e.error == "unauthorized_client" ||
                e.error == "invalid_resource" || e.error == "invalid_request" ||
                e.error == "invalid_scope" || e.aadsts.rfind("AADSTS5000", 0) == 0 ||
                e.aadsts.rfind("AADSTS7000", 0) == 0 || e.aadsts == "AADSTS700016" ||
                e.aadsts == "AADSTS90002";
  if (http_status == 429 || http_status >= 500) e.permanent = false;
  return e;
}

TokenCache::TokenCache(int64_t refresh_ahead_s) : refresh_ahead_s_(refresh_ahead_s) {}
TokenCache::TokenCache() : TokenCache(core::limits::kAadRefreshAheadS) {}

TokenCache::Entry* TokenCache::find(std::string_view tenant) {
  for (Entry& e : entries_)
    if (e.tenant == tenant) return &e;
  return nullptr;
}

const TokenCache::Entry* TokenCache::find(std::string_view tenant) const {
  for (const Entry& e : entries_)
    if (e.tenant == tenant) return &e;
  return nullptr;
}

bool TokenCache::valid(std::string_view tenant, int64_t now_unix_s) const {
  const Entry* e = find(tenant);
  if (!e || !e->has_token) return false;
  int64_t half_life = (e->token.expires_on - e->token.obtained_at) / 2;
  int64_t ahead = half_life > 0 && half_life < refresh_ahead_s_ ? half_life : refresh_ahead_s_;
  return now_unix_s < e->token.expires_on - ahead;
}

bool TokenCache::in_flight(std::string_view tenant) const {
  const Entry* e = find(tenant);
  return e && e->in_flight;
}

core::Result<TokenCache::Acquire> TokenCache::acquire(std::string_view tenant, int64_t now_unix_s,
                                                      Waiter waiter) {
  Entry* e = find(tenant);
  if (e && valid(tenant, now_unix_s)) return Acquire{Action::UseCached, &e->token};
  if (!e) {
    if (entries_.size() >= core::limits::kMaxAadTenants) {
      // Reuse an idle slot (no waiters, nothing in flight) before refusing.
      for (Entry& x : entries_)
        if (!x.in_flight && x.waiters.empty() &&
            !(x.has_token && now_unix_s < x.token.expires_on)) {
          x = Entry{};
          e = &x;
          break;
        }
      if (!e) return make_error(Errc::Busy, "aad: too many tenants with cached tokens");
    } else {
      entries_.emplace_back();
      e = &entries_.back();
    }
    e->tenant = std::string(tenant);
  }
  if (e->waiters.size() >= core::limits::kMaxAadWaiters)
    return make_error(Errc::Busy, "aad: too many callers waiting for a token");
  e->waiters.push_back(std::move(waiter));
  if (e->in_flight) return Acquire{Action::Wait};
  e->in_flight = true;
  return Acquire{Action::StartRequest};
}

TokenCache::Completion TokenCache::complete(std::string_view tenant,
                                            const core::Result<AadToken>& fetched,
                                            int64_t now_unix_s) {
  Entry* e = find(tenant);
  if (!e) return Completion{{}, fetched};
  e->in_flight = false;
  Completion c{{}, fetched};
  if (fetched.ok()) {
    e->token = *fetched;
    e->has_token = true;
  } else if (e->has_token && now_unix_s < e->token.expires_on) {
    c.result = e->token;
  }
  c.waiters.swap(e->waiters);
  return c;
}

void TokenCache::invalidate(std::string_view tenant) {
  if (Entry* e = find(tenant)) e->has_token = false;
}

}  // namespace m365
