// JWKS refresh state machine; see jwks_fetcher.h. Idle -> Config (GET the OpenID
// configuration) -> Keys (GET jwks_uri) -> Idle, or -> Reporting when the first request could
// not even be queued (the failure is then delivered from a timer, never inside refresh()).
#include "connector/jwks_fetcher.h"

#include <utility>

#include "core/limits.h"
#include "core/log.h"
#include "jwt/jwks.h"

namespace connector {
namespace log = core::log;
using core::Errc;

JwksFetcher::JwksFetcher(uv::Loop& loop, http::Client& client, jwt::KeyCache& cache,
                         const core::Clock& clock, std::string openid_config_url)
    : client_(client), cache_(cache), clock_(clock), openid_url_(std::move(openid_config_url)) {
  report_timer_ = uv::Timer::create(loop.get(), this);
}

JwksFetcher::~JwksFetcher() {
  if (request_id_ != 0) client_.cancel(request_id_);
}

core::Status JwksFetcher::refresh(Done done) {
  if (waiters_.size() >= core::limits::kMaxJwksWaiters)
    return core::make_error(Errc::Busy, "too many requests waiting for the signing keys");
  waiters_.push_back(std::move(done));
  if (state_ == State::Idle) {
    ++fetches_;
    state_ = State::Config;
    starting_ = true;
    advance();
    starting_ = false;
  }
  return core::ok_status();
}

// Starts the request of the current state.
void JwksFetcher::advance() {
  switch (state_) {
    case State::Config: start_get(openid_url_); return;
    case State::Keys: start_get(jwks_url_); return;
    case State::Idle:
    case State::Reporting: return;
  }
}

void JwksFetcher::start_get(const std::string& url) {
  http::ClientRequest r;
  r.method = "GET";
  r.url = url;
  r.headers.push_back({"Accept", "application/json"});
  r.max_body_bytes = core::limits::kMaxJwksBytes;
  r.total_timeout_ms = core::limits::kJwksFetchTimeoutMs;
  // Callers are waiting and KeyCache limits how often we ask: no backoff loop here.
  r.retry.max_attempts = 1;
  auto id = client_.request(std::move(r), this);
  if (id.ok()) {
    request_id_ = *id;
    return;
  }
  std::string message = "GET " + url + ": " + id.error().where;
  if (starting_) {
    // Inside refresh(): the callbacks must not run before it returns; deliver from the loop.
    outcome_ = id.error();
    outcome_message_ = std::move(message);
    state_ = State::Reporting;
    report_timer_->start(0);
    return;
  }
  finish(id.error(), std::move(message));
}

void JwksFetcher::on_complete(uint64_t, http::ClientResult& result) {
  request_id_ = 0;
  const std::string& url = state_ == State::Config ? openid_url_ : jwks_url_;
  if (!result.ok) {
    finish(result.error, "GET " + url + ": " + result.message);
    return;
  }
  if (result.response.status != 200) {
    finish(core::make_error(Errc::HttpStatus, "jwks fetch", result.response.status),
           "GET " + url + ": HTTP " + std::to_string(result.response.status));
    return;
  }
  if (state_ == State::Config) {
    auto config = jwt::parse_openid_config(result.response.body);
    if (!config.ok()) {
      finish(config.error(),
             "GET " + url + ": not a usable OpenID configuration: " + config.error().where);
      return;
    }
    jwks_url_ = config->jwks_uri;
    state_ = State::Keys;
    advance();
    return;
  }
  auto keys = jwt::parse_jwks(result.response.body);
  if (!keys.ok()) {
    finish(keys.error(), "GET " + url + ": not a usable key set: " + keys.error().where);
    return;
  }
  log::info("signing keys refreshed",
            {log::f("url", url), log::f("keys", static_cast<unsigned long long>(keys->size())),
             log::f("skipped", static_cast<unsigned long long>(keys->skipped()))});
  cache_.install(std::move(*keys), clock_.monotonic_ms());
  finish(core::ok_status(), {});
}

void JwksFetcher::on_timer(uv::Timer*) {
  if (state_ != State::Reporting) return;
  finish(outcome_, std::move(outcome_message_));
}

void JwksFetcher::finish(core::Status status, std::string message) {
  if (!status.ok()) {
    cache_.note_refresh_failed(clock_.monotonic_ms());
    log::error(
        "signing keys could not be fetched; Bearer tokens are refused until the key endpoint "
        "answers",
        {log::f("error", message), log::f("openid_config", openid_url_),
         log::f("consecutive_failures", static_cast<unsigned long long>(cache_.failures())),
         log::f("keys_in_use", static_cast<unsigned long long>(cache_.keys().size()))});
  }
  state_ = State::Idle;
  std::vector<Done> waiters;
  waiters.swap(waiters_);
  // A waiter may call refresh() again: the state is Idle by now, so that starts a new fetch.
  for (auto& w : waiters) w(status, message);
}

}  // namespace connector
