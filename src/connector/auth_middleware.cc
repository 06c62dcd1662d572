// Route protection over InboundAuth; see auth_middleware.h. A request whose Bearer token names
// an unknown signing key is parked (request and responder moved into a Pending) until the
// KeySource answers, then decided once more; it is never decided a third time, so a forged kid
// costs at most one (rate-limited) refresh.
#include "connector/auth_middleware.h"

#include <utility>

#include "core/limits.h"
#include "core/log.h"
#include "json/json.h"

namespace connector {
namespace log = core::log;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "203.0.113.7:52044" -> "203.0.113.7", "[2001:db8::1]:443" -> "2001:db8::1"; a bare IPv6
// address (several ':') is kept whole.
std::string strip_port(std::string_view a) {
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    return std::string(close == std::string_view::npos ? a.substr(1) : a.substr(1, close - 1));
  }
  size_t colon = a.find(':');
  if (colon != std::string_view::npos && a.find(':', colon + 1) == std::string_view::npos)
    return std::string(a.substr(0, colon));
  return std::string(a);
}

std::string seconds_text(uint64_t ms) { return std::to_string((ms + 999) / 1000); }

}  // namespace

std::string client_address(const http::Request& req, bool trust_proxy) {
  if (trust_proxy) {
    // Several X-Forwarded-For lines are one list (RFC 9110 §5.3): the last line's last entry.
    std::string_view last;
    for (const auto& [name, value] : req.headers.all())
      if (http::iequals(name, "X-Forwarded-For")) last = value;
    size_t comma = last.rfind(',');
    std::string_view entry = trim(comma == std::string_view::npos ? last : last.substr(comma + 1));
    if (!entry.empty() && entry.size() <= 64) return strip_port(entry);
  }
  return req.peer_ip;
}

http::Response refusal_response(const Decision& d) {
  http::Response r;
  switch (d.status) {
    case 429:
      r = http::Response::error(
          429, "too many failed authentication attempts from this address; retry in " +
                   seconds_text(d.retry_after_ms) + " s");
      break;
    case 503:
      r = http::Response::error(
          503,
          "the Azure AD signing keys needed to check this Bearer token are unavailable; "
          "retry later or authenticate with Basic credentials");
      break;
    default:
      r = http::Response::error(
          401,
          "authentication required: send Authorization: Basic base64(tenantId:APISecretKey) "
          "with the connector's tenant ID and API secret key, or an Azure AD Bearer token");
      r.status = 401;
      break;
  }
  if (!d.www_authenticate.empty()) r.headers.set("WWW-Authenticate", d.www_authenticate);
  if (d.retry_after_ms > 0) r.headers.set("Retry-After", seconds_text(d.retry_after_ms));
  r.headers.set("Cache-Control", "no-store");
  return r;
}

struct AuthMiddleware::Pending {
  std::shared_ptr<http::Handler> inner;
  http::Request req;
  http::Responder res;
  std::string peer;
};

AuthMiddleware::AuthMiddleware(InboundAuth& auth, jwt::KeyCache* keys, KeySource* source,
                               const core::Clock& clock, AuthMiddlewareOptions options)
    : auth_(auth), keys_(keys), source_(source), clock_(clock), options_(options) {}

http::Handler AuthMiddleware::protect(http::Handler inner) {
  auto shared = std::make_shared<http::Handler>(std::move(inner));
  return [this, shared](http::Request& req, http::Responder res) {
    handle(shared, req, std::move(res));
  };
}

Decision AuthMiddleware::decide(const http::Request& req, const std::string& peer) {
  return auth_.decide(req.headers.get("Authorization"), peer, clock_.now_unix_s(),
                      clock_.monotonic_ms(), keys_);
}

void AuthMiddleware::handle(const std::shared_ptr<http::Handler>& inner, http::Request& req,
                            http::Responder res) {
  std::string peer = client_address(req, options_.trust_proxy);
  start_periodic_refresh();
  Decision d = decide(req, peer);
  if (d.allow) {
    admit(inner, req, peer, d, std::move(res));
    return;
  }
  if (!d.refresh_keys || !source_) {
    refuse(req, peer, d, std::move(res));
    return;
  }
  auto p = std::make_shared<Pending>(Pending{inner, std::move(req), std::move(res), peer});
  auto started = source_->refresh([this, p](core::Status status, const std::string& message) {
    after_refresh(p, status, message);
  });
  if (!started.ok()) {
    d.reason += "; cannot wait for the key refresh: " + std::string(started.error().where);
    refuse(p->req, peer, d, std::move(p->res));
  }
}

void AuthMiddleware::after_refresh(const std::shared_ptr<Pending>& p, core::Status status,
                                   const std::string& message) {
  if (!status.ok()) {
    Decision d;
    d.status = 503;
    d.retry_after_ms = core::limits::kJwksUnavailableRetryMs;
    d.scheme = AuthScheme::Bearer;
    d.reason = "signing keys unavailable (fail closed): " + message;
    refuse(p->req, p->peer, d, std::move(p->res));
    return;
  }
  if (!p->res.alive()) return;  // the caller went away while the keys were fetched
  Decision d = decide(p->req, p->peer);
  if (d.allow) {
    admit(p->inner, p->req, p->peer, d, std::move(p->res));
    return;
  }
  // Refreshed just now: whatever is still wrong is refused, never refreshed a second time.
  refuse(p->req, p->peer, d, std::move(p->res));
}

void AuthMiddleware::admit(const std::shared_ptr<http::Handler>& inner, http::Request& req,
                           const std::string& peer, const Decision& d, http::Responder res) {
  ++admitted_;
  log::debug("authenticated",
             {log::f("path", req.path), log::f("peer", peer), log::f("principal", d.principal)});
  (*inner)(req, std::move(res));
}

void AuthMiddleware::refuse(const http::Request& req, const std::string& peer, const Decision& d,
                            http::Responder res) {
  ++refused_;
  const char* scheme = !d.scheme                         ? "none"
                       : *d.scheme == AuthScheme::Basic  ? "basic"
                       : *d.scheme == AuthScheme::Bearer ? "bearer"
                                                         : "other";
  auto fields = {log::f("status", d.status),
                 log::f("reason", d.reason),
                 log::f("scheme", scheme),
                 log::f("peer", peer),
                 log::f("method", http::method_name(req.method)),
                 log::f("path", req.path)};
  if (d.status == 503)
    log::error("request refused: Bearer token cannot be checked", fields);
  else
    log::warn("authentication failed", fields);
  res.respond(refusal_response(d));
}

void AuthMiddleware::start_periodic_refresh() {
  if (!keys_ || !source_ || periodic_running_ || !keys_->has_keys()) return;
  if (!keys_->periodic_refresh_due(clock_.monotonic_ms())) return;
  periodic_running_ = true;
  // Nobody waits for it: the current set stays in use until the new one is installed.
  auto st =
      source_->refresh([this](core::Status, const std::string&) { periodic_running_ = false; });
  if (!st.ok()) periodic_running_ = false;
}

}  // namespace connector
