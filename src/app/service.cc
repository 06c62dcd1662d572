// Implementation of app/service.h. Owns every long-lived object of the process; members are
// declared in dependency order so they are destroyed in reverse (the loop last).
#include "app/service.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "app/ops_routes.h"
#include "connector/auth_middleware.h"
#include "connector/config_api.h"
#include "connector/inbound_auth.h"
#include "connector/jobs_api.h"
#include "connector/jwks_fetcher.h"
#include "connector/setup_api.h"
#include "connector/platform_api.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "http/client.h"
#include "http/router.h"
#include "http/server.h"
#include "jobs/worker.h"
#include "jwt/key_cache.h"
#include "m365/aad_token_client.h"
#include "store/box_codec.h"
#include "store/file_store.h"
#include "twitter/oauth_client.h"
#include "uv/loop.h"
#include "uv/signal.h"

namespace app {
namespace log = core::log;

core::Status prepare_data_dir(const std::string& dir, std::string* message) {
  auto fail = [&](const std::string& what, int err) {
    *message = "data directory " + dir + ": " + what +
               (err ? std::string(": ") + strerror(err) : "") +
               "; set --data-dir or CONNECTOR_DATA_DIR to a directory this user (uid " +
               std::to_string(geteuid()) + ") can write";
    return core::make_error(core::Errc::Config, "prepare_data_dir", err);
  };
  // mkdir -p, each created level 0700 (parents included: they may hold the same secrets).
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string part = dir.substr(0, pos);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return fail("cannot create " + part, errno);
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return fail("cannot read its status", errno);
  if (!S_ISDIR(st.st_mode)) return fail("exists but is not a directory", 0);
  // access() would ignore read-only mounts; a real file creation answers for both.
  std::string probe = dir + "/.write-test-" + std::to_string(getpid());
  int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail("is not writable", errno);
  close(fd);
  unlink(probe.c_str());
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    log::warn("data directory is accessible to other users; restrict it with chmod 700",
              {log::f("dir", dir), log::f("mode", mode)});
  }
  return core::ok_status();
}

namespace {

// Each connection needs a descriptor: raise the soft limit towards the hard one if the
// configured connection count would not fit (listener, log, store files: 64 spare).
void raise_fd_limit(size_t max_connections) {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + 64;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = old;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    log::warn(
        "file descriptor limit is below the connection limit; lower "
        "CONNECTOR_MAX_CONNECTIONS or raise ulimit -n",
        {log::f("nofile", static_cast<unsigned long long>(rl.rlim_cur)),
         log::f("max_connections", static_cast<unsigned long long>(max_connections))});
  }
}

class Service final : public uv::Signal::Handler {
 public:
  explicit Service(const Config& config) : config_(config) {}

  int run() {
    ops_.metrics = &metrics_;
    add_ops_routes(router_, ops_);
    if (!open_store() || !start_auth() || !start_worker()) return 1;
    router_.get("/setup/Validate", guard_->protect(connector::ConfigApi::validate_handler()));
    router_.get("/api/Configuration", guard_->protect(config_api_->get_handler()));
    router_.post("/api/Configuration", guard_->protect(config_api_->post_handler()));
    start_setup();
    router_.get("/api/ConnectorSetup/OAuthUrl", guard_->protect(setup_api_->oauth_url_handler()));
    router_.get("/Views/TwitterOAuth", setup_api_->callback_handler());  // X's redirect: no auth
    router_.post("/api/ConnectorSetup/StoreToken",
                 guard_->protect(setup_api_->store_token_handler()));
    router_.get("/api/ConnectorSetup/GetEntities",
                guard_->protect(setup_api_->get_entities_handler()));
    router_.post("/api/ConnectorSetup/SavePage", guard_->protect(setup_api_->save_page_handler()));
    router_.get("/api/ConnectorSetup/DeleteToken",
                guard_->protect(setup_api_->delete_token_handler()));
    add_platform_routes();
    http::ServerOptions o;
    o.host = config_.listen_host;
    o.port = config_.listen_port;
    o.max_connections = config_.max_connections;
    o.max_body_bytes = config_.max_body_bytes;
    server_ = std::make_unique<http::Server>(loop_, router_, metrics_, o);
    if (!server_->listen().ok()) {
      fprintf(stderr,
              "twitter-connector serve: cannot listen on %s (see the log line above); choose "
              "another address with --listen or CONNECTOR_LISTEN\n",
              listen_address(config_).c_str());
      return 1;
    }
    sigterm_ = uv::Signal::create(loop_.get(), this);
    sigint_ = uv::Signal::create(loop_.get(), this);
    if (sigterm_->start(SIGTERM) != 0 || sigint_->start(SIGINT) != 0) {
      log::error("cannot install SIGTERM/SIGINT handlers");
      return 1;
    }
    ops_.ready = true;
    std::string url = local_url(config_, server_->port());
    log::info("listening", {log::f("url", url), log::f("address", config_.listen_host),
                            log::f("port", server_->port()), log::f("version", TC_VERSION)});
    // For the person who ran `make run`: stdout carries JSON lines only, so the hint goes to
    // stderr.
    fprintf(stderr, "twitter-connector %s: open %s in a browser (Ctrl-C stops)\n", TC_VERSION,
            url.c_str());
    loop_.run();
    log::info("stopped");
    return 0;
  }

 private:
  // Opens the FileStore in the data dir, sealing secrets when CONNECTOR_ENCRYPTION_KEY is set.
  bool open_store() {
    if (!config_.encryption_key.empty()) {
      auto codec =
          store::BoxCodec::from_raw_key(config_.encryption_key, core::SystemRng::instance());
      if (!codec.ok())
        return startup_error("CONNECTOR_ENCRYPTION_KEY is not a usable key: 32 bytes are needed");
      codec_ = std::move(*codec);
    }
    store::FileStore::Options o;
    o.dir = config_.data_dir;
    o.codec = codec_.get();
    std::string problem;
    auto opened =
        store::FileStore::open(loop_.get(), core::SystemClock::instance(), std::move(o), &problem);
    if (!opened.ok()) {
      if (problem.empty()) problem = opened.error().where;
      return startup_error("cannot open the store in " + config_.data_dir + ": " + problem);
    }
    store_ = std::move(*opened);
    log::info("store opened",
              {log::f("dir", config_.data_dir), log::f("secrets_encrypted", codec_ != nullptr)});
    return true;
  }

  // Outbound client, inbound authentication (Basic, and Bearer when CONNECTOR_AAD_APP_URI is
  // set), the Configuration API and the AAD token client fed from the stored settings.
  bool start_auth() {
    http::Client::Options co;
    co.ca_file = config_.ca_file;
    co.proxy = http::ProxyEnv::from_environment();
    std::string message;
    auto client = http::Client::create(loop_, std::move(co), &message);
    if (!client.ok()) return startup_error("cannot set up outbound HTTPS: " + message);
    client_ = std::move(*client);

    connector::InboundAuthConfig ac;
    ac.basic = {config_.tenant_id, config_.api_secret_key};
    ac.bearer_enabled = !config_.aad_app_uris.empty();
    ac.bearer.tenant_id = config_.tenant_id;
    ac.bearer.audiences = config_.aad_app_uris;
    bool bearer = ac.bearer_enabled;
    auth_ = std::make_unique<connector::InboundAuth>(std::move(ac));
    if (bearer) {
      jwks_ = std::make_unique<connector::JwksFetcher>(
          loop_, *client_, keys_, core::SystemClock::instance(), aad_openid_config_url(config_));
      // Load the keys now so the first Bearer call does not wait; a failure is logged by the
      // fetcher and retried when a token arrives (fail closed meanwhile).
      (void)jwks_->refresh([](core::Status, const std::string&) {});
    }
    connector::AuthMiddlewareOptions mo;
    mo.trust_proxy = config_.trust_proxy;
    guard_ = std::make_unique<connector::AuthMiddleware>(
        *auth_, bearer ? &keys_ : nullptr, jwks_.get(), core::SystemClock::instance(), mo);

    m365::AadTokenClient::Options to;
    to.authority = config_.aad_authority;
    aad_ =
        std::make_unique<m365::AadTokenClient>(loop_, *client_, core::SystemClock::instance(), to);
    config_api_ = std::make_unique<connector::ConfigApi>(*store_);
    config_api_->on_saved([this](const store::Settings& s) {
      aad_->set_credentials(s.aad_app_id, s.aad_app_secret);
    });
    store_->get_settings([this](core::Result<store::Settings> s) {
      if (s.ok()) aad_->set_credentials(s->aad_app_id, s->aad_app_secret);
    });
    return true;
  }

  // The setup flow: OAuth exchanges with X and the ConnectorSetup endpoints.
  void start_setup() {
    twitter::OAuthClient::Options oo;
    oo.base = config_.twitter_api_base;
    oauth_ = std::make_unique<twitter::OAuthClient>(*client_, oo, core::SystemClock::instance(),
                                                    core::SystemRng::instance());
    connector::SetupApiOptions so;
    so.twitter_base = config_.twitter_api_base;
    so.twitter_version = config_.twitter_api_version == TwitterApiVersion::V1_1
                             ? twitter::ApiVersion::V1
                             : twitter::ApiVersion::V2;
    so.tenant_id = config_.tenant_id;
    so.trust_proxy = config_.trust_proxy;
    setup_api_ = std::make_unique<connector::SetupApi>(loop_, *store_, *client_, *oauth_,
                                                       core::SystemClock::instance(),
                                                       core::SystemRng::instance(), so);
  }

  // The platform's job/data endpoints and the admin's job list (connector/platform_api.h,
  // jobs_api.h). Tasks carry the configured tenant (protocol §7.4).
  void add_platform_routes() {
    platform_api_ = std::make_unique<connector::PlatformApi>(
        *store_, connector::PlatformApiOptions{config_.tenant_id});
    platform_api_->on_task_queued([this] {
      if (worker_) worker_->wake();
    });
    jobs_api_ = std::make_unique<connector::JobsApi>(*store_);
    router_.get("/job/IsCreated", guard_->protect(platform_api_->is_created_handler()));
    router_.del("/job/OnDeleted", guard_->protect(platform_api_->on_deleted_handler()));
    router_.get("/job/OnRemediation", guard_->protect(platform_api_->on_remediation_handler()));
    router_.post("/data/OnDownloadRequest",
                 guard_->protect(platform_api_->on_download_request_handler()));
    router_.get("/api/Jobs", guard_->protect(jobs_api_->list_handler()));
  }

  // The import worker: leases tasks from the store and runs them on this loop.
  bool start_worker() {
    jobs::WorkerOptions wo;
    wo.task.twitter_base = config_.twitter_api_base;
    wo.task.twitter_version = config_.twitter_api_version == TwitterApiVersion::V1_1
                                  ? twitter::ApiVersion::V1
                                  : twitter::ApiVersion::V2;
    wo.task.max_rate_wait_ms = config_.twitter_max_rate_wait_ms;
    wo.task.media_max_bytes = config_.media_max_bytes;
    wo.task.tenant = config_.tenant_id;
    wo.task.upload_concurrency = config_.upload_concurrency;
    wo.event_api_base = config_.event_api_base;
    worker_ = std::make_unique<jobs::Worker>(loop_, *store_, *client_, *aad_, &metrics_,
                                             core::SystemClock::instance(),
                                             core::SystemRng::instance(), std::move(wo));
    std::string message;
    if (!worker_->start(&message).ok())
      return startup_error("cannot start the import worker: " + message);
    return true;
  }

  bool startup_error(const std::string& message) {
    log::error("cannot start", {log::f("error", message)});
    fprintf(stderr, "twitter-connector serve: %s\n", message.c_str());
    return false;
  }

  void on_signal(uv::Signal*, int signum) override {
    const char* name = signum == SIGTERM ? "SIGTERM" : "SIGINT";
    if (stopping_) {
      // A second signal: the operator does not want to wait for the grace period.
      log::warn("second signal: closing remaining connections now", {log::f("signal", name)});
      server_.reset();  // closes every connection at once; its shutdown callback never runs
      finish();
      return;
    }
    stopping_ = true;
    ops_.ready = false;
    ops_.not_ready_reason = "shutting down";
    auto open = static_cast<unsigned long long>(server_->open_connections());
    // The listener is closed by the time the line is written, so anyone who reads the log
    // can rely on it: no new connection is accepted after "shutting down".
    server_->shutdown(core::limits::kShutdownGraceMs, [this] { finish(); });
    log::info(
        "shutting down",
        {log::f("signal", name), log::f("open_connections", open),
         log::f("grace_ms", static_cast<unsigned long long>(core::limits::kShutdownGraceMs))});
  }

  // Every connection is closed (or the grace period ended): make run() return. The server
  // is not destroyed here because this may run inside its own timer callback; the members'
  // destructors release it and the loop after run() returns.
  void finish() {
    if (finishing_) return;
    finishing_ = true;
    sigterm_.reset();
    sigint_.reset();
    // The worker lets go of its tasks first (their leases expire; checkpoints keep the
    // progress), then every write made so far becomes durable before the loop stops.
    auto close_store = [this] {
      store_->close([this](core::Status st) {
        if (!st.ok())
          log::error("store closed with an error", {log::f("error", st.error().where)});
        client_->close_idle();
        loop_.stop();
      });
    };
    if (worker_)
      worker_->stop(close_store);
    else
      close_store();
  }

  const Config& config_;
  uv::Loop loop_;
  core::Metrics metrics_;
  std::unique_ptr<store::BoxCodec> codec_;
  std::unique_ptr<store::FileStore> store_;
  std::unique_ptr<http::Client> client_;
  jwt::KeyCache keys_;
  std::unique_ptr<connector::JwksFetcher> jwks_;
  std::unique_ptr<connector::InboundAuth> auth_;
  std::unique_ptr<connector::AuthMiddleware> guard_;
  std::unique_ptr<m365::AadTokenClient> aad_;
  std::unique_ptr<connector::ConfigApi> config_api_;
  std::unique_ptr<twitter::OAuthClient> oauth_;
  std::unique_ptr<connector::SetupApi> setup_api_;
  std::unique_ptr<connector::PlatformApi> platform_api_;
  std::unique_ptr<connector::JobsApi> jobs_api_;
  std::unique_ptr<jobs::Worker> worker_;
  http::Router router_;
  OpsState ops_;
  std::unique_ptr<http::Server> server_;
  uv::Ptr<uv::Signal> sigterm_;
  uv::Ptr<uv::Signal> sigint_;
  bool stopping_ = false;
  bool finishing_ = false;
};

}  // namespace

int run_serve(const LoadedConfig& loaded) {
  const Config& c = loaded.config;
  log::set_level(c.log_level);
  // Writes to a socket the peer closed must fail with EPIPE, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  // Everything this process creates (store files, data dir) is private to its user.
  umask(077);
  log_config(loaded);
  std::string message;
  if (!prepare_data_dir(c.data_dir, &message).ok()) {
    log::error("cannot use the data directory", {log::f("error", message)});
    fprintf(stderr, "twitter-connector serve: %s\n", message.c_str());
    return 1;
  }
  if (c.tenant_id.empty() || c.api_secret_key.empty()) {
    log::warn(
        "CONNECTOR_TENANT_ID or CONNECTOR_API_SECRET_KEY is not set: the Microsoft 365 "
        "platform and the admin pages cannot authenticate until both are set");
  }
  raise_fd_limit(c.max_connections);
  Service service(c);
  return service.run();
}

}  // namespace app
