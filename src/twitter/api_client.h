// The network side of the X API: ApiClient signs every request with OAuth 1.0a (app consumer
// key + the user's token) and sends it through http::Client; fetch_identity() reads who the
// token belongs to; TimelineWalk pages one user timeline (v2 or v1.1) through the pure pagers,
// waits out short rate limits on a timer and hands back a typed outcome. Retries re-sign each
// attempt (X refuses a reused nonce), so the http::Client's own retries are switched off here
// and the same http::RetryPolicy decides the delays.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/limits.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "core/result.h"
#include "http/client.h"
#include "twitter/api_error.h"
#include "twitter/timeline_pager.h"
#include "twitter/tweet.h"
#include "uv/loop.h"
#include "uv/timer.h"

namespace twitter {

struct Credentials {
  std::string consumer_key;  // the app's
  std::string consumer_secret;
  std::string token;  // the user's access token
  std::string token_secret;
};

struct ApiSettings {
  std::string base = "https://api.twitter.com";  // no trailing '/'
  ApiVersion version = ApiVersion::V2;
  int64_t max_rate_wait_ms = core::limits::kDefaultRateLimitMaxWaitMs;
  size_t max_page_bytes = core::limits::kMaxTimelineBodyBytes;
};

struct Identity {
  std::string id;
  std::string name;
  std::string username;
};

// Why a call did not succeed: a typed error, the classification of an X error response
// (http_status 0 for transport failures) and one sentence for the admin.
struct ApiFailure {
  core::Error error{core::Errc::Internal};
  ApiError api;
  std::string message;
  int64_t rate_limited_until_s = 0;  // set when error.code == RateLimited
};

class ApiClient {
 public:
  // Everything passed by reference must outlive the ApiClient. metrics may be null.
  ApiClient(uv::Loop& loop, http::Client& http, Credentials credentials, ApiSettings settings,
            const core::Clock& clock, core::Rng& rng, core::Metrics* metrics = nullptr);

  // A signed GET of base + path_and_query (values already percent-encoded). Client retries are
  // off (max_attempts 1): a retry must carry a new signature, see TimelineWalk.
  core::Result<http::ClientRequest> signed_get(std::string_view path_and_query) const;

  // GET /2/users/me (v2) or /1.1/account/verify_credentials.json (v1.1). done runs exactly once,
  // later, unless start fails. Errors come classified (401 needs a new login).
  using IdentityFn =
      std::function<void(core::Result<Identity> identity, const ApiFailure& failure)>;
  core::Status fetch_identity(IdentityFn done);

  uv::Loop& loop() { return loop_; }
  http::Client& http() { return http_; }
  const ApiSettings& settings() const { return settings_; }
  const core::Clock& clock() const { return clock_; }
  core::Rng& rng() { return rng_; }
  core::Metrics* metrics() { return metrics_; }

 private:
  uv::Loop& loop_;
  http::Client& http_;
  Credentials credentials_;
  ApiSettings settings_;
  const core::Clock& clock_;
  core::Rng& rng_;
  core::Metrics* metrics_;
};

// Parses an identity response body of either version; Parse with a reason otherwise.
core::Result<Identity> parse_identity(ApiVersion version, std::string_view body, std::string* why);
// A failure from a non-2xx X response (classified) or a transport failure.
ApiFailure failure_from_response(const http::ClientResponse& response);
ApiFailure failure_from_transport(const http::ClientResult& result);

struct WalkResult {
  enum class Kind { Done, RateLimited, Failed };
  Kind kind = Kind::Failed;
  std::optional<uint64_t> newest_id;  // the cursor to store (Done only)
  ApiFailure failure;                 // RateLimited / Failed
  size_t pages = 0;
  size_t tweets = 0;          // delivered to the page callback
  size_t rate_waits = 0;      // bounded waits slept through
  size_t retries = 0;         // 5xx / transport retries
  size_t partial_errors = 0;  // v2 errors inside 200 pages (logged)
};

// One timeline sync: Request → Parse → (Wait) → Request … → Done. The page callback gets each
// page and the indices of its new in-window tweets (PageOutcome::accepted, newest first); an
// error it returns stops the walk as Failed (it must not destroy the walk; on_done may). done runs
// exactly once, later, unless start() fails; after it the walk may be destroyed (also from inside
// done). Destroying a running walk cancels it without callbacks.
class TimelineWalk final : http::ResponseHandler, uv::Timer::Handler {
 public:
  using PageFn = std::function<core::Status(const Page& page, const PageOutcome& outcome)>;
  using DoneFn = std::function<void(WalkResult& result)>;

  // user_id: required for v2 (from fetch_identity); empty on v1.1 reads the token's own timeline.
  TimelineWalk(ApiClient& api, std::string user_id, TimelineWindow window, PageFn on_page,
               DoneFn on_done);
  ~TimelineWalk();
  TimelineWalk(const TimelineWalk&) = delete;
  TimelineWalk& operator=(const TimelineWalk&) = delete;

  // Errors: InvalidArgument (v2 without a user id), or a timer that cannot be created.
  core::Status start();
  // Flow control for a consumer that cannot keep up (the import's upload queue): while paused,
  // the walk requests no further page once the current one was delivered. resume() goes on
  // from a later loop turn (never inside the call), so no callback runs from within it.
  void pause() { paused_ = true; }
  void resume();
  bool held() const { return state_ == State::Held; }

 private:
  enum class State { Idle, Request, Parse, Wait, Held, Done };

  void advance();
  void send();
  void on_complete(uint64_t request_id, http::ClientResult& result) override;
  void on_timer(uv::Timer* timer) override;
  void on_response(http::ClientResponse& response);
  void on_transport_failure(http::ClientResult& result);
  // Parses, pages and delivers one body; false when the walk finished (do not touch members).
  bool parse_page(const std::string& body);
  bool retry_later(const http::AttemptResult& attempt);
  void wait(int64_t ms);
  void finish(WalkResult::Kind kind, ApiFailure failure = {});
  bool pager_done() const;
  std::string next_path() const;
  core::Result<PageOutcome> consume(const Page& page);
  std::optional<uint64_t> newest_id() const;

  ApiClient& api_;
  std::unique_ptr<V2TimelinePager> v2_;
  std::unique_ptr<V1TimelinePager> v1_;
  std::string user_id_;
  PageFn on_page_;
  DoneFn on_done_;
  http::RetryPolicy policy_;
  State state_ = State::Idle;
  uv::Ptr<uv::Timer> timer_;
  std::optional<uint64_t> request_id_;
  uint32_t attempts_ = 0;       // attempts of the current page (re-signed each time)
  int rate_attempts_ = 0;       // consecutive 429s of the current page
  bool wait_for_next_ = false;  // the running wait follows a page (remaining 0), not a failure
  bool paused_ = false;         // pause(): hold before the next page
  WalkResult result_;
};

}  // namespace twitter
