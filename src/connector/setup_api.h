// The setup flow an admin connects an X account through (m365-connector-protocol.md §5.2,
// §6.2, §6.3, §13, §14 #5-#7), as route handlers:
//   GET  /api/ConnectorSetup/OAuthUrl?jobType=Twitter&jobId=J&redirectUrl=…  (protect)
//        request_token from X, a pending sign-in {token, secret, job, state} in the store,
//        the state in an HttpOnly cookie → the authenticate URL as a JSON string
//   GET  /Views/TwitterOAuth                                                   (NOT protected)
//        ?loginUrl=… → 302 to X (only X's authenticate/authorize URL);
//        ?oauth_token&oauth_verifier → cookie check, access_token, account stored on the job,
//        302 to /Views/TwitterOAuthDone?status=connected|denied|expired|failed
//   POST /api/ConnectorSetup/StoreToken  {"temporaryAccessCode","redirectUrl","jobId"} → true
//   GET  /api/ConnectorSetup/GetEntities?jobType=Twitter&jobId=J → [{"Id","Name",…}]
//   POST /api/ConnectorSetup/SavePage?jobId=J&tenantId=T → true
//   GET  /api/ConnectorSetup/DeleteToken?jobType=Twitter&jobId=J → true
// Errors of the /api routes are {"Message":"<what to fix>"}. See docs/internals/setup-flow.md.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "connector/setup_flow.h"
#include "core/clock.h"
#include "core/rand.h"
#include "http/client.h"
#include "http/router.h"
#include "store/store.h"
#include "twitter/api_client.h"
#include "twitter/oauth_client.h"
#include "uv/loop.h"

namespace connector {

struct SetupApiOptions {
  std::string twitter_base = "https://api.twitter.com";  // CONNECTOR_TWITTER_API_BASE
  twitter::ApiVersion twitter_version = twitter::ApiVersion::V2;
  std::string tenant_id;     // CONNECTOR_TENANT_ID: stored on each connected job
  bool trust_proxy = false;  // believe X-Forwarded-Proto (Secure cookie behind App Service)
};

class SetupApi {
 public:
  // Everything passed by reference must outlive the api, which must outlive the routes and
  // the callbacks of the store and of the OAuth client.
  SetupApi(uv::Loop& loop, store::Store& store, http::Client& http, twitter::OAuthClient& oauth,
           const core::Clock& clock, core::Rng& rng, SetupApiOptions options);

  http::Handler oauth_url_handler();
  http::Handler callback_handler();  // /Views/TwitterOAuth: register without auth
  http::Handler store_token_handler();
  http::Handler get_entities_handler();
  http::Handler save_page_handler();
  http::Handler delete_token_handler();

  // Identity look-ups in flight (GetEntities).
  size_t identity_lookups() const { return lookups_; }

 private:
  struct Finish {
    SignInStatus status = SignInStatus::Failed;
    int http_status = 200;  // for StoreToken: 200, 409 (settings), 502 (X), 503 (store)
    std::string message;    // for the admin when not connected
    std::string account;    // screen name when connected
  };
  using FinishFn = std::function<void(Finish)>;

  void oauth_url(http::Request& req, http::Responder res);
  void callback(http::Request& req, http::Responder res);
  void store_token(http::Request& req, http::Responder res);
  void get_entities(http::Request& req, http::Responder res);
  void save_page(http::Request& req, http::Responder res);
  void delete_token(http::Request& req, http::Responder res);

  void remember_sign_in(std::shared_ptr<http::Responder> held, std::string job_id,
                        oauth::RequestToken token, bool secure);
  // access_token for a taken pending sign-in, then link_account. done runs exactly once.
  void complete_sign_in(store::PendingAuth pending, std::string verifier, FinishFn done);
  void identity_of(store::Job job, http::Responder res);

  uv::Loop& loop_;
  store::Store& store_;
  http::Client& http_;
  twitter::OAuthClient& oauth_;
  const core::Clock& clock_;
  core::Rng& rng_;
  SetupApiOptions options_;
  size_t lookups_ = 0;
};

}  // namespace connector
