// Implementation of connector/setup_api.h. Every handler is a short chain of store and X calls;
// the Responder is held in a shared_ptr so the chain's callbacks (std::function) can carry it.
// Request tokens, verifiers and user tokens never reach a log; job ids and screen names do.
#include "connector/setup_api.h"

#include <cJSON.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "json/json.h"
#include "store/records.h"

namespace connector {
namespace log = core::log;
namespace lim = core::limits;
using core::Errc;

namespace {

using Held = std::shared_ptr<http::Responder>;
Held hold(http::Responder res) { return std::make_shared<http::Responder>(std::move(res)); }

constexpr std::string_view kConfigureHint =
    "set Twitter Api Key and Twitter Api Secret Key on the Configure page first";

std::string unknown_job_message(std::string_view job_id) {
  return "Failed to find job in the table: job " + std::string(job_id) +
         " has no connected X account; sign in with Twitter on the setup page first";
}

// jobType must be Twitter (the reference binds it case-insensitively).
bool job_type_ok(const http::Request& req, http::Responder& res) {
  auto t = req.query_param("jobType");
  if (t && http::iequals(*t, "Twitter")) return true;
  res.respond(setup_message(
      400, "jobType must be Twitter: this connector connects Twitter/X accounts only"));
  return false;
}

// The jobId query parameter, or a 400 sent.
std::optional<std::string> job_id_param(const http::Request& req, http::Responder& res) {
  auto id = req.query_param("jobId");
  if (id && store::check_id(*id, "jobId").ok()) return std::string(*id);
  res.respond(setup_message(400,
                            "jobId is missing or invalid: open the setup page from the Microsoft "
                            "365 compliance center, which passes the job id"));
  return std::nullopt;
}

bool has_app_credentials(const store::Settings& s) {
  return !s.twitter_api_key.empty() && !s.twitter_api_secret_key.empty();
}

oauth::AppCredentials app_of(const store::Settings& s) {
  return {s.twitter_api_key, s.twitter_api_secret_key};
}

http::Response store_unavailable() {
  return setup_message(503, "the connector's store is unavailable; retry in a moment");
}

// A value X put in the callback query: a short token without control characters.
bool token_like(std::optional<std::string_view> v) {
  return v && store::check_id(*v, "").ok() && v->size() <= lim::kMaxOAuthTokenBytes;
}

// GetEntities' answer: the one account, AlreadyUsed when any job holds that X user.
std::string entities_body(const twitter::Identity& who, const std::vector<store::Job>& jobs) {
  bool used = false;
  for (const store::Job& j : jobs) used = used || j.twitter_user_id == who.id;
  json::Json arr = json::array();
  json::Json e = json::object();
  json::add_string(e.get(), "Id", who.id);
  json::add_string(e.get(), "Name", who.username);
  json::add_null(e.get(), "AdditionalInfo");
  json::add_bool(e.get(), "AlreadyUsed", used);
  json::push(arr.get(), std::move(e));
  return json::dump(arr.get());
}

// GetEntities when X did not say who the token is: 409 when the sign-in must be redone, 502
// otherwise (logged with X's classification).
http::Response identity_failure(const std::string& job_id, const twitter::ApiFailure& failure) {
  log::warn("cannot read the connected account from X",
            {log::f("job", job_id), log::f("error", core::errc_name(failure.error.code)),
             log::f("status", failure.api.http_status), log::f("detail", failure.message)});
  if (failure.api.needs_relogin || failure.error.code == Errc::Unauthorized)
    return setup_message(409, "X no longer accepts the sign-in saved for job " + job_id +
                                  " (revoked, or the Twitter Api Key changed); sign in with "
                                  "Twitter again");
  if (failure.api.http_status == 0 && failure.error.code != Errc::Parse)
    return setup_message(502,
                         "X could not be reached (" + failure.message + "); try again in a moment");
  return setup_message(502, failure.message);
}

}  // namespace

SetupApi::SetupApi(uv::Loop& loop, store::Store& store, http::Client& http,
                   twitter::OAuthClient& oauth, const core::Clock& clock, core::Rng& rng,
                   SetupApiOptions options)
    : loop_(loop),
      store_(store),
      http_(http),
      oauth_(oauth),
      clock_(clock),
      rng_(rng),
      options_(std::move(options)) {}

http::Handler SetupApi::oauth_url_handler() {
  return [this](http::Request& req, http::Responder res) { oauth_url(req, std::move(res)); };
}
http::Handler SetupApi::callback_handler() {
  return [this](http::Request& req, http::Responder res) { callback(req, std::move(res)); };
}
http::Handler SetupApi::store_token_handler() {
  return [this](http::Request& req, http::Responder res) { store_token(req, std::move(res)); };
}
http::Handler SetupApi::get_entities_handler() {
  return [this](http::Request& req, http::Responder res) { get_entities(req, std::move(res)); };
}
http::Handler SetupApi::save_page_handler() {
  return [this](http::Request& req, http::Responder res) { save_page(req, std::move(res)); };
}
http::Handler SetupApi::delete_token_handler() {
  return [this](http::Request& req, http::Responder res) { delete_token(req, std::move(res)); };
}

// ------------------------------------------------------------------------------ OAuthUrl

void SetupApi::oauth_url(http::Request& req, http::Responder res) {
  if (!job_type_ok(req, res)) return;
  auto job_id = job_id_param(req, res);
  if (!job_id) return;
  std::string why;
  std::string redirect(req.query_param("redirectUrl").value_or(""));
  if (!check_redirect_url(redirect, &why)) return res.respond(setup_message(400, why));
  bool secure = request_is_https(req, options_.trust_proxy);
  Held held = hold(std::move(res));
  store_.get_settings([this, held, job_id = *job_id, redirect,
                       secure](core::Result<store::Settings> s) {
    if (!s.ok()) return held->respond(store_unavailable());
    if (!has_app_credentials(*s))
      return held->respond(
          setup_message(409, "The Twitter app is not configured: " + std::string(kConfigureHint)));
    auto started = oauth_.request_token(
        app_of(*s), redirect,
        [this, held, job_id, secure](core::Result<oauth::RequestToken> token,
                                     const twitter::OAuthFailure& failure) {
          if (!token.ok()) {
            log::warn("X refused the sign-in request",
                      {log::f("job", job_id),
                       log::f("reason", twitter::oauth_failure_kind_name(failure.kind)),
                       log::f("detail", failure.detail)});
            return held->respond(setup_message(502, failure.message));
          }
          remember_sign_in(held, job_id, std::move(*token), secure);
        });
    if (!started.ok()) {
      if (started.error().code == Errc::Busy)
        return held->respond(
            setup_message(503, "too many sign-ins are being started at once; retry in a moment"));
      return held->respond(setup_message(
          400, "the Twitter Api Key or redirectUrl cannot be used in a sign-in request: " +
                   std::string(kConfigureHint)));
    }
  });
}

// Stores the pending sign-in with a fresh state, then answers with X's URL and the cookie.
void SetupApi::remember_sign_in(std::shared_ptr<http::Responder> held, std::string job_id,
                                oauth::RequestToken token, bool secure) {
  unsigned char raw[32];
  rng_.fill(raw, sizeof raw);
  std::string state = core::hex_encode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
  std::string url = oauth_.authenticate_url(token.token);
  store::PendingAuth pending{std::move(token.token), std::move(token.secret), job_id, state, 0};
  store_.put_pending_auth(std::move(pending), [held, job_id, state, url, secure](core::Status st) {
    if (!st.ok()) {
      if (st.error().code == Errc::Busy)
        return held->respond(setup_message(
            503, "too many sign-ins are in progress; finish them or wait 15 minutes"));
      log::error("cannot store a pending sign-in", {log::f("error", st.error().where)});
      return held->respond(store_unavailable());
    }
    log::info("sign-in started", {log::f("job", job_id)});
    json::Json body = json::string(url);
    http::Response r = setup_json(json::dump(body.get()));
    r.headers.add("Set-Cookie", sign_in_cookie(state, secure));
    held->respond(std::move(r));
  });
}

// ------------------------------------------------------------------- /Views/TwitterOAuth

void SetupApi::callback(http::Request& req, http::Responder res) {
  bool secure = request_is_https(req, options_.trust_proxy);
  if (auto login = req.query_param("loginUrl")) {
    if (!is_allowed_login_url(*login, options_.twitter_base)) {
      log::warn("refused a sign-in redirect that does not lead to X's sign-in page");
      return res.respond(callback_page(
          400,
          "This link does not lead to X's sign-in page. Start again from the connector's "
          "setup page."));
    }
    return res.respond(callback_redirect(*login));
  }
  Held held = hold(std::move(res));
  auto redirect = [held, secure](SignInStatus s, std::string_view account) {
    http::Response r = callback_redirect(done_location(s, account));
    r.headers.add("Set-Cookie", expired_sign_in_cookie(secure));
    held->respond(std::move(r));
  };
  if (auto denied = req.query_param("denied")) {
    if (!token_like(denied)) return redirect(SignInStatus::Denied, "");
    store_.take_pending_auth(std::string(*denied), [redirect](core::Result<store::PendingAuth> p) {
      if (p.ok()) log::info("sign-in cancelled at X", {log::f("job", p->job_id)});
      redirect(SignInStatus::Denied, "");
    });
    return;
  }
  auto token = req.query_param("oauth_token");
  auto verifier = req.query_param("oauth_verifier");
  if (!token && !verifier) {
    return held->respond(callback_page(400,
                                       "This page is where X returns after signing in. Start from "
                                       "the connector's setup page."));
  }
  if (!token_like(token) || !token_like(verifier)) return redirect(SignInStatus::Expired, "");
  std::string cookie = cookie_value(req.headers, kSignInCookie).value_or("");
  std::string v(*verifier);
  // Taken before the state is compared: a callback with the wrong cookie also ends the sign-in,
  // so a guessed or stolen callback URL can be tried once at most.
  store_.take_pending_auth(
      std::string(*token), [this, redirect, cookie, v](core::Result<store::PendingAuth> p) {
        if (!p.ok()) {
          log::warn("sign-in callback for an unknown, used or expired sign-in",
                    {log::f("error", p.error().where)});
          return redirect(SignInStatus::Expired, "");
        }
        if (cookie.empty() || !core::constant_time_equal(cookie, p->state)) {
          log::warn(
              "sign-in callback from a browser that did not start it (cookie missing or "
              "different); the sign-in was discarded",
              {log::f("job", p->job_id), log::f("cookie", !cookie.empty())});
          return redirect(SignInStatus::Expired, "");
        }
        complete_sign_in(std::move(*p), v, [redirect](Finish f) { redirect(f.status, f.account); });
      });
}

void SetupApi::complete_sign_in(store::PendingAuth pending, std::string verifier, FinishFn done) {
  std::string job_id = pending.job_id;
  store_.get_settings([this, pending = std::move(pending), verifier = std::move(verifier), done,
                       job_id](core::Result<store::Settings> s) {
    auto fail = [&](int status, std::string message, const char* reason, std::string detail) {
      log::warn("sign-in could not be finished",
                {log::f("job", job_id), log::f("reason", reason), log::f("detail", detail)});
      done(Finish{SignInStatus::Failed, status, std::move(message), ""});
    };
    if (!s.ok())
      return fail(503, "the connector's store is unavailable; retry in a moment", "store",
                  s.error().where);
    if (!has_app_credentials(*s))
      return fail(409, "The Twitter app is not configured: " + std::string(kConfigureHint),
                  "settings", "Twitter Api Key or Secret missing");
    auto started = oauth_.access_token(
        app_of(*s), pending.request_token, pending.request_token_secret, verifier,
        [this, done, job_id](core::Result<oauth::AccessToken> token,
                             const twitter::OAuthFailure& failure) {
          if (!token.ok()) {
            log::warn("sign-in could not be finished",
                      {log::f("job", job_id),
                       log::f("reason", twitter::oauth_failure_kind_name(failure.kind)),
                       log::f("detail", failure.detail)});
            return done(Finish{SignInStatus::Failed, 502, failure.message, ""});
          }
          store::Job job;
          job.job_id = job_id;
          job.tenant_id = options_.tenant_id;
          job.twitter_user_id = token->user_id;
          job.screen_name = token->screen_name;
          job.user_token = token->token;
          job.user_token_secret = token->secret;
          std::string account = token->screen_name;
          std::string user_id = token->user_id;
          store_.link_account(std::move(job), [done, job_id, account, user_id](core::Status st) {
            if (!st.ok()) {
              log::error("cannot store the connected account",
                         {log::f("job", job_id), log::f("error", st.error().where),
                          log::f("code", core::errc_name(st.error().code))});
              return done(Finish{SignInStatus::Failed, 503,
                                 "the account could not be saved; sign in with Twitter again", ""});
            }
            log::info(
                "twitter account connected",
                {log::f("job", job_id), log::f("account", account), log::f("user_id", user_id)});
            done(Finish{SignInStatus::Connected, 200, "", account});
          });
        });
    if (!started.ok()) {
      const char* reason = started.error().code == Errc::Busy ? "busy" : "request";
      return fail(503, "too many sign-ins are being finished at once; sign in with Twitter again",
                  reason, started.error().where);
    }
  });
}

// ---------------------------------------------------------------------------- StoreToken

void SetupApi::store_token(http::Request& req, http::Responder res) {
  if (req.body.size() > lim::kMaxStoreTokenBodyBytes)
    return res.respond(setup_message(413, "the StoreToken body is larger than " +
                                              std::to_string(lim::kMaxStoreTokenBodyBytes) +
                                              " bytes"));
  auto doc = json::parse(req.body);
  const char* shape =
      "send {\"temporaryAccessCode\":\"<oauth_verifier>\",\"redirectUrl\":\"<…/Views/"
      "TwitterOAuth>\",\"jobId\":\"<job id>\"}";
  if (!doc.ok() || !cJSON_IsObject(doc->get()))
    return res.respond(setup_message(400, std::string("the body is not a JSON object: ") + shape));
  std::string fields[3];
  const char* names[3] = {"temporaryAccessCode", "redirectUrl", "jobId"};
  for (int i = 0; i < 3; ++i) {
    const cJSON* v = json::get_ci(doc->get(), names[i]);
    if (!v || !cJSON_IsString(v) || !v->valuestring || !*v->valuestring)
      return res.respond(setup_message(400, std::string(names[i]) + " is missing: " + shape));
    fields[i] = v->valuestring;
  }
  if (!token_like(fields[0]))
    return res.respond(
        setup_message(400, "temporaryAccessCode is not an X verifier: " + std::string(shape)));
  std::string why;
  if (!check_redirect_url(fields[1], &why)) return res.respond(setup_message(400, why));
  if (!store::check_id(fields[2], "jobId").ok())
    return res.respond(setup_message(400, std::string("jobId is invalid: ") + shape));
  Held held = hold(std::move(res));
  std::string job_id = fields[2];
  store_.take_latest_pending_auth_for_job(
      job_id, [this, held, job_id, verifier = fields[0]](core::Result<store::PendingAuth> p) {
        if (!p.ok()) {
          if (p.error().code != Errc::NotFound) return held->respond(store_unavailable());
          return held->respond(setup_message(
              400, "no sign-in is pending for job " + job_id +
                       " (none was started, it was used, or it expired after 15 minutes); "
                       "start again with OAuthUrl"));
        }
        complete_sign_in(std::move(*p), verifier, [held](Finish f) {
          if (f.status == SignInStatus::Connected) return held->respond(setup_json("true"));
          held->respond(setup_message(f.http_status, f.message));
        });
      });
}

// --------------------------------------------------------------------------- GetEntities

void SetupApi::get_entities(http::Request& req, http::Responder res) {
  if (!job_type_ok(req, res)) return;
  auto job_id = job_id_param(req, res);
  if (!job_id) return;
  Held held = hold(std::move(res));
  store_.get_job(*job_id, [this, held, job_id = *job_id](core::Result<store::Job> job) {
    if (!job.ok()) {
      if (job.error().code != Errc::NotFound) return held->respond(store_unavailable());
      return held->respond(setup_message(400, unknown_job_message(job_id)));
    }
    if (job->user_token.empty())
      return held->respond(setup_message(
          409, "job " + job_id + " has no X sign-in stored; sign in with Twitter again"));
    identity_of(std::move(*job), std::move(*held));
  });
}

void SetupApi::identity_of(store::Job job, http::Responder res) {
  Held held = hold(std::move(res));
  if (lookups_ >= lim::kMaxIdentityLookups)
    return held->respond(setup_message(503,
                                       "too many accounts are being looked up at once; "
                                       "retry in a moment"));
  ++lookups_;
  store_.get_settings([this, held, job = std::move(job)](core::Result<store::Settings> s) {
    auto finish = [this, held](http::Response r) {
      --lookups_;
      held->respond(std::move(r));
    };
    if (!s.ok()) return finish(store_unavailable());
    if (!has_app_credentials(*s))
      return finish(
          setup_message(409, "The Twitter app is not configured: " + std::string(kConfigureHint)));
    twitter::ApiSettings settings;
    settings.base = options_.twitter_base;
    settings.version = options_.twitter_version;
    // The client is needed only to sign and start the request; the response goes to the
    // callback, which owns everything it uses.
    twitter::ApiClient api(loop_, http_,
                           twitter::Credentials{s->twitter_api_key, s->twitter_api_secret_key,
                                                job.user_token, job.user_token_secret},
                           settings, clock_, rng_);
    std::string job_id = job.job_id;
    auto started =
        api.fetch_identity([this, finish, job_id](core::Result<twitter::Identity> identity,
                                                  const twitter::ApiFailure& failure) {
          if (!identity.ok()) return finish(identity_failure(job_id, failure));
          twitter::Identity who = std::move(*identity);
          store_.list_jobs([finish, who](core::Result<std::vector<store::Job>> jobs) {
            if (!jobs.ok()) return finish(store_unavailable());
            finish(setup_json(entities_body(who, *jobs)));
          });
        });
    if (!started.ok())
      finish(setup_message(503, "the request to X could not be started; retry in a moment"));
  });
}

// ---------------------------------------------------------------- SavePage, DeleteToken

void SetupApi::save_page(http::Request& req, http::Responder res) {
  auto job_id = job_id_param(req, res);
  if (!job_id) return;
  Held held = hold(std::move(res));
  // The reference ignores the body and calls a Subscribe that always succeeds: the job row
  // written by the sign-in is all there is to save.
  store_.get_job(*job_id, [held, job_id = *job_id](core::Result<store::Job> job) {
    if (!job.ok()) {
      if (job.error().code != Errc::NotFound) return held->respond(store_unavailable());
      return held->respond(setup_message(400, unknown_job_message(job_id)));
    }
    log::info("setup saved", {log::f("job", job_id), log::f("account", job->screen_name)});
    held->respond(setup_json("true"));
  });
}

void SetupApi::delete_token(http::Request& req, http::Responder res) {
  if (!job_type_ok(req, res)) return;
  auto job_id = job_id_param(req, res);
  if (!job_id) return;
  Held held = hold(std::move(res));
  store_.delete_pending_auths_for_job(*job_id, [held, job_id = *job_id](core::Result<size_t> n) {
    if (!n.ok()) return held->respond(store_unavailable());
    if (*n > 0)
      log::info("pending sign-ins discarded",
                {log::f("job", job_id), log::f("count", static_cast<unsigned long long>(*n))});
    held->respond(setup_json("true"));
  });
}

}  // namespace connector
