// Protects routes with connector::InboundAuth: one line at registration,
//   router.get("/setup/Validate", auth.protect(handler));
// The wrapped handler runs only for an authenticated caller. Otherwise the caller gets 401 with
// WWW-Authenticate (Basic, and Bearer when enabled), 429 with Retry-After while its address is
// throttled, or 503 with Retry-After when a Bearer token cannot be checked because the signing
// keys are unavailable (fail closed). An unknown kid triggers one JWKS refresh (rate-limited by
// jwt::KeyCache); the request waits for it and is decided again. Every refusal is logged with
// the reason and the client address, never with the credentials.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connector/inbound_auth.h"
#include "connector/jwks_fetcher.h"
#include "core/clock.h"
#include "http/message.h"
#include "http/router.h"
#include "jwt/key_cache.h"

namespace connector {

struct AuthMiddlewareOptions {
  // CONNECTOR_TRUST_PROXY: the service runs behind a reverse proxy (App Service front ends)
  // that appends the client address to X-Forwarded-For. Only then is that header believed.
  bool trust_proxy = false;
};

// The address a request is throttled by: the TCP peer, or (trust_proxy) the last
// X-Forwarded-For entry, which the trusted proxy appended ("203.0.113.7:52044" and
// "[2001:db8::1]:443" lose the port). Earlier entries are client-controlled and ignored.
std::string client_address(const http::Request& req, bool trust_proxy);

// The response for a refusal (status 401, 429 or 503), with WWW-Authenticate / Retry-After and
// a JSON error that tells the caller what to do. Says nothing about which check failed.
http::Response refusal_response(const Decision& d);

class AuthMiddleware {
 public:
  // auth, clock (and keys/source when Bearer is enabled; both may be null otherwise) must
  // outlive the middleware, which must outlive the routes it protects.
  AuthMiddleware(InboundAuth& auth, jwt::KeyCache* keys, KeySource* source,
                 const core::Clock& clock, AuthMiddlewareOptions options = {});

  // The handler, behind authentication.
  http::Handler protect(http::Handler inner);

  // Requests admitted / refused so far (tests, logs).
  uint64_t admitted() const { return admitted_; }
  uint64_t refused() const { return refused_; }

 private:
  struct Pending;
  void handle(const std::shared_ptr<http::Handler>& inner, http::Request& req, http::Responder res);
  Decision decide(const http::Request& req, const std::string& peer);
  void after_refresh(const std::shared_ptr<Pending>& p, core::Status status,
                     const std::string& message);
  void refuse(const http::Request& req, const std::string& peer, const Decision& d,
              http::Responder res);
  void admit(const std::shared_ptr<http::Handler>& inner, http::Request& req,
             const std::string& peer, const Decision& d, http::Responder res);
  void start_periodic_refresh();

  InboundAuth& auth_;
  jwt::KeyCache* keys_;
  KeySource* source_;
  const core::Clock& clock_;
  AuthMiddlewareOptions options_;
  uint64_t admitted_ = 0;
  uint64_t refused_ = 0;
  bool periodic_running_ = false;
};

}  // namespace connector
