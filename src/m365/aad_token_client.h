// AadTokenClient: Azure AD app tokens for the M365 Event API over http::Client, using the pure
// parts of m365/aad_token.h: the v1 client-credentials grant against
// {CONNECTOR_AAD_AUTHORITY}/{tenant}/oauth2/token (form-encoded, resource = the Event API),
// one cached token per tenant renewed ahead of expiry, and ONE request in flight per tenant
// shared by every concurrent caller. AAD's answer to a failed grant (AADSTS code,
// error_description) is logged verbatim; the client secret never is.
//
// Async contract: acquire() returning an error never calls the callback. Otherwise the callback
// runs exactly once, later (never inside acquire(), a cached token included), on the loop
// thread, with the token or an error: Errc::Config when AAD refused the app's configuration
// (wrong secret, unknown app or tenant: retrying will not help), Errc::Unauthorized/HttpStatus
// for other refusals, or the transport error. Destroying the client drops pending callbacks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/limits.h"
#include "core/result.h"
#include "http/client.h"
#include "m365/aad_token.h"
#include "uv/loop.h"
#include "uv/timer.h"

namespace m365 {

class AadTokenClient final : http::ResponseHandler, uv::Timer::Handler {
 public:
  struct Options {
    std::string authority = kDefaultAuthority;  // CONNECTOR_AAD_AUTHORITY
    std::string resource = kEventApiResource;
    int64_t refresh_ahead_s = core::limits::kAadRefreshAheadS;
    uint64_t timeout_ms = core::limits::kAadTokenTimeoutMs;
  };
  using Callback = std::function<void(const core::Result<AadToken>&)>;

  // loop, client and clock must outlive the token client.
  AadTokenClient(uv::Loop& loop, http::Client& client, const core::Clock& clock, Options options);
  ~AadTokenClient();
  AadTokenClient(const AadTokenClient&) = delete;
  AadTokenClient& operator=(const AadTokenClient&) = delete;

  // The app registration (AADAppIdValue / AADAppSecretValue from the stored configuration).
  // A change drops every cached token; a request in flight is re-sent with the new values.
  void set_credentials(std::string client_id, std::string client_secret);
  bool has_credentials() const { return !client_id_.empty() && !client_secret_.empty(); }

  // Errors (callback not called): Config (no credentials, bad authority or tenant), Busy (too
  // many tenants or waiters).
  core::Status acquire(std::string_view tenant, Callback cb);
  // The Event API refused the token (401): the next acquire() fetches a new one.
  void invalidate(std::string_view tenant) { cache_.invalidate(tenant); }

  uint64_t requests_sent() const { return requests_sent_; }
  // The last failure, as logged ("AADSTS7000215: Invalid client secret provided. ..."), for
  // the admin page; empty after a success.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Ready {
    Callback cb;
    core::Result<AadToken> result;
  };
  core::Status start_request(const std::string& tenant);
  void on_complete(uint64_t request_id, http::ClientResult& result) override;
  void on_dropped(uint64_t request_id) override;
  void on_timer(uv::Timer* timer) override;
  core::Result<AadToken> interpret(const std::string& tenant, http::ClientResult& result);
  void deliver_later(std::vector<TokenCache::Waiter> waiters, const core::Result<AadToken>& result);

  http::Client& client_;
  const core::Clock& clock_;
  Options options_;
  TokenCache cache_;
  std::string client_id_, client_secret_;
  std::map<uint64_t, std::string> in_flight_;  // request id -> tenant
  std::vector<Ready> ready_;                   // callbacks due on the next loop turn
  uv::Ptr<uv::Timer> ready_timer_;
  std::vector<std::string> tenants_;  // every tenant asked for (bounded by the cache)
  uint64_t requests_sent_ = 0;
  std::string last_error_;
};

}  // namespace m365
