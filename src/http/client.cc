// Implementation of http/client.h: calls (one logical request with its redirects and
// retries), the per-origin pool, and the Connection::Owner glue.
#include "http/client.h"

#include <algorithm>
#include <cassert>

#include "core/log.h"

namespace http {
namespace {

// Non-2xx bodies kept for error messages when the caller streams 2xx bodies to a sink.
constexpr size_t kMaxErrorBodyBytes = 64 * 1024;

bool idempotent(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS" || m == "TRACE";
}

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool valid_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!token_char(c)) return false;
  return true;
}

bool valid_value(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::optional<uint64_t> content_length(const ClientHeaders& h) {
  const std::string* v = find_header(h, "content-length");
  if (!v || v->empty() || v->size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

struct Client::Call final : uv::Timer::Handler, BodyFlow {
  enum class Phase { Waiting, Backoff, Active, Done };
  Client* client = nullptr;
  uint64_t id = 0;
  ClientRequest req;
  ResponseHandler* handler = nullptr;
  Url url;
  Endpoint endpoint;
  std::string key;   // pool key of endpoint
  std::string head;  // serialised request head for the current URL
  Phase phase = Phase::Waiting;
  uint32_t attempts = 0;       // all attempts, redirects included
  uint32_t attempts_here = 0;  // attempts at the current URL (retry policy input)
  uint32_t redirects = 0;
  bool stale_retry_used = false;
  bool force_fresh = false;  // next attempt must not take a pooled connection
  Connection* conn = nullptr;
  ClientResponse response;
  enum class BodyMode { Collect, Stream, Keep64k } mode = BodyMode::Collect;
  bool delivered = false;  // a body byte reached the sink: no retry any more
  uint64_t body_bytes = 0;
  bool local_error = false;  // the current attempt was aborted by us (limits, sink)
  std::string local_message;
  uv::Ptr<uv::Timer> total_timer;
  uv::Ptr<uv::Timer> retry_timer;
  // Back-pressure: while the sink holds the body paused, the total timer is stopped and
  // total_left_ms keeps what remains of the budget.
  bool paused = false;
  bool flow_given = false;  // the sink holds this call as its BodyFlow
  uint64_t total_left_ms = 0;
  uint64_t total_started_ms = 0;  // loop time the total timer was last started
  void on_timer(uv::Timer* t) override { client->on_call_timer(this, t); }
  void pause() override { client->set_paused(this, true); }
  void resume() override { client->set_paused(this, false); }
};

core::Status status_error(const ClientResponse& r, const core::Clock& clock) {
  if (r.status >= 200 && r.status <= 299) return core::ok_status();
  switch (r.status) {
    case 401: return core::make_error(core::Errc::Unauthorized, "http status", 401);
    case 403: return core::make_error(core::Errc::Forbidden, "http status", 403);
    case 404: return core::make_error(core::Errc::NotFound, "http status", 404);
    case 429: {
      auto wait = RetryPolicy::server_wait_ms(r.headers, clock.now_unix_ms());
      int secs = wait ? static_cast<int>((*wait + 999) / 1000) : 0;
      return core::make_error(core::Errc::RateLimited, "http status", secs);
    }
    default: return core::make_error(core::Errc::HttpStatus, "http status", r.status);
  }
}

Client::Client(uv::Loop& loop, Options options)
    : loop_(loop),
      options_(std::move(options)),
      policy_(RetryConfig{}, options_.clock ? *options_.clock : core::SystemClock::instance(),
              options_.rng ? *options_.rng : core::SystemRng::instance()),
      dispatch_timer_(uv::Timer::create(loop.get(), this)) {
  if (!options_.clock) options_.clock = &core::SystemClock::instance();
  if (!options_.rng) options_.rng = &core::SystemRng::instance();
}

core::Result<std::unique_ptr<Client>> Client::create(uv::Loop& loop, Options options,
                                                     std::string* message) {
  auto proxy = ProxyConfig::create(options.proxy, message);
  if (!proxy.ok()) return proxy.error();
  auto tls = tls::ClientConfig::create(options.ca_file, message);
  if (!tls.ok()) return tls.error();
  if (options.max_connections_per_origin == 0 || options.max_connections_total == 0) {
    if (message) *message = "connection limits must be at least 1";
    return core::make_error(core::Errc::Config, "http client");
  }
  std::unique_ptr<Client> c(new Client(loop, std::move(options)));
  c->tls_ = std::move(*tls);
  c->proxy_ = std::move(*proxy);
  return c;
}

Client::~Client() {
  for (auto& [id, call] : calls_) {
    end_flow(call.get());
    if (call->handler) call->handler->on_dropped(id);
  }
  calls_.clear();
  connections_.clear();  // Connection destructors close their handles
}

core::Result<uint64_t> Client::request(ClientRequest req, ResponseHandler* handler) {
  auto url = parse_url(req.url);
  if (!url.ok()) return url.error();
  if (!valid_token(req.method)) return core::make_error(core::Errc::InvalidArgument, "http method");
  for (const auto& [name, value] : req.headers)
    if (!valid_token(name) || !valid_value(value))
      return core::make_error(core::Errc::InvalidArgument, "http header");
  if (req.body_source && !req.body.empty())
    return core::make_error(core::Errc::InvalidArgument, "http body");
  if (!handler) return core::make_error(core::Errc::InvalidArgument, "http handler");
  if (calls_.size() >= core::limits::client::kMaxQueuedRequests)
    return core::make_error(core::Errc::Busy, "http client");
  auto call = std::make_unique<Call>();
  Call* c = call.get();
  c->client = this;
  c->id = next_id_++;
  c->req = std::move(req);
  c->handler = handler;
  c->url = std::move(*url);
  core::Status st = prepare_attempt(c);
  if (!st.ok()) return st.error();
  c->total_timer = uv::Timer::create(loop_.get(), c);
  c->total_timer->start(c->req.total_timeout_ms);
  c->total_left_ms = c->req.total_timeout_ms;
  c->total_started_ms = loop_.now_ms();
  calls_.emplace(c->id, std::move(call));
  enqueue(c);
  return c->id;
}

core::Status Client::prepare_attempt(Call* call) {
  const Url& u = call->url;
  std::optional<ProxyRoute> route = proxy_.route_for(u);
  bool absolute_form = route && !u.https();
  call->endpoint = Endpoint{u.host, u.port, u.https(), route};
  call->key = call->endpoint.key();
  const ClientRequest& r = call->req;
  std::string& h = call->head;
  h.clear();
  h += r.method;
  h += ' ';
  h += absolute_form ? u.str() : u.target;
  h += " HTTP/1.1\r\nHost: ";
  h += u.authority();
  h += "\r\n";
  bool has_ua = false;
  for (const auto& [name, value] : r.headers) {
    // Framing is ours to decide; "Connection: close" from the caller is passed on (the
    // server then closes, so the connection is not pooled).
    if (iequals(name, "host") || iequals(name, "content-length") ||
        iequals(name, "transfer-encoding"))
      continue;
    if (iequals(name, "user-agent")) has_ua = true;
    h += name;
    h += ": ";
    h += value;
    h += "\r\n";
  }
  if (!has_ua) h += "User-Agent: twitter-connector/" TC_VERSION "\r\n";
  if (absolute_form && !route->authorization.empty())
    h += "Proxy-Authorization: " + route->authorization + "\r\n";
  uint64_t len = r.body_source ? r.body_source->size() : r.body.size();
  if (len > 0 || r.body_source || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
    h += "Content-Length: " + std::to_string(len) + "\r\n";
  h += "\r\n";
  return core::ok_status();
}

void Client::enqueue(Call* call) {
  call->phase = Call::Phase::Waiting;
  pools_[call->key].waiting.push_back(call);
  schedule_dispatch();
}

void Client::schedule_dispatch() {
  if (!dispatch_timer_->active()) dispatch_timer_->start(0);
}

void Client::on_timer(uv::Timer*) {
  reap();
  dispatch();
}

void Client::reap() {
  dead_conns_.clear();
  dead_calls_.clear();
}

void Client::dispatch() {
  for (auto it = pools_.begin(); it != pools_.end();) {
    OriginPool& pool = it->second;
    while (!pool.waiting.empty() && dispatch_one(pool, pool.waiting.front()))
      pool.waiting.pop_front();
    // Forget origins with nothing left, so the map stays as small as the working set.
    if (pool.waiting.empty() && pool.idle.empty() && pool.busy == 0)
      it = pools_.erase(it);
    else
      ++it;
  }
}

bool Client::dispatch_one(OriginPool& pool, Call* call) {
  if (!call->force_fresh && !pool.idle.empty()) {
    Connection* c = pool.idle.back();
    pool.idle.pop_back();
    start_on(call, c);
    return true;
  }
  if (pool.busy + pool.idle.size() >= options_.max_connections_per_origin) {
    if (pool.idle.empty()) return false;
    destroy_connection(pool.idle.front());  // a fresh one is needed; drop the oldest idle
  }
  if (connections_.size() >= options_.max_connections_total && !evict_one_idle(call->key))
    return false;
  Connection::Owner* owner = this;
  auto conn = std::make_unique<Connection>(loop_.get(), call->endpoint, tls_.get(), owner,
                                           options_.idle_ms);
  Connection* c = conn.get();
  connections_.push_back(std::move(conn));
  ++stats_.connections_opened;
  start_on(call, c);
  return true;
}

bool Client::evict_one_idle(const std::string& except_key) {
  for (auto& [key, pool] : pools_) {
    if (key == except_key || pool.idle.empty()) continue;
    destroy_connection(pool.idle.front());
    return true;
  }
  return false;
}

void Client::start_on(Call* call, Connection* c) {
  set_paused(call, false);  // a pause belonged to the previous attempt's body
  OriginPool& pool = pools_[call->key];
  ++pool.busy;
  c->user = call;
  call->conn = c;
  call->phase = Call::Phase::Active;
  call->force_fresh = false;
  ++call->attempts;
  ++call->attempts_here;
  call->response = ClientResponse{};
  call->response.reused_connection = c->state() == Connection::State::Done;
  if (call->response.reused_connection) ++stats_.requests_reused;
  call->body_bytes = 0;
  call->local_error = false;
  call->local_message.clear();
  Connection::Exchange ex;
  ex.head = call->head;
  ex.body = call->req.body;
  ex.source = call->req.body_source;
  ex.head_request = call->req.method == "HEAD";
  ex.max_header_bytes = call->req.max_header_bytes;
  ex.timeouts = {call->req.connect_timeout_ms, call->req.handshake_timeout_ms,
                 call->req.idle_timeout_ms};
  c->start(std::move(ex));
}

core::Status Client::on_conn_head(Connection* c, ResponseParser& parser) {
  Call* call = static_cast<Call*>(c->user);
  if (!call) return core::make_error(core::Errc::Cancelled, "http client");
  ClientResponse& r = call->response;
  r.status = parser.status();
  r.headers = parser.headers();
  bool redirect = is_redirect(r.status) && call->req.method == "GET" && call->req.follow_redirects;
  bool ok_status = r.status >= 200 && r.status <= 299;
  if (ok_status && call->req.sink)
    call->mode = Call::BodyMode::Stream;
  else if (redirect || (call->req.sink && !ok_status))
    call->mode = Call::BodyMode::Keep64k;
  else
    call->mode = Call::BodyMode::Collect;
  auto len = content_length(r.headers);
  if (call->mode != Call::BodyMode::Keep64k && len && *len > call->req.max_body_bytes) {
    call->local_error = true;
    call->local_message = c->endpoint().host + ": response body too large (" +
                          std::to_string(*len) + " bytes announced, limit " +
                          std::to_string(call->req.max_body_bytes) + ")";
    return core::make_error(core::Errc::TooLarge, "response body");
  }
  if (call->mode == Call::BodyMode::Stream) {
    call->flow_given = true;
    call->req.sink->on_flow(call);
    if (call->phase == Call::Phase::Done)
      return core::make_error(core::Errc::Cancelled, "http client");
    core::Status st = call->req.sink->on_start(r);
    if (call->phase == Call::Phase::Done)
      return core::make_error(core::Errc::Cancelled, "http client");
    if (!st.ok()) {
      call->local_error = true;
      call->local_message = c->endpoint().host + ": the response sink refused the body";
      return st;
    }
  }
  return core::ok_status();
}

core::Status Client::on_conn_body(Connection* c, std::string_view data) {
  Call* call = static_cast<Call*>(c->user);
  if (!call) return core::make_error(core::Errc::Cancelled, "http client");
  call->body_bytes += data.size();
  if (call->mode == Call::BodyMode::Keep64k) {
    size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, call->response.body.size());
    call->response.body.append(data.substr(0, room));
    return core::ok_status();
  }
  if (call->body_bytes > call->req.max_body_bytes) {
    call->local_error = true;
    call->local_message = c->endpoint().host + ": response body too large (over " +
                          std::to_string(call->req.max_body_bytes) + " bytes)";
    return core::make_error(core::Errc::TooLarge, "response body");
  }
  if (call->mode == Call::BodyMode::Collect) {
    call->response.body.append(data);
    return core::ok_status();
  }
  call->delivered = true;
  core::Status st = call->req.sink->on_data(data);
  if (call->phase == Call::Phase::Done)
    return core::make_error(core::Errc::Cancelled, "http client");
  if (!st.ok()) {
    call->local_error = true;
    call->local_message = c->endpoint().host + ": the response sink failed";
  }
  return st;
}

void Client::on_conn_done(Connection* c, core::Status status, const std::string& message) {
  Call* call = static_cast<Call*>(c->user);
  c->user = nullptr;
  auto pit = pools_.find(c->endpoint().key());
  if (pit != pools_.end() && pit->second.busy > 0) --pit->second.busy;
  bool stale = c->failed_stale();
  release(c, status.ok() && c->idle());
  if (call) {
    call->conn = nullptr;
    if (status.ok())
      after_response(call);
    else
      after_attempt_failure(call, status.error(), call->local_error ? call->local_message : message,
                            stale);
  }
  schedule_dispatch();
}

void Client::on_conn_idle_closed(Connection* c) {
  destroy_connection(c);
  schedule_dispatch();
}

void Client::release(Connection* c, bool reusable) {
  if (reusable)
    pools_[c->endpoint().key()].idle.push_back(c);
  else
    destroy_connection(c);
}

void Client::destroy_connection(Connection* c) {
  auto pit = pools_.find(c->endpoint().key());
  if (pit != pools_.end()) {
    auto& idle = pit->second.idle;
    idle.erase(std::remove(idle.begin(), idle.end(), c), idle.end());
  }
  c->close();
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() != c) continue;
    dead_conns_.push_back(std::move(*it));
    connections_.erase(it);
    break;
  }
  schedule_dispatch();  // frees it on the next loop turn, outside any of its callbacks
}

void Client::after_attempt_failure(Call* call, const core::Error& error, const std::string& message,
                                   bool stale) {
  if (call->local_error) return fail(call, error, message);
  bool safe = idempotent(call->req.method) || call->req.retry_safe;
  bool can_repeat = safe && !call->delivered;
  if (stale && can_repeat && !call->stale_retry_used &&
      (!call->req.body_source || call->req.body_source->rewind())) {
    // The server closed a pooled connection we reused (RFC 9112 §9.3.1): repeat at once on a
    // fresh connection, once.
    call->stale_retry_used = true;
    call->force_fresh = true;
    --call->attempts_here;
    ++stats_.stale_retries;
    core::log::debug("http client stale connection retry",
                     {core::log::f("url", redact_url(call->url.str()))});
    return enqueue(call);
  }
  AttemptResult r;
  r.error = &error;
  if (can_repeat && schedule_retry(call, r)) return;
  fail(call, error, message);
}

void Client::after_response(Call* call) {
  if (try_redirect(call)) return;
  ClientResponse& r = call->response;
  if (RetryPolicy::retryable_status(r.status) && !call->delivered) {
    AttemptResult ar;
    ar.status = r.status;
    ar.headers = &r.headers;
    if (schedule_retry(call, ar)) return;
  }
  ClientResult result;
  result.ok = true;
  result.response = std::move(call->response);
  result.response.url = call->url.str();
  result.response.attempts = call->attempts;
  result.response.redirects = call->redirects;
  finish(call, std::move(result));
}

bool Client::try_redirect(Call* call) {
  const ClientResponse& r = call->response;
  if (!is_redirect(r.status) || call->req.method != "GET" || !call->req.follow_redirects)
    return false;
  const std::string* loc = r.header("location");
  if (!loc) return false;
  std::string host = call->url.host;
  if (call->redirects >= core::limits::client::kMaxRedirects) {
    fail(call, core::make_error(core::Errc::HttpStatus, "redirect", r.status),
         host + ": too many redirects (more than " +
             std::to_string(core::limits::client::kMaxRedirects) + ")");
    return true;
  }
  auto next = resolve_reference(call->url, *loc);
  if (!next.ok()) {
    fail(call, next.error(), host + ": redirect to an invalid location (" + redact_url(*loc) + ")");
    return true;
  }
  if (next->origin() != call->url.origin()) {
    // Credentials are for the origin that asked for them, never for where it points us.
    auto& hs = call->req.headers;
    hs.erase(std::remove_if(hs.begin(), hs.end(),
                            [](const auto& h) {
                              return iequals(h.first, "authorization") ||
                                     iequals(h.first, "cookie") ||
                                     iequals(h.first, "proxy-authorization");
                            }),
             hs.end());
  }
  call->url = std::move(*next);
  ++call->redirects;
  call->attempts_here = 0;
  call->stale_retry_used = false;
  (void)prepare_attempt(call);
  enqueue(call);
  return true;
}

bool Client::schedule_retry(Call* call, const AttemptResult& r) {
  bool safe = idempotent(call->req.method) || call->req.retry_safe;
  RetryPolicy policy(call->req.retry, *options_.clock, *options_.rng);
  auto delay = policy.next_delay(call->attempts_here, safe, r);
  if (!delay) return false;
  if (call->req.body_source && !call->req.body_source->rewind()) return false;
  ++stats_.retries;
  call->phase = Call::Phase::Backoff;
  if (!call->retry_timer) call->retry_timer = uv::Timer::create(loop_.get(), call);
  call->retry_timer->start(*delay == 0 ? 1 : *delay);
  core::log::debug("http client retry",
                   {core::log::f("url", redact_url(call->url.str())),
                    core::log::f("delay_ms", *delay), core::log::f("attempt", call->attempts)});
  return true;
}

void Client::on_call_timer(Call* call, uv::Timer* t) {
  if (call->phase == Call::Phase::Done) return;
  if (t == call->retry_timer.get()) {
    (void)prepare_attempt(call);  // the proxy route is recomputed, nothing else changes
    return enqueue(call);
  }
  fail(call, core::make_error(core::Errc::Timeout, "http request"),
       call->url.host + ": request timed out after " + std::to_string(call->req.total_timeout_ms) +
           " ms (total time limit, " + std::to_string(call->attempts) + " attempt(s))");
}

void Client::remove_waiting(Call* call) {
  auto pit = pools_.find(call->key);
  if (pit == pools_.end()) return;
  auto& w = pit->second.waiting;
  w.erase(std::remove(w.begin(), w.end(), call), w.end());
}

void Client::fail(Call* call, core::Error error, std::string message) {
  ClientResult result;
  result.ok = false;
  result.error = error;
  result.message = std::move(message);
  result.response.url = call->url.str();
  result.response.attempts = call->attempts;
  result.response.redirects = call->redirects;
  finish(call, std::move(result));
}

void Client::set_paused(Call* call, bool paused) {
  if (call->phase == Call::Phase::Done || call->paused == paused) return;
  call->paused = paused;
  uint64_t now = loop_.now_ms();
  if (paused) {
    // The total limit guards against a server that is too slow, not a consumer: its clock
    // stops while the sink holds the body.
    uint64_t used = now - call->total_started_ms;
    call->total_left_ms = used >= call->total_left_ms ? 1 : call->total_left_ms - used;
    call->total_timer->stop();
  } else {
    call->total_started_ms = now;
    call->total_timer->start(call->total_left_ms);
  }
  if (call->conn) call->conn->set_paused(paused);
}

void Client::end_flow(Call* call) {
  if (!call->flow_given) return;
  call->flow_given = false;
  call->req.sink->on_flow(nullptr);
}

void Client::finish(Call* call, ClientResult result) {
  call->phase = Call::Phase::Done;
  end_flow(call);
  remove_waiting(call);
  if (call->total_timer) call->total_timer->stop();
  if (call->retry_timer) call->retry_timer->stop();
  if (Connection* c = call->conn) {
    // Mid-exchange (timeout or cancel): the connection's state is unknown, so it goes.
    call->conn = nullptr;
    c->user = nullptr;
    auto pit = pools_.find(c->endpoint().key());
    if (pit != pools_.end() && pit->second.busy > 0) --pit->second.busy;
    destroy_connection(c);
  }
  auto it = calls_.find(call->id);
  assert(it != calls_.end());
  dead_calls_.push_back(std::move(it->second));
  calls_.erase(it);
  schedule_dispatch();
  ResponseHandler* h = call->handler;
  call->handler = nullptr;
  if (h) h->on_complete(call->id, result);
}

bool Client::cancel(uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return false;
  Call* call = it->second.get();
  ResponseHandler* h = call->handler;
  call->handler = nullptr;
  finish(call, ClientResult{});
  if (h) h->on_dropped(id);
  return true;
}

void Client::close_idle() {
  for (auto& [key, pool] : pools_)
    while (!pool.idle.empty()) destroy_connection(pool.idle.back());
}

Client::Stats Client::stats() const {
  Stats s = stats_;
  s.live_connections = connections_.size();
  for (const auto& [key, pool] : pools_) s.idle_connections += pool.idle.size();
  return s;
}

}  // namespace http
