// Fetches Azure AD signing keys for inbound Bearer tokens: GET the OpenID configuration
// (CONNECTOR_AAD_OPENID_CONFIG), then its jwks_uri, and install the set into jwt::KeyCache (or
// note the failure there: the last good set stays). Concurrent refresh() calls share one fetch.
//
// Async contract: refresh(done) returning an error (Busy: too many callers waiting) never calls
// done; otherwise done runs exactly once, later (never inside the call), on the loop thread,
// with ok or an error whose message says which URL failed and why.
// Destroying the fetcher cancels the fetch and drops the pending callbacks without calling them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/client.h"
#include "jwt/key_cache.h"
#include "uv/loop.h"
#include "uv/timer.h"

namespace connector {

// Where the middleware gets fresh keys from; an interface so its logic is testable without a
// network.
class KeySource {
 public:
  // message: empty on success, else what failed (no secret: these documents are public).
  using Done = std::function<void(core::Status status, const std::string& message)>;
  virtual ~KeySource() = default;
  virtual core::Status refresh(Done done) = 0;
};

class JwksFetcher final : public KeySource, http::ResponseHandler, uv::Timer::Handler {
 public:
  // client, cache, clock and loop must outlive the fetcher.
  JwksFetcher(uv::Loop& loop, http::Client& client, jwt::KeyCache& cache, const core::Clock& clock,
              std::string openid_config_url);
  ~JwksFetcher();
  JwksFetcher(const JwksFetcher&) = delete;
  JwksFetcher& operator=(const JwksFetcher&) = delete;

  core::Status refresh(Done done) override;
  bool in_flight() const { return state_ != State::Idle; }
  uint64_t fetches() const { return fetches_; }  // refreshes started (for logs and tests)
  const std::string& openid_config_url() const { return openid_url_; }

 private:
  enum class State { Idle, Config, Keys, Reporting };

  void advance();
  void start_get(const std::string& url);
  void on_complete(uint64_t request_id, http::ClientResult& result) override;
  void on_timer(uv::Timer* timer) override;
  void finish(core::Status status, std::string message);

  http::Client& client_;
  jwt::KeyCache& cache_;
  const core::Clock& clock_;
  std::string openid_url_;
  std::string jwks_url_;
  State state_ = State::Idle;
  bool starting_ = false;  // inside refresh(): failures are reported from the timer
  uint64_t request_id_ = 0;
  uint64_t fetches_ = 0;
  std::vector<Done> waiters_;
  // Outcome waiting to be delivered from the timer (a failure found inside refresh()).
  core::Status outcome_ = core::ok_status();
  std::string outcome_message_;
  uv::Ptr<uv::Timer> report_timer_;
};

}  // namespace connector
