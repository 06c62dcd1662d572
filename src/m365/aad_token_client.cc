// AAD token client; see aad_token_client.h. TokenCache decides (use cached / fetch / wait);
// this file sends the fetch, interprets the answer and hands the result to every waiter.
#include "m365/aad_token_client.h"

#include <algorithm>
#include <utility>

#include "core/log.h"

namespace m365 {
namespace log = core::log;
using core::Errc;

AadTokenClient::AadTokenClient(uv::Loop& loop, http::Client& client, const core::Clock& clock,
                               Options options)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      cache_(options_.refresh_ahead_s) {
  ready_timer_ = uv::Timer::create(loop.get(), this);
}

AadTokenClient::~AadTokenClient() {
  // cancel() may call on_dropped(), which erases from in_flight_: iterate over a copy.
  auto pending = std::move(in_flight_);
  in_flight_.clear();
  for (const auto& [id, tenant] : pending) client_.cancel(id);
}

void AadTokenClient::set_credentials(std::string client_id, std::string client_secret) {
  if (client_id == client_id_ && client_secret == client_secret_) return;
  client_id_ = std::move(client_id);
  client_secret_ = std::move(client_secret);
  for (const auto& t : tenants_) cache_.invalidate(t);
  // Requests sent with the old values are re-sent; their waiters stay queued in the cache.
  auto old = std::move(in_flight_);
  in_flight_.clear();
  for (const auto& [id, tenant] : old) {
    client_.cancel(id);
    if (!start_request(tenant).ok()) {
      auto c = cache_.complete(tenant, core::make_error(Errc::Config, "aad token request"),
                               clock_.now_unix_s());
      deliver_later(std::move(c.waiters), c.result);
    }
  }
}

core::Status AadTokenClient::acquire(std::string_view tenant, Callback cb) {
  if (!has_credentials())
    return core::make_error(Errc::Config,
                            "Azure AD app id or secret not set (AADAppIdValue, AADAppSecretValue)");
  TC_TRY(token_endpoint(options_.authority, tenant));
  auto a = cache_.acquire(tenant, clock_.now_unix_s(), cb);
  if (!a.ok()) return a.error();
  std::string t(tenant);
  if (std::find(tenants_.begin(), tenants_.end(), t) == tenants_.end()) tenants_.push_back(t);
  switch (a->action) {
    case TokenCache::Action::UseCached:
      deliver_later({std::move(cb)}, *a->token);
      return core::ok_status();
    case TokenCache::Action::Wait: return core::ok_status();
    case TokenCache::Action::StartRequest: break;
  }
  auto st = start_request(t);
  if (!st.ok()) {
    // The waiter is queued in the cache already: complete it (from the loop) with the error.
    auto c = cache_.complete(t, st.error(), clock_.now_unix_s());
    deliver_later(std::move(c.waiters), c.result);
  }
  return core::ok_status();
}

core::Status AadTokenClient::start_request(const std::string& tenant) {
  auto url = token_endpoint(options_.authority, tenant);
  if (!url.ok()) return url.error();
  http::ClientRequest r;
  r.method = "POST";
  r.url = *url;
  r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  r.headers.push_back({"Accept", "application/json"});
  r.body = client_credentials_body(client_id_, client_secret_, options_.resource);
  r.max_body_bytes = core::limits::kMaxAadResponseBytes;
  r.total_timeout_ms = options_.timeout_ms;
  r.retry_safe = true;  // a token grant has no side effect: repeating it is harmless
  auto id = client_.request(std::move(r), this);
  if (!id.ok()) return id.error();
  ++requests_sent_;
  in_flight_[*id] = tenant;
  return core::ok_status();
}

void AadTokenClient::on_dropped(uint64_t request_id) { in_flight_.erase(request_id); }

void AadTokenClient::on_complete(uint64_t request_id, http::ClientResult& result) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end()) return;
  std::string tenant = std::move(it->second);
  in_flight_.erase(it);
  auto token = interpret(tenant, result);
  auto c = cache_.complete(tenant, token, clock_.now_unix_s());
  // A loop callback: the waiters may run now (and may call acquire() again).
  for (auto& w : c.waiters) w(c.result);
}

core::Result<AadToken> AadTokenClient::interpret(const std::string& tenant,
                                                 http::ClientResult& result) {
  if (!result.ok) {
    last_error_ = result.message;
    log::warn("Azure AD token request failed",
              {log::f("tenant", tenant), log::f("error", result.message)});
    return result.error;
  }
  const http::ClientResponse& resp = result.response;
  if (resp.status == 200) {
    auto token = parse_token_response(resp.body, clock_.now_unix_s());
    if (!token.ok()) {
      last_error_ = std::string("unusable token answer: ") + token.error().where;
      log::error("Azure AD token answer is not usable",
                 {log::f("tenant", tenant), log::f("error", token.error().where)});
      return token.error();
    }
    last_error_.clear();
    log::info(
        "Azure AD app token obtained",
        {log::f("tenant", tenant), log::f("client_id", client_id_),
         log::f("expires_in_s", static_cast<long long>(token->expires_on - token->obtained_at))});
    return token;
  }
  AadError e = parse_error_response(resp.status, resp.body);
  last_error_ = e.description.empty() ? e.error : e.description;
  // Verbatim from AAD: the AADSTS code and description say what to fix. Only the answer is
  // logged, never the request (which holds the secret).
  log::error(
      "Azure AD refused the app token request",
      {log::f("tenant", tenant), log::f("client_id", client_id_), log::f("status", resp.status),
       log::f("error", e.error), log::f("error_description", e.description),
       log::f("aadsts", e.aadsts), log::f("trace_id", e.trace_id),
       log::f("correlation_id", e.correlation_id), log::f("permanent", e.permanent)});
  if (e.permanent)
    return core::make_error(Errc::Config, "Azure AD refused the app credentials", resp.status);
  if (resp.status == 401)
    return core::make_error(Errc::Unauthorized, "Azure AD token request", resp.status);
  return core::make_error(Errc::HttpStatus, "Azure AD token request", resp.status);
}

void AadTokenClient::deliver_later(std::vector<TokenCache::Waiter> waiters,
                                   const core::Result<AadToken>& result) {
  for (auto& w : waiters) ready_.push_back(Ready{std::move(w), result});
  if (!ready_.empty()) ready_timer_->start(0);
}

void AadTokenClient::on_timer(uv::Timer*) {
  std::vector<Ready> ready;
  ready.swap(ready_);
  for (auto& r : ready) r.cb(r.result);
}

}  // namespace m365
