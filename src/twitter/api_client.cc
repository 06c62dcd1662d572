// Implementation of twitter/api_client.h: OAuth-signed requests, the identity call and the
// timeline walk state machine. Decisions (paging, rate limits, error meaning) stay in the pure
// modules (timeline_pager, api_error); this file only moves bytes and time.
#include "twitter/api_client.h"

#include <utility>

#include "core/log.h"
#include "json/json.h"
#include "oauth/signer.h"
#include "twitter/tweet_parser.h"

namespace twitter {
namespace {

const char* version_name(ApiVersion v) { return v == ApiVersion::V2 ? "v2" : "v1.1"; }

std::optional<std::string_view> header_view(const http::ClientResponse& r, std::string_view name) {
  const std::string* v = r.header(name);
  if (!v) return std::nullopt;
  return std::string_view(*v);
}

RateLimitInfo rate_info(const http::ClientResponse& r) {
  return parse_rate_limit(header_view(r, "x-rate-limit-limit"),
                          header_view(r, "x-rate-limit-remaining"),
                          header_view(r, "x-rate-limit-reset"));
}

}  // namespace

ApiClient::ApiClient(uv::Loop& loop, http::Client& http, Credentials credentials,
                     ApiSettings settings, const core::Clock& clock, core::Rng& rng,
                     core::Metrics* metrics)
    : loop_(loop),
      http_(http),
      credentials_(std::move(credentials)),
      settings_(std::move(settings)),
      clock_(clock),
      rng_(rng),
      metrics_(metrics) {
  while (!settings_.base.empty() && settings_.base.back() == '/') settings_.base.pop_back();
}

core::Result<http::ClientRequest> ApiClient::signed_get(std::string_view path_and_query) const {
  http::ClientRequest req;
  req.url = settings_.base;
  req.url.append(path_and_query);
  oauth::SignInput in;
  in.method = "GET";
  in.url = req.url;
  in.consumer_key = credentials_.consumer_key;
  in.consumer_secret = credentials_.consumer_secret;
  in.token = credentials_.token;
  in.token_secret = credentials_.token_secret;
  in.stamp = oauth::make_stamp(clock_, rng_);
  auto s = oauth::sign(in);
  if (!s.ok()) return s.error();
  req.headers.emplace_back("Authorization", std::move(s->authorization));
  req.headers.emplace_back("Accept", "application/json");
  req.max_body_bytes = settings_.max_page_bytes;
  req.retry.max_attempts = 1;  // a retry needs a fresh nonce: the caller re-signs
  return req;
}

core::Result<Identity> parse_identity(ApiVersion version, std::string_view body, std::string* why) {
  auto root = json::parse(body);
  if (!root.ok()) {
    if (why) *why = "the identity response is not JSON";
    return core::make_error(core::Errc::Parse, "identity");
  }
  const cJSON* obj =
      version == ApiVersion::V2 ? json::get_object(root->get(), "data") : root->get();
  const char* id_key = version == ApiVersion::V2 ? "id" : "id_str";
  const char* user_key = version == ApiVersion::V2 ? "username" : "screen_name";
  auto id = obj ? json::get_string(obj, id_key) : std::nullopt;
  auto user = obj ? json::get_string(obj, user_key) : std::nullopt;
  if (!id || !json::parse_u64(*id) || !user) {
    if (why) *why = std::string("the identity response has no ") + (id ? user_key : id_key);
    return core::make_error(core::Errc::Parse, "identity");
  }
  Identity out;
  out.id = std::string(*id);
  out.username = std::string(*user);
  if (auto n = json::get_string(obj, "name")) out.name = std::string(*n);
  return out;
}

ApiFailure failure_from_response(const http::ClientResponse& response) {
  ApiFailure f;
  f.api = classify_response(response.status, response.body);
  f.error = f.api.error();
  f.message = f.api.message;
  if (f.error.code == core::Errc::RateLimited) {
    RateLimitInfo info = rate_info(response);
    if (info.reset_unix_s) f.rate_limited_until_s = *info.reset_unix_s;
  }
  return f;
}

ApiFailure failure_from_transport(const http::ClientResult& result) {
  ApiFailure f;
  f.error = result.error;
  f.api.code = result.error.code;
  f.api.retryable = is_retryable_transport(result.error.code);
  f.message = "X API not reachable: " + result.message;
  f.api.message = f.message;
  return f;
}

core::Status ApiClient::fetch_identity(IdentityFn done) {
  const ApiVersion v = settings_.version;
  auto req =
      signed_get(v == ApiVersion::V2 ? "/2/users/me" : "/1.1/account/verify_credentials.json");
  if (!req.ok()) return req.error();
  auto id = http::fetch(http_, std::move(*req), [v, done = std::move(done)](http::ClientResult& r) {
    if (!r.ok) {
      ApiFailure f = failure_from_transport(r);
      done(f.error, f);
      return;
    }
    if (r.response.status / 100 != 2) {
      ApiFailure f = failure_from_response(r.response);
      done(f.error, f);
      return;
    }
    std::string why;
    auto identity = parse_identity(v, r.response.body, &why);
    ApiFailure f;
    if (!identity.ok()) {
      f.error = identity.error();
      f.message = "X answered the identity request with an unexpected body: " + why;
    }
    done(std::move(identity), f);
  });
  if (!id.ok()) return id.error();
  return core::ok_status();
}

// ------------------------------------------------------------------------------ TimelineWalk

TimelineWalk::TimelineWalk(ApiClient& api, std::string user_id, TimelineWindow window,
                           PageFn on_page, DoneFn on_done)
    : api_(api),
      user_id_(std::move(user_id)),
      on_page_(std::move(on_page)),
      on_done_(std::move(on_done)),
      policy_(http::RetryConfig{}, api.clock(), api.rng()) {
  if (api_.settings().version == ApiVersion::V2)
    v2_ = std::make_unique<V2TimelinePager>(user_id_, window);
  else
    v1_ = std::make_unique<V1TimelinePager>(user_id_, window);
}

TimelineWalk::~TimelineWalk() {
  if (request_id_) api_.http().cancel(*request_id_);
}

bool TimelineWalk::pager_done() const { return v2_ ? v2_->done() : v1_->done(); }
std::string TimelineWalk::next_path() const { return v2_ ? v2_->next_path() : v1_->next_path(); }
core::Result<PageOutcome> TimelineWalk::consume(const Page& page) {
  return v2_ ? v2_->consume(page) : v1_->consume(page);
}
std::optional<uint64_t> TimelineWalk::newest_id() const {
  return v2_ ? v2_->newest_id() : v1_->newest_id();
}

core::Status TimelineWalk::start() {
  if (state_ != State::Idle)
    return core::make_error(core::Errc::InvalidArgument, "timeline walk already started");
  if (v2_ && user_id_.empty())
    return core::make_error(core::Errc::InvalidArgument,
                            "v2 timeline walk needs the user id (fetch_identity)");
  timer_ = uv::Timer::create(api_.loop().get(), this);
  if (!timer_) return core::make_error(core::Errc::Internal, "timeline walk timer");
  auto req = api_.signed_get(next_path());
  if (!req.ok()) return req.error();
  auto id = api_.http().request(std::move(*req), this);
  if (!id.ok()) return id.error();
  request_id_ = *id;
  attempts_ = 1;
  state_ = State::Request;
  return core::ok_status();
}

// Sends the pager's current request (first attempt or retry), freshly signed.
void TimelineWalk::send() {
  state_ = State::Request;
  auto req = api_.signed_get(next_path());
  if (!req.ok()) {
    ApiFailure f;
    f.error = req.error();
    f.message = "cannot sign the X API request for " + next_path();
    return finish(WalkResult::Kind::Failed, std::move(f));
  }
  auto id = api_.http().request(std::move(*req), this);
  if (!id.ok()) {
    ApiFailure f;
    f.error = id.error();
    f.message =
        std::string("cannot queue the X API request: ") + core::errc_message(id.error().code);
    return finish(WalkResult::Kind::Failed, std::move(f));
  }
  request_id_ = *id;
  ++attempts_;
}

// After a page was delivered: the next page, or the end.
void TimelineWalk::advance() {
  if (pager_done()) return finish(WalkResult::Kind::Done);
  if (paused_) {
    state_ = State::Held;
    return;
  }
  attempts_ = 0;
  rate_attempts_ = 0;
  send();
}

void TimelineWalk::on_complete(uint64_t, http::ClientResult& result) {
  request_id_.reset();
  if (!result.ok) return on_transport_failure(result);
  on_response(result.response);
}

void TimelineWalk::resume() {
  paused_ = false;
  if (state_ != State::Held) return;
  wait_for_next_ = true;  // the timer below continues with the next page
  wait(0);
}

void TimelineWalk::on_timer(uv::Timer*) {
  if (state_ != State::Wait) return;
  if (!wait_for_next_) return send();  // a retry of the same page
  wait_for_next_ = false;
  advance();  // the wait came after a page: go on
}

void TimelineWalk::wait(int64_t ms) {
  state_ = State::Wait;
  timer_->start(static_cast<uint64_t>(ms < 0 ? 0 : ms));
}

bool TimelineWalk::retry_later(const http::AttemptResult& attempt) {
  auto delay = policy_.next_delay(attempts_, true, attempt);
  if (!delay) return false;
  ++result_.retries;
  if (core::Metrics* m = api_.metrics())
    m->counter("twitter_api_retries_total",
               "X API requests repeated after a 5xx or network failure")
        .inc();
  wait(static_cast<int64_t>(*delay));
  return true;
}

void TimelineWalk::on_transport_failure(http::ClientResult& result) {
  ApiFailure f = failure_from_transport(result);
  core::log::warn("x api request failed",
                  {core::log::f("version", version_name(api_.settings().version)),
                   core::log::f("attempt", attempts_), core::log::f("error", result.message)});
  http::AttemptResult a;
  a.error = &result.error;
  if (f.api.retryable && retry_later(a)) return;
  if (f.api.retryable) f.message += " (gave up after " + std::to_string(attempts_) + " attempts)";
  finish(WalkResult::Kind::Failed, std::move(f));
}

void TimelineWalk::on_response(http::ClientResponse& response) {
  const ApiSettings& s = api_.settings();
  RateLimitInfo info = rate_info(response);
  RateDecision d = decide_rate_limit(response.status, info, api_.clock().now_unix_ms(),
                                     s.max_rate_wait_ms, rate_attempts_);
  if (response.status == 429) {
    ApiFailure f = failure_from_response(response);
    if (f.api.problem == "usage-capped") return finish(WalkResult::Kind::Failed, std::move(f));
    if (d.kind == RateDecision::Kind::Wait) {
      ++rate_attempts_;
      ++result_.rate_waits;
      core::log::info("x api rate limit: waiting for the window to reset",
                      {core::log::f("version", version_name(s.version)),
                       core::log::f("wait_ms", d.wait_ms), core::log::f("reset", d.until_unix_s)});
      if (core::Metrics* m = api_.metrics())
        m->counter("twitter_rate_limit_waits_total", "bounded waits for an X API rate-limit reset")
            .inc();
      return wait(d.wait_ms);
    }
    f.rate_limited_until_s = d.until_unix_s;
    f.message = "X API rate limit reached; the window resets at " + std::to_string(d.until_unix_s) +
                " (Unix time), beyond the bounded wait: the sync resumes then.";
    return finish(WalkResult::Kind::RateLimited, std::move(f));
  }
  if (response.status / 100 != 2) {
    ApiFailure f = failure_from_response(response);
    http::AttemptResult a;
    a.status = response.status;
    a.headers = &response.headers;
    core::log::warn("x api error response",
                    {core::log::f("status", response.status), core::log::f("attempt", attempts_),
                     core::log::f("message", f.message)});
    if (f.api.retryable && retry_later(a)) return;
    if (f.api.retryable) f.message += " Gave up after " + std::to_string(attempts_) + " attempts.";
    return finish(WalkResult::Kind::Failed, std::move(f));
  }
  state_ = State::Parse;
  std::string body = std::move(response.body);
  if (!parse_page(body)) return;  // finished (and maybe destroyed)
  if (pager_done()) return finish(WalkResult::Kind::Done);
  if (d.kind == RateDecision::Kind::Wait) {
    ++result_.rate_waits;
    core::log::info("x api rate limit exhausted: waiting before the next page",
                    {core::log::f("wait_ms", d.wait_ms), core::log::f("reset", d.until_unix_s)});
    if (core::Metrics* m = api_.metrics())
      m->counter("twitter_rate_limit_waits_total", "bounded waits for an X API rate-limit reset")
          .inc();
    wait_for_next_ = true;
    return wait(d.wait_ms);
  }
  if (d.kind == RateDecision::Kind::RateLimited) {
    ApiFailure f;
    f.error = core::make_error(core::Errc::RateLimited, "x api", 429);
    f.rate_limited_until_s = d.until_unix_s;
    f.message = "X API rate limit exhausted until " + std::to_string(d.until_unix_s) +
                " (Unix time), beyond the bounded wait: the sync resumes then.";
    return finish(WalkResult::Kind::RateLimited, std::move(f));
  }
  advance();
}

bool TimelineWalk::parse_page(const std::string& body) {
  std::string why;
  auto page = v2_ ? parse_v2_page(body, &why) : parse_v1_timeline(body, &why);
  if (!page.ok()) {
    ApiFailure f;
    f.error = page.error();
    f.message = "X API returned a timeline page that cannot be read: " + why;
    finish(WalkResult::Kind::Failed, std::move(f));
    return false;
  }
  auto outcome = consume(*page);
  if (!outcome.ok()) {
    ApiFailure f;
    f.error = outcome.error();
    f.message =
        "X API paging went wrong (repeated or endless pages); the sync stopped without moving the "
        "cursor";
    finish(WalkResult::Kind::Failed, std::move(f));
    return false;
  }
  ++result_.pages;
  for (const PartialError& e : page->errors) {
    ++result_.partial_errors;
    core::log::warn("x api partial error",
                    {core::log::f("title", e.title), core::log::f("detail", e.detail),
                     core::log::f("resource_id", e.resource_id)});
  }
  result_.tweets += outcome->accepted.size();
  core::Status st = on_page_(*page, *outcome);
  if (!st.ok()) {
    ApiFailure f;
    f.error = st.error();
    f.message = std::string("the timeline page could not be processed: ") +
                core::errc_message(st.error().code);
    finish(WalkResult::Kind::Failed, std::move(f));
    return false;
  }
  return true;
}

void TimelineWalk::finish(WalkResult::Kind kind, ApiFailure failure) {
  state_ = State::Done;
  if (timer_) timer_->stop();
  WalkResult r = std::move(result_);
  r.kind = kind;
  r.failure = std::move(failure);
  if (kind == WalkResult::Kind::Done) r.newest_id = newest_id();
  DoneFn done = std::move(on_done_);
  done(r);  // may destroy this
}

}  // namespace twitter
